package execpath

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxListed is how many extra directories a NotFoundError names in its message.
const maxListed = 6

// NotFoundError reports a command that is in neither PATH nor any of the usual
// install locations. errors.Is(err, exec.ErrNotFound) holds for it.
type NotFoundError struct {
	// Name is the command that was looked up.
	Name string
	// Searched lists every directory searched, in order: PATH first, then
	// the usual install locations that PATH did not already contain.
	Searched []string

	extra []string // the install locations in Searched, for the message
	home  string   // abbreviated as ~ in the message
}

// Error names the command and the first few install locations searched.
func (e *NotFoundError) Error() string {
	listed := make([]string, 0, maxListed)
	for _, d := range e.extra[:min(len(e.extra), maxListed)] {
		listed = append(listed, abbreviateHome(d, e.home))
	}
	more := ""
	if n := len(e.extra) - len(listed); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("command %q not found in PATH or the usual install locations (searched: %s%s)",
		e.Name, strings.Join(listed, ", "), more)
}

// Unwrap makes errors.Is(err, exec.ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return exec.ErrNotFound }

// LookPath finds the executable for the command name, like [exec.LookPath],
// but also searches the places where installers put commands that a shell
// would find through ~/.zshrc and friends: Homebrew, Volta, nvm, pnpm, bun,
// deno, uv and cargo on Unix; npm, nodejs, Python and scoop on Windows. An app
// started from the Dock, a desktop launcher or the Start menu inherits only a
// minimal PATH, so exec.LookPath("npx") fails there even though npx works in
// the user's terminal.
//
// env is the environment the command will run with, in [os.Environ] form;
// nil means the current process's environment (as for [exec.Cmd.Env]).
// PATH, HOME (USERPROFILE and friends on Windows) and a few tool variables
// such as NVM_DIR and VOLTA_HOME are read from it.
//
// A name containing a path separator is not searched for: it is returned as
// given if it is an executable file. PATH is searched first, in order, then
// the extra locations; relative PATH entries are skipped, as exec.LookPath
// refuses them too. On Windows, PATHEXT extensions are tried (so "npx" finds
// npx.cmd). The result is an absolute path unless name itself was relative.
// The error, if any, is a *NotFoundError or wraps [exec.ErrNotFound].
// LookPath is safe for concurrent use.
func LookPath(name string, env []string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty command name: %w", exec.ErrNotFound)
	}
	e := newEnviron(env)
	if hasPathSeparator(name) {
		if p, ok := findExecutable(name, e); ok {
			return p, nil
		}
		return "", fmt.Errorf("command %q is not an executable file: %w", name, exec.ErrNotFound)
	}
	pathDirs := dedupDirs(filepath.SplitList(e.get(pathVar)), nil)
	extra := dedupDirs(extraDirs(e), pathDirs)
	for _, dir := range slices.Concat(pathDirs, extra) {
		if p, ok := findExecutable(filepath.Join(dir, name), e); ok {
			return p, nil
		}
	}
	return "", &NotFoundError{Name: name, Searched: slices.Concat(pathDirs, extra), extra: extra, home: homeDir(e)}
}

// AugmentPath returns a copy of env whose PATH is extended, at the end, by
// those usual install locations (see [LookPath]) that exist and are not in
// PATH yet, so that a command started with it finds its own helpers: an npx
// from ~/.nvm must be able to run node. nil env means [os.Environ]. The rest
// of env is returned unchanged and env itself is not modified. If env has no
// PATH, one is added.
func AugmentPath(env []string) []string {
	if env == nil {
		env = os.Environ()
	}
	out := slices.Clone(env)
	e := newEnviron(out)
	idx, key := lastVar(out, pathVar)
	cur := e.get(pathVar)
	var add []string
	for _, d := range dedupDirs(extraDirs(e), filepath.SplitList(cur)) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			add = append(add, d)
		}
	}
	if len(add) == 0 {
		return out
	}
	val := strings.Join(add, string(os.PathListSeparator))
	if cur != "" {
		val = cur + string(os.PathListSeparator) + val
	}
	if idx < 0 {
		return append(out, pathVar+"="+val)
	}
	out[idx] = key + "=" + val
	return out
}

