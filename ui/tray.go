package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/assets"
)

// trayActions are what the tray menu's items do. Every field is called on
// the UI goroutine and must return at once (slow work goes to a goroutine).
type trayActions struct {
	Start, Stop  func()
	ShowMain     func()
	ShowServers  func()
	ShowServer   func(name string) // the servers window with name selected
	ShowRoles    func()
	ShowPlay     func()
	ShowMetrics  func()
	ShowSettings func()
	CopyEndpoint func()
	Quit         func()

	// The OS integration (used only when the shell has an app.Desktop).
	ConnectClient    func(name string)
	DisconnectClient func(name string)
	ShowClients      func()
	InstallService   func()
	StartService     func()
	StopService      func()
	UninstallService func()
}

// menuStatusMax bounds the status line, so a long error does not make the
// menu as wide as the screen.
const menuStatusMax = 100

// buildTrayMenu is the tray menu for snap, without the OS integration.
func buildTrayMenu(snap app.Snapshot, a trayActions) *fyne.Menu {
	return buildTrayMenuWith(snap, nil, a)
}

// buildTrayMenuWith is the tray menu for snap and, unless desk is nil, the
// OS integration's state. It is pure: the tray calls it on every change and
// sets the result only when it differs from the last.
func buildTrayMenuWith(snap app.Snapshot, desk *desktopState, a trayActions) *fyne.Menu {
	items := []*fyne.MenuItem{trayDisabledItem(clipText("MCPlex — "+gatewaySummary(snap), menuStatusMax))}
	if snap.ConfigErr != "" {
		items = append(items, trayDisabledItem(clipText("Config file has errors: "+snap.ConfigErr, menuStatusMax)))
	}
	items = append(items, fyne.NewMenuItemSeparator())
	if gatewayServing(snap.State) {
		items = append(items, fyne.NewMenuItem("Stop gateway", a.Stop))
	} else {
		items = append(items, fyne.NewMenuItem("Start gateway", a.Start))
	}
	servers := fyne.NewMenuItem("Servers", nil)
	servers.ChildMenu = traySubmenu(snap.Servers, a.ShowServer)
	items = append(items, servers)
	if desk != nil {
		connect := fyne.NewMenuItem("Connect clients", nil)
		connect.ChildMenu = trayClientsMenu(*desk, a)
		service := fyne.NewMenuItem("Service", nil)
		service.ChildMenu = trayServiceMenu(*desk, a)
		items = append(items, connect, service)
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Open MCPlex", a.ShowMain),
		fyne.NewMenuItem("Servers…", a.ShowServers),
		fyne.NewMenuItem("Roles & keys…", a.ShowRoles),
		fyne.NewMenuItem("Playground…", a.ShowPlay),
		fyne.NewMenuItem("Metrics…", a.ShowMetrics),
		fyne.NewMenuItem("Settings…", a.ShowSettings),
		fyne.NewMenuItemSeparator())
	copyURL := fyne.NewMenuItem("Copy endpoint URL", a.CopyEndpoint)
	copyURL.Disabled = snap.Endpoint == ""
	quit := fyne.NewMenuItem("Quit", a.Quit)
	quit.IsQuit = true
	items = append(items, copyURL, fyne.NewMenuItemSeparator(), quit)
	return fyne.NewMenu("MCPlex", items...)
}

// traySubmenu lists each server with its state; choosing one opens it in
// the servers window.
func traySubmenu(servers []app.ServerStatus, show func(string)) *fyne.Menu {
	if len(servers) == 0 {
		return fyne.NewMenu("", trayDisabledItem("No servers configured"))
	}
	items := make([]*fyne.MenuItem, 0, len(servers))
	for _, s := range servers {
		name := s.Name
		items = append(items, fyne.NewMenuItem(clipText(name+" — "+serverStateText(s), menuStatusMax), func() {
			if show != nil {
				show(name)
			}
		}))
	}
	return fyne.NewMenu("", items...)
}

