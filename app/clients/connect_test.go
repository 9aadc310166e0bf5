package clients

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBridgeKeyInTokenFile: Claude Desktop's entry names a 0600 token file
// holding the key; the key itself never appears in the client's config,
// and disconnect removes the token file.
func TestBridgeKeyInTokenFile(t *testing.T) {
	c, _ := Lookup("claude-desktop")
	path := filepath.Join(t.TempDir(), "claude_desktop_config.json")
	o := testOptions(t, c, path)
	o.Key = testKey
	res, err := Connect(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	token := filepath.Join(o.TokenDir, "claude-desktop")
	if res.TokenFile != token {
		t.Errorf("TokenFile = %q, want %q", res.TokenFile, token)
	}
	cfg := string(readFile(t, path))
	if strings.Contains(cfg, testKey) || !strings.Contains(cfg, `"--token-file",`) || !strings.Contains(cfg, token) {
		t.Errorf("config:\n%s", cfg)
	}
	if got := readFile(t, token); string(got) != testKey+"\n" {
		t.Errorf("token file holds %q", got)
	}
	if fi, _ := os.Stat(token); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", fi.Mode().Perm())
	}
	// Connecting again without a key drops the key file; disconnecting
	// (which needs no key) removes it too.
	o.Key = ""
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(token); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale token file kept: %v", err)
	}
	o.Key = testKey
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	o.Key = ""
	if _, err := Disconnect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(token); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token file left behind: %v", err)
	}
}

// TestBridgeOwnershipFollowsTheBinary: a bridge entry of this binary is
// ours whatever its URL, so a new port just updates it, and so is the entry
// MCPlex last wrote after the binary moved; another install's bridge is not.
func TestBridgeOwnershipFollowsTheBinary(t *testing.T) {
	c, _ := Lookup("claude-desktop")
	path := filepath.Join(t.TempDir(), "claude_desktop_config.json")
	o := testOptions(t, c, path)
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	o.URL = "http://127.0.0.1:4100/mcp"
	if st := StatusOf(c, o); st.State != Elsewhere || !strings.Contains(st.Points, "3100") {
		t.Errorf("status with another URL = %v %q", st.State, st.Points)
	}
	if res, err := Connect(context.Background(), c, o); err != nil || res.Action != Updated {
		t.Fatalf("reconnect: %+v, %v", res, err)
	}
	// The same binary moved: the manifest still knows the entry as ours.
	o.Exe = "/usr/local/bin/mcplex"
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Errorf("moved binary: %v", err)
	}
	other := `{"mcpServers": {"mcplex": {"command": "/other/mcplex", "args": ["bridge", "--url", "` + testURL + `"]}}}`
	if err := os.WriteFile(path, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Connect(context.Background(), c, o); !errors.Is(err, ErrNotOurs) {
		t.Errorf("another install's bridge: err = %v, want ErrNotOurs", err)
	}
}

func TestUnstableBinaryRefused(t *testing.T) {
	c, _ := Lookup("claude-desktop")
	path := filepath.Join(t.TempDir(), "claude_desktop_config.json")
	o := testOptions(t, c, path)
	o.Exe = filepath.Join(os.TempDir(), "go-build123", "b001", "exe", "mcplex")
	if _, err := Connect(context.Background(), c, o); !errors.Is(err, ErrUnstableExe) {
		t.Fatalf("err = %v, want ErrUnstableExe", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("file written anyway")
	}
	o.Force = true
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Errorf("forced: %v", err)
	}
}

// TestSymlinkedConfig: the file behind a symlink is edited; the link stays.
func TestSymlinkedConfig(t *testing.T) {
	c, _ := Lookup("cursor")
	dir := t.TempDir()
	real, orig := fixture(t, c, "others")
	link := filepath.Join(dir, "mcp.json")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	o := testOptions(t, c, link)
	res, err := Connect(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if res.Path != real || !strings.Contains(string(readFile(t, real)), EntryName) {
		t.Errorf("target not edited (result path %q)", res.Path)
	}
	if _, err := Disconnect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, real)) != string(orig) {
		t.Error("undo through the link did not restore the original")
	}
}

