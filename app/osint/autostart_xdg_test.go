//go:build !darwin && !windows

package osint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAutostartRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a := Autostart{Home: filepath.Join(dir, "home"), ConfigHome: filepath.Join(dir, "config")}
	path, err := a.Path()
	if want := filepath.Join(dir, "config", "autostart", "io.mcplex.desktop.desktop"); err != nil || path != want {
		t.Fatalf("Path() = %q, %v; want %q", path, err, want)
	}
	checkEnabled(t, a, false) // off by default
	if err := a.Disable(); err != nil {
		t.Fatalf("Disable without an entry: %v", err)
	}

	if err := a.Enable("/old/mcplex"); err != nil {
		t.Fatal(err)
	}
	if err := a.Enable("/opt/My Apps/mcplex"); err != nil { // replaces the old entry
		t.Fatal(err)
	}
	checkEnabled(t, a, true)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "autostart.desktop", data)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("entry mode %v, %v; want 0644", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("autostart dir holds %v, want only the entry (no temporary files)", entries)
	}

	// The desktop's own switch turns the entry off without removing it.
	if err := os.WriteFile(path, append(data, "Hidden=true\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	checkEnabled(t, a, false)

	if err := a.Disable(); err != nil {
		t.Fatal(err)
	}
	checkEnabled(t, a, false)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("entry still there after Disable: %v", err)
	}
}

func TestAutostartHonoursXDGConfigHome(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	for xdg, want := range map[string]string{
		filepath.Join(dir, "xdg"): filepath.Join(dir, "xdg", "autostart", "io.mcplex.desktop.desktop"),
		"relative/ignored":        filepath.Join(home, ".config", "autostart", "io.mcplex.desktop.desktop"),
		"":                        filepath.Join(home, ".config", "autostart", "io.mcplex.desktop.desktop"),
	} {
		t.Setenv("XDG_CONFIG_HOME", xdg)
		if got, err := (Autostart{Home: home}).Path(); err != nil || got != want {
			t.Errorf("XDG_CONFIG_HOME=%q: Path() = %q, %v; want %q", xdg, got, err, want)
		}
	}
}

func TestAutostartNeedsAbsoluteExe(t *testing.T) {
	a := Autostart{Home: t.TempDir(), ConfigHome: t.TempDir()}
	if err := a.Enable("mcplex"); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("Enable(relative) = %v, want an error about an absolute path", err)
	}
	checkEnabled(t, a, false)
}

func checkEnabled(t *testing.T, a Autostart, want bool) {
	t.Helper()
	if got, err := a.Enabled(); err != nil || got != want {
		t.Errorf("Enabled() = %v, %v; want %v", got, err, want)
	}
}
