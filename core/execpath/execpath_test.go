package execpath

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tool is a name no real system has, so the system directories that are
// always searched cannot interfere.
const tool = "mcplex-execpath-test-tool"

func TestLookPathSearchOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		exes  []string // executables to create, relative to the temp dir, without extension
		dirs  []string // files or directories to create that must be skipped
		path  []string // PATH entries, relative to the temp dir unless absolute or "rel:"
		want  string   // relative to the temp dir, without extension
		found bool
	}{
		{name: "first PATH entry wins",
			exes: []string{"a/" + tool, "b/" + tool}, path: []string{"a", "b"}, want: "a/" + tool, found: true},
		{name: "later PATH entry",
			exes: []string{"b/" + tool}, path: []string{"a", "b"}, want: "b/" + tool, found: true},
		{name: "PATH before install locations",
			exes: []string{"home/.cargo/bin/" + tool, "b/" + tool}, path: []string{"b"}, want: "b/" + tool, found: true},
		{name: "install location when PATH lacks it",
			exes: []string{"home/.cargo/bin/" + tool}, path: []string{"a"}, want: "home/.cargo/bin/" + tool, found: true},
		{name: "directory with the command's name is skipped",
			exes: []string{"b/" + tool}, dirs: []string{"a/" + tool + "/x"}, path: []string{"a", "b"}, want: "b/" + tool, found: true},
		{name: "relative PATH entry is skipped",
			exes: []string{"a/" + tool}, path: []string{"rel:a"}},
		{name: "empty PATH entries are skipped",
			exes: []string{"a/" + tool}, path: []string{"", "a", ""}, want: "a/" + tool, found: true},
		{name: "not found", path: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			var want string
			for _, e := range tt.exes {
				p := makeExe(t, filepath.Join(root, filepath.FromSlash(e)))
				if e == tt.want {
					want = p
				}
			}
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			var path []string
			for _, p := range tt.path {
				switch {
				case p == "" || filepath.IsAbs(p):
					path = append(path, p)
				case strings.HasPrefix(p, "rel:"):
					path = append(path, strings.TrimPrefix(p, "rel:"))
				default:
					path = append(path, filepath.Join(root, p))
				}
			}
			got, err := LookPath(tool, testEnv(filepath.Join(root, "home"), path...))
			if !tt.found {
				if !errors.Is(err, exec.ErrNotFound) {
					t.Fatalf("LookPath = %q, %v; want exec.ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got != want {
				t.Fatalf("LookPath = %q, %v; want %q", got, err, want)
			}
		})
	}
}

func TestLookPathExplicitPath(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	exe := makeExe(t, filepath.Join(root, "bin", tool))
	env := testEnv(root) // empty PATH: an explicit path must not need it
	if got, err := LookPath(exe, env); err != nil || got != exe {
		t.Errorf("LookPath(%q) = %q, %v; want it unchanged", exe, got, err)
	}
	for _, bad := range []string{
		filepath.Join(root, "bin", "missing"),
		filepath.Join(root, "bin"), // a directory
	} {
		if got, err := LookPath(bad, env); !errors.Is(err, exec.ErrNotFound) || !strings.Contains(err.Error(), "not an executable file") {
			t.Errorf("LookPath(%q) = %q, %v; want a not-executable error", bad, got, err)
		}
	}
	if _, err := LookPath("", env); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("LookPath(\"\") error = %v, want exec.ErrNotFound", err)
	}
}

func TestNotFoundError(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	pathDir := filepath.Join(root, "a")
	_, err := LookPath(tool, testEnv(home, pathDir))

	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("error %v (%T): want a *NotFoundError wrapping exec.ErrNotFound", err, err)
	}
	if nf.Name != tool || len(nf.Searched) < 5 || nf.Searched[0] != pathDir {
		t.Errorf("NotFoundError = %+v: want PATH first, then the install locations", nf)
	}
	msg := err.Error()
	prefix := `command "` + tool + `" not found in PATH or the usual install locations (searched: `
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, " more)") {
		t.Errorf("message = %q, want prefix %q and a count of further directories", msg, prefix)
	}
	if strings.Contains(msg, pathDir+",") || strings.Contains(msg, home) {
		t.Errorf("message = %q: want only install locations, with the home directory written as ~", msg)
	}
	if !strings.Contains(msg, "~"+string(filepath.Separator)) {
		t.Errorf("message = %q: want home-relative install locations written as ~%c...", msg, filepath.Separator)
	}
	if n := strings.Count(msg, ", ") + 1; n > maxListed+1 {
		t.Errorf("message lists %d directories, want at most %d", n, maxListed)
	}
}

