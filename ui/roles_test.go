package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

var ciKey = "sha256:" + strings.Repeat("ab", 32)

// rolesFake has two roles, one key using "developer", RBAC off and a
// six-tool catalog.
func rolesFake(t *testing.T) *apptest.Fake {
	t.Helper()
	f := apptest.New()
	c := fakeConfig(t, f)
	c.Roles = map[string]app.Role{
		"developer": {AllowedTools: []string{"fs/*", "web/search"}},
		"readonly":  {AllowedTools: []string{"*/read_*", "*/list_*"}, BlockedTools: []string{"*/delete_*"}},
	}
	c.APIKeys = map[string]app.APIKey{ciKey: {Role: "developer", Description: "CI runner"}}
	f.SetConfig(c)
	var tools []app.Tool
	for _, id := range []string{"fs/read_file", "fs/write_file", "fs/delete_file", "fs/list_dir", "web/search", "web/fetch"} {
		server, name, _ := strings.Cut(id, "/")
		tools = append(tools, app.Tool{Name: name, ID: id, Server: server})
	}
	f.SetTools(tools)
	return f
}

func newTestRoles(t *testing.T, f *apptest.Fake) (*rolesView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := viewWindow(t, widget.NewLabel(""), 1100, 750)
	v := newRolesView(f, w)
	w.SetContent(v.content)
	v.reload()
	v.jobs.Wait()
	return v, w
}

func selectRole(t *testing.T, v *rolesView, name string) {
	t.Helper()
	i := slices.Index(v.names, name)
	if i < 0 {
		t.Fatalf("no role %q in %v", name, v.names)
	}
	v.roleList.Select(i)
}

// typeAtEnd types s after the entry's text, as a user who clicked at its end.
func typeAtEnd(e *widget.Entry, s string) {
	lines := strings.Split(e.Text, "\n")
	e.CursorRow = len(lines) - 1
	e.CursorColumn = len([]rune(lines[len(lines)-1]))
	test.Type(e, s)
}

func TestRolesEmpty(t *testing.T) {
	v, w := newTestRoles(t, apptest.New())
	if len(v.names) != 0 || !v.rbacBox.Visible() {
		t.Fatalf("roles %v, RBAC note shown %v", v.names, v.rbacBox.Visible())
	}
	if !v.noRoles.label.Visible() || v.roleList.Visible() {
		t.Errorf("no roles: note shown %v, empty list shown %v", v.noRoles.label.Visible(), v.roleList.Visible())
	}
	if !v.keys.empty.label.Visible() || v.keys.table.Visible() {
		t.Errorf("no keys: note shown %v, empty table shown %v", v.keys.empty.label.Visible(), v.keys.table.Visible())
	}
	test.AssertRendersToMarkup(t, "roles_empty.xml", w.Canvas())
	test.Type(v.newRole, "ops")
	test.Tap(v.addRole)
	v.jobs.Wait()
	if v.noRoles.label.Visible() || !v.roleList.Visible() {
		t.Errorf("one role: note shown %v, list shown %v", v.noRoles.label.Visible(), v.roleList.Visible())
	}
}

func TestRolesPreviewFollowsTyping(t *testing.T) {
	v, w := newTestRoles(t, rolesFake(t))
	selectRole(t, v, "readonly")
	if got := v.previewMsg.Text; got != "2 of 6 tools allowed, 1 blocked" {
		t.Fatalf("preview %q", got)
	}
	test.AssertRendersToMarkup(t, "roles_populated.xml", w.Canvas())
	typeAtEnd(v.blocked, "\n*/list_*")
	if got := v.previewMsg.Text; got != "1 of 6 tools allowed, 2 blocked" {
		t.Errorf("after blocking list_*: %q", got)
	}
	if v.preview[0] != (previewRow{id: "fs/read_file", state: previewAllowed}) {
		t.Errorf("first preview row %+v", v.preview[0])
	}
}

func TestRolesBadGlobShowsErrorAndSavesNothing(t *testing.T) {
	f := rolesFake(t)
	v, w := newTestRoles(t, f)
	selectRole(t, v, "developer")
	typeAtEnd(v.allowed, "\ngit[hub/*")
	if !v.allowErr.Visible() || !strings.Contains(v.allowErr.Text, `line 3, "git[hub/*"`) {
		t.Fatalf("error under allowed_tools: %q", v.allowErr.Text)
	}
	test.Tap(v.saveRole)
	v.jobs.Wait()
	if n := countCalls(f, "UpdateConfig"); n != 0 || f.Writes() != 0 {
		t.Fatalf("a bad glob reached UpdateConfig (%d calls, %d writes)", n, f.Writes())
	}
	if !strings.Contains(v.roleErr.Text, "Fix the patterns") || !strings.Contains(v.allowed.Text, "git[hub") {
		t.Errorf("message %q, input %q", v.roleErr.Text, v.allowed.Text)
	}
	test.AssertRendersToMarkup(t, "roles_bad_glob.xml", w.Canvas())
}

