package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/mcplex/mcplex/app"
)

// recordedActions returns tray actions that append their name to *got.
func recordedActions(got *[]string) trayActions {
	rec := func(name string) func() { return func() { *got = append(*got, name) } }
	return trayActions{
		Start: rec("start"), Stop: rec("stop"), ShowMain: rec("main"), ShowServers: rec("servers"),
		ShowServer: func(n string) { *got = append(*got, "server "+n) },
		ShowRoles:  rec("roles"), ShowPlay: rec("playground"), ShowMetrics: rec("metrics"),
		ShowSettings: rec("settings"), CopyEndpoint: rec("copy"), Quit: rec("quit"),
	}
}

// The whole menu, per state: (label) is a disabled item, --- a separator,
// indented lines a submenu.
func TestTrayMenuPerState(t *testing.T) {
	errSnap := sampleSnapshot(app.StateStopped)
	errSnap.Error = "listen tcp 127.0.0.1:3100: bind: address already in use"
	errSnap.Servers = []app.ServerStatus{{Name: "demo", Transport: "stdio", Enabled: true, State: "stopped"}}
	cfgErrSnap := sampleSnapshot(app.StateRunning)
	cfgErrSnap.ConfigErr = "mcplex.toml:3: gateway.listen: missing port"
	const windows = "---\nOpen MCPlex\nServers…\nRoles & keys…\nPlayground…\nMetrics…\nSettings…\n---\n"
	const running = "  github — ready (26 tools)\n  fs — ready (14 tools)\n  demo — ready (2 tools)\n"
	tests := []struct {
		name string
		snap app.Snapshot
		want string
	}{
		{"stopped", sampleSnapshot(app.StateStopped),
			"(MCPlex — stopped)\n---\nStart gateway\nServers\n  (No servers configured)\n" + windows +
				"(Copy endpoint URL)\n---\nQuit\n"},
		{"running", sampleSnapshot(app.StateRunning),
			"(MCPlex — running, 3 servers, 42 tools)\n---\nStop gateway\nServers\n" + running + windows +
				"Copy endpoint URL\n---\nQuit\n"},
		{"degraded", sampleSnapshot(app.StateDegraded),
			"(MCPlex — degraded, 3 servers (1 not ready), 40 tools)\n---\nStop gateway\nServers\n" +
				"  github — ready (26 tools)\n  fs — ready (14 tools)\n" +
				"  demo — failed: exec: \"mcp-demo\": executable file not found in $PATH\n" + windows +
				"Copy endpoint URL\n---\nQuit\n"},
		{"error", errSnap,
			"(MCPlex — stopped: listen tcp 127.0.0.1:3100: bind: address already in use)\n---\nStart gateway\n" +
				"Servers\n  demo — stopped\n" + windows + "(Copy endpoint URL)\n---\nQuit\n"},
		{"config error", cfgErrSnap,
			"(MCPlex — running, 3 servers, 42 tools)\n(Config file has errors: mcplex.toml:3: gateway.listen: missing port)\n" +
				"---\nStop gateway\nServers\n" + running + windows + "Copy endpoint URL\n---\nQuit\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			m := buildTrayMenu(tc.snap, recordedActions(&got))
			if sig := menuSignature(m); sig != tc.want {
				t.Errorf("menu:\n%s\nwant:\n%s", sig, tc.want)
			}
			if q := m.Items[len(m.Items)-1]; !q.IsQuit {
				t.Error("the last item is not marked IsQuit (Fyne would add a second Quit)")
			}
		})
	}
}

func TestTrayMenuStatusLineIsClipped(t *testing.T) {
	snap := sampleSnapshot(app.StateStopped)
	snap.Error = strings.Repeat("very long error ", 20)
	m := buildTrayMenu(snap, trayActions{})
	if n := len([]rune(m.Items[0].Label)); n > menuStatusMax {
		t.Errorf("status line is %d runes: %q", n, m.Items[0].Label)
	}
}

// menuItem finds an item by its label (path of labels for submenus).
func menuItem(t *testing.T, m *fyne.Menu, path ...string) *fyne.MenuItem {
	t.Helper()
	for i, label := range path {
		var found *fyne.MenuItem
		for _, it := range m.Items {
			if it.Label == label {
				found = it
			}
		}
		if found == nil {
			t.Fatalf("no menu item %q", label)
		}
		if i == len(path)-1 {
			return found
		}
		m = found.ChildMenu
	}
	return nil
}

