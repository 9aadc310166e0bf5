package clients

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// selfPath returns the absolute, symlink-free path of the running binary.
func selfPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating the mcplex binary: %w", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return exe, nil
}

// checkStableExe refuses a binary that will not be at the same place
// later: "go run" builds, temporary folders, macOS App Translocation
// (quarantined apps run from a random read-only path) and mounted disk
// images.
func checkStableExe(exe string) error {
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("%w: %q is not an absolute path", ErrUnstableExe, exe)
	}
	slash := filepath.ToSlash(exe)
	tmp := filepath.ToSlash(filepath.Clean(os.TempDir())) + "/"
	unstable := strings.Contains(slash, "/AppTranslocation/") ||
		strings.HasPrefix(slash, "/Volumes/") ||
		strings.Contains(slash, "/go-build") ||
		strings.HasPrefix(slash, tmp)
	if unstable {
		return fmt.Errorf("%w (%s): install mcplex to a permanent folder first, or pass --force", ErrUnstableExe, exe)
	}
	return nil
}
