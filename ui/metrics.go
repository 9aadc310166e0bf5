package ui

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// maxStreamEvents bounds the live event stream the metrics window keeps.
const maxStreamEvents = 500

// ShowMetrics opens the metrics window. The first time, it subscribes to
// the shell's snapshots and to the controller's event stream; windows are
// hidden, not closed, so that one subscription lasts as long as the shell.
func (s *Shell) ShowMetrics() {
	w := s.window("metrics", "MCPlex metrics", func(fyne.Window) fyne.CanvasObject {
		v := newMetricsView()
		s.OnSnapshot(v.setSnapshot)
		v.follow(context.Background(), s.ctrl)
		return newViewPane(v, v.content)
	})
	w.Show()
}

// metricsView shows the gateway's counters, per-tool and per-server tables,
// two charts and the live event stream.
type metricsView struct {
	content fyne.CanvasObject

	requests, calls, errors, hitRate, tokens, blocked, limited *widget.Label
	callsChart, latencyChart                                   *seriesChart

	tabs        *container.AppTabs
	toolRows    []app.ToolStats
	toolTable   *widget.Table
	toolsEmpty  *viewEmptyNote
	servers     []app.ServerStatus
	serverTable *widget.Table
	serverEmpty *viewEmptyNote

	events    []app.Event // oldest first, at most maxStreamEvents
	shown     []app.Event // events passing the filter, newest first
	filter    *widget.Entry
	eventList *widget.List
	streamMsg *widget.Label
	streamBar *fyne.Container

	stop     context.CancelFunc // ends the event subscription
	onEvents func(total int)    // test hook: called on the UI goroutine after each batch
}

func newMetricsView() *metricsView {
	v := &metricsView{streamMsg: widget.NewLabel("Waiting for events…")}
	v.callsChart = newSeriesChart("Tool calls per second", "No calls in the last minutes")
	v.latencyChart = newSeriesChart("p95 latency (ms)", "No upstream calls in the last minutes")
	totals := container.NewGridWithColumns(7,
		metricsTile(&v.requests, "Requests"), metricsTile(&v.calls, "Tool calls"), metricsTile(&v.errors, "Errors"),
		metricsTile(&v.hitRate, "Cache hit rate"), metricsTile(&v.tokens, "Tokens saved"),
		metricsTile(&v.blocked, "Blocked"), metricsTile(&v.limited, "Rate limited"))
	charts := container.NewGridWithColumns(2, v.callsChart, v.latencyChart)

	v.toolTable = newViewTable([]string{"Server/tool", "Calls", "Errors", "p50 ms", "p95 ms", "p99 ms"},
		[]float32{320, 90, 90, 90, 90, 90}, func() int { return len(v.toolRows) }, v.toolCell)
	v.serverTable = newViewTable([]string{"Server", "Transport", "State", "Tools", "Restarts", "Error"},
		[]float32{200, 100, 110, 70, 80, 500}, func() int { return len(v.servers) }, v.serverCell)

	v.filter = widget.NewEntry()
	v.filter.SetPlaceHolder("Filter by text or kind (tool_call, tool_blocked, server_state…)")
	v.filter.OnChanged = func(string) { v.applyFilter() }
	v.eventList = widget.NewList(func() int { return len(v.shown) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(eventLine(v.shown[id])) })
	v.streamBar = container.NewBorder(nil, nil, nil, v.streamMsg, v.filter)
	stream := container.NewBorder(v.streamBar, nil, nil, nil, v.eventList)
	v.toolsEmpty = newViewEmptyState(v.toolTable, "No tool calls yet.")
	v.serverEmpty = newViewEmptyState(v.serverTable, "No servers are configured.")

	v.tabs = container.NewAppTabs(
		container.NewTabItem("Tools", v.toolsEmpty.box),
		container.NewTabItem("Servers", v.serverEmpty.box),
		container.NewTabItem("Events", stream))
	v.content = container.NewBorder(container.NewVBox(totals, charts), nil, nil, nil, v.tabs)
	v.setSnapshot(app.Snapshot{})
	return v
}

