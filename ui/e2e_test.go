package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcplex/mcplex/app"
)

// e2eDeadline bounds each wait of the end-to-end test: starting the
// gateway, connecting the upstream, a call.
const e2eDeadline = 30 * time.Second

// TestE2EDesktopRealGateway drives the desktop windows over the real
// in-process controller, with a real MCP server upstream (go-sdk, over
// Streamable HTTP): add the server in the servers window's form, find and
// call its tool in the playground, see the call in the metrics window, and
// find the server in the config file on disk. Everything the user does is
// a tap or typing on the real widgets, and the shell's snapshot poll is
// driven by hand (Shell.Refresh); the test itself only stops the
// controller and paces its event stream (see pacedEvents).
func TestE2EDesktopRealGateway(t *testing.T) {
	began := time.Now()
	upstreamURL := startCalcUpstream(t)
	path := filepath.Join(t.TempDir(), "mcplex.toml")
	initial := "[gateway]\nlisten = \"127.0.0.1:0\"\n"
	if err := os.WriteFile(path, []byte(initial), 0o600); err != nil {
		t.Fatal(err)
	}
	s, events := newRealShell(t, path)
	phase := phaseTimer(t)

	s.StartGateway() // what Run does at launch, in-process
	s.WaitIdle()
	if snap := s.Last(); snap.State != app.StateRunning {
		t.Fatalf("gateway after Start: %q %s (%s)", snap.State, snap.Error, snap.ConfigErr)
	}
	phase("gateway started")

	sv := addServerViaForm(t, s, "calc", upstreamURL)
	if bak, err := os.ReadFile(path + ".bak"); err != nil || string(bak) != initial {
		t.Errorf(".bak after the first save (%v) is not the file before it:\n%s", err, bak)
	}
	waitFor(t, "the servers list to show calc ready with its 2 tools", func() bool {
		s.Refresh()
		sv.jobs.Wait()
		drawn := drawnTexts(sv.list)
		return slices.Contains(drawn, "calc") &&
			slices.ContainsFunc(drawn, func(l string) bool { return strings.Contains(l, "ready (2 tools)") })
	})
	t.Logf("servers list: %q", drawnTexts(sv.list))
	phase("server added via the form and ready")

	pg := findAndCallAdd(t, s)
	phase("found and called in the playground")

	checkMetrics(t, s, events, pg.tool.Name)
	phase("metrics show the call")

	checkConfigFile(t, path, upstreamURL)
	secondEdit(t, sv, path)
	phase("config file and .bak")
	t.Logf("total %v", time.Since(began).Round(time.Millisecond))
}

// startCalcUpstream serves a go-sdk MCP server with two tools, add and
// echo, over Streamable HTTP, and returns its endpoint URL.
func startCalcUpstream(t *testing.T) string {
	t.Helper()
	srv := mcp.NewServer(&mcp.Implementation{Name: "calc", Version: "1.0.0"}, nil)
	type addArgs struct {
		A float64 `json:"a" jsonschema:"the first number"`
		B float64 `json:"b" jsonschema:"the second number"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "add", Description: "Add two numbers and return their sum"},
		func(_ context.Context, _ *mcp.CallToolRequest, in addArgs) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{
				&mcp.TextContent{Text: fmt.Sprintf("%g + %g = %g", in.A, in.B, in.A+in.B)}}}, nil, nil
		})
	type echoArgs struct {
		Text string `json:"text" jsonschema:"the text to send back"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Echo a message back unchanged"},
		func(_ context.Context, _ *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
		})
	hs := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(func() {
		// After the gateway's cleanup (registered later, so run first): a
		// stream the gateway left open must not make Close wait.
		hs.CloseClientConnections()
		hs.Close()
	})
	return hs.URL + "/mcp"
}

// pacedEvents is the real controller with its event stream handed to the
// windows one event at a time, by the test: the test driver runs fyne.Do
// on the calling goroutine, so the metrics window's subscription would
// otherwise draw on its own goroutine while the test drives other widgets
// (Fyne's caches are not safe for that, and -race says so).
type pacedEvents struct {
	app.Controller
	feed chan app.Event // unbuffered: each send is one batch of one
}

// Events implements app.Controller.
func (p *pacedEvents) Events(context.Context) <-chan app.Event { return p.feed }

// newRealShell returns a shell over the real in-process controller for the
// config file at path (no installed service is looked for), stopped when
// the test ends. Its windows get the controller's events only as the test
// hands them over (see pacedEvents).
func newRealShell(t *testing.T, path string) (*Shell, *pacedEvents) {
	t.Helper()
	ctrl, mode, err := app.OpenController(context.Background(), path, filepath.Join(t.TempDir(), "no-service"))
	if err != nil || mode != modeInProcess {
		t.Fatalf("OpenController: %v (mode %q)", err, mode)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), quitTimeout)
		defer cancel()
		if err := ctrl.Stop(ctx); err != nil {
			t.Errorf("stopping the gateway: %v", err)
		}
	})
	paced := &pacedEvents{Controller: ctrl, feed: make(chan app.Event)}
	s := New(test.NewTempApp(t), paced)
	s.mode = mode
	return s, paced
}

