package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

// newShellForTest is a shell over a fresh fake on a headless test app.
func newShellForTest(t *testing.T) (*Shell, *apptest.Fake) {
	t.Helper()
	a := test.NewTempApp(t)
	f := apptest.New()
	return New(a, f), f
}

// openMain builds the main window at a size that keeps the markup short.
func openMain(t *testing.T, s *Shell) (fyne.Window, *mainView) {
	t.Helper()
	w := s.MainWindow()
	w.Resize(fyne.NewSize(900, 640))
	w.Show()
	t.Cleanup(w.Close)
	return w, s.mainView()
}

// Three servers; degraded has the last one failed.
func sampleServers(degraded bool) []app.ServerStatus {
	servers := []app.ServerStatus{
		{Name: "github", Transport: "http", Enabled: true, State: "ready", Tools: 26},
		{Name: "fs", Transport: "stdio", Enabled: true, State: "ready", Tools: 14},
		{Name: "demo", Transport: "stdio", Enabled: true, State: "ready", Tools: 2},
	}
	if degraded {
		servers[2] = app.ServerStatus{Name: "demo", Transport: "stdio", Enabled: true, State: "failed",
			Error: "exec: \"mcp-demo\": executable file not found in $PATH", Restarts: 3}
	}
	return servers
}

func sampleSnapshot(state app.State) app.Snapshot {
	snap := app.Snapshot{State: state, Mode: "in-process", Version: "test",
		ConfigPath: "/home/user/.config/mcplex/mcplex.toml"}
	switch state {
	case app.StateRunning:
		snap.Endpoint, snap.Servers, snap.ToolCount = "http://127.0.0.1:3100/mcp", sampleServers(false), 42
	case app.StateDegraded:
		snap.Endpoint, snap.Servers, snap.ToolCount = "http://127.0.0.1:3100/mcp", sampleServers(true), 40
	}
	return snap
}

func TestMainWindowEmpty(t *testing.T) {
	s, _ := newShellForTest(t)
	w, v := openMain(t, s)
	s.Refresh()
	if v.startStop.Text != "Start gateway" || v.startStop.Disabled() {
		t.Errorf("button %q disabled=%v, want an enabled Start gateway", v.startStop.Text, v.startStop.Disabled())
	}
	if !v.copyURL.Disabled() {
		t.Error("Copy is enabled with no endpoint")
	}
	if v.empty.Hidden {
		t.Error("no 'no servers yet' note with no servers")
	}
	test.AssertRendersToMarkup(t, "main_empty.xml", w.Canvas())
}

func TestMainWindowRunning(t *testing.T) {
	s, f := newShellForTest(t)
	f.SetSnapshot(sampleSnapshot(app.StateRunning))
	w, v := openMain(t, s)
	s.Refresh()
	if v.startStop.Text != "Stop gateway" || v.endpoint.Text != "http://127.0.0.1:3100/mcp" {
		t.Errorf("button %q endpoint %q", v.startStop.Text, v.endpoint.Text)
	}
	test.Tap(v.copyURL)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "http://127.0.0.1:3100/mcp" {
		t.Errorf("clipboard %q after Copy", got)
	}
	test.AssertRendersToMarkup(t, "main_running.xml", w.Canvas())
}

func TestMainWindowDegraded(t *testing.T) {
	s, f := newShellForTest(t)
	f.SetSnapshot(sampleSnapshot(app.StateDegraded))
	w, v := openMain(t, s)
	s.Refresh()
	if v.title.Text != "Degraded" || !strings.Contains(v.summary.Text, "40 tools from 2 of 3 servers (1 not ready)") {
		t.Errorf("title %q summary %q", v.title.Text, v.summary.Text)
	}
	test.AssertRendersToMarkup(t, "main_degraded.xml", w.Canvas())
}

func TestMainWindowStartFails(t *testing.T) {
	s, f := newShellForTest(t)
	f.SetStartError(errors.New("listen tcp 127.0.0.1:3100: bind: address already in use"))
	w, v := openMain(t, s)
	s.Refresh()
	test.Tap(v.startStop)
	s.WaitIdle()
	want := "Start failed: listen tcp 127.0.0.1:3100: bind: address already in use"
	if v.errText.Hidden || v.errText.Text != want {
		t.Fatalf("error line %q (hidden %v), want %q", v.errText.Text, v.errText.Hidden, want)
	}
	if v.startStop.Disabled() || v.startStop.Text != "Start gateway" {
		t.Errorf("after a failed start the button is %q, disabled=%v", v.startStop.Text, v.startStop.Disabled())
	}
	test.AssertRendersToMarkup(t, "main_error.xml", w.Canvas())
}

