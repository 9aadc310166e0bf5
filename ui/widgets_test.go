package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/mcplex/mcplex/app"
)

func TestKVEditorMasksSecrets(t *testing.T) {
	test.NewTempApp(t)
	e := newKVEditor("NAME", "Add")
	test.NewTempWindow(t, e)
	e.Set(map[string]string{"PATH": "/bin", "GITHUB_TOKEN": "ghp", "Authorization": "Bearer x"})
	masked := map[string]bool{}
	for _, r := range e.rows {
		masked[r.key.Text] = r.value.Password
	}
	want := map[string]bool{"Authorization": true, "GITHUB_TOKEN": true, "PATH": false}
	for k, w := range want {
		if masked[k] != w {
			t.Errorf("%s masked %v, want %v", k, masked[k], w)
		}
	}
	// Renaming a key to a secret one masks its value, and keeps it.
	changes := 0
	e.OnChange = func() { changes++ }
	path := e.rows[2] // sorted: Authorization, GITHUB_TOKEN, PATH
	path.key.SetText("DB_PASSWORD")
	if !path.value.Password || path.value.Text != "/bin" || changes == 0 {
		t.Errorf("after rename: masked %v value %q changes %d", path.value.Password, path.value.Text, changes)
	}
	if got := e.Map(); len(got) != 3 || got["DB_PASSWORD"] != "/bin" {
		t.Errorf("map %v", got)
	}
}

func TestKVEditorProblems(t *testing.T) {
	test.NewTempApp(t)
	e := newKVEditor("NAME", "Add")
	e.Set(map[string]string{"A": "1"})
	test.Tap(e.add)
	e.rows[1].value.SetText("orphan")
	if p := e.Problem(); p != "a row has a value but no name" {
		t.Errorf("problem %q", p)
	}
	e.rows[1].key.SetText("A")
	if p := e.Problem(); p != `"A" is set twice` {
		t.Errorf("problem %q", p)
	}
	test.Tap(e.rows[1].remove)
	if p := e.Problem(); p != "" || len(e.rows) != 1 {
		t.Errorf("after remove: problem %q, %d rows", p, len(e.rows))
	}
	if (&kvEditor{}).Map() != nil {
		t.Error("an empty editor's map is not nil")
	}
}

func TestServerStateText(t *testing.T) {
	for _, tc := range []struct {
		st   app.ServerStatus
		want string
	}{
		{app.ServerStatus{State: "ready", Tools: 1}, "ready (1 tool)"},
		{app.ServerStatus{State: "failed", Error: "boom"}, "failed: boom"},
		{app.ServerStatus{State: "restarting", Restarts: 2, Error: "EOF"}, "restarting (restart 2): EOF"},
		{app.ServerStatus{State: "starting"}, "starting"},
		{app.ServerStatus{State: "disabled"}, "disabled"},
		{app.ServerStatus{}, "not running"},
	} {
		if got := serverStateText(tc.st); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestClipText(t *testing.T) {
	if got := clipText("a  b\nc", 10); got != "a b c" {
		t.Errorf("%q", got)
	}
	if got := clipText("abcdef", 4); got != "abc…" {
		t.Errorf("%q", got)
	}
}
