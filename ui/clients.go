package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// ShowClients opens the clients window: every MCP client MCPlex knows,
// whether it is connected, and a button to connect or disconnect it. It
// does nothing without an app.Desktop.
func (s *Shell) ShowClients() {
	if s.desk == nil {
		return
	}
	w := s.window("clients", "MCPlex clients", func(w fyne.Window) fyne.CanvasObject {
		v := newClientsView(s.desk, w)
		s.desk.onChange(v.set)
		return newViewPane(v, v.content)
	})
	s.desk.refresh()
	w.Show()
}

// clientsView lists the clients, one row each, redrawn when their state
// changes.
type clientsView struct {
	ops     *desktopOps
	win     fyne.Window
	rows    *fyne.Container
	content fyne.CanvasObject
	sig     string // the state last drawn
}

func newClientsView(ops *desktopOps, win fyne.Window) *clientsView {
	v := &clientsView{ops: ops, win: win, rows: container.NewVBox()}
	intro := widget.NewLabel("Point your MCP clients at MCPlex. Every change keeps a backup; Disconnect undoes it.")
	intro.Truncation = fyne.TextTruncateEllipsis
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), ops.refresh)
	header := container.NewVBox(container.NewBorder(nil, nil, nil, refresh, intro), widget.NewSeparator())
	v.content = container.NewBorder(header, nil, nil, nil, container.NewVScroll(v.rows))
	return v
}

func (v *clientsView) parent() fyne.Window { return v.win }

// set redraws the rows for st, if anything shown changed (UI goroutine).
func (v *clientsView) set(st desktopState) {
	if sig := clientsSignature(st); sig != v.sig {
		v.sig = sig
		v.draw(st)
	}
}

func (v *clientsView) draw(st desktopState) {
	v.rows.RemoveAll()
	if !st.loaded {
		v.rows.Add(widget.NewLabel("Checking the clients…"))
	}
	for _, c := range st.clients {
		v.rows.Add(v.row(c, st.busy[c.Name]))
		v.rows.Add(widget.NewSeparator())
	}
	v.rows.Refresh()
}

// row is one client: its name, state and config file, and its button.
func (v *clientsView) row(c app.ClientStatus, busy string) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(c.Display, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state := widget.NewLabel(clientText(c, busy))
	state.Wrapping = fyne.TextWrapWord
	switch c.State {
	case app.ClientConnected:
		state.Importance = widget.SuccessImportance
	case app.ClientError:
		state.Importance = widget.DangerImportance
	case app.ClientElsewhere:
		state.Importance = widget.WarningImportance
	}
	path := widget.NewLabel(c.Path)
	path.Truncation = fyne.TextTruncateEllipsis
	path.TextStyle = fyne.TextStyle{Italic: true} // muted but readable (see newMutedLabel)
	details := container.NewVBox(state, path)
	if c.State == app.ClientElsewhere {
		note := widget.NewLabel(fmt.Sprintf("MCPlex leaves an entry it did not write alone; mcplex clients connect %s --force replaces it.", c.Name))
		note.Wrapping = fyne.TextWrapWord
		details.Add(note)
	}
	left := container.NewGridWrap(fyne.NewSize(180, name.MinSize().Height), name)
	return container.NewBorder(nil, nil, left, container.NewVBox(v.button(c, busy)), details)
}

// button connects or disconnects the client; it is disabled while that
// runs and where it cannot work.
func (v *clientsView) button(c app.ClientStatus, busy string) *widget.Button {
	name := c.Name
	var b *widget.Button
	if c.State == app.ClientConnected {
		b = widget.NewButton("Disconnect", func() { v.ops.disconnect(v.parent, name) })
	} else {
		b = widget.NewButton("Connect", func() { v.ops.connect(v.parent, name) })
		b.Importance = widget.HighImportance
	}
	if busy != "" || c.State == app.ClientError || c.State == app.ClientElsewhere ||
		!c.Installed && c.State != app.ClientConnected {
		b.Disable()
	}
	return b
}

// clientsSignature is the part of st the window shows.
func clientsSignature(st desktopState) string {
	var b strings.Builder
	fmt.Fprintln(&b, st.loaded)
	for _, c := range st.clients {
		fmt.Fprintf(&b, "%s|%s|%t|%s|%s|%v|%s\n", c.Name, c.State, c.Installed, c.Path, c.Points, c.Err, st.busy[c.Name])
	}
	return b.String()
}

// clientText is a client's state in a few words: "connected",
// "connecting…", "not installed", "cannot read its config: …".
func clientText(c app.ClientStatus, busy string) string {
	switch {
	case busy != "":
		return busy
	case c.State == app.ClientError:
		return "cannot read its config: " + fmt.Sprint(c.Err)
	case c.State == app.ClientElsewhere:
		return "has an \"mcplex\" entry that points elsewhere (" + c.Points + ")"
	case c.State == app.ClientConnected:
		return "connected"
	case !c.Installed:
		return "not installed"
	}
	return "not connected"
}