// addServerViaForm opens the servers window and adds an HTTP server with
// the form: Add server, name, the HTTP transport, URL, Save.
func addServerViaForm(t *testing.T, s *Shell, name, url string) *serversView {
	t.Helper()
	s.ShowServers()
	s.mu.Lock()
	v := s.serversv
	s.mu.Unlock()
	v.jobs.Wait()
	if v.rowCount() != 0 {
		t.Fatalf("the servers list starts with %d rows, want none", v.rowCount())
	}
	test.Tap(v.add)
	test.Type(v.form.name, name)
	tapText(t, v.form.transport, transportHTTP)
	if v.form.transport.Selected != transportHTTP || !v.form.httpRows[1].Visible() {
		t.Fatalf("transport %q after tapping %q", v.form.transport.Selected, transportHTTP)
	}
	test.Type(v.form.url, url)
	test.Tap(v.save)
	v.jobs.Wait()
	if !strings.HasPrefix(v.status.Text, "Saved "+name) || v.editing != name || v.form.dirty {
		t.Fatalf("after Save: status %q, editing %q, dirty %v", v.status.Text, v.editing, v.form.dirty)
	}
	return v
}

// findAndCallAdd searches the playground for the add tool, selects it with
// a tap on its row, fills the form built from its schema and calls it.
func findAndCallAdd(t *testing.T, s *Shell) *playgroundView {
	t.Helper()
	s.ShowPlayground()
	w, _ := s.lookupWindow("playground")
	v, ok := paneView[*playgroundView](w)
	if !ok {
		t.Fatal("the playground window holds no playground view")
	}
	test.Type(v.query, "add numbers")
	test.Tap(v.search)
	v.jobs.Wait()
	var names []string
	for _, m := range v.matches {
		names = append(names, fmt.Sprintf("%s (%s, %.3f)", m.Name, m.ID, m.Score))
	}
	t.Logf("playground results for %q: %v", v.query.Text, names)
	i := slices.IndexFunc(v.matches, func(m app.Match) bool { return m.Server == "calc" && strings.HasSuffix(m.Name, "add") })
	if i < 0 {
		t.Fatalf("the upstream's add tool is not in the results %v (%s)", names, v.searchErr.Text)
	}
	tapText(t, v.results, v.matches[i].Name)
	if v.tool == nil || v.tool.Name != v.matches[i].Name {
		t.Fatalf("selected %+v after tapping row %d", v.tool, i)
	}
	a, b := v.form.field("a"), v.form.field("b")
	if a == nil || b == nil || a.kind != schemaKindNumber || !a.required {
		t.Fatalf("the form built from the schema has no required number fields a and b: %s", v.schemaText.Text)
	}
	test.Type(a.entry, "19.5")
	test.Type(b.entry, "22.5")
	test.Tap(v.call)
	v.jobs.Wait()
	if v.resultText.Text != "19.5 + 22.5 = 42" {
		t.Errorf("result %q (%s %s), want the sum", v.resultText.Text, v.resultMsg.Text, v.callErr.Text)
	}
	if !regexp.MustCompile(`succeeded · [0-9.]+ ms$`).MatchString(v.resultMsg.Text) {
		t.Errorf("result message %q shows no latency", v.resultMsg.Text)
	}
	return v
}

// checkMetrics opens the metrics window and checks that the totals, the
// per-tool table and the event stream show the one call of tool.
func checkMetrics(t *testing.T, s *Shell, events *pacedEvents, tool string) {
	t.Helper()
	s.ShowMetrics()
	w, _ := s.lookupWindow("metrics")
	v, ok := paneView[*metricsView](w)
	if !ok {
		t.Fatal("the metrics window holds no metrics view")
	}
	t.Cleanup(v.stop)
	shown := make(chan []string, 1)
	v.onEvents = func(int) { // last in each batch, on the view's goroutine
		lines := make([]string, len(v.shown))
		for i, e := range v.shown {
			lines[i] = eventLine(e)
		}
		shown <- lines
	}

	s.Refresh() // the shell's snapshot poll, as each second when running
	row := slices.IndexFunc(v.toolRows, func(r app.ToolStats) bool { return r.Server == "calc" && strings.HasSuffix(r.Tool, "add") })
	if row < 0 {
		t.Fatalf("no calc add row in the per-tool table: %+v", v.toolRows)
	}
	if got := v.toolCell(row, 1); got != "1" {
		t.Errorf("calls of %s: %s, want 1", v.toolCell(row, 0), got)
	}
	if drawn := drawnTexts(v.toolTable); !slices.Contains(drawn, v.toolCell(row, 0)) {
		t.Errorf("the tool table draws %q, not the row %q", drawn, v.toolCell(row, 0))
	}
	if v.calls.Text != "1" {
		t.Errorf("the Tool calls total shows %q, want 1", v.calls.Text)
	}

	line := handEventsUntil(t, events, shown, func(l string) bool {
		return strings.Contains(l, "tool_call") && strings.Contains(l, tool)
	})
	tapText(t, v.tabs, "Events")
	if drawn := drawnTexts(v.eventList); !slices.Contains(drawn, line) {
		t.Errorf("the Events tab draws %q, not %q", drawn, line)
	}
	t.Logf("event stream: %q", line)
}

