//go:build !darwin && !windows

package osint

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStableDirHonoursXDGBinHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for xdg, want := range map[string]string{
		"/opt/u/bin": "/opt/u/bin",
		"relative":   filepath.Join(home, ".local", "bin"),
		"":           filepath.Join(home, ".local", "bin"),
	} {
		t.Setenv("XDG_BIN_HOME", xdg)
		if got, err := StableDir(); err != nil || got != want {
			t.Errorf("XDG_BIN_HOME=%q: StableDir() = %q, %v; want %q", xdg, got, err, want)
		}
	}
}

func TestXDGDownloadDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", "")
	if got := xdgDownloadDir(home); got != "" {
		t.Errorf("without user-dirs.dirs: %q, want none", got)
	}
	dirs := "# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Bureau\"\nXDG_DOWNLOAD_DIR=\"$HOME/Téléchargements\"\n"
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte(dirs), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := xdgDownloadDir(home), filepath.Join(home, "Téléchargements"); got != want {
		t.Errorf("xdgDownloadDir = %q, want %q", got, want)
	}
}
