//go:build !darwin && !windows

package osint

import (
	"os"
	"path/filepath"
)

func (a Autostart) path() (string, error) {
	dir, err := a.configHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "autostart", autostartID+".desktop"), nil
}

func entryFor(exe string) []byte { return desktopEntry(exe) }

func entryEnabled(entry []byte) bool { return xdgEnabled(entry) }

func (a Autostart) configHome() (string, error) {
	if a.ConfigHome != "" {
		return a.ConfigHome, nil
	}
	if dir := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) { // the spec ignores relative values
		return dir, nil
	}
	home, err := a.home()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".config"), nil
}