// metricsTile is a big number over its caption; *value receives the number's label.
func metricsTile(value **widget.Label, caption string) fyne.CanvasObject {
	*value = widget.NewLabelWithStyle("0", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	(*value).SizeName = theme.SizeNameHeadingText
	return container.NewVBox(*value, newMutedLabel(caption))
}

// setSnapshot redraws everything but the event stream. UI goroutine only.
func (v *metricsView) setSnapshot(s app.Snapshot) {
	m := s.Metrics
	v.requests.SetText(strconv.FormatUint(m.Requests, 10))
	v.calls.SetText(strconv.FormatUint(m.ToolCalls, 10))
	v.errors.SetText(strconv.FormatUint(m.Errors, 10))
	v.hitRate.SetText("–")
	if m.CacheHits+m.CacheMisses > 0 {
		v.hitRate.SetText(strconv.FormatFloat(100*m.CacheHitRate, 'f', 1, 64) + " %")
	}
	v.tokens.SetText(strconv.FormatUint(m.TokensSaved, 10))
	v.blocked.SetText(strconv.FormatUint(m.Blocked, 10))
	v.limited.SetText(strconv.FormatUint(m.RateLimited, 10))

	callsPerSec, p95 := make([]float64, len(m.Series)), make([]float64, len(m.Series))
	for i, p := range m.Series {
		callsPerSec[i], p95[i] = p.CallsPerSec, p.P95Ms
	}
	var span time.Duration
	if n := len(m.Series); n > 1 {
		span = m.Series[n-1].Time.Sub(m.Series[0].Time)
	}
	v.callsChart.SetData(callsPerSec, span)
	v.latencyChart.SetData(p95, span)

	v.toolRows = m.Tools
	v.toolTable.Refresh()
	v.toolsEmpty.set(len(v.toolRows) == 0)
	v.servers = s.Servers
	v.serverTable.Refresh()
	v.serverEmpty.set(len(v.servers) == 0)
}

// viewEmptyNote is a muted line of text, centred and wrapped, that says why
// a table or a list is empty.
type viewEmptyNote struct {
	label   *widget.Label
	box     *fyne.Container   // what to place in the window
	content fyne.CanvasObject // shown instead of the note; nil for a bare note
}

// newViewEmptyNote returns a bare note, shown, for the caller to place.
// Prefer newViewEmptyState: a note stacked over a table is drawn across the
// table's grid lines.
func newViewEmptyNote(text string) *viewEmptyNote {
	l := newMutedLabel(text)
	l.Alignment = fyne.TextAlignCenter
	l.Wrapping = fyne.TextWrapWord
	return &viewEmptyNote{label: l, box: container.New(centredRowLayout{}, l)}
}

// centredRowLayout gives its objects the full width and centres them
// vertically at the height they need at that width. A VBox between spacers
// would keep a wrapping label's height from a narrower first layout.
type centredRowLayout struct{}

// Layout implements fyne.Layout.
func (centredRowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height)) // wraps at this width
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, float32(math.Floor(float64(size.Height-h)/2))))
	}
}

// MinSize implements fyne.Layout.
func (centredRowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objects {
		m = m.Max(o.MinSize())
	}
	return m
}

// newViewEmptyState shows the note, in box, instead of content while set
// says it is empty; it starts empty.
func newViewEmptyState(content fyne.CanvasObject, text string) *viewEmptyNote {
	n := newViewEmptyNote(text)
	n.content = content
	content.Hide()
	n.box = container.NewStack(content, n.box)
	return n
}

// set shows the note while empty is true, and the content otherwise.
func (n *viewEmptyNote) set(empty bool) {
	if empty == n.label.Visible() {
		return
	}
	showIf(n.label, empty)
	if n.content != nil {
		showIf(n.content, !empty)
	}
	n.box.Refresh()
}

func (v *metricsView) toolCell(row, col int) string {
	t := v.toolRows[row]
	ms := func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
	switch col {
	case 0:
		return t.Server + "/" + t.Tool
	case 1:
		return strconv.FormatUint(t.Count, 10)
	case 2:
		return strconv.FormatUint(t.Errors, 10)
	case 3:
		return ms(t.P50Ms)
	case 4:
		return ms(t.P95Ms)
	default:
		return ms(t.P99Ms)
	}
}