// TestLookPathNilEnv covers the process environment; t.Setenv forbids t.Parallel.
func TestLookPathNilEnv(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	want := makeExe(t, filepath.Join(home, ".cargo", "bin", tool))
	setProcessEnv(t, home, filepath.Join(root, "empty"))
	if got, err := LookPath(tool, nil); err != nil || got != want {
		t.Errorf("LookPath(nil env) = %q, %v; want %q", got, err, want)
	}
	env := AugmentPath(nil)
	if p := newEnviron(env).get(pathVar); !strings.Contains(p, filepath.Dir(want)) {
		t.Errorf("AugmentPath(nil) PATH = %q, want it to contain %s", p, filepath.Dir(want))
	}
}

func TestAugmentPath(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	cargo := filepath.Join(home, ".cargo", "bin")
	bun := filepath.Join(home, ".bun", "bin")
	for _, d := range []string{cargo, bun} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	orig := filepath.Join(root, "orig")
	env := testEnv(home, orig, bun) // bun is already in PATH
	before := slices.Clone(env)

	got := AugmentPath(env)
	if !slices.Equal(env, before) {
		t.Errorf("AugmentPath modified its argument: %q", env)
	}
	if len(got) != len(env) {
		t.Fatalf("AugmentPath changed the number of variables: %q", got)
	}
	path := newEnviron(got).get(pathVar)
	dirs := filepath.SplitList(path)
	if !strings.HasPrefix(path, orig+string(os.PathListSeparator)+bun+string(os.PathListSeparator)) {
		t.Errorf("PATH = %q: want the original entries first, unchanged", path)
	}
	if !slices.Contains(dirs, cargo) {
		t.Errorf("PATH = %q: want %s added", path, cargo)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[dirKey(d)] {
			t.Errorf("PATH = %q: %s appears twice", path, d)
		}
		seen[dirKey(d)] = true
		if fi, err := os.Stat(d); d != orig && (err != nil || !fi.IsDir()) {
			t.Errorf("PATH = %q: added %s, which is not a directory", path, d)
		}
	}
	for i, kv := range got {
		if k, _, _ := strings.Cut(kv, "="); !envKeyEqual(k, pathVar) && kv != env[i] {
			t.Errorf("variable %d changed from %q to %q", i, env[i], kv)
		}
	}
	// Idempotent: a second pass adds nothing.
	if again := AugmentPath(got); !slices.Equal(again, got) {
		t.Errorf("AugmentPath is not idempotent:\n%q\n%q", got, again)
	}
}

func TestAugmentPathWithoutPath(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".cargo", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "USERPROFILE=" + home}
	got := AugmentPath(env)
	if len(got) != len(env)+1 || !strings.HasPrefix(got[len(env)], pathVar+"=") {
		t.Fatalf("AugmentPath(%q) = %q, want a %s variable appended", env, got, pathVar)
	}
	if !strings.Contains(got[len(env)], filepath.Join(home, ".cargo", "bin")) {
		t.Errorf("added %q, want it to contain ~/.cargo/bin", got[len(env)])
	}
}

func TestEnvironLastAssignmentWins(t *testing.T) {
	t.Parallel()
	e := newEnviron([]string{"A=1", "B=x=y", "A=2", "=C:=C:\\", "EMPTY="})
	for key, want := range map[string]string{"A": "2", "B": "x=y", "EMPTY": "", "MISSING": ""} {
		if got := e.get(key); got != want {
			t.Errorf("get(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"v20.11.1", "v9.4.0", 1},
		{"v18.2.0", "v18.10.0", -1},
		{"v18.2.0", "v18.2.0", 0},
		{"v18.2", "v18.2.1", -1},
		{"Python312", "Python39", 1},
		{"Python313-32", "Python313", 1},
		{"vnext", "v1", -1},
		{"v99999999999999999999", "v1", -1}, // unparseable component counts as 0
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestVersionDirs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"v9.11.2", "v20.10.0", "v18.19.1", "system"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "v99.0.0"), 0o644) // a file, not a version directory
	got := versionDirs(root, "v", "bin")
	want := []string{
		filepath.Join(root, "v20.10.0", "bin"),
		filepath.Join(root, "v18.19.1", "bin"),
		filepath.Join(root, "v9.11.2", "bin"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("versionDirs = %q, want %q", got, want)
	}
	if got := versionDirs(filepath.Join(root, "missing"), "v"); got != nil {
		t.Errorf("versionDirs(missing) = %q, want nil", got)
	}
}
