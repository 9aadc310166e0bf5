package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

var metricsT0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func sampleMetricsSnapshot() app.Snapshot {
	s := app.Snapshot{State: app.StateDegraded, Time: metricsT0, Servers: []app.ServerStatus{
		{Name: "fs", Transport: "stdio", Enabled: true, State: "ready", Tools: 3},
		{Name: "web", Transport: "http", Enabled: true, State: "failed", Error: "connection refused", Restarts: 2},
	}}
	s.Metrics = app.MetricsStats{Requests: 120, ToolCalls: 80, Errors: 3, CacheHits: 30, CacheMisses: 10,
		CacheHitRate: 0.75, TokensSaved: 4200, Blocked: 2, RateLimited: 1,
		Tools: []app.ToolStats{
			{Server: "fs", Tool: "read_file", Count: 60, Errors: 1, P50Ms: 4.2, P95Ms: 12.5, P99Ms: 30},
			{Server: "web", Tool: "fetch", Count: 20, Errors: 2, P50Ms: 120, P95Ms: 340, P99Ms: 800},
		}}
	for i := range 12 {
		s.Metrics.Series = append(s.Metrics.Series, app.SeriesPoint{
			Time:        metricsT0.Add(time.Duration(i-11) * 5 * time.Second),
			CallsPerSec: float64(i % 4), P95Ms: float64(10 + 3*i)})
	}
	return s
}

func sampleEvents() []app.Event {
	return []app.Event{
		{Time: metricsT0, Kind: "tool_call", Server: "fs", Tool: "fs/read_file", Identity: "dev-key", Outcome: "ok", DurationMS: 4},
		{Time: metricsT0.Add(time.Second), Kind: "tool_blocked", Server: "fs", Tool: "fs/delete_file", Identity: "dev-key",
			Outcome: "denied", Message: "role readonly blocks */delete_*"},
		{Time: metricsT0.Add(2 * time.Second), Kind: "server_state", Server: "web", Outcome: "failed", Message: "connection refused"},
	}
}

func TestMetricsEmpty(t *testing.T) {
	test.NewTempApp(t)
	v := newMetricsView()
	w := viewWindow(t, v.content, 1000, 700)
	if !v.toolsEmpty.label.Visible() || v.toolTable.Visible() {
		t.Errorf("empty tool table: note shown %v, table shown %v; want the note instead of the table",
			v.toolsEmpty.label.Visible(), v.toolTable.Visible())
	}
	test.AssertRendersToMarkup(t, "metrics_empty.xml", w.Canvas())
}

func TestMetricsSnapshotFillsTotalsTablesAndCharts(t *testing.T) {
	test.NewTempApp(t)
	v := newMetricsView()
	w := viewWindow(t, v.content, 1000, 700)
	v.setSnapshot(sampleMetricsSnapshot())
	if v.requests.Text != "120" || v.hitRate.Text != "75.0 %" || v.tokens.Text != "4200" {
		t.Errorf("totals: requests %q, hit rate %q, tokens %q", v.requests.Text, v.hitRate.Text, v.tokens.Text)
	}
	if got := v.toolCell(1, 0) + " " + v.toolCell(1, 5); got != "web/fetch 800.0" {
		t.Errorf("tool row 1 = %q", got)
	}
	if v.toolsEmpty.label.Visible() || !v.toolTable.Visible() || !v.callsChart.hasData() {
		t.Error("the tool table or the chart still shows its empty state")
	}
	test.AssertRendersToMarkup(t, "metrics_populated.xml", w.Canvas())
	v.tabs.SelectIndex(1)
	test.AssertRendersToMarkup(t, "metrics_servers.xml", w.Canvas())
}

// followFake starts v's event subscription on f and returns a channel that
// receives the stream's length after each batch.
func followFake(t *testing.T, v *metricsView, f *apptest.Fake) <-chan int {
	t.Helper()
	counts := make(chan int, 1024)
	v.onEvents = func(n int) { counts <- n }
	v.follow(context.Background(), f)
	t.Cleanup(v.stop)
	return counts
}

func waitForEvents(t *testing.T, counts <-chan int, want int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-counts:
			if n >= want {
				return
			}
		case <-deadline:
			t.Fatalf("the stream never reached %d events", want)
		}
	}
}

func TestMetricsEventStreamAndFilter(t *testing.T) {
	test.NewTempApp(t)
	f := apptest.New()
	v := newMetricsView()
	w := viewWindow(t, v.content, 1000, 700)
	v.tabs.SelectIndex(2)
	counts := followFake(t, v, f)
	for _, e := range sampleEvents() {
		f.Emit(e)
	}
	waitForEvents(t, counts, 3)
	if len(v.shown) != 3 || v.shown[0].Kind != "server_state" {
		t.Fatalf("stream shows %d events, newest %q", len(v.shown), v.shown[0].Kind)
	}
	test.AssertRendersToMarkup(t, "metrics_events.xml", w.Canvas())

	test.Type(v.filter, "BLOCKED")
	if len(v.shown) != 1 || v.shown[0].Tool != "fs/delete_file" {
		t.Fatalf("filter %q shows %d events", v.filter.Text, len(v.shown))
	}
	if v.streamMsg.Text != "1 of 3 events" {
		t.Errorf("count %q", v.streamMsg.Text)
	}
	test.AssertRendersToMarkup(t, "metrics_events_filtered.xml", w.Canvas())
}

func TestMetricsStreamIsBounded(t *testing.T) {
	test.NewTempApp(t)
	v := newMetricsView()
	batch := make([]app.Event, maxStreamEvents+10)
	for i := range batch {
		batch[i] = app.Event{Seq: uint64(i + 1), Time: metricsT0, Kind: "tool_call"}
	}
	v.addEvents(batch[:100])
	v.addEvents(batch[100:])
	if len(v.events) != maxStreamEvents || v.events[0].Seq != 11 {
		t.Fatalf("kept %d events from seq %d", len(v.events), v.events[0].Seq)
	}
}

func TestShowMetricsSubscribesOnce(t *testing.T) {
	f := apptest.New()
	f.SetSnapshot(sampleMetricsSnapshot())
	s := New(test.NewTempApp(t), f)
	s.ShowMetrics()
	v, ok := paneView[*metricsView](s.window("metrics", "", nil))
	if !ok {
		t.Fatal("the metrics window holds no metrics view")
	}
	t.Cleanup(v.stop)
	s.Refresh()
	if len(v.toolRows) != 2 {
		t.Errorf("a shell refresh gave %d tool rows, want 2", len(v.toolRows))
	}
	s.ShowMetrics()
	// The subscription is live once an event comes through it.
	counts := make(chan int, 16)
	v.onEvents = func(n int) { counts <- n }
	f.Emit(sampleEvents()[0])
	waitForEvents(t, counts, 1)
	if n := countCalls(f, "Events"); n != 1 {
		t.Errorf("Events subscribed %d times, want 1", n)
	}
}
