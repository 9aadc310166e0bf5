package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// settingsDesktop is the settings window's Desktop card over the OS
// integration: start at login, the gateway service and a summary of the
// clients.
type settingsDesktop struct {
	ops       *desktopOps
	win       fyne.Window
	autostart *widget.Check
	syncing   bool // the check is being set by code, not by the user

	service                         *widget.Label
	install, start, stop, uninstall *widget.Button
	clients                         *widget.Label
	errText                         *widget.Label
	box                             *fyne.Container
}

// attachDesktop replaces the Desktop card's placeholder with the OS
// integration. The start-at-login check stays disabled until its state is
// read (load).
func (v *settingsView) attachDesktop(ops *desktopOps, win fyne.Window, showClients func()) {
	d := &settingsDesktop{ops: ops, win: win, autostart: v.autostart, box: v.desktopBox,
		service: widget.NewLabel(""), clients: widget.NewLabel(""), errText: newViewErrorText()}
	v.desk = d
	v.autostart.OnChanged = d.autostartChanged
	d.service.Wrapping = fyne.TextWrapWord
	parent := d.parent
	d.install = widget.NewButton("Install service…", func() { ops.installService(parent) })
	d.start = widget.NewButton("Start", func() { ops.startService(parent) })
	d.stop = widget.NewButton("Stop", func() { ops.stopService(parent) })
	d.uninstall = widget.NewButton("Uninstall…", func() { ops.uninstallService(parent) })
	note := widget.NewLabel("Off by default; applies at once (not with Save). When on, MCPlex starts in the tray when you log in.")
	note.TextStyle = fyne.TextStyle{Italic: true} // muted but readable (see newMutedLabel)
	v.desktopBox.Objects = []fyne.CanvasObject{
		v.autostart, note, widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, container.NewHBox(d.install, d.start, d.stop, d.uninstall), d.service),
		container.NewBorder(nil, nil, nil, widget.NewButton("Clients…", showClients), d.clients),
		d.errText,
	}
	v.desktopBox.Refresh()
	ops.onChange(d.show)
}

func (d *settingsDesktop) parent() fyne.Window { return d.win }

// load reads start at login and the service and client states again (the
// window's reload does, when it is shown). It blocks: call it off the UI
// goroutine.
func (d *settingsDesktop) load() {
	fyne.Do(d.autostart.Disable)
	d.ops.fetch()
	ctx, cancel := context.WithTimeout(context.Background(), desktopOpTimeout)
	defer cancel()
	on, err := d.ops.d.AutostartEnabled(ctx)
	fyne.Do(func() {
		d.setChecked(on)
		d.autostart.Enable()
		if err != nil {
			d.showError("Cannot tell whether MCPlex starts at login: " + err.Error())
		}
	})
}

// autostartChanged is the user ticking the check: apply it in the
// background, and put the check back if that fails.
func (d *settingsDesktop) autostartChanged(on bool) {
	if d.syncing {
		return
	}
	d.autostart.Disable()
	d.showError("")
	d.ops.setAutostart(d.parent, on, func(err error) {
		d.autostart.Enable()
		if err == nil {
			return
		}
		d.setChecked(!on)
		if !errors.Is(err, errInstallDeclined) {
			verb := "turn on"
			if !on {
				verb = "turn off"
			}
			d.showError(fmt.Sprintf("Could not %s start at login: %v", verb, err))
		}
	})
}

func (d *settingsDesktop) setChecked(on bool) {
	d.syncing = true
	d.autostart.SetChecked(on)
	d.syncing = false
}

func (d *settingsDesktop) showError(msg string) {
	showViewError(d.errText, msg)
	d.box.Refresh()
}

// show draws the service row and the clients summary for st (UI goroutine).
func (d *settingsDesktop) show(st desktopState) {
	line := "Service: " + serviceText(st)
	state := st.service.State
	if st.loaded && st.serviceErr == "" && st.busy[busyService] == "" {
		switch {
		case state == app.ServiceUnsupported:
			line = "Service: not available. " + st.service.Reason
		case state == app.ServiceNotInstalled:
			line += " (the gateway runs in this app)"
		case st.service.Path != "":
			line += " (" + st.service.Path + ")"
		}
	}
	d.service.SetText(line)
	ready := st.loaded && st.serviceErr == "" && st.busy[busyService] == ""
	showIf(d.install, ready && state == app.ServiceNotInstalled)
	showIf(d.start, ready && state == app.ServiceStopped)
	showIf(d.stop, ready && state == app.ServiceRunning)
	showIf(d.uninstall, ready && (state == app.ServiceStopped || state == app.ServiceRunning))
	d.clients.SetText(clientsSummary(st))
	d.box.Refresh()
}

// clientsSummary is one line about the clients: "Clients: Claude Desktop
// and Cursor connected; 4 installed".
func clientsSummary(st desktopState) string {
	if !st.loaded {
		return "Clients: checking…"
	}
	var connected []string
	installed := 0
	for _, c := range st.clients {
		if c.State == app.ClientConnected {
			connected = append(connected, c.Display)
		}
		if c.Installed {
			installed++
		}
	}
	s := "Clients: none connected"
	if len(connected) > 0 {
		s = "Clients: " + strings.Join(connected, ", ") + " connected"
	}
	return fmt.Sprintf("%s; %d of the %d known clients installed", s, installed, len(st.clients))
}
