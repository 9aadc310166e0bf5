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

// claudePlan is what importing from the sample Claude Desktop finds.
func claudePlan() *app.ImportPreview {
	return &app.ImportPreview{
		Client: "claude-desktop", Display: "Claude Desktop", Bridge: true,
		Path: "/home/user/.config/Claude/claude_desktop_config.json",
		Servers: []app.ImportServer{
			{From: "filesystem", Server: app.ServerConfig{Name: "filesystem", Command: "npx",
				Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "${HOME}/Desktop"}},
				Warnings: []string{"args refers to an environment variable; the gateway must have it set"}},
			{From: "github", Server: app.ServerConfig{Name: "github", Command: "docker",
				Args: []string{"run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"},
				Env:  map[string]string{"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_example"}}},
			{From: "brave search", Server: app.ServerConfig{Name: "brave-search", Command: "npx",
				Args: []string{"-y", "@modelcontextprotocol/server-brave-search"}, Env: map[string]string{"BRAVE_API_KEY": "BSA_example"}}},
		},
		Skipped: []app.ImportSkipped{{Name: "mcplex", Reason: "this is MCPlex itself"}},
	}
}

// openImport opens the servers window of a desktop shell and shows the
// import plan of Claude Desktop, as choosing it from Import from… does.
func openImport(t *testing.T, setup func(*apptest.Desktop)) (*Shell, *apptest.Fake, *apptest.Desktop, *serversView, fyne.Window) {
	t.Helper()
	s, f, d := newDesktopShell(t)
	d.SetImportPlan(claudePlan())
	if setup != nil {
		setup(d)
	}
	s.ShowServers()
	v := s.serversv
	v.jobs.Wait()
	w, _ := s.lookupWindow("servers")
	w.Resize(fyne.NewSize(1100, 900))
	t.Cleanup(w.Close)
	test.Tap(v.importBtn)
	v.jobs.Wait()
	if v.importMenu == nil {
		t.Fatal("Import from… offered no menu")
	}
	var labels []string
	for _, it := range v.importMenu.Items {
		labels = append(labels, it.Label)
	}
	if want := []string{"Claude Desktop (3 servers)", "Cursor (1 server)"}; !slices.Equal(labels, want) {
		t.Fatalf("import menu %q, want %q", labels, want)
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top()) // choosing an item closes the pop-up menu
	v.importMenu.Items[0].Action()
	v.jobs.Wait()
	return s, f, d, v, w
}

func TestImportShowsThePlanAndWritesAfterConfirm(t *testing.T) {
	s, f, d, v, w := openImport(t, nil)
	if f.Writes() != 0 {
		t.Fatal("written before the confirmation")
	}
	test.AssertRendersToMarkup(t, "servers_import.xml", w.Canvas())
	test.Tap(findButton(t, w, "Import"))
	v.jobs.Wait()
	s.WaitIdle()
	if f.Writes() != 1 {
		t.Fatalf("%d writes, want 1", f.Writes())
	}
	for _, name := range []string{"filesystem", "github", "brave-search"} {
		if _, ok := diskServer(t, f, name); !ok {
			t.Errorf("%s is not in the config", name)
		}
	}
	if calls := actions(d); calls[len(calls)-1] != "ImportClient claude-desktop replace=false" {
		t.Errorf("calls %v", calls)
	}
	if text := overlayText(t, w); !strings.Contains(text, "added 3 servers") {
		t.Errorf("result:\n%s", text)
	}
	if !strings.Contains(v.status.Text, "Imported") || !slices.Contains(rowNames(v), "brave-search") {
		t.Errorf("status %q, rows %v", v.status.Text, rowNames(v))
	}
}

func TestImportCancelWritesNothing(t *testing.T) {
	s, f, d, v, w := openImport(t, nil)
	test.Tap(findButton(t, w, "Cancel"))
	v.jobs.Wait()
	s.WaitIdle()
	if f.Writes() != 0 || countCalls(f, "UpdateConfig") != 0 {
		t.Errorf("writes %d after Cancel", f.Writes())
	}
	for _, c := range actions(d) {
		if strings.HasPrefix(c, "ImportClient") {
			t.Errorf("%s after Cancel", c)
		}
	}
}

// Replacing the servers in Claude Desktop writes an entry that runs the
// binary: from a temporary place, it is installed first.
func TestImportReplaceInstallsTheBinaryFirst(t *testing.T) {
	s, f, d, v, w := openImport(t, func(d *apptest.Desktop) { d.SetTransient("it is in the Downloads folder", "/home/user/.local/bin") })
	var replace *widget.Check
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if c, ok := o.(*widget.Check); ok && strings.HasPrefix(c.Text, "Replace them in Claude Desktop") {
			replace = c
		}
	}
	if replace == nil {
		t.Fatal("no replace check in the dialog")
	}
	test.Tap(replace)
	test.Tap(findButton(t, w, "Import"))
	s.WaitIdle()
	test.Tap(findButton(t, w, "Install"))
	s.WaitIdle()
	v.jobs.Wait()
	if calls := actions(d); calls[len(calls)-1] != "ImportClient claude-desktop replace=true /home/user/.local/bin/mcplex" {
		t.Errorf("calls %v", calls)
	}
	if f.Writes() != 1 {
		t.Errorf("%d writes", f.Writes())
	}
}

func TestImportSourcesPutClaudeDesktopFirst(t *testing.T) {
	cs := []app.ClientStatus{{Name: "cursor", Servers: 2}, {Name: "zed"}, {Name: "vscode", Servers: 1}, {Name: "claude-desktop", Servers: 4}}
	var got []string
	for _, c := range importSources(cs) {
		got = append(got, c.Name)
	}
	if want := []string{"claude-desktop", "cursor", "vscode"}; !slices.Equal(got, want) {
		t.Errorf("sources %v, want %v", got, want)
	}
}
