package ui

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

// Five clients: one of each state, one not installed.
func sampleClients() []app.ClientStatus {
	return []app.ClientStatus{
		{Name: "claude-desktop", Display: "Claude Desktop", Installed: true, State: app.ClientConnected,
			Path: "/home/user/.config/Claude/claude_desktop_config.json", Bridge: true, Servers: 3},
		{Name: "claude-code", Display: "Claude Code", State: app.ClientNotConnected, Path: "/home/user/.claude.json"},
		{Name: "cursor", Display: "Cursor", Installed: true, State: app.ClientNotConnected,
			Path: "/home/user/.cursor/mcp.json", Servers: 1},
		{Name: "zed", Display: "Zed", Installed: true, State: app.ClientElsewhere,
			Path: "/home/user/.config/zed/settings.json", Points: "http://127.0.0.1:9999/mcp"},
		{Name: "codex", Display: "Codex", Installed: true, State: app.ClientError,
			Path: "/home/user/.codex/config.toml", Err: errors.New("config.toml:3: not valid TOML")},
	}
}

// newDesktopShell is a shell over a fake controller and a fake desktop
// with the sample clients, states read once.
func newDesktopShell(t *testing.T) (*Shell, *apptest.Fake, *apptest.Desktop) {
	t.Helper()
	s, f := newShellForTest(t)
	d := apptest.NewDesktop()
	d.SetClients(sampleClients())
	d.SetService(app.ServiceInfo{State: app.ServiceRunning, Path: "/home/user/.config/systemd/user/mcplex.service"})
	s.SetDesktop(d)
	s.Refresh()
	s.desk.fetch()
	return s, f, d
}

// trayMenu is the tray's menu now, with the shell's own actions.
func trayMenu(s *Shell) *fyne.Menu {
	st := s.desk.state()
	return buildTrayMenuWith(s.Last(), &st, s.trayActions())
}

// actions are the desktop calls made, without the state reads.
func actions(d *apptest.Desktop) []string {
	return slices.DeleteFunc(d.Calls(), func(c string) bool { return c == "Clients" || c == "ServiceStatus" })
}

// overlayText is the text in w's top dialog.
func overlayText(t *testing.T, w fyne.Window) string {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	var b strings.Builder
	for _, o := range test.LaidOutObjects(top) {
		switch o := o.(type) {
		case *widget.Label:
			b.WriteString(o.Text + "\n")
		case *canvas.Text:
			b.WriteString(o.Text + "\n")
		}
	}
	return b.String()
}

func TestTrayMenuWithClientsAndService(t *testing.T) {
	s, _, _ := newDesktopShell(t)
	want := "(MCPlex — stopped)\n---\nStart gateway\nServers\n  (No servers configured)\n" +
		"Connect clients\n  ✓ Claude Desktop — connected\n  Cursor — connect…\n  Zed — points elsewhere…\n" +
		"  Codex — cannot read its config…\n  ---\n  Clients…\n" +
		"Service\n  (Service: running)\n  Stop service\n  Uninstall service…\n" +
		"---\nOpen MCPlex\nServers…\nRoles & keys…\nPlayground…\nMetrics…\nSettings…\n---\n(Copy endpoint URL)\n---\nQuit\n"
	if got := menuSignature(trayMenu(s)); got != want {
		t.Errorf("menu:\n%s\nwant:\n%s", got, want)
	}
}