// environ reads variables from an env slice, or from the process environment
// when the slice is nil.
type environ struct {
	vars  []string
	useOS bool
}

func newEnviron(env []string) environ { return environ{vars: env, useOS: env == nil} }

// get returns the value of key; the last assignment wins, as in os/exec.
func (e environ) get(key string) string {
	if e.useOS {
		return os.Getenv(key)
	}
	if i, _ := lastVar(e.vars, key); i >= 0 {
		_, v, _ := strings.Cut(e.vars[i], "=")
		return v
	}
	return ""
}

// lastVar returns the index and spelling of the last assignment to key in
// env, or -1.
func lastVar(env []string, key string) (int, string) {
	for i := len(env) - 1; i >= 0; i-- {
		k, _, ok := strings.Cut(env[i], "=")
		if ok && envKeyEqual(k, key) {
			return i, k
		}
	}
	return -1, ""
}

// dirIn returns filepath.Join(e[key], elem...), or "" if key is unset.
func (e environ) dirIn(key string, elem ...string) string {
	v := e.get(key)
	if v == "" {
		return ""
	}
	return filepath.Join(append([]string{v}, elem...)...)
}

// dedupDirs returns the absolute, cleaned entries of dirs that are not
// duplicates and not in exclude, keeping the first occurrence.
func dedupDirs(dirs, exclude []string) []string {
	seen := make(map[string]bool, len(dirs)+len(exclude))
	for _, d := range exclude {
		seen[dirKey(filepath.Clean(d))] = true
	}
	var out []string
	for _, d := range dirs {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		d = filepath.Clean(d)
		if k := dirKey(d); !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}

// versionDirs returns filepath.Join(parent, entry, sub...) for every
// directory entry of parent whose name starts with prefix, highest version
// first (v20.11.1 before v9.4.0, Python312 before Python39). A missing parent
// yields nothing.
func versionDirs(parent, prefix string, sub ...string) []string {
	if parent == "" {
		return nil
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil // usually fs.ErrNotExist: the tool is not installed
	}
	var names []string
	for _, ent := range entries {
		if ent.IsDir() && strings.HasPrefix(ent.Name(), prefix) {
			names = append(names, ent.Name())
		}
	}
	slices.SortFunc(names, func(a, b string) int { return compareVersions(b, a) })
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(append([]string{parent, n}, sub...)...)
	}
	return out
}

// compareVersions compares the runs of digits in a and b numerically, in
// order, then falls back to comparing the strings.
func compareVersions(a, b string) int {
	na, nb := numbers(a), numbers(b)
	for i := range min(len(na), len(nb)) {
		if na[i] != nb[i] {
			return compareInt(na[i], nb[i])
		}
	}
	if len(na) != len(nb) {
		return compareInt(len(na), len(nb))
	}
	return strings.Compare(a, b)
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// numbers returns the runs of ASCII digits in s as integers.
func numbers(s string) []int {
	var out []int
	for s != "" {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			break
		}
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if j < 0 {
			j = len(s)
		}
		n, err := strconv.Atoi(s[:j])
		if err != nil { // too many digits to be a version component
			n = 0
		}
		out = append(out, n)
		s = s[j:]
	}
	return out
}

// abbreviateHome writes dir relative to home as ~/..., for messages.
func abbreviateHome(dir, home string) string {
	if home == "" {
		return dir
	}
	rel, err := filepath.Rel(home, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return dir
	}
	return filepath.Join("~", rel)
}

// userHome returns the first of keys that is set in e. When e is the
// process environment it falls back to os.UserHomeDir. "" means unknown, and
// home-relative locations are then skipped.
func userHome(e environ, keys ...string) string {
	for _, k := range keys {
		if h := e.get(k); h != "" {
			return h
		}
	}
	if e.useOS {
		if h, err := os.UserHomeDir(); err == nil {
			return h
		}
	}
	return ""
}
