package clients

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRelativePathRecordedAbsolute: a relative --path is recorded by its
// absolute path, so the undo works from any working directory.
func TestRelativePathRecordedAbsolute(t *testing.T) {
	c, _ := Lookup("cursor")
	dir := t.TempDir()
	t.Chdir(dir)
	o := testOptions(t, c, "mcp.json")
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(dir) // t.TempDir may sit behind a link (macOS /var)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(real, "mcp.json")
	recs, err := Records(o)
	if err != nil || len(recs) != 1 || recs[0].Path != want {
		t.Fatalf("records = %+v, %v; want the path %s", recs, err, want)
	}
	t.Chdir(t.TempDir()) // disconnect --all runs elsewhere, with the recorded path
	o.Path = recs[0].Path
	res, err := Disconnect(context.Background(), c, o)
	if err != nil || res.Action != Deleted {
		t.Fatalf("disconnect: %+v, %v; want %s", res, err, Deleted)
	}
	if _, err := os.Stat(want); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file MCPlex created is still there: %v", err)
	}
}

// symlinkedConfigDir makes home/.cursor a link to dotfiles/cursor (as GNU
// stow does) and returns the config path through the link and the real
// dotfiles folder. sub is a folder below the config folder that does not
// exist yet.
func symlinkedConfigDir(t *testing.T, sub string) (path, dotfiles string) {
	t.Helper()
	root := t.TempDir()
	dotfiles = filepath.Join(root, "dotfiles")
	if err := os.MkdirAll(filepath.Join(dotfiles, "cursor"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "home", ".cursor")
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dotfiles, "cursor"), link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	return filepath.Join(link, sub, "mcp.json"), dotfiles
}

// TestSymlinkedConfigDirCreatedFile: the file MCPlex creates behind a
// symlinked config folder is found again (same manifest) once it exists:
// disconnect deletes it and the folder MCPlex made for it.
func TestSymlinkedConfigDirCreatedFile(t *testing.T) {
	c, _ := Lookup("cursor")
	path, dotfiles := symlinkedConfigDir(t, "sub")
	o := testOptions(t, c, path)
	if res, err := Connect(context.Background(), c, o); err != nil || res.Action != Created {
		t.Fatalf("connect: %+v, %v", res, err)
	}
	res, err := Disconnect(context.Background(), c, o)
	if err != nil || res.Action != Deleted {
		t.Fatalf("disconnect: %+v, %v; want %s", res, err, Deleted)
	}
	if _, err := os.Stat(filepath.Join(dotfiles, "cursor", "sub")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder MCPlex created is still there: %v", err)
	}
}

// TestSymlinkedConfigDirReconnect: reconnecting with another key, then
// disconnecting, leaves no MCPlex entry (the undo must not "restore" a
// file that already held the first entry).
func TestSymlinkedConfigDirReconnect(t *testing.T) {
	c, _ := Lookup("cursor")
	path, _ := symlinkedConfigDir(t, "")
	o := testOptions(t, c, path)
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	o.Key = "mcplex_other_key"
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if _, err := Disconnect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), EntryName) {
		t.Errorf("an MCPlex entry is left:\n%s", b)
	}
}

// TestClaudeCodeFileConnectedDisconnectsByFile: connected through the file
// (no claude on PATH then), Claude Code is disconnected through the file
// even once claude is on PATH: the manifest is what knows the undo.
func TestClaudeCodeFileConnectedDisconnectsByFile(t *testing.T) {
	c, _ := Lookup("claude-code")
	home := t.TempDir()
	var ran [][]string
	env := &Env{GOOS: "linux", Home: home}
	o := Options{Env: env, URL: testURL, Key: testKey, StateDir: t.TempDir()}
	if res, err := Connect(context.Background(), c, o); err != nil || res.Action != Created {
		t.Fatalf("connect: %+v, %v", res, err)
	}
	env.LookPath = func(name string) (string, error) { return "/usr/local/bin/" + name, nil }
	env.Run = func(_ context.Context, name string, args ...string) ([]byte, error) {
		ran = append(ran, append([]string{name}, args...))
		return nil, nil
	}
	res, err := Disconnect(context.Background(), c, o)
	if err != nil || res.Action != Deleted || len(ran) != 0 {
		t.Fatalf("disconnect: %+v, %v, ran %q; want %s through the file", res, err, ran, Deleted)
	}
	if _, err := os.Stat(filepath.Join(home, ".claude.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file MCPlex created is still there: %v", err)
	}
}