func (v *metricsView) serverCell(row, col int) string {
	s := v.servers[row]
	switch col {
	case 0:
		return s.Name
	case 1:
		return s.Transport
	case 2:
		return s.State
	case 3:
		return strconv.Itoa(s.Tools)
	case 4:
		return strconv.Itoa(s.Restarts)
	default:
		return s.Error
	}
}

// follow consumes ctrl's event stream in a goroutine until ctx ends or
// v.stop is called, handing batches to the UI goroutine.
func (v *metricsView) follow(ctx context.Context, ctrl app.Controller) {
	ctx, v.stop = context.WithCancel(ctx)
	go func() {
		ch := ctrl.Events(ctx)
		for {
			var batch []app.Event
			select {
			case <-ctx.Done():
				return
			case e, ok := <-ch:
				if !ok {
					return
				}
				batch = append(batch, e)
			}
			for more := true; more && len(batch) < maxStreamEvents; {
				select {
				case e, ok := <-ch:
					more = ok
					if ok {
						batch = append(batch, e)
					}
				default:
					more = false
				}
			}
			fyne.Do(func() { v.addEvents(batch) })
		}
	}()
}

// addEvents appends to the stream, dropping the oldest beyond the bound.
func (v *metricsView) addEvents(batch []app.Event) {
	v.events = append(v.events, batch...)
	if over := len(v.events) - maxStreamEvents; over > 0 {
		v.events = append(v.events[:0], v.events[over:]...)
	}
	v.applyFilter()
	if v.onEvents != nil {
		v.onEvents(len(v.events))
	}
}

func (v *metricsView) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(v.filter.Text))
	v.shown = v.shown[:0]
	for i := len(v.events) - 1; i >= 0; i-- {
		if q == "" || strings.Contains(strings.ToLower(eventLine(v.events[i])), q) {
			v.shown = append(v.shown, v.events[i])
		}
	}
	switch {
	case len(v.events) == 0:
		v.streamMsg.SetText("Waiting for events…")
	case q == "":
		v.streamMsg.SetText(fmt.Sprintf("%d events", len(v.events)))
	default:
		v.streamMsg.SetText(fmt.Sprintf("%d of %d events", len(v.shown), len(v.events)))
	}
	v.streamBar.Refresh() // the count's width changes
	v.eventList.Refresh()
}

// eventLine is how an event reads in the stream (and what the filter sees).
func eventLine(e app.Event) string {
	parts := []string{e.Time.Format("15:04:05"), string(e.Kind)}
	switch {
	case e.Tool != "":
		parts = append(parts, e.Tool)
	case e.Server != "":
		parts = append(parts, e.Server)
	}
	if e.Identity != "" {
		parts = append(parts, "by "+e.Identity)
	}
	if e.Outcome != "" {
		parts = append(parts, e.Outcome)
	}
	if e.DurationMS > 0 {
		parts = append(parts, strconv.FormatFloat(e.DurationMS, 'f', 0, 64)+" ms")
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	return strings.Join(parts, "  ")
}

// newViewTable is a read-only table of text cells with a header row.
func newViewTable(cols []string, widths []float32, rows func() int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return rows(), len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(cell(id.Row, id.Col)) })
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 {
			o.(*widget.Label).SetText(cols[id.Col])
		}
	}
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
	return t
}

// newViewFillTable places t, made by newViewTable with widths, so that its
// last column takes the width the others leave, but at least its entry in
// widths: the columns fill the pane with no horizontal scrolling while the
// pane is wide enough for the widths.
func newViewFillTable(t *widget.Table, widths []float32) *fyne.Container {
	return container.New(&fillLastColumn{table: t, widths: widths}, t)
}

// fillLastColumn is newViewFillTable's layout.
type fillLastColumn struct {
	table  *widget.Table
	widths []float32
}

// Layout implements fyne.Layout.
func (l *fillLastColumn) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	last := len(l.widths) - 1
	// The table is as wide as its columns plus one padding between two.
	free := size.Width - float32(last)*l.table.Theme().Size(theme.SizeNamePadding)
	for _, w := range l.widths[:last] {
		free -= w
	}
	l.table.SetColumnWidth(last, max(l.widths[last], float32(math.Floor(float64(free)))))
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize implements fyne.Layout.
func (l *fillLastColumn) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return l.table.MinSize()
}
