package ui

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

// diskConfig reads the fake's "file on disk".
func diskConfig(t *testing.T, f *apptest.Fake) *app.Config {
	t.Helper()
	c, err := f.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func diskServer(t *testing.T, f *apptest.Fake, name string) (app.ServerConfig, bool) {
	t.Helper()
	c := diskConfig(t, f)
	i := slices.IndexFunc(c.Servers, func(s app.ServerConfig) bool { return s.Name == name })
	if i < 0 {
		return app.ServerConfig{}, false
	}
	return c.Servers[i], true
}

// The file has three servers (one disabled); the gateway runs two.
func sampleServerConfigs() []app.ServerConfig {
	off := false
	return []app.ServerConfig{
		{Name: "github", URL: "https://api.githubcopilot.com/mcp/", Headers: map[string]string{"Authorization": "Bearer ghp_x"},
			Description: "GitHub issues and PRs", AllowedTools: []string{"search_*", "get_*"}},
		{Name: "fs", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/home/user"},
			Env: map[string]string{"NODE_ENV": "production", "API_TOKEN": "t0ken"}, TimeoutSeconds: 30},
		{Name: "demo", Command: "mcplex", Args: []string{"demo-server"}, Enabled: &off},
	}
}

func sampleServerStates() []app.ServerStatus {
	return []app.ServerStatus{
		{Name: "github", Transport: "http", Enabled: true, State: "failed", Error: "401 Unauthorized"},
		{Name: "fs", Transport: "stdio", Enabled: true, State: "ready", Tools: 14},
		{Name: "demo", Transport: "stdio", Enabled: false, State: "disabled"},
	}
}

// openServers opens the servers window over a fake holding the sample file.
func openServers(t *testing.T) (*Shell, *apptest.Fake, *serversView, fyne.Window) {
	t.Helper()
	s, f := newShellForTest(t)
	cfg := diskConfig(t, f)
	cfg.Servers = sampleServerConfigs()
	f.SetConfig(cfg)
	snap := sampleSnapshot(app.StateDegraded)
	snap.Servers = sampleServerStates()
	f.SetSnapshot(snap)
	s.Refresh()
	s.ShowServers()
	v := s.serversv
	v.jobs.Wait()
	w, _ := s.lookupWindow("servers")
	w.Resize(fyne.NewSize(1100, 900))
	t.Cleanup(w.Close)
	return s, f, v, w
}

// edit puts the server called name in the form, as a tap on the list does.
func edit(t *testing.T, v *serversView, name string) {
	t.Helper()
	i := v.index(name)
	if i < 0 {
		t.Fatalf("no server %q in the list", name)
	}
	v.list.Select(i)
	if v.editing != name {
		t.Fatalf("editing %q after selecting %q", v.editing, name)
	}
}

func rowNames(v *serversView) []string {
	var out []string
	for i := range v.rowCount() {
		out = append(out, v.cfg.Servers[i].Name)
	}
	return out
}

func TestServersListAndForm(t *testing.T) {
	_, _, v, w := openServers(t)
	if got := strings.Join(rowNames(v), ","); got != "github,fs,demo" {
		t.Fatalf("rows %s", got)
	}
	edit(t, v, "fs")
	f := v.form
	if f.command.Text != "npx" || f.args.Text != "-y\n@modelcontextprotocol/server-filesystem\n/home/user" ||
		f.timeout.Text != "30" || f.transport.Selected != transportStdio || !f.enabled.Checked {
		t.Errorf("form: command %q args %q timeout %q transport %q", f.command.Text, f.args.Text, f.timeout.Text, f.transport.Selected)
	}
	// API_TOKEN is masked, NODE_ENV is not (rows are sorted by name).
	if len(f.env.rows) != 2 || !f.env.rows[0].value.Password || f.env.rows[1].value.Password {
		t.Errorf("env rows: %d, masked %v %v", len(f.env.rows), f.env.rows[0].value.Password, f.env.rows[1].value.Password)
	}
	if f.dirty || !v.save.Disabled() || v.remove.Disabled() {
		t.Errorf("fresh form: dirty %v, save enabled %v, remove disabled %v", f.dirty, !v.save.Disabled(), v.remove.Disabled())
	}
	if f.live.Hidden || f.live.Text != "In the gateway: ready (14 tools)" {
		t.Errorf("live state %q (hidden %v)", f.live.Text, f.live.Hidden)
	}
	test.AssertRendersToMarkup(t, "servers_edit.xml", w.Canvas())

	edit(t, v, "github")
	if f.transport.Selected != transportHTTP || f.url.Text != "https://api.githubcopilot.com/mcp/" ||
		len(f.headers.rows) != 1 || !f.headers.rows[0].value.Password || f.allowed.Text != "search_*\nget_*" {
		t.Errorf("github form: transport %q url %q allowed %q", f.transport.Selected, f.url.Text, f.allowed.Text)
	}
	if f.live.Text != "In the gateway: failed: 401 Unauthorized" || f.live.Importance != widget.DangerImportance {
		t.Errorf("github live state %q", f.live.Text)
	}
	if f.stdioRows[1].Visible() || !f.httpRows[1].Visible() {
		t.Error("the stdio fields show for an HTTP server")
	}
}

func TestServersRowsShowLiveState(t *testing.T) {
	_, _, v, _ := openServers(t)
	row := newServerRow()
	want := []string{"http · failed: 401 Unauthorized", "stdio · ready (14 tools)", "stdio · disabled"}
	for i, w := range want {
		v.updateRow(i, row)
		if got := row.(*fyne.Container).Objects[0].(*widget.Label).Text; got != w {
			t.Errorf("row %d: %q, want %q", i, got, w)
		}
	}
}

func TestServersAddViaForm(t *testing.T) {
	_, f, v, _ := openServers(t)
	test.Tap(v.add)
	test.Type(v.form.name, "time")
	test.Type(v.form.command, "uvx")
	v.form.args.SetText("mcp-server-time\n  --local-timezone=UTC \n\n")
	test.Tap(v.form.env.add)
	test.Type(v.form.env.rows[0].key, "TZ_API_KEY")
	test.Type(v.form.env.rows[0].value, "k")
	if !v.form.env.rows[0].value.Password {
		t.Error("a value under a KEY name is not masked")
	}
	test.Type(v.form.blocked, "set_*")
	test.Tap(v.save)
	v.jobs.Wait()
	if f.Writes() != 1 {
		t.Fatalf("%d writes, want 1 (status %q)", f.Writes(), v.status.Text)
	}
	got, ok := diskServer(t, f, "time")
	if !ok {
		t.Fatal("the new server is not in the file")
	}
	if got.Command != "uvx" || strings.Join(got.Args, "|") != "mcp-server-time|--local-timezone=UTC" ||
		got.Env["TZ_API_KEY"] != "k" || strings.Join(got.BlockedTools, ",") != "set_*" || got.URL != "" || !got.IsEnabled() {
		t.Errorf("saved %+v", got)
	}
	if strings.Join(rowNames(v), ",") != "github,fs,demo,time" || v.editing != "time" || v.form.dirty {
		t.Errorf("after save: rows %v editing %q dirty %v", rowNames(v), v.editing, v.form.dirty)
	}
	if !strings.HasPrefix(v.status.Text, "Saved time.") {
		t.Errorf("status %q", v.status.Text)
	}
}

func TestServersEditKeepsHiddenKeysAndSwitchesTransport(t *testing.T) {
	_, f, v, _ := openServers(t)
	cfg := diskConfig(t, f)
	cfg.Servers[1].AllowedRoles = []string{"admin"}
	cfg.Roles = map[string]app.Role{"admin": {}}
	f.SetConfig(cfg)
	v.reload("fs")
	v.jobs.Wait()
	v.form.transport.SetSelected(transportHTTP)
	test.Type(v.form.url, "http://127.0.0.1:9000/mcp")
	test.Tap(v.save)
	v.jobs.Wait()
	got, _ := diskServer(t, f, "fs")
	if got.URL != "http://127.0.0.1:9000/mcp" || got.Command != "" || got.Args != nil || got.Env != nil ||
		strings.Join(got.AllowedRoles, ",") != "admin" {
		t.Errorf("saved %+v (status %q)", got, v.status.Text)
	}
}

func TestServersInvalidInputIsNotSaved(t *testing.T) {
	_, f, v, w := openServers(t)
	test.Tap(v.add)
	test.Type(v.form.name, "fs") // taken
	v.form.transport.SetSelected(transportHTTP)
	test.Type(v.form.url, "ftp://example.com")
	test.Type(v.form.timeout, "-5")
	test.Type(v.form.allowed, "[abc")
	test.Tap(v.save)
	v.jobs.Wait()
	if f.Writes() != 0 {
		t.Fatalf("%d writes for invalid input", f.Writes())
	}
	for field, want := range map[string]string{
		srvFieldName: "already called", srvFieldURL: "not an http", srvFieldTimeout: "negative", srvFieldAllowed: "[abc",
	} {
		l := v.form.errs[field]
		if l.Hidden || !strings.Contains(l.Text, want) {
			t.Errorf("%s: note %q (hidden %v), want it to say %q", field, l.Text, l.Hidden, want)
		}
	}
	if v.form.url.Text != "ftp://example.com" || v.form.timeout.Text != "-5" || v.form.name.Text != "fs" {
		t.Error("the input was not kept")
	}
	test.AssertRendersToMarkup(t, "servers_invalid.xml", w.Canvas())

	// Fixed, it saves, and the notes go away.
	v.form.name.SetText("remote")
	v.form.url.SetText("https://example.com/mcp")
	v.form.timeout.SetText("")
	v.form.allowed.SetText("search_*")
	test.Tap(v.save)
	v.jobs.Wait()
	if f.Writes() != 1 || !v.form.errs[srvFieldURL].Hidden {
		t.Errorf("after fixing: %d writes, url note %q", f.Writes(), v.form.errs[srvFieldURL].Text)
	}
}

func TestServersEmptyStdioNeedsCommand(t *testing.T) {
	_, f, v, _ := openServers(t)
	test.Tap(v.add)
	test.Tap(v.save)
	if f.Writes() != 0 || v.form.errs[srvFieldName].Hidden || v.form.errs[srvFieldCommand].Hidden {
		t.Errorf("writes %d, name note %q, command note %q", f.Writes(), v.form.errs[srvFieldName].Text, v.form.errs[srvFieldCommand].Text)
	}
}

// The config's own validation is the last word: its message shows, and the
// input stays in the form.
func TestServersControllerErrorKeepsInput(t *testing.T) {
	_, f, v, _ := openServers(t)
	test.Tap(v.add)
	test.Type(v.form.name, "my server") // a space: only the config validation knows
	test.Type(v.form.command, "srv")
	test.Tap(v.save)
	v.jobs.Wait()
	if f.Writes() != 0 {
		t.Fatal("an invalid config was written")
	}
	if !strings.Contains(v.status.Text, "Not saved (your input is kept)") || !strings.Contains(v.status.Text, "invalid name") {
		t.Errorf("status %q", v.status.Text)
	}
	if v.form.name.Text != "my server" || v.form.command.Text != "srv" || !v.form.dirty || v.editing != "" {
		t.Errorf("input lost: name %q command %q dirty %v", v.form.name.Text, v.form.command.Text, v.form.dirty)
	}
}

func TestServersTestListsTools(t *testing.T) {
	_, f, v, _ := openServers(t)
	edit(t, v, "fs")
	f.SetTestResult("fs", app.TestResult{Elapsed: 1234 * time.Millisecond, Tools: []app.Tool{
		{Name: "read_file", Description: "Read a file"}, {Name: "list_directory"},
	}})
	release := f.Block()
	test.Tap(v.test)
	if v.testBar.Hidden || !v.test.Disabled() || v.testHeading.Text != "Testing fs…" {
		t.Fatalf("while testing: bar hidden %v, test disabled %v, heading %q", v.testBar.Hidden, v.test.Disabled(), v.testHeading.Text)
	}
	release()
	v.jobs.Wait()
	if !v.testBar.Hidden || v.test.Disabled() {
		t.Error("progress still shows after the test")
	}
	if v.testHeading.Text != "fs works: 2 tools in 1.23s" || v.testOut.Text != "• read_file — Read a file\n• list_directory" {
		t.Errorf("heading %q, out %q", v.testHeading.Text, v.testOut.Text)
	}
	if f.Writes() != 0 {
		t.Error("Test wrote the config")
	}
}

func TestServersTestShowsTheError(t *testing.T) {
	_, f, v, _ := openServers(t)
	edit(t, v, "fs")
	f.SetTestResult("fs", app.TestResult{Error: "exec: \"npx\": executable file not found in $PATH"})
	test.Tap(v.test)
	v.jobs.Wait()
	if v.testHeading.Text != "fs failed to start" || !strings.Contains(v.testOut.Text, "executable file not found") ||
		v.testOut.Importance != widget.DangerImportance {
		t.Errorf("heading %q out %q", v.testHeading.Text, v.testOut.Text)
	}
}

func TestServersTestCancel(t *testing.T) {
	_, f, v, _ := openServers(t)
	edit(t, v, "fs")
	release := f.Block()
	defer release()
	test.Tap(v.test)
	test.Tap(v.cancelTest)
	v.jobs.Wait()
	if v.testHeading.Text != "Test of fs cancelled." || !v.testBar.Hidden || v.test.Disabled() {
		t.Errorf("after cancel: heading %q, bar hidden %v", v.testHeading.Text, v.testBar.Hidden)
	}
}

// findButton finds a button by its text in the window's top overlay (a
// dialog).
func findButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button in the dialog", text)
	return nil
}

