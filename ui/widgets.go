package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/assets"
)

// Shared pieces of the main window, the tray and the servers window.

// The one-color state glyphs (see package assets), as Fyne resources.
var (
	glyphRunning  = fyne.NewStaticResource("mcplex-running.svg", assets.GlyphRunning)
	glyphDegraded = fyne.NewStaticResource("mcplex-degraded.svg", assets.GlyphDegraded)
	glyphStopped  = fyne.NewStaticResource("mcplex-stopped.svg", assets.GlyphStopped)
	appIcon       = fyne.NewStaticResource("mcplex.png", assets.AppIcon)
)

// stateGlyph is the gateway state's glyph in the theme's color for it.
func stateGlyph(st app.State) fyne.Resource {
	switch st {
	case app.StateRunning:
		return theme.NewSuccessThemedResource(glyphRunning)
	case app.StateStarting:
		return theme.NewPrimaryThemedResource(glyphRunning)
	case app.StateDegraded:
		return theme.NewWarningThemedResource(glyphDegraded)
	}
	return theme.NewColoredResource(glyphStopped, theme.ColorNamePlaceHolder)
}

// stateTitle is the gateway state as a heading: "Running".
func stateTitle(st app.State) string {
	if st == "" {
		st = app.StateStopped
	}
	return strings.ToUpper(string(st[:1])) + string(st[1:])
}

// gatewaySummary is one line about the gateway: "running, 3 servers, 42
// tools", "degraded, 3 servers (1 failed), 40 tools", "stopped".
func gatewaySummary(snap app.Snapshot) string {
	st := snap.State
	if st == "" {
		st = app.StateStopped
	}
	if st == app.StateStopped {
		if snap.Error != "" {
			return "stopped: " + snap.Error
		}
		return "stopped"
	}
	servers := nounCount(len(snap.Servers), "server")
	if bad := countServers(snap.Servers, "failed", "restarting"); bad > 0 {
		servers += fmt.Sprintf(" (%d not ready)", bad)
	}
	return fmt.Sprintf("%s, %s, %s", st, servers, nounCount(snap.ToolCount, "tool"))
}

// countServers counts the servers in one of states.
func countServers(servers []app.ServerStatus, states ...string) int {
	n := 0
	for _, s := range servers {
		if slices.Contains(states, s.State) {
			n++
		}
	}
	return n
}

// nounCount is "1 tool", "3 tools".
func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// serverStateText is a server's state for a list or a menu: "ready (12
// tools)", "failed: exec: npx: not found", "restarting (restart 3)".
func serverStateText(st app.ServerStatus) string {
	switch st.State {
	case "ready":
		return "ready (" + nounCount(st.Tools, "tool") + ")"
	case "failed":
		if st.Error != "" {
			return "failed: " + st.Error
		}
		return "failed"
	case "restarting":
		s := "restarting"
		if st.Restarts > 0 {
			s += fmt.Sprintf(" (restart %d)", st.Restarts)
		}
		if st.Error != "" {
			s += ": " + st.Error
		}
		return s
	case "":
		return "not running"
	}
	return st.State // starting, stopped, disabled
}

// serverStateIcon is the icon next to a server in the lists.
func serverStateIcon(state string) fyne.Resource {
	switch state {
	case "ready":
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case "starting":
		return theme.NewPrimaryThemedResource(theme.ViewRefreshIcon())
	case "restarting":
		return theme.NewWarningThemedResource(theme.ViewRefreshIcon())
	case "failed":
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case "disabled":
		return theme.NewColoredResource(theme.VisibilityOffIcon(), theme.ColorNamePlaceHolder)
	}
	return theme.NewColoredResource(theme.MediaStopIcon(), theme.ColorNamePlaceHolder)
}

// clip shortens s to at most n runes, with an ellipsis, for menu labels.
func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// newMutedLabel is secondary text: a caption, a hint, an empty state. It is
// italic in the foreground color, not a LowImportance label: Fyne draws
// those in the theme's disabled color, about 1.5:1 against the dark
// background, which is too faint to read.
func newMutedLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
}