func TestMainWindowStartStop(t *testing.T) {
	s, f := newShellForTest(t)
	_, v := openMain(t, s)
	s.Refresh()
	test.Tap(v.startStop)
	s.WaitIdle()
	if v.title.Text != "Running" || v.startStop.Text != "Stop gateway" {
		t.Fatalf("after Start: %q, button %q", v.title.Text, v.startStop.Text)
	}
	test.Tap(v.startStop)
	s.WaitIdle()
	if v.title.Text != "Stopped" || v.startStop.Text != "Start gateway" {
		t.Fatalf("after Stop: %q, button %q", v.title.Text, v.startStop.Text)
	}
	if got := strings.Join(f.Calls(), ","); got != "Start,Stop" {
		t.Errorf("calls %s", got)
	}
}

// While a Start runs the button is disabled and progress shows; a second
// Start meanwhile does nothing.
func TestMainWindowProgressWhileBusy(t *testing.T) {
	s, f := newShellForTest(t)
	_, v := openMain(t, s)
	s.Refresh()
	release := make(chan struct{})
	s.runGatewayOp("Starting the gateway…", "Start failed: ", func(ctx context.Context) error {
		<-release
		return f.Start(ctx)
	})
	if !v.startStop.Disabled() || v.progress.Hidden || v.opText.Text != "Starting the gateway…" {
		t.Fatalf("busy: disabled=%v progress hidden=%v text %q", v.startStop.Disabled(), v.progress.Hidden, v.opText.Text)
	}
	s.StartGateway() // ignored: one operation at a time
	close(release)
	s.WaitIdle()
	if v.startStop.Disabled() || !v.progress.Hidden || v.title.Text != "Running" {
		t.Fatalf("done: disabled=%v progress hidden=%v state %q", v.startStop.Disabled(), v.progress.Hidden, v.title.Text)
	}
	if got := strings.Join(f.Calls(), ","); got != "Start" {
		t.Errorf("calls %s, want one Start", got)
	}
}

func TestMainWindowNoTrayBanner(t *testing.T) {
	s, _ := newShellForTest(t)
	w, v := openMain(t, s)
	s.Refresh()
	s.noTray(noTrayTestReason)
	if v.banner.Hidden || v.bannerText.Text != noTrayTestReason {
		t.Fatalf("banner hidden=%v text %q", v.banner.Hidden, v.bannerText.Text)
	}
	test.AssertRendersToMarkup(t, "main_notray.xml", w.Canvas())
}

const noTrayTestReason = "No system tray found (no StatusNotifier host on the session bus); MCPlex stays in this window. On GNOME, install the \"AppIndicator and KStatusNotifierItem Support\" extension."

func TestMainWindowConfigError(t *testing.T) {
	s, f := newShellForTest(t)
	snap := sampleSnapshot(app.StateRunning)
	snap.ConfigErr = "mcplex.toml:12: servers[1].url: \"ftp://x\" is not an http(s) URL"
	f.SetSnapshot(snap)
	_, v := openMain(t, s)
	s.Refresh()
	if v.configErr.Hidden || !strings.Contains(v.configErr.Text, "servers[1].url") {
		t.Errorf("config error hidden=%v text %q", v.configErr.Hidden, v.configErr.Text)
	}
}

// A server in the main window's list opens it in the servers window, and
// the Servers… button opens that window.
func TestMainWindowOpensTheServersWindow(t *testing.T) {
	s, f := newShellForTest(t)
	cfg := diskConfig(t, f)
	cfg.Servers = sampleServerConfigs()
	f.SetConfig(cfg)
	snap := sampleSnapshot(app.StateDegraded)
	snap.Servers = sampleServerStates()
	f.SetSnapshot(snap)
	_, v := openMain(t, s)
	s.Refresh()
	v.list.Select(1)
	s.serversv.jobs.Wait()
	w, ok := s.lookupWindow("servers")
	if !ok || s.serversv.editing != "fs" {
		t.Fatalf("servers window open %v, editing %q", ok, s.serversv.editing)
	}
	t.Cleanup(w.Close)
	loads := strings.Count(strings.Join(f.Calls(), ","), "Config")
	test.Tap(v.openServers) // shows the window again, which reads the file again
	s.serversv.jobs.Wait()
	if n := strings.Count(strings.Join(f.Calls(), ","), "Config"); n != loads+1 {
		t.Errorf("Servers… read the file %d times, want 1", n-loads)
	}
}