func TestTrayMenuItemsCallTheirActions(t *testing.T) {
	var got []string
	m := buildTrayMenu(sampleSnapshot(app.StateRunning), recordedActions(&got))
	for _, p := range [][]string{
		{"Stop gateway"}, {"Servers", "fs — ready (14 tools)"}, {"Open MCPlex"}, {"Servers…"},
		{"Roles & keys…"}, {"Playground…"}, {"Metrics…"}, {"Settings…"}, {"Copy endpoint URL"}, {"Quit"},
	} {
		menuItem(t, m, p...).Action()
	}
	want := "stop,server fs,main,servers,roles,playground,metrics,settings,copy,quit"
	if s := strings.Join(got, ","); s != want {
		t.Errorf("actions %s\nwant    %s", s, want)
	}
	got = nil
	menuItem(t, buildTrayMenu(sampleSnapshot(app.StateStopped), recordedActions(&got)), "Start gateway").Action()
	if s := strings.Join(got, ","); s != "start" {
		t.Errorf("Start gateway did %s", s)
	}
}

// The shell's own actions reach the controller: Start and Stop from the
// tray, and Copy endpoint URL puts the URL on the clipboard.
func TestTrayActionsDriveTheController(t *testing.T) {
	s, f := newShellForTest(t)
	s.Refresh()
	menuItem(t, buildTrayMenu(s.Last(), s.trayActions()), "Start gateway").Action()
	s.WaitIdle()
	if s.Last().State != app.StateRunning {
		t.Fatalf("state %q after Start from the tray", s.Last().State)
	}
	m := buildTrayMenu(s.Last(), s.trayActions())
	menuItem(t, m, "Copy endpoint URL").Action()
	if got := fyne.CurrentApp().Clipboard().Content(); got != "http://127.0.0.1:3100/mcp" {
		t.Errorf("clipboard %q", got)
	}
	menuItem(t, m, "Stop gateway").Action()
	s.WaitIdle()
	if got := strings.Join(f.Calls(), ","); got != "Start,Stop" {
		t.Errorf("calls %s", got)
	}
}

// fakeDesk records what the tray sets.
type fakeDesk struct {
	menus []*fyne.Menu
	icons []fyne.Resource
}

func (d *fakeDesk) SetSystemTrayMenu(m *fyne.Menu)    { d.menus = append(d.menus, m) }
func (d *fakeDesk) SetSystemTrayIcon(r fyne.Resource) { d.icons = append(d.icons, r) }
func (d *fakeDesk) SetSystemTrayWindow(fyne.Window)   {}

// The menu is set again only when it changes, the icon only when the
// state does.
func TestTrayRebuildsOnChangeOnly(t *testing.T) {
	d := &fakeDesk{}
	tr := &tray{desk: d, icon: colorTrayIcon}
	snap := sampleSnapshot(app.StateRunning)
	snap.Time = time.Unix(1, 0)
	tr.update(snap)
	snap.Time = time.Unix(2, 0) // a new snapshot that looks the same
	tr.update(snap)
	if len(d.menus) != 1 || len(d.icons) != 1 || d.icons[0] != trayPNGRunning {
		t.Fatalf("after two equal snapshots: %d menus, %d icons", len(d.menus), len(d.icons))
	}
	snap.Servers[0].Tools = 27 // a server changed: new menu, same icon
	tr.update(snap)
	if len(d.menus) != 2 || len(d.icons) != 1 {
		t.Fatalf("after a server change: %d menus, %d icons", len(d.menus), len(d.icons))
	}
	tr.update(sampleSnapshot(app.StateDegraded))
	tr.update(sampleSnapshot(app.StateStopped))
	if len(d.menus) != 4 || len(d.icons) != 3 || d.icons[1] != trayPNGDegraded || d.icons[2] != trayPNGStopped {
		t.Fatalf("after degraded and stopped: %d menus, %d icons", len(d.menus), len(d.icons))
	}
}

func TestTrayIconPerState(t *testing.T) {
	for st, want := range map[app.State]fyne.Resource{
		app.StateRunning: trayPNGRunning, app.StateStarting: trayPNGRunning,
		app.StateDegraded: trayPNGDegraded, app.StateStopped: trayPNGStopped, "": trayPNGStopped,
	} {
		if got := colorTrayIcon(st); got != want {
			t.Errorf("%q: icon %s, want %s", st, got.Name(), want.Name())
		}
	}
}