func TestServersRemoveAsksFirst(t *testing.T) {
	_, f, v, w := openServers(t)
	edit(t, v, "demo")
	test.Tap(v.remove)
	test.Tap(findButton(t, w, "Cancel"))
	if f.Writes() != 0 {
		t.Fatal("removed without a yes")
	}
	test.Tap(v.remove)
	test.Tap(findButton(t, w, "Remove"))
	v.jobs.Wait()
	if _, ok := diskServer(t, f, "demo"); ok || f.Writes() != 1 {
		t.Fatalf("demo still in the file (writes %d, status %q)", f.Writes(), v.status.Text)
	}
	if strings.Join(rowNames(v), ",") != "github,fs" || v.editing != "" || v.form.name.Text != "" {
		t.Errorf("after remove: rows %v editing %q", rowNames(v), v.editing)
	}
}

func TestServersEnableDisable(t *testing.T) {
	_, f, v, _ := openServers(t)
	edit(t, v, "demo")
	test.Tap(v.form.enabled)
	test.Tap(v.save)
	v.jobs.Wait()
	if got, _ := diskServer(t, f, "demo"); !got.IsEnabled() {
		t.Errorf("demo still disabled (status %q)", v.status.Text)
	}
}

// handEdit writes a fourth server to the file and lets the gateway see it,
// as a hot reload of a hand edit does.
func handEdit(t *testing.T, s *Shell, f *apptest.Fake) {
	t.Helper()
	cfg := diskConfig(t, f)
	cfg.Servers = append(cfg.Servers, app.ServerConfig{Name: "time", Command: "uvx", Args: []string{"mcp-server-time"}})
	f.SetConfig(cfg)
	snap := f.Snapshot()
	snap.Servers = append(snap.Servers, app.ServerStatus{Name: "time", Transport: "stdio", Enabled: true, State: "starting"})
	f.SetSnapshot(snap)
	s.Refresh()
}

