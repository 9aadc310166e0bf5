package execpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeExe creates a .cmd shim at path+".cmd" (and its directories) and
// returns the created path.
func makeExe(t *testing.T, path string) string {
	t.Helper()
	path += ".cmd"
	writeFile(t, path, 0o644)
	return path
}

func writeFile(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("@echo off\r\n"), perm); err != nil {
		t.Fatal(err)
	}
}

// testEnv is a complete environment with the given home and Path; the
// per-user folders live under home.
func testEnv(home string, path ...string) []string {
	return []string{
		"USERPROFILE=" + home,
		"APPDATA=" + filepath.Join(home, "AppData", "Roaming"),
		"LOCALAPPDATA=" + filepath.Join(home, "AppData", "Local"),
		"PATHEXT=.COM;.EXE;.BAT;.CMD;.VBS;.JS",
		"Path=" + strings.Join(path, string(os.PathListSeparator)),
	}
}

// setProcessEnv makes the process environment match testEnv.
func setProcessEnv(t *testing.T, home string, path ...string) {
	t.Helper()
	for _, kv := range testEnv(home, path...) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
