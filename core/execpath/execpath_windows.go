package execpath

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pathVar is the conventional spelling of the search-path variable; lookups
// ignore case.
const pathVar = "Path"

// runnable lists the extensions that CreateProcess can start (batch files
// through cmd.exe), in PATHEXT's default order. Other PATHEXT entries such as
// .JS or .PY are ignored: exec.Command could not run what they would find.
var runnable = []string{".com", ".exe", ".bat", ".cmd"}

// envKeyEqual reports whether two variable names are the same; they are
// case-insensitive on Windows.
func envKeyEqual(a, b string) bool { return strings.EqualFold(a, b) }

// dirKey identifies a cleaned directory for de-duplication; NTFS paths are
// case-insensitive.
func dirKey(dir string) string { return strings.ToLower(dir) }

func hasPathSeparator(name string) bool { return strings.ContainsAny(name, `\/:`) }

func homeDir(e environ) string { return userHome(e, "USERPROFILE", "HOME") }

// pathExts returns the runnable PATHEXT extensions, lowercase, in PATHEXT
// order, or the default set if PATHEXT names none.
func pathExts(e environ) []string {
	var exts []string
	for _, x := range strings.Split(strings.ToLower(e.get("PATHEXT")), ";") {
		x = strings.TrimSpace(x)
		if x != "" && !strings.HasPrefix(x, ".") {
			x = "." + x
		}
		if slices.Contains(runnable, x) && !slices.Contains(exts, x) {
			exts = append(exts, x)
		}
	}
	if len(exts) == 0 {
		return runnable
	}
	return exts
}

// findExecutable returns path if it names a file with a runnable extension,
// else the first of path+ext over PATHEXT that exists: "npx" finds npx.cmd.
func findExecutable(path string, e environ) (string, bool) {
	exts := pathExts(e)
	if slices.Contains(exts, strings.ToLower(filepath.Ext(path))) && isFile(path) {
		return path, true
	}
	for _, ext := range exts {
		if p := path + ext; isFile(p) {
			return p, true
		}
	}
	return "", false
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// extraDirs lists the usual install locations, most specific first. Entries
// may be empty or missing on disk; callers filter.
func extraDirs(e environ) []string {
	home := homeDir(e)
	h := func(elem ...string) string {
		if home == "" {
			return ""
		}
		return filepath.Join(append([]string{home}, elem...)...)
	}
	dirs := []string{
		e.dirIn("APPDATA", "npm"), // npm install -g, including npx.cmd shims
		e.get("NVM_SYMLINK"),      // nvm-windows' active version
		e.dirIn("ProgramFiles", "nodejs"), e.dirIn("ProgramFiles(x86)", "nodejs"),
		e.dirIn("VOLTA_HOME", "bin"), e.dirIn("LOCALAPPDATA", "Volta", "bin"), e.dirIn("ProgramFiles", "Volta"),
		e.get("PNPM_HOME"), e.dirIn("LOCALAPPDATA", "pnpm"),
		e.dirIn("LOCALAPPDATA", "Programs", "nodejs"),
		h(".local", "bin"), // uv, pipx
		e.dirIn("CARGO_HOME", "bin"), h(".cargo", "bin"),
		e.dirIn("BUN_INSTALL", "bin"), h(".bun", "bin"),
		e.dirIn("DENO_INSTALL", "bin"), h(".deno", "bin"),
		h("scoop", "shims"),
	}
	for _, py := range versionDirs(e.dirIn("LOCALAPPDATA", "Programs", "Python"), "Python") {
		dirs = append(dirs, py, filepath.Join(py, "Scripts"))
	}
	return append(dirs,
		e.dirIn("LOCALAPPDATA", "Microsoft", "WindowsApps"),
		e.dirIn("ProgramFiles", "Git", "cmd"),
		e.dirIn("SystemRoot", "System32"),
	)
}
