package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

// gatedCtrl is the fake with an UpdateConfig that waits for gate (when
// set) and, when notApplied, writes and then fails as core does when the
// running gateway rejects the file it saved.
type gatedCtrl struct {
	*apptest.Fake
	gate       chan struct{}
	notApplied bool
}

func (g *gatedCtrl) UpdateConfig(ctx context.Context, edit func(*app.Config) error) error {
	if g.gate != nil {
		<-g.gate
	}
	if err := g.Fake.UpdateConfig(ctx, edit); err != nil {
		return err
	}
	if g.notApplied {
		return fmt.Errorf("saved to /home/user/.config/mcplex/mcplex.toml, but applying it failed: upstream %q: boom", "fs")
	}
	return nil
}

// handEditConfig changes the fake's file as a hand edit or another window does.
func handEditConfig(t *testing.T, f *apptest.Fake, change func(*app.Config)) {
	t.Helper()
	c := fakeConfig(t, f)
	change(c)
	f.SetConfig(c)
}

// A change made elsewhere to a field the user did not touch survives Save.
func TestSettingsSaveKeepsChangesMadeElsewhere(t *testing.T) {
	f := apptest.New()
	v, _ := newTestSettings(t, f)
	handEditConfig(t, f, func(c *app.Config) { c.Security.EnableRBAC = true }) // Roles & keys' "Turn RBAC on"
	retype(v.topK, "8")
	test.Tap(v.save)
	v.jobs.Wait()
	c := fakeConfig(t, f)
	if !c.Security.EnableRBAC || c.Router.TopK != 8 {
		t.Fatalf("enable_rbac %v top_k %d after save, want true 8 (status %q, error %q)",
			c.Security.EnableRBAC, c.Router.TopK, v.status.Text, v.errText.Text)
	}
	if !v.rbac.Checked || v.dirty {
		t.Errorf("after save the form shows enable_rbac %v, dirty %v", v.rbac.Checked, v.dirty)
	}
}

// A field changed both in the form and in the file is a conflict: nothing
// is written and the input stays.
func TestSettingsSaveRefusesAConflict(t *testing.T) {
	f := apptest.New()
	v, _ := newTestSettings(t, f)
	handEditConfig(t, f, func(c *app.Config) { c.Router.TopK = 9 })
	retype(v.topK, "8")
	test.Tap(v.save)
	v.jobs.Wait()
	if got := fakeConfig(t, f).Router.TopK; got != 9 || f.Writes() != 0 {
		t.Fatalf("top_k %d in the file, %d writes", got, f.Writes())
	}
	want := "router.top_k was changed in the file since this window loaded it; Revert to file to see it"
	if !strings.Contains(v.errText.Text, want) || v.topK.Text != "8" || v.status.Text != "Not saved: your input is kept." {
		t.Errorf("error %q, input %q, status %q", v.errText.Text, v.topK.Text, v.status.Text)
	}
}

// Opening the settings again keeps unsaved input and says the file changed.
func TestSettingsReopenKeepsUnsavedInput(t *testing.T) {
	f := apptest.New()
	s := New(test.NewTempApp(t), f)
	s.ShowSettings()
	v, _ := paneView[*settingsView](s.window("settings", "", nil))
	v.jobs.Wait()
	retype(v.topK, "8")
	handEditConfig(t, f, func(c *app.Config) { c.Router.TopK = 9 })
	s.ShowSettings()
	v.jobs.Wait()
	if v.topK.Text != "8" || !strings.Contains(v.status.Text, "changed on disk") {
		t.Errorf("top_k %q, status %q after reopening with unsaved input", v.topK.Text, v.status.Text)
	}
	test.Tap(v.revert)
	v.jobs.Wait()
	if v.topK.Text != "9" || v.dirty {
		t.Errorf("after Revert to file: top_k %q, dirty %v", v.topK.Text, v.dirty)
	}
}

func TestSettingsSavedButNotApplied(t *testing.T) {
	g := &gatedCtrl{Fake: apptest.New(), notApplied: true}
	test.NewTempApp(t)
	v := newSettingsView(g)
	viewWindow(t, v.content, 900, 1400)
	v.reload()
	v.jobs.Wait()
	retype(v.topK, "8")
	test.Tap(v.save)
	v.jobs.Wait()
	if !strings.HasPrefix(v.errText.Text, "Saved, but not applied: ") || strings.Contains(v.status.Text, "Not saved") || v.dirty {
		t.Errorf("error %q, status %q, dirty %v", v.errText.Text, v.status.Text, v.dirty)
	}
}

