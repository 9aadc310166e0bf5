//go:build !windows

package osint

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mcplex/mcplex/core/atomicfile"
)

// TrayExecutable returns the executable that starts the tray, given this
// program's: the same one outside Windows.
func TrayExecutable(exe string) string { return exe }

// Path returns the login item's file.
func (a Autostart) Path() (string, error) { return a.path() }

// Enabled reports whether the tray starts at login.
func (a Autostart) Enabled() (bool, error) {
	path, err := a.path()
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return entryEnabled(data), nil
}

// Enable makes the tray start at login by running exe (an absolute path),
// replacing any earlier entry.
func (a Autostart) Enable(exe string) error {
	if err := checkAutostartExe(exe); err != nil {
		return err
	}
	path, err := a.path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, entryFor(exe), 0o644)
}

// Disable removes the login item; without one it does nothing.
func (a Autostart) Disable() error {
	path, err := a.path()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (a Autostart) home() (string, error) {
	if a.Home != "" {
		return a.Home, nil
	}
	return os.UserHomeDir()
}
