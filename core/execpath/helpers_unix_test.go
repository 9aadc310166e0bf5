//go:build unix

package execpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeExe creates an executable shell script at path (and its directories)
// and returns path.
func makeExe(t *testing.T, path string) string {
	t.Helper()
	writeFile(t, path, 0o755)
	return path
}

func writeFile(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), perm); err != nil {
		t.Fatal(err)
	}
}

// testEnv is a complete environment with the given home and PATH.
func testEnv(home string, path ...string) []string {
	return []string{"HOME=" + home, "PATH=" + strings.Join(path, string(os.PathListSeparator)), "LANG=C"}
}

// setProcessEnv makes the process environment match testEnv.
func setProcessEnv(t *testing.T, home string, path ...string) {
	t.Helper()
	t.Setenv("HOME", home)
	t.Setenv("PATH", strings.Join(path, string(os.PathListSeparator)))
}