func TestTrayServiceMenuPerState(t *testing.T) {
	reason := "User services need systemd (systemctl --user), and this system runs unix-systemv; the MCPlex tray runs the gateway in-process instead."
	for _, tc := range []struct {
		name string
		st   desktopState
		want string
	}{
		{"running", desktopState{loaded: true, service: app.ServiceInfo{State: app.ServiceRunning}},
			"(Service: running)\nStop service\nUninstall service…\n"},
		{"stopped", desktopState{loaded: true, service: app.ServiceInfo{State: app.ServiceStopped}},
			"(Service: stopped)\nStart service\nUninstall service…\n"},
		{"failed", desktopState{loaded: true, service: app.ServiceInfo{State: app.ServiceStopped, Reason: "the gateway exited with an error"}},
			"(Service: stopped: the gateway exited with an error)\nStart service\nUninstall service…\n"},
		{"not installed", desktopState{loaded: true, service: app.ServiceInfo{State: app.ServiceNotInstalled}},
			"(Service: not installed)\nInstall service…\n"},
		{"unsupported", desktopState{loaded: true, service: app.ServiceInfo{State: app.ServiceUnsupported, Reason: reason}},
			"(Service: unsupported)\n(User services need systemd (systemctl --user), and this)\n" +
				"(system runs unix-systemv; the MCPlex tray runs the gateway)\n(in-process instead.)\n"},
		{"unknown", desktopState{loaded: true, serviceErr: "asking the service manager: timeout"},
			"(Service: unknown: asking the service manager: timeout)\n"},
		{"busy", desktopState{loaded: true, service: app.ServiceInfo{State: app.ServiceStopped}, busy: map[string]string{busyService: "starting…"}},
			"(Service: starting…)\n"},
		{"not read yet", desktopState{}, "(Service: checking…)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := menuSignature(trayServiceMenu(tc.st, trayActions{})); got != tc.want {
				t.Errorf("service menu:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestTrayClientsMenuBeforeAndWithout(t *testing.T) {
	if got := menuSignature(trayClientsMenu(desktopState{}, trayActions{})); got != "(Checking clients…)\n---\nClients…\n" {
		t.Errorf("before the first read:\n%s", got)
	}
	none := desktopState{loaded: true, clients: []app.ClientStatus{{Name: "zed", Display: "Zed"}}}
	if got := menuSignature(trayClientsMenu(none, trayActions{})); got != "(No MCP clients found)\n---\nClients…\n" {
		t.Errorf("none installed:\n%s", got)
	}
	busy := desktopState{loaded: true, clients: sampleClients()[2:3], busy: map[string]string{"cursor": "connecting…"}}
	if got := menuSignature(trayClientsMenu(busy, trayActions{})); got != "(Cursor — connecting…)\n---\nClients…\n" {
		t.Errorf("busy:\n%s", got)
	}
}

// Connect from the tray calls the desktop, says what to do next over the
// main window, and the menu then shows the client connected; choosing it
// again disconnects.
func TestTrayConnectShowsTheRestartHint(t *testing.T) {
	s, _, d := newDesktopShell(t)
	menuItem(t, trayMenu(s), "Connect clients", "Cursor — connect…").Action()
	s.WaitIdle()
	if got := strings.Join(actions(d), ","); got != "ConnectClient cursor" {
		t.Fatalf("calls %s (Cursor does not run the binary: no stable-location check)", got)
	}
	w := s.MainWindow()
	if text := overlayText(t, w); !strings.Contains(text, "Restart Cursor to load the change.") {
		t.Errorf("dialog:\n%s", text)
	}
	it := menuItem(t, trayMenu(s), "Connect clients", "Cursor — connected")
	if !it.Checked {
		t.Error("a connected client is not checked")
	}
	it.Action()
	s.WaitIdle()
	if got := actions(d); got[len(got)-1] != "DisconnectClient cursor" {
		t.Errorf("calls %v", got)
	}
}

func TestTrayConnectErrorIsShown(t *testing.T) {
	s, _, d := newDesktopShell(t)
	d.SetError("ConnectClient cursor", errors.New("/home/user/.cursor/mcp.json:3:1: not valid JSON (MCPlex left the file untouched)"))
	menuItem(t, trayMenu(s), "Connect clients", "Cursor — connect…").Action()
	s.WaitIdle()
	if text := overlayText(t, s.MainWindow()); !strings.Contains(text, "not valid JSON") {
		t.Errorf("dialog:\n%s", text)
	}
	menuItem(t, trayMenu(s), "Connect clients", "Cursor — connect…") // still not connected
}

// From a temporary place, connecting a client that runs the binary and
// installing the service first offer to install the binary: Install then
// goes on with the installed path, Cancel does nothing.
func TestTransientBinaryOffersInstall(t *testing.T) {
	const installed = "/home/user/.local/bin/mcplex"
	for _, tc := range []struct {
		name string
		item []string
		want string
	}{
		{"connect", []string{"Connect clients", "Claude Desktop — connect…"}, "ConnectClient claude-desktop " + installed},
		{"service", []string{"Service", "Install service…"}, "ServiceInstall " + installed},
	} {
		for _, answer := range []string{"Install", "Cancel"} {
			t.Run(tc.name+"/"+answer, func(t *testing.T) {
				s, _, d := newDesktopShell(t)
				cs := sampleClients()
				cs[0].State = app.ClientNotConnected
				d.SetClients(cs)
				d.SetService(app.ServiceInfo{State: app.ServiceNotInstalled})
				d.SetTransient("it is in the Downloads folder", "/home/user/.local/bin")
				s.desk.fetch()
				menuItem(t, trayMenu(s), tc.item...).Action()
				s.WaitIdle()
				w := s.MainWindow()
				want := "MCPlex is running from a temporary location (it is in the Downloads folder). Install it to /home/user/.local/bin first?"
				if text := overlayText(t, w); !strings.Contains(text, want) {
					t.Fatalf("dialog:\n%s", text)
				}
				test.Tap(findButton(t, w, answer))
				s.WaitIdle()
				got := strings.Join(actions(d), ",")
				if answer == "Cancel" {
					if got != "StableExecutable" {
						t.Errorf("after Cancel: %s", got)
					}
					return
				}
				if got != "StableExecutable,InstallBinary,"+tc.want {
					t.Errorf("after Install: %s", got)
				}
			})
		}
	}
}

// The service's actions from the tray: install, start (stopping the
// gateway this app runs, which holds the port), stop, uninstall.
func TestTrayServiceActions(t *testing.T) {
	s, f, d := newDesktopShell(t)
	d.SetService(app.ServiceInfo{State: app.ServiceNotInstalled})
	s.desk.fetch()
	menuItem(t, trayMenu(s), "Service", "Install service…").Action()
	s.WaitIdle()
	if text := overlayText(t, s.MainWindow()); !strings.Contains(text, "Installed the MCPlex gateway service (/home/user/.config/systemd/user/mcplex.service)") {
		t.Errorf("install said:\n%s", text)
	}
	menuItem(t, trayMenu(s), "Service", "Start service").Action()
	s.WaitIdle()
	if text := overlayText(t, s.MainWindow()); !strings.Contains(text, "quit and reopen MCPlex") {
		t.Errorf("start said:\n%s", text)
	}
	if !slices.Contains(f.Calls(), "Stop") {
		t.Error("the in-process gateway was not stopped before the service started")
	}
	menuItem(t, trayMenu(s), "Service", "Stop service").Action()
	s.WaitIdle()
	menuItem(t, trayMenu(s), "Service", "Uninstall service…").Action()
	test.Tap(findButton(t, s.MainWindow(), "Uninstall"))
	s.WaitIdle()
	want := "StableExecutable,ServiceInstall /opt/mcplex/bin/mcplex,ServiceStart,ServiceStop,ServiceUninstall"
	if got := strings.Join(actions(d), ","); got != want {
		t.Errorf("calls %s\nwant  %s", got, want)
	}
	menuItem(t, trayMenu(s), "Service", "Install service…")
}

// The tray takes new desktop states as they come, with the last snapshot.
func TestTrayFollowsTheDesktopState(t *testing.T) {
	s, _, d := newDesktopShell(t)
	desk := &fakeDesk{}
	tr := &tray{desk: desk, actions: s.trayActions(), icon: colorTrayIcon}
	tr.update(sampleSnapshot(app.StateRunning))
	s.desk.onChange(tr.setDesktop)
	if len(desk.menus) != 2 {
		t.Fatalf("%d menus set", len(desk.menus))
	}
	menuItem(t, desk.menus[1], "Connect clients", "Cursor — connect…")
	menuItem(t, desk.menus[1], "Stop gateway") // the snapshot was kept
	d.SetService(app.ServiceInfo{State: app.ServiceStopped})
	s.desk.fetch()
	menuItem(t, desk.menus[len(desk.menus)-1], "Service", "Start service")
}

func TestClientsWindow(t *testing.T) {
	s, _, d := newDesktopShell(t)
	s.ShowClients()
	s.WaitIdle()
	w, _ := s.lookupWindow("clients")
	w.Resize(fyne.NewSize(900, 640))
	t.Cleanup(w.Close)
	test.AssertRendersToMarkup(t, "clients_window.xml", w.Canvas())
	var connect *widget.Button
	for _, o := range test.LaidOutObjects(w.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Connect" && !b.Disabled() {
			if connect != nil {
				t.Fatal("more than one Connect button is enabled (only Cursor can connect)")
			}
			connect = b
		}
	}
	if connect == nil {
		t.Fatal("no enabled Connect button")
	}
	test.Tap(connect)
	s.WaitIdle()
	if got := actions(d); !slices.Equal(got, []string{"ConnectClient cursor"}) {
		t.Errorf("calls %v", got)
	}
	if text := overlayText(t, w); !strings.Contains(text, "Restart Cursor") {
		t.Errorf("dialog:\n%s", text)
	}
}

// launch gives the shell the OS integration for the config file given
// with -c, else for the one the gateway runs.
func TestLaunchWiresTheDesktop(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "my.toml"}, "my.toml"},
		{nil, "/home/user/.config/mcplex/mcplex.toml"}, // the fake's snapshot ConfigPath
	} {
		f := apptest.New()
		swapLaunch(t, func(context.Context, string) (app.Controller, string, error) { return f, "in-process", nil }, nil)
		var got []string
		old := newDesktop
		newDesktop = func(path string) app.Desktop { got = append(got, path); return apptest.NewDesktop() }
		t.Cleanup(func() { newDesktop = old })
		display := func(k string) string { return map[string]string{"DISPLAY": ":99"}[k] }
		if code := launch(tc.args, func() fyne.App { return test.NewTempApp(t) }, &bytes.Buffer{}, display); code != 0 {
			t.Fatalf("%q: code %d", tc.args, code)
		}
		if !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%q: desktop for %q, want %q", tc.args, got, tc.want)
		}
	}
}
