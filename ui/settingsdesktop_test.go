package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

// openDesktopSettings opens the settings window of a shell with a fake
// desktop and waits until its files and states are read.
func openDesktopSettings(t *testing.T, setup func(*apptest.Desktop)) (*Shell, *apptest.Desktop, *settingsView, fyne.Window) {
	t.Helper()
	s, _, d := newDesktopShell(t)
	if setup != nil {
		setup(d)
	}
	s.ShowSettings()
	w, _ := s.lookupWindow("settings")
	v, ok := paneView[*settingsView](w)
	if !ok {
		t.Fatal("the settings window holds no settings view")
	}
	v.jobs.Wait()
	s.WaitIdle()
	w.Resize(fyne.NewSize(900, 1400))
	t.Cleanup(w.Close)
	return s, d, v, w
}

// toggle ticks or unticks c as a tap does, without the check's own redraw
// after OnChanged: the test driver runs fyne.Do on the calling goroutine,
// so that redraw would race with the background job's callback, which the
// app runs on the UI goroutine after it.
func toggle(c *widget.Check) {
	c.Checked = !c.Checked
	c.OnChanged(c.Checked)
}

func TestSettingsDesktopSection(t *testing.T) {
	_, _, v, w := openDesktopSettings(t, nil)
	if v.autostart.Disabled() || v.autostart.Checked {
		t.Errorf("start at login: disabled %v, checked %v (want enabled, off by default)", v.autostart.Disabled(), v.autostart.Checked)
	}
	d := v.desk
	if !strings.Contains(d.service.Text, "Service: running (/home/user/.config/systemd/user/mcplex.service)") ||
		d.install.Visible() || d.start.Visible() || !d.stop.Visible() || !d.uninstall.Visible() {
		t.Errorf("service row %q: install %v start %v stop %v uninstall %v", d.service.Text,
			d.install.Visible(), d.start.Visible(), d.stop.Visible(), d.uninstall.Visible())
	}
	if got := d.clients.Text; got != "Clients: Claude Desktop connected; 4 of the 5 known clients installed" {
		t.Errorf("clients summary %q", got)
	}
	test.AssertRendersToMarkup(t, "settings_desktop.xml", w.Canvas())
}

func TestSettingsServiceUnsupported(t *testing.T) {
	_, _, v, _ := openDesktopSettings(t, func(d *apptest.Desktop) {
		d.SetService(app.ServiceInfo{State: app.ServiceUnsupported, Reason: "Windows has no per-user services; the MCPlex tray runs the gateway instead."})
	})
	d := v.desk
	if d.service.Text != "Service: not available. Windows has no per-user services; the MCPlex tray runs the gateway instead." ||
		d.install.Visible() || d.start.Visible() || d.stop.Visible() || d.uninstall.Visible() {
		t.Errorf("service row %q, some button shows", d.service.Text)
	}
}

func TestSettingsAutostartReflectsTheSystem(t *testing.T) {
	_, _, v, _ := openDesktopSettings(t, func(d *apptest.Desktop) { d.SetAutostartEnabled(true) })
	if !v.autostart.Checked {
		t.Error("start at login is on, the check is not")
	}
}

func TestSettingsAutostartToggle(t *testing.T) {
	s, d, v, _ := openDesktopSettings(t, nil)
	toggle(v.autostart)
	s.WaitIdle()
	if got := strings.Join(actions(d), ","); got != "AutostartEnabled,StableExecutable,SetAutostart true /opt/mcplex/bin/mcplex" {
		t.Errorf("calls %s", got)
	}
	if !v.autostart.Checked || v.autostart.Disabled() || v.desk.errText.Visible() {
		t.Errorf("after turning it on: checked %v disabled %v error %q", v.autostart.Checked, v.autostart.Disabled(), v.desk.errText.Text)
	}
	toggle(v.autostart)
	s.WaitIdle()
	if calls := actions(d); calls[len(calls)-1] != "SetAutostart false" || v.autostart.Checked {
		t.Errorf("turning it off: calls %v, checked %v", calls, v.autostart.Checked)
	}
}

func TestSettingsAutostartErrorPutsTheCheckBack(t *testing.T) {
	s, d, v, _ := openDesktopSettings(t, nil)
	d.SetError("SetAutostart", errors.New("writing ~/.config/autostart/mcplex.desktop: permission denied"))
	toggle(v.autostart)
	s.WaitIdle()
	if v.autostart.Checked {
		t.Error("the check stays on after a failure")
	}
	if e := v.desk.errText; !e.Visible() || !strings.Contains(e.Text, "Could not turn on start at login") || !strings.Contains(e.Text, "permission denied") {
		t.Errorf("error %q (visible %v)", e.Text, e.Visible())
	}
}

// From a temporary place, turning start at login on offers to install the
// binary; Cancel leaves it off, and says nothing more.
func TestSettingsAutostartFromATemporaryPlace(t *testing.T) {
	s, d, v, w := openDesktopSettings(t, func(d *apptest.Desktop) { d.SetTransient("it is in the Downloads folder", "/home/user/.local/bin") })
	toggle(v.autostart)
	s.WaitIdle()
	test.Tap(findButton(t, w, "Cancel"))
	if v.autostart.Checked || v.desk.errText.Visible() {
		t.Errorf("after Cancel: checked %v, error %q", v.autostart.Checked, v.desk.errText.Text)
	}
	toggle(v.autostart)
	s.WaitIdle()
	test.Tap(findButton(t, w, "Install"))
	s.WaitIdle()
	if calls := actions(d); calls[len(calls)-1] != "SetAutostart true /home/user/.local/bin/mcplex" || !v.autostart.Checked {
		t.Errorf("after Install: calls %v, checked %v", calls, v.autostart.Checked)
	}
}

func TestSettingsServiceButtons(t *testing.T) {
	s, d, v, w := openDesktopSettings(t, func(d *apptest.Desktop) { d.SetService(app.ServiceInfo{State: app.ServiceNotInstalled}) })
	if !v.desk.install.Visible() || v.desk.uninstall.Visible() {
		t.Fatal("not installed: no Install button")
	}
	test.Tap(v.desk.install)
	s.WaitIdle()
	if text := overlayText(t, w); !strings.Contains(text, "Installed the MCPlex gateway service") {
		t.Errorf("dialog over the settings window:\n%s", text)
	}
	if !v.desk.start.Visible() || v.desk.install.Visible() {
		t.Error("installed: no Start button")
	}
	test.Tap(v.desk.start)
	s.WaitIdle()
	if !v.desk.stop.Visible() || strings.Join(actions(d), ",") != "AutostartEnabled,StableExecutable,ServiceInstall /opt/mcplex/bin/mcplex,ServiceStart" {
		t.Errorf("calls %v", actions(d))
	}
}
