package osint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey   = `Software\Microsoft\Windows\CurrentVersion\Run`
	runValue = "MCPlex"
)

// TrayExecutable returns the executable that starts the tray, given this
// program's: the console build (mcplex.exe) would open a console window at
// login, so a GUI build next to it is preferred.
func TrayExecutable(exe string) string {
	if strings.EqualFold(filepath.Base(exe), TrayExeName) {
		return exe
	}
	gui := filepath.Join(filepath.Dir(exe), TrayExeName)
	if _, err := os.Stat(gui); err == nil {
		return gui
	}
	return exe
}

// Path names the Run key value.
func (Autostart) Path() (string, error) { return `HKCU\` + runKey + `\` + runValue, nil }

// Enabled reports whether the Run key has the MCPlex value. (Task Manager's
// own on/off switch lives under Explorer\StartupApproved and is not read.)
func (Autostart) Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	if _, _, err := k.GetStringValue(runValue); err != nil {
		if errors.Is(err, registry.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// Enable sets the Run key value to the quoted exe (an absolute path).
func (Autostart) Enable(exe string) error {
	if err := checkAutostartExe(exe); err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.SetStringValue(runValue, `"`+exe+`"`)
}

// Disable deletes the Run key value; without one it does nothing.
func (Autostart) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(runValue); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	return nil
}
