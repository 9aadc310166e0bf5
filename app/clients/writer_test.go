package clients

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every client writer runs through the same cases on its own fixture
// files: testdata/<client>/{others,comments,malformed,foreign}.<ext>.

func forEachClient(t *testing.T, f func(t *testing.T, c *Client)) {
	for _, c := range All() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			f(t, c)
		})
	}
}

// TestConnectMissingFile: a missing file is created (with its folders,
// mode 0600), and undo deletes the file and the folders it created.
func TestConnectMissingFile(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		root := t.TempDir()
		path := filepath.Join(root, "a", "b", "config"+ext(c))
		o := testOptions(t, c, path)
		res, err := Connect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != Created || !res.Changed || res.Backup != "" || res.Original != "" {
			t.Errorf("result = %+v, want a created file without backups", res)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
		golden(t, c, "missing", readFile(t, path))

		res, err = Disconnect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != Deleted {
			t.Errorf("undo action %q, want %q", res.Action, Deleted)
		}
		if _, err := os.Stat(filepath.Join(root, "a")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("created folders not removed: %v", err)
		}
	})
}

// TestConnectKeepsOthers: other servers, unknown top-level keys, key order
// and formatting stay; undo restores the original byte for byte.
func TestConnectKeepsOthers(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "others")
		o := testOptions(t, c, path)
		res, err := Connect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != Updated || res.Diff == "" {
			t.Errorf("result = %+v", res)
		}
		got := readFile(t, path)
		golden(t, c, "others", got)
		before, after := decodeFile(t, c, orig), decodeFile(t, c, got)
		if !reflect.DeepEqual(withoutEntry(after, c.Container, false), before) {
			t.Errorf("something besides the MCPlex entry changed:\n%s", res.Diff)
		}
		if b := readFile(t, res.Backup); string(b) != string(orig) {
			t.Errorf("backup differs from the original")
		}
		if b := readFile(t, res.Original); string(b) != string(orig) {
			t.Errorf("snapshot differs from the original")
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("mode changed to %v", fi.Mode().Perm())
		}

		res, err = Disconnect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != Restored {
			t.Errorf("undo action %q, want %q", res.Action, Restored)
		}
		if got := readFile(t, path); string(got) != string(orig) {
			t.Errorf("undo did not restore the original:\n%s", unifiedDiff(path, orig, got, true, true))
		}
	})
}

// TestConnectComments: JSONC and TOML keep their comments; strict JSON
// clients refuse a file with comments and leave it alone.
func TestConnectComments(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "comments")
		_, err := Connect(context.Background(), c, testOptions(t, c, path))
		if c.Format == JSON {
			var me *MalformedError
			if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) || me.Line == 0 || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want a MalformedError naming the file and line", err)
			}
			if got := readFile(t, path); string(got) != string(orig) {
				t.Error("refused file was changed")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got := readFile(t, path)
		golden(t, c, "comments", got)
		for _, l := range commentLines(c, orig) {
			if !strings.Contains(string(got), strings.TrimSpace(l)) {
				t.Errorf("comment line lost: %q", l)
			}
		}
		if !reflect.DeepEqual(withoutEntry(decodeFile(t, c, got), c.Container, true), decodeFile(t, c, orig)) {
			t.Error("something besides the MCPlex entry changed")
		}
	})
}

// TestConnectIdempotent: connecting twice writes nothing the second time.
func TestConnectIdempotent(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, _ := fixture(t, c, "others")
		o := testOptions(t, c, path)
		if _, err := Connect(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}
		first := readFile(t, path)
		fi1, _ := os.Stat(path)
		res, err := Connect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		fi2, _ := os.Stat(path)
		if res.Action != Unchanged || res.Changed || res.Restart() != "" {
			t.Errorf("second connect: %+v", res)
		}
		if string(readFile(t, path)) != string(first) || !os.SameFile(fi1, fi2) {
			t.Error("second connect rewrote the file")
		}
		if st := StatusOf(c, o); st.State != Connected {
			t.Errorf("status = %v (%s), want connected", st.State, st.Points)
		}
	})
}

