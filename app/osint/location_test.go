package osint

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestTransient(t *testing.T) {
	mac := places{
		temp:      []string{"/var/folders/ab/xyz/T", "/private/var/folders/ab/xyz/T"},
		downloads: []string{"/Users/jane/Downloads"},
		macOS:     true, fold: true,
	}
	linux := places{
		temp:      []string{"/tmp"},
		downloads: []string{"/home/jane/Downloads", "/home/jane/Téléchargements"},
	}
	for _, tc := range []struct {
		name   string
		exe    string
		p      places
		reason string // "" = stable
	}{
		{"translocated app", "/private/var/folders/ab/xyz/T/AppTranslocation/1F2E/d/MCPlex.app/Contents/MacOS/mcplex", mac, "App Translocation"},
		{"disk image", "/Volumes/MCPlex/MCPlex.app/Contents/MacOS/mcplex", mac, "mounted disk image"},
		{"macOS temp", "/private/var/folders/ab/xyz/T/mcplex", mac, "temporary directory"},
		{"macOS Downloads, other case", "/Users/jane/downloads/mcplex", mac, "Downloads"},
		{"go run", "/Users/jane/Library/Caches/go-build123/b001/exe/mcplex", mac, "go run or go test"},
		{"Applications", "/Applications/MCPlex.app/Contents/MacOS/mcplex", mac, ""},
		{"user Applications", "/Users/jane/Applications/MCPlex.app/Contents/MacOS/mcplex", mac, ""},
		{"Application Support", "/Users/jane/Library/Application Support/MCPlex/bin/mcplex", mac, ""},
		{"Linux temp", "/tmp/mcplex", linux, "temporary directory /tmp"},
		{"go test", "/tmp/go-build4242/b001/osint.test", linux, "go run or go test"},
		{"Linux Downloads", "/home/jane/Downloads/mcplex-linux-amd64/mcplex", linux, "Downloads"},
		{"localized Downloads", "/home/jane/Téléchargements/mcplex", linux, "Downloads"},
		{"case matters on Linux", "/home/jane/downloads/mcplex", linux, ""},
		{"not inside /tmp", "/tmpfoo/mcplex", linux, ""},
		{"no /Volumes rule on Linux", "/Volumes/x/mcplex", linux, ""},
		{"local bin", "/home/jane/.local/bin/mcplex", linux, ""},
		{"system", "/usr/bin/mcplex", linux, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad, why := transient(filepath.FromSlash(tc.exe), fromSlash(tc.p))
			if bad != (tc.reason != "") || !strings.Contains(why, filepath.FromSlash(tc.reason)) {
				t.Errorf("transient(%q) = %v, %q; want reason %q", tc.exe, bad, why, tc.reason)
			}
		})
	}
}

func fromSlash(p places) places {
	out := p
	out.temp, out.downloads = nil, nil
	for _, d := range p.temp {
		out.temp = append(out.temp, filepath.FromSlash(d))
	}
	for _, d := range p.downloads {
		out.downloads = append(out.downloads, filepath.FromSlash(d))
	}
	return out
}

func TestInstallSelf(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "dl", "mcplex")
	bin := filepath.Join(dir, "stable", "bin") // missing: InstallSelf creates it
	writeFile(t, src, "new build", 0o600)

	got, err := InstallSelf(src, bin)
	if want := filepath.Join(bin, "mcplex"); err != nil || got != want {
		t.Fatalf("InstallSelf = %q, %v; want %q", got, err, want)
	}
	checkCopy(t, got, "new build")

	// An older copy is replaced.
	writeFile(t, got, "old build", 0o644)
	if _, err := InstallSelf(src, bin); err != nil {
		t.Fatal(err)
	}
	checkCopy(t, got, "new build")

	// Installing the installed copy copies nothing (and does not truncate it).
	again, err := InstallSelf(got, bin)
	if err != nil || again != got {
		t.Fatalf("InstallSelf(installed) = %q, %v", again, err)
	}
	checkCopy(t, got, "new build")
}

func TestInstallSelfFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	if _, err := InstallSelf(filepath.Join(dir, "missing"), filepath.Join(dir, "bin")); err == nil {
		t.Fatal("installed a missing file")
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "bin")); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func checkCopy(t *testing.T, path, content string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || string(data) != content {
		t.Errorf("%s holds %q, %v; want %q", path, data, err, content)
	}
	if fi, err := os.Stat(path); runtime.GOOS != "windows" && (err != nil || fi.Mode().Perm() != 0o755) {
		t.Errorf("%s mode %v, %v; want 0755", path, fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%s holds %v, want only the binary (no temporary files)", filepath.Dir(path), entries)
	}
}

func writeFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // WriteFile keeps an existing file's mode
		t.Fatal(err)
	}
}

// The test binary itself runs from a go-build directory.
func TestStableExecutableRefusesTheTestBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil || !strings.Contains(exe, "go-build") {
		t.Skipf("test binary at %q (%v), not in a go-build directory", exe, err)
	}
	_, err = StableExecutable()
	var te *TransientError
	if !errors.Is(err, ErrTransient) || !errors.As(err, &te) {
		t.Fatalf("StableExecutable() error = %v, want a *TransientError", err)
	}
	dir, _ := StableDir()
	if te.StableDir != dir || !strings.Contains(err.Error(), "go run or go test") {
		t.Errorf("error %q (StableDir %q), want the reason and %q", err, te.StableDir, dir)
	}
}

// The Windows pair is installed together: copying the tray exe brings the
// console exe (the clients' stdio bridge) along, and the other way round.
func TestInstallSelfWindowsPair(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, name := range []string{"mcplexw.exe", "mcplex.exe"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte("exe "+name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got, err := InstallSelf(filepath.Join(src, "mcplexw.exe"), dst)
	if err != nil {
		t.Fatal(err)
	}
	if got != filepath.Join(dst, "mcplexw.exe") {
		t.Errorf("InstallSelf = %q", got)
	}
	for _, name := range []string{"mcplexw.exe", "mcplex.exe"} {
		b, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(b) != "exe "+name {
			t.Errorf("%s installed as %q, %v", name, b, err)
		}
	}
}