// openServersOn opens a servers view over ctrl holding the sample servers.
func openServersOn(t *testing.T, f *apptest.Fake, ctrl app.Controller) *serversView {
	t.Helper()
	test.NewTempApp(t)
	cfg := fakeConfig(t, f)
	cfg.Servers = sampleServerConfigs()
	f.SetConfig(cfg)
	w := test.NewTempWindow(t, nil)
	v := newServersView(ctrl, w)
	w.SetContent(v.content)
	w.Resize(fyne.NewSize(1100, 900))
	v.reload("")
	v.jobs.Wait()
	return v
}

// The server in the file changed since the form was filled: Save refuses
// rather than overwrite that change, and keeps the input.
func TestServersSaveRefusesWhenTheFileChanged(t *testing.T) {
	f := apptest.New()
	v := openServersOn(t, f, f)
	edit(t, v, "fs")
	test.Type(v.form.description, "my notes")
	handEditConfig(t, f, func(c *app.Config) { c.Servers[1].Env["NODE_ENV"] = "development" })
	test.Tap(v.save)
	v.jobs.Wait()
	got, _ := diskServer(t, f, "fs")
	if got.Env["NODE_ENV"] != "development" || got.Description != "" || f.Writes() != 0 {
		t.Fatalf("the file's fs: env %v, description %q (writes %d)", got.Env, got.Description, f.Writes())
	}
	if !strings.Contains(v.status.Text, `server "fs" was changed in the file since this window loaded it`) ||
		v.form.description.Text != "my notes" || !v.form.dirty {
		t.Errorf("status %q, description %q, dirty %v", v.status.Text, v.form.description.Text, v.form.dirty)
	}
}

// Input typed while a Save runs is not lost when the save ends.
func TestServersInputTypedWhileSavingIsKept(t *testing.T) {
	f := apptest.New()
	g := &gatedCtrl{Fake: f, gate: make(chan struct{})}
	v := openServersOn(t, f, g)
	edit(t, v, "fs")
	test.Type(v.form.description, "first")
	test.Tap(v.save)
	test.Type(v.form.cwd, "/tmp") // while the save waits
	close(g.gate)
	v.jobs.Wait()
	got, _ := diskServer(t, f, "fs")
	if got.Description != "first" || got.Cwd != "" {
		t.Fatalf("saved description %q cwd %q", got.Description, got.Cwd)
	}
	if v.form.cwd.Text != "/tmp" || !v.form.dirty || v.editing != "fs" {
		t.Fatalf("after the save: cwd %q, dirty %v, editing %q", v.form.cwd.Text, v.form.dirty, v.editing)
	}
	test.Tap(v.save) // the next save starts from the server as written: no conflict
	v.jobs.Wait()
	if got, _ := diskServer(t, f, "fs"); got.Cwd != "/tmp" || got.Description != "first" {
		t.Errorf("second save: description %q cwd %q (status %q)", got.Description, got.Cwd, v.status.Text)
	}
}

func TestServersSavedButNotApplied(t *testing.T) {
	f := apptest.New()
	v := openServersOn(t, f, &gatedCtrl{Fake: f, notApplied: true})
	edit(t, v, "fs")
	test.Type(v.form.description, "my notes")
	test.Tap(v.save)
	v.jobs.Wait()
	if !strings.HasPrefix(v.status.Text, "Saved, but not applied: ") || v.form.dirty {
		t.Errorf("status %q, dirty %v", v.status.Text, v.form.dirty)
	}
}

// Reopening Roles & keys keeps unsaved pattern input, with a note and a
// Reload when the file changed.
func TestRolesReopenKeepsUnsavedInput(t *testing.T) {
	f := rolesFake(t)
	s := New(test.NewTempApp(t), f)
	s.ShowRoles()
	v, _ := paneView[*rolesView](s.window("roles", "", nil))
	v.jobs.Wait()
	selectRole(t, v, "developer")
	typeAtEnd(v.allowed, "\nweb/fetch")
	handEditConfig(t, f, func(c *app.Config) { c.Roles["developer"] = app.Role{AllowedTools: []string{"fs/*"}} })
	s.ShowRoles()
	v.jobs.Wait()
	if !strings.HasSuffix(v.allowed.Text, "web/fetch") || v.changed.Hidden {
		t.Fatalf("allowed %q, changed bar hidden %v after reopening", v.allowed.Text, v.changed.Hidden)
	}
	v.discardAndReload()
	v.jobs.Wait()
	if v.allowed.Text != "fs/*" || v.dirty || !v.changed.Hidden {
		t.Errorf("after reload: allowed %q, dirty %v", v.allowed.Text, v.dirty)
	}
}

// Saving a role does not reset unsaved input in the key editor.
func TestRolesSaveKeepsTheKeyEditorInput(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	k := v.keys
	k.table.Select(widget.TableCellID{Row: 0})
	typeAtEnd(k.keyDesc, " (old)")
	selectRole(t, v, "developer")
	typeAtEnd(v.allowed, "\nweb/fetch")
	test.Tap(v.saveRole)
	v.jobs.Wait()
	if f.Writes() != 1 || k.keyDesc.Text != "CI runner (old)" {
		t.Errorf("writes %d, key description %q after saving a role", f.Writes(), k.keyDesc.Text)
	}
	if v.dirty {
		t.Error("the role editor is dirty after its save")
	}
}