// newFieldError is a red, wrapping note under a form field; empty hides it.
func newFieldError() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// setFieldError shows msg under a field, or hides the note when msg is "".
func setFieldError(l *widget.Label, msg string) {
	l.SetText(msg)
	l.Hidden = msg == ""
	l.Refresh()
}

// secretKeyRE matches names whose values are secrets: they are masked.
var secretKeyRE = regexp.MustCompile(`(?i)token|key|secret|password|auth`)

// kvEditor edits a map[string]string as rows of key and value entries. A
// value whose key looks secret is a password entry.
type kvEditor struct {
	widget.BaseWidget

	keyHint  string
	rows     []*kvRow
	box      *fyne.Container
	add      *widget.Button
	OnChange func() // called after any edit by the user
}

type kvRow struct {
	key, value *widget.Entry
	remove     *widget.Button
	cell       *fyne.Container // holds the value entry, swapped when the key's secrecy changes
	secret     bool
}

// newKVEditor returns an empty editor; keyHint is the key's placeholder.
func newKVEditor(keyHint, addLabel string) *kvEditor {
	e := &kvEditor{keyHint: keyHint, box: container.NewVBox()}
	e.add = widget.NewButtonWithIcon(addLabel, theme.ContentAddIcon(), func() {
		e.addRow("", "")
		e.changed()
	})
	e.ExtendBaseWidget(e)
	return e
}

// CreateRenderer implements fyne.Widget.
func (e *kvEditor) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVBox(e.box, container.NewHBox(e.add)))
}

// Set replaces the rows with m, sorted by key.
func (e *kvEditor) Set(m map[string]string) {
	e.rows = nil
	e.box.RemoveAll()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.addRow(k, m[k])
	}
	e.Refresh()
}

// Map returns the rows with a non-empty key (nil when there are none).
func (e *kvEditor) Map() map[string]string {
	var m map[string]string
	for _, r := range e.rows {
		k := strings.TrimSpace(r.key.Text)
		if k == "" {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[k] = r.value.Text
	}
	return m
}

// Problem reports the first row with a value but no key, or a repeated key.
func (e *kvEditor) Problem() string {
	seen := map[string]bool{}
	for _, r := range e.rows {
		k := strings.TrimSpace(r.key.Text)
		switch {
		case k == "" && r.value.Text != "":
			return "a row has a value but no name"
		case k != "" && seen[k]:
			return fmt.Sprintf("%q is set twice", k)
		}
		seen[k] = true
	}
	return ""
}

func (e *kvEditor) addRow(k, v string) {
	r := &kvRow{key: widget.NewEntry(), cell: container.NewStack()}
	r.key.SetPlaceHolder(e.keyHint)
	r.key.SetText(k)
	r.setValueEntry(v, secretKeyRE.MatchString(k))
	r.key.OnChanged = func(s string) {
		if secret := secretKeyRE.MatchString(s); secret != r.secret {
			r.setValueEntry(r.value.Text, secret)
			r.value.OnChanged = func(string) { e.changed() }
		}
		e.changed()
	}
	r.value.OnChanged = func(string) { e.changed() }
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		i := slices.Index(e.rows, r)
		if i < 0 {
			return
		}
		e.rows = slices.Delete(e.rows, i, i+1)
		e.box.Remove(e.box.Objects[i])
		e.changed()
	})
	e.rows = append(e.rows, r)
	e.box.Add(container.NewBorder(nil, nil, nil, r.remove, container.NewGridWithColumns(2, r.key, r.cell)))
}

// setValueEntry puts a plain or a password entry holding v in the row.
func (r *kvRow) setValueEntry(v string, secret bool) {
	if secret {
		r.value = widget.NewPasswordEntry()
	} else {
		r.value = widget.NewEntry()
	}
	r.value.SetPlaceHolder("value")
	r.value.SetText(v)
	r.secret = secret
	r.cell.Objects = []fyne.CanvasObject{r.value}
	r.cell.Refresh()
}

func (e *kvEditor) changed() {
	if e.OnChange != nil {
		e.OnChange()
	}
}

// showIf shows o when on, else hides it.
func showIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}