func TestRolesSaveWritesThePatterns(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	selectRole(t, v, "developer")
	test.Type(v.blocked, "fs/delete_*")
	test.Tap(v.saveRole)
	v.jobs.Wait()
	r := fakeConfig(t, f).Roles["developer"]
	if !slices.Equal(r.BlockedTools, []string{"fs/delete_*"}) || len(r.AllowedTools) != 2 {
		t.Errorf("saved %+v", r)
	}
	if v.roleMsg.Text != "Saved role developer." {
		t.Errorf("message %q", v.roleMsg.Text)
	}
}

func TestRolesAddAndDelete(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	test.Type(v.newRole, "ops")
	test.Tap(v.addRole)
	v.jobs.Wait()
	if _, ok := fakeConfig(t, f).Roles["ops"]; !ok || v.role != "ops" || !v.editor.Visible() {
		t.Fatalf("ops added %v, editing %q", ok, v.role)
	}
	test.Tap(v.deleteRole)
	test.Tap(v.confirm.ok)
	v.jobs.Wait()
	if _, ok := fakeConfig(t, f).Roles["ops"]; ok || v.role != "" {
		t.Errorf("ops still there (%v) or still edited (%q)", ok, v.role)
	}
}

func TestRolesRefusesDeletingARoleKeysUse(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	selectRole(t, v, "developer")
	test.Tap(v.deleteRole)
	v.jobs.Wait()
	if v.confirm != nil || countCalls(f, "UpdateConfig") != 0 {
		t.Fatal("asked to delete a role in use")
	}
	if want := "used by 1 API key (sha256:abab…)"; !strings.Contains(v.roleErr.Text, want) {
		t.Errorf("message %q lacks %q", v.roleErr.Text, want)
	}
}

func TestRolesTurnRBACOn(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	test.Tap(v.enableRBAC)
	test.Tap(v.confirm.ok)
	v.jobs.Wait()
	if !fakeConfig(t, f).Security.EnableRBAC || v.rbacBox.Visible() {
		t.Errorf("RBAC on in file %v, note still shown %v", fakeConfig(t, f).Security.EnableRBAC, v.rbacBox.Visible())
	}
}

func TestRolesConfigThatDoesNotLoad(t *testing.T) {
	f := apptest.New()
	bad := fakeConfig(t, f)
	bad.Cache.MaxEntries = 0
	f.SetConfig(bad)
	v, w := newTestRoles(t, f)
	if !strings.Contains(v.loadErr.Text, "cache.max_entries") {
		t.Fatalf("error %q", v.loadErr.Text)
	}
	test.AssertRendersToMarkup(t, "roles_error.xml", w.Canvas())
}

func TestShowRolesReloadsOnEveryShow(t *testing.T) {
	f := rolesFake(t)
	s := New(test.NewTempApp(t), f)
	s.ShowRoles()
	v, ok := paneView[*rolesView](s.window("roles", "", nil))
	if !ok {
		t.Fatal("the roles window holds no roles view")
	}
	v.jobs.Wait()
	c := fakeConfig(t, f)
	c.Roles["auditor"] = app.Role{AllowedTools: []string{"*/list_*"}}
	f.SetConfig(c)
	s.ShowRoles()
	v.jobs.Wait()
	if !slices.Contains(v.names, "auditor") {
		t.Errorf("roles %v after a hand edit", v.names)
	}
}

func TestRolesSaveErrorKeepsInput(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	selectRole(t, v, "developer")
	typeAtEnd(v.allowed, "\nweb/fetch")
	bad := fakeConfig(t, f)
	bad.Router.TopK = 0 // a hand edit breaks the file: UpdateConfig cannot load it
	f.SetConfig(bad)
	test.Tap(v.saveRole)
	v.jobs.Wait()
	if f.Writes() != 0 || !strings.Contains(v.roleErr.Text, "router.top_k") {
		t.Fatalf("writes %d, message %q", f.Writes(), v.roleErr.Text)
	}
	if !strings.HasSuffix(v.allowed.Text, "web/fetch") || v.roleMsg.Text != "Not saved: your input is kept." {
		t.Errorf("input %q, message %q", v.allowed.Text, v.roleMsg.Text)
	}
}