// TestConnectForeignEntry: an "mcplex" entry MCPlex did not write is
// refused without Force; with Force it is replaced, and undo brings it back.
func TestConnectForeignEntry(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "foreign")
		o := testOptions(t, c, path)
		if st := StatusOf(c, o); st.State != Elsewhere || st.Points == "" {
			t.Errorf("status = %v %q, want elsewhere", st.State, st.Points)
		}
		for _, op := range []func(context.Context, *Client, Options) (*Result, error){Connect, Disconnect} {
			if _, err := op(context.Background(), c, o); !errors.Is(err, ErrNotOurs) {
				t.Fatalf("err = %v, want ErrNotOurs", err)
			}
			if got := readFile(t, path); string(got) != string(orig) {
				t.Fatal("refused file was changed")
			}
		}
		o.Force = true
		if _, err := Connect(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}
		o.Force = false
		if _, err := Disconnect(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, path); string(got) != string(orig) {
			t.Errorf("undo did not bring the original entry back:\n%s", unifiedDiff(path, orig, got, true, true))
		}
	})
}

// TestMalformedFile: refused with the file's name and position; untouched.
func TestMalformedFile(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "malformed")
		o := testOptions(t, c, path)
		for _, op := range []func(context.Context, *Client, Options) (*Result, error){Connect, Disconnect} {
			_, err := op(context.Background(), c, o)
			var me *MalformedError
			if !errors.As(err, &me) || me.Path != path || me.Line == 0 {
				t.Fatalf("err = %v, want a MalformedError with a line", err)
			}
		}
		if got := readFile(t, path); string(got) != string(orig) {
			t.Error("malformed file was changed")
		}
		if st := StatusOf(c, o); st.Err == nil {
			t.Error("status hides the parse error")
		}
	})
}

// TestUndoAfterUserEdit: once the user edited the file, undo removes only
// the MCPlex entry and keeps the edit.
func TestUndoAfterUserEdit(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "others")
		o := testOptions(t, c, path)
		if _, err := Connect(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, userEdit(c, readFile(t, path)), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Disconnect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != Removed {
			t.Errorf("action %q, want %q", res.Action, Removed)
		}
		want := userEdit(c, orig)
		if got := readFile(t, path); string(got) != string(want) {
			t.Errorf("undo after an edit:\n%s", unifiedDiff(path, want, got, true, true))
		}
		if st := StatusOf(c, o); st.State != NotConnected {
			t.Errorf("status after undo: %v", st.State)
		}
	})
}

// TestConcurrentChange: a write that lands between MCPlex's read and its
// rename stops the save with ErrConflict, and that write survives.
func TestConcurrentChange(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "others")
		o := testOptions(t, c, path)
		theirs := userEdit(c, orig)
		o.beforeCommit = func(p string) {
			if err := os.WriteFile(p, theirs, 0o644); err != nil {
				t.Error(err)
			}
		}
		if _, err := Connect(context.Background(), c, o); !errors.Is(err, ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		if got := readFile(t, path); string(got) != string(theirs) {
			t.Error("the concurrent write was clobbered")
		}
		ents, _ := os.ReadDir(filepath.Dir(path))
		if len(ents) != 1 {
			t.Errorf("temporary files left: %v", ents)
		}

		// The same guard protects undo.
		o.beforeCommit = nil
		if _, err := Connect(context.Background(), c, o); err != nil {
			t.Fatal(err)
		}
		ours := readFile(t, path)
		o.beforeCommit = func(p string) {
			if err := os.WriteFile(p, userEdit(c, ours), 0o644); err != nil {
				t.Error(err)
			}
		}
		if _, err := Disconnect(context.Background(), c, o); !errors.Is(err, ErrConflict) {
			t.Fatalf("undo err = %v, want ErrConflict", err)
		}
		if got := readFile(t, path); string(got) != string(userEdit(c, ours)) {
			t.Error("undo clobbered the concurrent write")
		}
	})
}

// TestDryRun: the diff is computed and nothing is written.
func TestDryRun(t *testing.T) {
	forEachClient(t, func(t *testing.T, c *Client) {
		path, orig := fixture(t, c, "others")
		o := testOptions(t, c, path)
		o.DryRun = true
		res, err := Connect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Changed || !strings.HasPrefix(res.Diff, "--- "+path+"\n+++ "+path+"\n@@ ") || !strings.Contains(res.Diff, "\n+") {
			t.Errorf("dry run result: %+v", res)
		}
		if got := readFile(t, path); string(got) != string(orig) {
			t.Error("dry run wrote the file")
		}
		if _, err := os.Stat(o.StateDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("dry run created state: %v", err)
		}
	})
}
