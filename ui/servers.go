package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

const (
	// serversCallTimeout bounds reading or writing the config from the
	// servers window.
	serversCallTimeout = 30 * time.Second
	// serverTestTimeout bounds a Test (starting a server can be slow: npx
	// may download it first); Cancel ends it sooner.
	serverTestTimeout = 2 * time.Minute
)

// ShowServers opens the servers window.
func (s *Shell) ShowServers() { s.showServer("") }

// showServer opens the servers window with the server called name in the
// form ("" keeps the form as it is). Showing it reloads the list from the
// config file, unless the form holds unsaved input.
func (s *Shell) showServer(name string) {
	w := s.window("servers", "MCPlex servers", func(w fyne.Window) fyne.CanvasObject {
		v := newServersView(s.ctrl, w)
		if s.desk != nil {
			v.enableImport(s.desk)
		}
		s.mu.Lock()
		s.serversv = v
		s.mu.Unlock()
		s.OnSnapshot(v.setSnapshot)
		return v.content
	})
	s.mu.Lock()
	v := s.serversv
	s.mu.Unlock()
	v.reload(name)
	w.Show()
}

// serversView is the servers window: the configured servers with their
// live state on the left, the form for one of them on the right.
type serversView struct {
	ctrl    app.Controller
	win     fyne.Window
	jobs    sync.WaitGroup // controller calls in flight (tests Wait)
	content fyne.CanvasObject

	cfg      *app.Config                 // the file as last loaded; nil if it did not load
	live     map[string]app.ServerStatus // by name, from the last snapshot
	sig      string                      // the snapshot's server list, to notice edits on disk
	editing  string                      // the name, in the file, of the server in the form ("" = new)
	filled   app.ServerConfig            // the server as the form was filled from the file (Save compares)
	list     *widget.List
	listNote *widget.Label
	syncing  bool            // the list selection is being set by code
	header   *fyne.Container // Add server (and Import from…)

	desk       *desktopOps    // for Import from…; nil without an app.Desktop
	importBtn  *widget.Button // nil without an app.Desktop
	importMenu *fyne.Menu     // the clients offered last (tests)

	form        *serverForm
	changed     *fyne.Container // "the file changed on disk" bar
	save, test  *widget.Button
	remove      *widget.Button
	revert      *widget.Button
	add         *widget.Button
	busy        *widget.ProgressBarInfinite
	status      *widget.Label
	testBar     *fyne.Container // progress and Cancel while a Test runs
	testCancel  context.CancelFunc
	cancelTest  *widget.Button
	testOut     *widget.Label
	testHeading *widget.Label
}

func newServersView(ctrl app.Controller, win fyne.Window) *serversView {
	v := &serversView{ctrl: ctrl, win: win, live: map[string]app.ServerStatus{}, form: newServerForm()}
	v.form.onDirty = v.dirtied
	v.listNote = widget.NewLabel("Loading the config file…")
	v.listNote.Wrapping = fyne.TextWrapWord
	v.list = widget.NewList(v.rowCount, newServerRow, v.updateRow)
	v.list.OnSelected = v.selected
	v.add = widget.NewButtonWithIcon("Add server", theme.ContentAddIcon(), func() { v.whenClean(v.startNew) })

	v.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), v.doSave)
	v.save.Importance = widget.HighImportance
	v.test = widget.NewButtonWithIcon("Test", theme.MediaPlayIcon(), v.doTest)
	v.remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), v.confirmRemove)
	v.remove.Importance = widget.DangerImportance
	v.revert = widget.NewButtonWithIcon("Revert", theme.ContentUndoIcon(), v.discardAndReload)
	v.busy = widget.NewProgressBarInfinite()
	v.busy.Stop()
	v.busy.Hide()
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord

	msg := widget.NewLabel("The config file changed on disk while you were editing.")
	msg.Importance = widget.WarningImportance
	v.changed = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())),
		widget.NewButtonWithIcon("Reload (drop my changes)", theme.ViewRefreshIcon(), v.discardAndReload), msg)
	v.changed.Hide()

	v.cancelTest = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), v.doCancelTest)
	testProgress := widget.NewProgressBarInfinite()
	v.testBar = container.NewBorder(nil, nil, nil, v.cancelTest, testProgress)
	v.testBar.Hide()
	v.testHeading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.testHeading.Hide()
	v.testOut = widget.NewLabel("")
	v.testOut.Wrapping = fyne.TextWrapWord
	v.testOut.Hide()

	v.content = v.layout()
	v.updateButtons()
	return v
}