func TestServersShowHandEdits(t *testing.T) {
	s, f, v, _ := openServers(t)
	handEdit(t, s, f)
	v.jobs.Wait()
	if got := strings.Join(rowNames(v), ","); got != "github,fs,demo,time" {
		t.Errorf("rows after a hand edit: %s", got)
	}
}

// With unsaved input, a change on disk does not touch the form: a bar says
// so, and Reload drops the input for the file.
func TestServersHandEditWhileEditing(t *testing.T) {
	s, f, v, _ := openServers(t)
	edit(t, v, "fs")
	test.Type(v.form.description, "my notes")
	handEdit(t, s, f)
	v.jobs.Wait()
	if v.changed.Hidden || v.form.description.Text != "my notes" || len(rowNames(v)) != 3 {
		t.Fatalf("bar hidden %v, description %q, rows %v", v.changed.Hidden, v.form.description.Text, rowNames(v))
	}
	v.discardAndReload()
	v.jobs.Wait()
	if !v.changed.Hidden || v.form.description.Text != "" || v.form.dirty || len(rowNames(v)) != 4 || v.editing != "fs" {
		t.Errorf("after reload: bar hidden %v, description %q, rows %v", v.changed.Hidden, v.form.description.Text, rowNames(v))
	}
}

// Showing the window again reads the file again.
func TestServersReloadOnShow(t *testing.T) {
	s, f, v, _ := openServers(t)
	cfg := diskConfig(t, f)
	cfg.Servers = cfg.Servers[:1]
	f.SetConfig(cfg) // no snapshot change: only a new show notices
	s.ShowServers()
	v.jobs.Wait()
	if got := strings.Join(rowNames(v), ","); got != "github" {
		t.Errorf("rows after show: %s", got)
	}
}

