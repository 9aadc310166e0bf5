package ui

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Helpers shared by the roles, playground, metrics and settings windows.

// viewCtrlTimeout bounds a config read or write made from a window.
const viewCtrlTimeout = 30 * time.Second

func viewCtrlContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), viewCtrlTimeout)
}

// viewJobs runs a window's controller calls off the UI goroutine. Each job
// hands its result to the widgets with fyne.Do; Wait lets tests block
// until every job started so far has finished.
type viewJobs struct{ wg sync.WaitGroup }

func (j *viewJobs) Go(job func()) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		job()
	}()
}

func (j *viewJobs) Wait() { j.wg.Wait() }

// viewPane is a window's content that remembers the view that built it,
// so a ShowX method can reach the view again when it shows the window anew.
type viewPane[V any] struct {
	widget.BaseWidget
	view V
	body fyne.CanvasObject
}

func newViewPane[V any](view V, body fyne.CanvasObject) *viewPane[V] {
	p := &viewPane[V]{view: view, body: body}
	p.ExtendBaseWidget(p)
	return p
}

// CreateRenderer implements fyne.Widget.
func (p *viewPane[V]) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(p.body) }

// paneView returns the view behind w's content, if a viewPane holds it.
func paneView[V any](w fyne.Window) (V, bool) {
	p, ok := w.Content().(*viewPane[V])
	if !ok {
		var zero V
		return zero, false
	}
	return p.view, true
}

// newViewErrorText returns a red, wrapping label that is hidden while empty.
// Showing or hiding it changes the layout: refresh the window's content
// container afterwards.
func newViewErrorText() *widget.Label { return newFieldError() }

func showViewError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// newViewLinesEntry is a multi-line entry for one value per line.
func newViewLinesEntry() *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.SetMinRowsVisible(3)
	return e
}

// viewLines splits text into its trimmed, non-empty lines (nil if none).
func viewLines(text string) []string {
	var out []string
	for l := range strings.Lines(text) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// viewMs shows a latency in milliseconds: "42 ms", "0.4 ms".
func viewMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
}

// viewLowLabel is a wrapping note in the muted style of newMutedLabel.
func viewLowLabel(text string) *widget.Label {
	l := newMutedLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// viewConfirm is a yes/no question whose buttons tests can tap.
type viewConfirm struct {
	dlg        *dialog.CustomDialog
	ok, cancel *widget.Button
}

func askViewConfirm(w fyne.Window, title, message, okText string, onOK func()) *viewConfirm {
	c := &viewConfirm{}
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	c.dlg = dialog.NewCustomWithoutButtons(title, msg, w)
	c.cancel = widget.NewButton("Cancel", c.dlg.Hide)
	c.ok = widget.NewButton(okText, func() {
		c.dlg.Hide()
		onOK()
	})
	c.ok.Importance = widget.DangerImportance
	c.dlg.SetButtons([]fyne.CanvasObject{c.cancel, c.ok})
	c.dlg.Resize(fyne.NewSize(460, 200))
	c.dlg.Show()
	return c
}