func (v *serversView) layout() fyne.CanvasObject {
	v.header = container.NewHBox(v.add)
	left := container.NewBorder(container.NewVBox(v.header, v.listNote), nil, nil, nil, v.list)
	buttons := container.NewHBox(v.save, v.test, v.revert, v.remove)
	right := container.NewBorder(v.changed,
		container.NewVBox(widget.NewSeparator(), v.busy, v.status, buttons), nil, nil,
		container.NewVScroll(container.NewVBox(v.form.content, widget.NewSeparator(),
			v.testHeading, v.testBar, v.testOut)))
	split := container.NewHSplit(left, container.NewPadded(right))
	split.Offset = 0.3
	return split
}

// rowCount and updateRow draw the list from the file, with live states.
func (v *serversView) rowCount() int {
	if v.cfg == nil {
		return 0
	}
	return len(v.cfg.Servers)
}

func (v *serversView) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	sc := &v.cfg.Servers[i]
	st, ok := v.live[sc.Name]
	switch {
	case !sc.IsEnabled():
		st = app.ServerStatus{Name: sc.Name, State: "disabled"}
	case !ok:
		st = app.ServerStatus{Name: sc.Name} // in the file, not (yet) in the gateway
	}
	st.Transport = "stdio"
	if sc.URL != "" {
		st.Transport = "http"
	}
	setServerRow(o, st)
}

// setSnapshot takes the live states and notices a change to the file: a
// different server list or config path reloads the list (UI goroutine).
func (v *serversView) setSnapshot(snap app.Snapshot) {
	v.live = make(map[string]app.ServerStatus, len(snap.Servers))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", snap.ConfigPath, snap.ConfigErr)
	for _, s := range snap.Servers {
		v.live[s.Name] = s
		fmt.Fprintf(&b, "%s %s %t\n", s.Name, s.Transport, s.Enabled)
	}
	v.list.Refresh()
	v.showLive()
	if sig := b.String(); sig != v.sig {
		first := v.sig == ""
		v.sig = sig
		if !first { // the first one comes with the window, which loads anyway
			v.fileChanged()
		}
	}
}

// fileChanged reloads the list after the file changed on disk; with
// unsaved input in the form, it only says so, with a button to reload.
func (v *serversView) fileChanged() {
	if v.form.dirty {
		v.changed.Show()
		v.content.Refresh()
		return
	}
	v.reload("")
}

// reload reads the file again and redraws the list; selectName names the
// server to put in the form ("" keeps the one there). Unsaved input in
// the form is kept: nothing is reloaded, and another server is put in the
// form only once the user agrees to drop the input.
func (v *serversView) reload(selectName string) {
	if v.form.dirty {
		if selectName != "" && selectName != v.editing {
			v.whenClean(func() { v.reload(selectName) })
		}
		return
	}
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		cfg, err := v.ctrl.Config(ctx)
		fyne.Do(func() { v.loaded(cfg, err, selectName) })
	})
}

// loaded shows a freshly read file (UI goroutine).
func (v *serversView) loaded(cfg *app.Config, err error, selectName string) {
	if v.form.dirty {
		return // the user started typing while it loaded: keep the input
	}
	v.changed.Hide()
	if err != nil {
		v.cfg = nil
		v.listNote.SetText("The config file does not load: " + err.Error())
		v.listNote.Importance = widget.DangerImportance
		v.listNote.Show()
		v.list.Refresh()
		v.updateButtons()
		return
	}
	v.cfg = cfg
	v.listNote.Importance = widget.MediumImportance
	v.listNote.SetText("No servers yet: add one, then Save.")
	v.listNote.Hidden = len(cfg.Servers) > 0
	if selectName != "" {
		v.editing = selectName
	}
	if v.index(v.editing) < 0 {
		v.editing = ""
	}
	v.fillForm()
	v.list.Refresh()
	v.content.Refresh()
}

