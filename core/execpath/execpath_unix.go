//go:build unix

package execpath

import (
	"os"
	"path/filepath"
	"strings"
)

// pathVar is the name of the search-path variable.
const pathVar = "PATH"

// envKeyEqual reports whether two variable names are the same; they are
// case-sensitive on Unix.
func envKeyEqual(a, b string) bool { return a == b }

// dirKey identifies a cleaned directory for de-duplication.
func dirKey(dir string) string { return dir }

func hasPathSeparator(name string) bool { return strings.Contains(name, "/") }

func homeDir(e environ) string { return userHome(e, "HOME") }

// findExecutable returns path if it is a regular file (after symlinks) with an
// execute bit set.
func findExecutable(path string, _ environ) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", false
	}
	return path, true
}

// extraDirs lists the usual install locations, most specific first. Entries
// may be empty or missing on disk; callers filter. A variable such as
// VOLTA_HOME, when set, is tried before the tool's default location.
func extraDirs(e environ) []string {
	home := homeDir(e)
	h := func(elem ...string) string {
		if home == "" {
			return ""
		}
		return filepath.Join(append([]string{home}, elem...)...)
	}
	dirs := []string{
		e.get("NVM_BIN"), // set by nvm in the shell that started us, if any
		"/opt/homebrew/bin",
		"/usr/local/bin",
		e.dirIn("VOLTA_HOME", "bin"), h(".volta", "bin"),
	}
	dirs = append(dirs, versionDirs(e.dirIn("NVM_DIR", "versions", "node"), "v", "bin")...)
	dirs = append(dirs, versionDirs(h(".nvm", "versions", "node"), "v", "bin")...)
	return append(dirs,
		h(".local", "bin"), // uv, pipx
		e.dirIn("CARGO_HOME", "bin"), h(".cargo", "bin"),
		e.dirIn("BUN_INSTALL", "bin"), h(".bun", "bin"),
		e.dirIn("DENO_INSTALL", "bin"), h(".deno", "bin"),
		e.get("PNPM_HOME"), h("Library", "pnpm"), h(".local", "share", "pnpm"),
		h(".npm-global", "bin"),
		h(".asdf", "shims"), h(".local", "share", "mise", "shims"),
		"/home/linuxbrew/.linuxbrew/bin",
		"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/snap/bin",
	)
}
