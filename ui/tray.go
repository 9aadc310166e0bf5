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
}

// menuStatusMax bounds the status line, so a long error does not make the
// menu as wide as the screen.
const menuStatusMax = 100

// buildTrayMenu is the tray menu for snap. It is pure: the tray calls it on
// every snapshot and sets the result only when it differs from the last.
func buildTrayMenu(snap app.Snapshot, a trayActions) *fyne.Menu {
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
	items = append(items, servers, fyne.NewMenuItemSeparator(),
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

	menu     string        // signature of the menu last set
	iconSet  fyne.Resource // icon last set
	rebuilds int           // menus set so far (for tests)
}

// update rebuilds the menu from snap and sets it, and the icon, when they
// changed. It runs on the UI goroutine.
func (t *tray) update(snap app.Snapshot) {
	m := buildTrayMenu(snap, t.actions)
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