func TestServersShowServerSelectsIt(t *testing.T) {
	s, _, v, _ := openServers(t)
	s.showServer("demo")
	v.jobs.Wait()
	if v.editing != "demo" || v.form.name.Text != "demo" || v.form.enabled.Checked {
		t.Errorf("editing %q, name %q, enabled %v", v.editing, v.form.name.Text, v.form.enabled.Checked)
	}
}

// Opening another server from the tray or the main window while the form
// holds unsaved input asks first.
func TestServersSwitchAsksBeforeDroppingInput(t *testing.T) {
	s, _, v, w := openServers(t)
	edit(t, v, "fs")
	test.Type(v.form.description, "my notes")
	s.showServer("demo")
	test.Tap(findButton(t, w, "Keep editing"))
	v.jobs.Wait()
	if v.editing != "fs" || v.form.description.Text != "my notes" {
		t.Fatalf("kept: editing %q, description %q", v.editing, v.form.description.Text)
	}
	s.showServer("demo")
	test.Tap(findButton(t, w, "Drop changes"))
	v.jobs.Wait()
	if v.editing != "demo" || v.form.dirty {
		t.Errorf("dropped: editing %q, dirty %v", v.editing, v.form.dirty)
	}
}

func TestServersRevertReadsTheFile(t *testing.T) {
	_, _, v, _ := openServers(t)
	edit(t, v, "fs")
	test.Type(v.form.command, "-typo")
	if v.revert.Disabled() {
		t.Fatal("Revert is disabled with unsaved input")
	}
	test.Tap(v.revert)
	v.jobs.Wait()
	if v.form.command.Text != "npx" || v.form.dirty || !v.revert.Disabled() {
		t.Errorf("after revert: command %q dirty %v", v.form.command.Text, v.form.dirty)
	}
}

