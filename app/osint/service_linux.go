package osint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	kardianos "github.com/kardianos/service"
)

// probeTimeout bounds the `systemctl --user` probe: a wedged bus must not
// hang the tray.
const probeTimeout = 10 * time.Second

const inProcess = "; the MCPlex tray runs the gateway in-process instead"

// supported reports whether a systemd user manager can take the service.
// kardianos picks the init system once, when the process starts; inside a
// container without systemd it picks unix-systemv.
func supported() error {
	sys := kardianos.ChosenSystem()
	if sys == nil || sys.String() != "linux-systemd" {
		name := "no known init system"
		if sys != nil {
			name = sys.String()
		}
		return &UnsupportedError{Reason: fmt.Sprintf(
			"User services need systemd (systemctl --user), and this system runs %s%s.", name, inProcess)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "systemctl", "--user", "show-environment")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		why := strings.TrimSpace(stderr.String())
		if why == "" {
			why = err.Error()
		}
		return &UnsupportedError{Reason: fmt.Sprintf(
			"User services need a systemd user manager, and systemctl --user cannot reach one (%s)%s.", why, inProcess)}
	}
	return nil
}

// unitPath is where kardianos puts a user unit: it uses ~/.config even when
// XDG_CONFIG_HOME points elsewhere.
func unitPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".config", "systemd", "user", ServiceName+".service"), nil
}

func prepareInstall(spec ServiceSpec, c *kardianos.Config) error {
	if err := checkSystemdExe(spec.Exe); err != nil {
		return err
	}
	c.Executable = spec.Exe
	c.Arguments = systemdArgs(spec)
	c.Option["SystemdScript"] = systemdUnit
	return nil
}