// handEventsUntil hands the controller's events (the remembered ones,
// then live ones) to the metrics window one at a time, waiting after each
// until the window has drawn it, until the stream shows a line that
// matches want; it returns that line.
func handEventsUntil(t *testing.T, events *pacedEvents, shown <-chan []string, want func(string) bool) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := events.Controller.Events(ctx)
	deadline := time.After(e2eDeadline)
	var last []string
	for {
		select {
		case e := <-src:
			select {
			case events.feed <- e:
			case <-deadline:
				t.Fatal("the metrics window takes no events")
			}
		case <-deadline:
			t.Fatalf("no matching event in the stream %q", last)
		}
		select {
		case last = <-shown:
		case <-deadline:
			t.Fatal("the metrics window did not draw an event it took")
		}
		if i := slices.IndexFunc(last, want); i >= 0 {
			return last[i]
		}
	}
}

// checkConfigFile checks that the server the form added is in the file.
func checkConfigFile(t *testing.T, path, url string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name = "calc"`, `url = "` + url + `"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the config file lacks %s:\n%s", want, data)
		}
	}
}

// secondEdit describes the server in the form and saves again: the file
// gets the description, and the .bak holds the file as the first save
// wrote it.
func secondEdit(t *testing.T, v *serversView, path string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if v.form.name.Text != "calc" {
		t.Fatalf("the form holds %q after the save, want calc", v.form.name.Text)
	}
	test.Type(v.form.description, "adds numbers")
	test.Tap(v.save)
	v.jobs.Wait()
	after, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(after), `description = "adds numbers"`) {
		t.Errorf("the file after the second save (%v, status %q):\n%s", err, v.status.Text, after)
	}
	if bak, err := os.ReadFile(path + ".bak"); err != nil || string(bak) != string(before) {
		t.Errorf("the .bak (%v) is not the file before the second save:\n%s", err, bak)
	}
}

// tapText taps where text is drawn under root, as a click there would:
// the innermost tappable object around the text gets the tap, at the
// text's position within it.
func tapText(t *testing.T, root fyne.CanvasObject, text string) {
	t.Helper()
	var (
		target fyne.Tappable
		at     fyne.Position
	)
	walkDrawn(root, nil, fyne.Position{}, func(tx *canvas.Text, tapper fyne.Tappable, pos fyne.Position) bool {
		if tx.Text != text || tapper == nil {
			return false
		}
		target, at = tapper, pos.AddXY(2, tx.Size().Height/2)
		return true
	})
	if target == nil {
		t.Fatalf("no tappable %q is drawn under %T", text, root)
	}
	test.TapAt(target, at)
}

// drawnTexts is the text drawn under root, one entry per text object.
func drawnTexts(root fyne.CanvasObject) []string {
	var out []string
	walkDrawn(root, nil, fyne.Position{}, func(tx *canvas.Text, _ fyne.Tappable, _ fyne.Position) bool {
		if tx.Text != "" {
			out = append(out, tx.Text)
		}
		return false
	})
	return out
}

// walkDrawn calls found for each visible text object under o, as the
// window draws it (through the widgets' own renderers; test.LaidOutObjects
// would make new ones), with the innermost tappable around it and the
// text's position within that tappable. at is o's position within tapper.
// It stops when found returns true, and reports whether it did.
func walkDrawn(o fyne.CanvasObject, tapper fyne.Tappable, at fyne.Position,
	found func(*canvas.Text, fyne.Tappable, fyne.Position) bool) bool {
	if !o.Visible() {
		return false
	}
	if tp, ok := o.(fyne.Tappable); ok {
		tapper, at = tp, fyne.Position{}
	}
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case *canvas.Text:
		return found(c, tapper, at)
	case *fyne.Container:
		children = c.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	}
	for _, c := range children {
		if walkDrawn(c, tapper, at.Add(c.Position()), found) {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds, failing the test after e2eDeadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(e2eDeadline)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("waited %v for %s", e2eDeadline, what)
		}
	}
}

// phaseTimer logs how long each phase of a test took.
func phaseTimer(t *testing.T) func(string) {
	last := time.Now()
	return func(what string) {
		t.Logf("%-40s %v", what, time.Since(last).Round(time.Millisecond))
		last = time.Now()
	}
}