// TestUndoRemovesContainerItAdded: a server map MCPlex added goes away with
// its entry, even when the exact original cannot be restored.
func TestUndoRemovesContainerItAdded(t *testing.T) {
	c, _ := Lookup("gemini")
	path := filepath.Join(t.TempDir(), "settings.json")
	orig := "{\n  \"theme\": \"GitHub\"\n}\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, c, path)
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, userEdit(c, readFile(t, path)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Disconnect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if got, want := string(readFile(t, path)), string(userEdit(c, []byte(orig))); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestReconnectAfterUserEditUndoesOnlyOurs: once someone else wrote the
// file, a later undo must not restore the old original over their edit.
func TestReconnectAfterUserEditUndoesOnlyOurs(t *testing.T) {
	c, _ := Lookup("cursor")
	path, orig := fixture(t, c, "others")
	o := testOptions(t, c, path)
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, userEdit(c, readFile(t, path)), 0o600); err != nil {
		t.Fatal(err)
	}
	o.URL = "http://127.0.0.1:3200/mcp"
	o.Force = true // the entry points at the old URL: ours by the manifest, forced for clarity
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	res, err := Disconnect(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != Removed || string(readFile(t, path)) != string(userEdit(c, orig)) {
		t.Errorf("action %q, file:\n%s", res.Action, readFile(t, path))
	}
}

// TestClaudeCodeUsesItsCLI: with claude on PATH the entry is added by
// "claude mcp add" (the key hidden in what is shown); FileOnly edits the file.
func TestClaudeCodeUsesItsCLI(t *testing.T) {
	c, _ := Lookup("claude-code")
	home := t.TempDir()
	var ran [][]string
	env := &Env{
		GOOS: "linux", Home: home,
		LookPath: func(name string) (string, error) { return "/usr/local/bin/" + name, nil },
		Run: func(_ context.Context, name string, args ...string) ([]byte, error) {
			ran = append(ran, append([]string{name}, args...))
			return nil, nil
		},
	}
	o := Options{Env: env, URL: testURL, Key: testKey, StateDir: t.TempDir()}
	res, err := Connect(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/usr/local/bin/claude", "mcp", "add", "--scope", "user", "--transport", "http",
		"--header", "Authorization: Bearer " + testKey, "mcplex", testURL}
	if len(ran) != 1 || !slices.Equal(ran[0], want) {
		t.Errorf("ran %q", ran)
	}
	if len(res.Commands) != 1 || strings.Contains(res.Commands[0], testKey) || !strings.Contains(res.Commands[0], "Bearer <key>") {
		t.Errorf("shown commands %q", res.Commands)
	}
	// Claude Code wrote the entry; now disconnect removes it through the CLI.
	if err := os.WriteFile(filepath.Join(home, ".claude.json"),
		[]byte(`{"mcpServers": {"mcplex": {"type": "http", "url": "`+testURL+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ran = nil
	if _, err := Disconnect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || !slices.Equal(ran[0][1:], []string{"mcp", "remove", "--scope", "user", "mcplex"}) {
		t.Errorf("ran %q", ran)
	}
	ran = nil
	o.FileOnly = true
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 0 || !strings.Contains(string(readFile(t, filepath.Join(home, ".claude.json"))), "Bearer "+testKey) {
		t.Errorf("FileOnly ran %q", ran)
	}
}

func TestStatusAll(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".cursor"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := &Env{GOOS: "linux", Home: home, ConfigDir: filepath.Join(home, ".config")}
	o := Options{Env: env, URL: testURL, Exe: testExe, StateDir: t.TempDir()}
	cursor, _ := Lookup("cursor")
	if _, err := Connect(context.Background(), cursor, o); err != nil {
		t.Fatal(err)
	}
	for _, s := range StatusAll(o) {
		installed := s.Client.Name == "cursor"
		if s.Installed != installed || (s.State == Connected) != installed || s.Err != nil {
			t.Errorf("%s: %+v", s.Client.Name, s)
		}
	}
}

// TestConcurrentCreate: a file that appears while MCPlex creates it wins.
func TestConcurrentCreate(t *testing.T) {
	c, _ := Lookup("cursor")
	path := filepath.Join(t.TempDir(), "mcp.json")
	o := testOptions(t, c, path)
	theirs := []byte(`{"mcpServers": {}}`)
	o.beforeCommit = func(p string) {
		if err := os.WriteFile(p, theirs, 0o600); err != nil {
			t.Error(err)
		}
	}
	if _, err := Connect(context.Background(), c, o); !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if got := readFile(t, path); string(got) != string(theirs) {
		t.Errorf("file = %s", got)
	}
}

// TestDisconnectDryRunAndAgain: a dry-run undo shows the restore without
// doing it; undoing twice is harmless.
func TestDisconnectDryRunAndAgain(t *testing.T) {
	c, _ := Lookup("windsurf")
	path, orig := fixture(t, c, "others")
	o := testOptions(t, c, path)
	if _, err := Connect(context.Background(), c, o); err != nil {
		t.Fatal(err)
	}
	connected := readFile(t, path)
	o.DryRun = true
	res, err := Disconnect(context.Background(), c, o)
	if err != nil || res.Action != Restored || res.Changed || !strings.Contains(res.Diff, "-    \"mcplex\": {") {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if string(readFile(t, path)) != string(connected) {
		t.Fatal("dry-run undo wrote the file")
	}
	o.DryRun = false
	for _, want := range []Action{Restored, Absent} {
		res, err := Disconnect(context.Background(), c, o)
		if err != nil || res.Action != want {
			t.Fatalf("undo: %+v, %v; want %s", res, err, want)
		}
	}
	if string(readFile(t, path)) != string(orig) {
		t.Error("not restored")
	}
}