func TestRolesSavedButNotApplied(t *testing.T) {
	f := rolesFake(t)
	test.NewTempApp(t)
	w := viewWindow(t, nil, 1100, 750)
	v := newRolesView(&gatedCtrl{Fake: f, notApplied: true}, w)
	w.SetContent(v.content)
	v.reload()
	v.jobs.Wait()
	selectRole(t, v, "developer")
	typeAtEnd(v.allowed, "\nweb/fetch")
	test.Tap(v.saveRole)
	v.jobs.Wait()
	if !strings.HasPrefix(v.roleErr.Text, "Saved, but not applied: ") || strings.Contains(v.roleMsg.Text, "Not saved") || v.dirty {
		t.Errorf("error %q, message %q, dirty %v", v.roleErr.Text, v.roleMsg.Text, v.dirty)
	}
	k := v.keys
	test.Tap(k.generate)
	v.jobs.Wait()
	if k.newKey == nil || !strings.HasPrefix(k.errText.Text, "Saved, but not applied: ") {
		t.Errorf("generated key not shown (%v), error %q", k.newKey != nil, k.errText.Text)
	}
}

// A plain key (one loaded from ${VAR} is expanded) shows none of its
// characters, in the table or the editor.
func TestPlainKeyShowsNoCharacters(t *testing.T) {
	f := rolesFake(t)
	handEditConfig(t, f, func(c *app.Config) {
		c.APIKeys = map[string]app.APIKey{"sk-dev-team-abc123": {Role: "developer", Description: "laptop"}}
	})
	v, _ := newTestRoles(t, f)
	k := v.keys
	k.table.Select(widget.TableCellID{Row: 0})
	for _, s := range []string{k.cell(0, 0), k.keyTitle.Text} {
		if strings.Contains(s, "sk-") || !strings.Contains(s, "plain key (not hashed)") {
			t.Errorf("a plain key shows as %q", s)
		}
	}
	if k.cell(0, 2) != "laptop" || !strings.Contains(k.keyTitle.Text, "laptop") {
		t.Errorf("description %q, title %q", k.cell(0, 2), k.keyTitle.Text)
	}
}

// Import with replace writes the client's config: it waits for (and
// marks) the client's busy flag, as Connect does.
func TestImportReplaceRespectsTheClientBusyFlag(t *testing.T) {
	s, f, d, v, _ := openImport(t, nil)
	if !s.desk.setBusy("claude-desktop", "connecting…") {
		t.Fatal("claude-desktop already busy")
	}
	v.doImport(claudePlan(), true, "/home/user/.local/bin/mcplex")
	v.jobs.Wait()
	for _, c := range actions(d) {
		if strings.HasPrefix(c, "ImportClient") {
			t.Fatalf("%s while the client is busy", c)
		}
	}
	if f.Writes() != 0 || !strings.Contains(v.status.Text, "busy") {
		t.Errorf("writes %d, status %q", f.Writes(), v.status.Text)
	}
	s.desk.clearBusy("claude-desktop")
	v.doImport(claudePlan(), true, "/home/user/.local/bin/mcplex")
	v.jobs.Wait()
	s.WaitIdle()
	if f.Writes() != 1 || s.desk.state().busy["claude-desktop"] != "" {
		t.Errorf("writes %d, busy %q after the import", f.Writes(), s.desk.state().busy["claude-desktop"])
	}
}

// Input typed while a settings Save runs stays, unsaved; the next Save
// writes it without a false conflict.
func TestSettingsInputTypedWhileSavingIsKept(t *testing.T) {
	g := &gatedCtrl{Fake: apptest.New(), gate: make(chan struct{})}
	test.NewTempApp(t)
	v := newSettingsView(g)
	viewWindow(t, v.content, 900, 1400)
	v.reload()
	v.jobs.Wait()
	retype(v.topK, "8")
	test.Tap(v.save)
	retype(v.ttl, "120") // while the save waits
	close(g.gate)
	v.jobs.Wait()
	if v.ttl.Text != "120" || !v.dirty {
		t.Fatalf("after the save: ttl %q, dirty %v", v.ttl.Text, v.dirty)
	}
	test.Tap(v.save)
	v.jobs.Wait()
	if c := fakeConfig(t, g.Fake); c.Router.TopK != 8 || c.Cache.TTLSeconds != 120 {
		t.Errorf("top_k %d ttl %d (error %q)", c.Router.TopK, c.Cache.TTLSeconds, v.errText.Text)
	}
}