// With the real in-process controller, Save writes the server into the
// config file on disk (keeping a .bak of the previous file).
func TestServersSaveWritesTheRealFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/mcplex.toml"
	if err := os.WriteFile(path, []byte("[gateway]\nlisten = \"127.0.0.1:0\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctrl, mode, err := app.OpenController(context.Background(), path, dir+"/no-service")
	if err != nil || mode != "in-process" {
		t.Fatalf("OpenController: %v %q", err, mode)
	}
	t.Cleanup(func() { _ = ctrl.Stop(context.Background()) })
	s := New(test.NewTempApp(t), ctrl)
	s.ShowServers()
	v := s.serversv
	v.jobs.Wait()
	test.Type(v.form.name, "remote")
	v.form.transport.SetSelected(transportHTTP)
	test.Type(v.form.url, "http://127.0.0.1:9/mcp")
	test.Tap(v.save)
	v.jobs.Wait()
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), `name = "remote"`) || !strings.Contains(string(data), `url = "http://127.0.0.1:9/mcp"`) {
		t.Fatalf("file after Save (%v, status %q):\n%s", err, v.status.Text, data)
	}
	if _, err := os.Stat(path + ".bak"); err != nil {
		t.Errorf("no backup: %v", err)
	}
	if strings.Join(rowNames(v), ",") != "remote" {
		t.Errorf("rows %v", rowNames(v))
	}
}