// index is the position of the server called name in the file, or -1.
func (v *serversView) index(name string) int {
	if v.cfg == nil || name == "" {
		return -1
	}
	return slices.IndexFunc(v.cfg.Servers, func(s app.ServerConfig) bool { return s.Name == name })
}

// fillForm shows the server being edited (or an empty form) as in the file.
func (v *serversView) fillForm() {
	if i := v.index(v.editing); i >= 0 {
		v.filled = v.cfg.Servers[i]
		v.form.fill(&v.cfg.Servers[i], "Edit "+v.editing)
		v.selectRow(i)
	} else {
		v.form.clear()
		v.selectRow(-1)
	}
	v.changed.Hide()
	v.showLive()
	v.updateButtons()
	v.content.Refresh()
}

// showLive shows how the server in the form is doing in the gateway.
func (v *serversView) showLive() {
	i := v.index(v.editing)
	if i < 0 {
		v.form.setLive("", widget.MediumImportance)
		return
	}
	st, ok := v.live[v.editing]
	switch {
	case !v.cfg.Servers[i].IsEnabled():
		v.form.setLive("Disabled: the gateway does not run it.", widget.MediumImportance)
	case !ok:
		v.form.setLive("Not running: the gateway is stopped or has not loaded it yet.", widget.MediumImportance)
	default:
		imp := widget.MediumImportance
		switch st.State {
		case "ready":
			imp = widget.SuccessImportance
		case "failed":
			imp = widget.DangerImportance
		case "restarting", "starting":
			imp = widget.WarningImportance
		}
		v.form.setLive("In the gateway: "+serverStateText(st), imp)
	}
}

func (v *serversView) selectRow(i int) {
	v.syncing = true
	defer func() { v.syncing = false }()
	if i < 0 {
		v.list.UnselectAll()
	} else {
		v.list.Select(i)
	}
}

// selected is a tap on the list: edit that server, if the form is clean.
func (v *serversView) selected(i widget.ListItemID) {
	if v.syncing || v.cfg == nil || i >= len(v.cfg.Servers) {
		return
	}
	name := v.cfg.Servers[i].Name
	if name == v.editing {
		return
	}
	v.whenClean(func() {
		v.editing = name
		v.status.SetText("")
		v.fillForm()
	})
	if v.form.dirty { // kept: show the selection of the server still in the form
		v.selectRow(v.index(v.editing))
	}
}

// startNew empties the form for a new server.
func (v *serversView) startNew() {
	v.editing = ""
	v.status.SetText("")
	v.fillForm()
	v.win.Canvas().Focus(v.form.name)
}

// whenClean runs f now if the form holds no unsaved input, else after the
// user agrees to drop it.
func (v *serversView) whenClean(f func()) {
	if !v.form.dirty {
		f()
		return
	}
	d := dialog.NewConfirm("Unsaved changes", "Drop your changes to this server?", func(ok bool) {
		if ok {
			v.form.dirty = false
			f()
		}
	}, v.win)
	d.SetConfirmText("Drop changes")
	d.SetDismissText("Keep editing")
	d.Show()
}

func (v *serversView) dirtied() {
	v.updateButtons()
}

func (v *serversView) discardAndReload() {
	v.form.dirty = false
	v.reload(v.editing)
}

// updateButtons enables what makes sense for the form's state.
func (v *serversView) updateButtons() {
	enableIf(v.remove, v.editing != "")
	enableIf(v.revert, v.form.dirty)
	enableIf(v.save, v.form.dirty || v.editing == "")
}

func enableIf(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// takenNames are the names of the servers other than the one in the form.
func (v *serversView) takenNames() []string {
	if v.cfg == nil {
		return nil
	}
	var out []string
	for _, s := range v.cfg.Servers {
		if s.Name != v.editing {
			out = append(out, s.Name)
		}
	}
	return out
}
