package osint

import (
	"os"
	"path/filepath"

	kardianos "github.com/kardianos/service"
)

// supported: every macOS user has a launchd per-user domain.
func supported() error { return nil }

// unitPath is where kardianos puts a user LaunchAgent.
func unitPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", ServiceName+".plist"), nil
}

// prepareInstall hands kardianos a finished plist as its LaunchdConfig
// template: it holds no template actions (see plistEscaper), so kardianos
// writes it unchanged. launchd does not create the log's directory.
func prepareInstall(spec ServiceSpec, c *kardianos.Config) error {
	home, err := os.UserHomeDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(serviceLogPath(home)), 0o700); err != nil {
		return err
	}
	c.Executable = spec.Exe
	c.Arguments = spec.Args()
	c.Option["LaunchdConfig"] = string(servicePlist(spec, home).plist())
	return nil
}