// trayClientsMenu has one item per installed client: a connected one
// (checked) disconnects, another connects; one whose entry points
// elsewhere or whose file does not read opens the clients window.
func trayClientsMenu(st desktopState, a trayActions) *fyne.Menu {
	var items []*fyne.MenuItem
	for _, c := range st.clients {
		if !c.Installed {
			continue
		}
		name := c.Name
		var it *fyne.MenuItem
		switch busy := st.busy[name]; {
		case busy != "":
			it = trayDisabledItem(c.Display + " — " + busy)
		case c.State == app.ClientConnected:
			it = fyne.NewMenuItem(c.Display+" — connected", func() { callWith(a.DisconnectClient, name) })
			it.Checked = true
		case c.State == app.ClientNotConnected:
			it = fyne.NewMenuItem(c.Display+" — connect…", func() { callWith(a.ConnectClient, name) })
		case c.State == app.ClientElsewhere:
			it = fyne.NewMenuItem(c.Display+" — points elsewhere…", func() { call(a.ShowClients) })
		default:
			it = fyne.NewMenuItem(c.Display+" — cannot read its config…", func() { call(a.ShowClients) })
		}
		items = append(items, it)
	}
	switch {
	case !st.loaded:
		items = append(items, trayDisabledItem("Checking clients…"))
	case len(items) == 0:
		items = append(items, trayDisabledItem("No MCP clients found"))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Clients…", func() { call(a.ShowClients) }))
	return fyne.NewMenu("", items...)
}

// trayServiceMenu is the service's state and what can be done from it; an
// unsupported system gets the reason instead.
func trayServiceMenu(st desktopState, a trayActions) *fyne.Menu {
	items := []*fyne.MenuItem{trayDisabledItem(clipText("Service: "+serviceText(st), menuStatusMax))}
	if !st.loaded || st.busy[busyService] != "" || st.serviceErr != "" {
		return fyne.NewMenu("", items...)
	}
	switch st.service.State {
	case app.ServiceUnsupported:
		for _, line := range wrapText(st.service.Reason, trayReasonWidth) {
			items = append(items, trayDisabledItem(line))
		}
	case app.ServiceNotInstalled:
		items = append(items, fyne.NewMenuItem("Install service…", func() { call(a.InstallService) }))
	case app.ServiceStopped:
		items = append(items, fyne.NewMenuItem("Start service", func() { call(a.StartService) }),
			fyne.NewMenuItem("Uninstall service…", func() { call(a.UninstallService) }))
	case app.ServiceRunning:
		items = append(items, fyne.NewMenuItem("Stop service", func() { call(a.StopService) }),
			fyne.NewMenuItem("Uninstall service…", func() { call(a.UninstallService) }))
	}
	return fyne.NewMenu("", items...)
}

// trayReasonWidth is the width, in runes, a long reason is wrapped to in
// the menu.
const trayReasonWidth = 60

// wrapText splits s into lines of at most width runes, at spaces.
func wrapText(s string, width int) []string {
	var lines []string
	var cur []rune
	for _, w := range strings.Fields(s) {
		r := []rune(w)
		if len(cur) > 0 && len(cur)+1+len(r) > width {
			lines, cur = append(lines, string(cur)), nil
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, r...)
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func callWith(f func(string), arg string) {
	if f != nil {
		f(arg)
	}
}

func trayDisabledItem(label string) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, nil)
	it.Disabled = true
	return it
}

// serving reports whether the gateway is up (running, degraded or starting).
func gatewayServing(st app.State) bool {
	return st != "" && st != app.StateStopped
}

// menuSignature is the menu as text: labels, flags and submenus. Two menus
// with the same signature look the same, so the tray is not reset.
func menuSignature(m *fyne.Menu) string {
	var b strings.Builder
	var walk func(m *fyne.Menu, depth int)
	walk = func(m *fyne.Menu, depth int) {
		for _, it := range m.Items {
			b.WriteString(strings.Repeat("  ", depth))
			switch {
			case it.IsSeparator:
				b.WriteString("---")
			case it.Disabled:
				b.WriteString("(" + it.Label + ")")
			case it.Checked:
				b.WriteString("✓ " + it.Label)
			default:
				b.WriteString(it.Label)
			}
			b.WriteByte('\n')
			if it.ChildMenu != nil {
				walk(it.ChildMenu, depth+1)
			}
		}
	}
	walk(m, 0)
	return b.String()
}

// The colored tray icons, for panels that show colors (see trayIcon).
var (
	trayPNGRunning  = fyne.NewStaticResource("mcplex-tray-running.png", assets.TrayRunning)
	trayPNGDegraded = fyne.NewStaticResource("mcplex-tray-degraded.png", assets.TrayDegraded)
	trayPNGStopped  = fyne.NewStaticResource("mcplex-tray-stopped.png", assets.TrayStopped)
)

// colorTrayIcon is the colored tray icon of a gateway state. Starting
// shows as running: every launch goes through it, and amber would flash.
func colorTrayIcon(st app.State) fyne.Resource {
	switch st {
	case app.StateRunning, app.StateStarting:
		return trayPNGRunning
	case app.StateDegraded:
		return trayPNGDegraded
	}
	return trayPNGStopped
}

// tray keeps the system tray in step with the snapshots.
type tray struct {
	desk    desktop.App
	actions trayActions
	icon    func(app.State) fyne.Resource

	snap     app.Snapshot  // the last snapshot
	os       *desktopState // the OS integration's last state (nil: none)
	menu     string        // signature of the menu last set
	iconSet  fyne.Resource // icon last set
	rebuilds int           // menus set so far (for tests)
}

// update rebuilds the menu from snap and sets it, and the icon, when they
// changed. It runs on the UI goroutine.
func (t *tray) update(snap app.Snapshot) {
	t.snap = snap
	m := buildTrayMenuWith(snap, t.os, t.actions)
	if sig := menuSignature(m); sig != t.menu {
		t.menu = sig
		t.rebuilds++
		t.desk.SetSystemTrayMenu(m) // first: it starts the tray, which the icon needs
	}
	if ic := t.icon(snap.State); ic != t.iconSet {
		t.iconSet = ic
		t.desk.SetSystemTrayIcon(ic)
	}
}

// setDesktop takes a new OS integration state and rebuilds the menu with
// the last snapshot (UI goroutine).
func (t *tray) setDesktop(st desktopState) {
	t.os = &st
	t.update(t.snap)
}

// serviceText is the service's state in a few words: "running",
// "stopped: the gateway exited with an error…", "installing…".
func serviceText(st desktopState) string {
	switch {
	case st.busy[busyService] != "":
		return st.busy[busyService]
	case !st.loaded:
		return "checking…"
	case st.serviceErr != "":
		return "unknown: " + st.serviceErr
	case st.service.State == app.ServiceStopped && st.service.Reason != "":
		return "stopped: " + st.service.Reason
	}
	return st.service.State.String()
}
