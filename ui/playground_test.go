package ui

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

func playgroundTools() []app.Tool {
	return []app.Tool{
		{Name: "read_file", ID: "fs/read_file", Server: "fs", Description: "Read a file from disk",
			InputSchema: json.RawMessage(`{"type":"object","required":["path"],"properties":{
				"path":{"type":"string","description":"File to read"},
				"max_bytes":{"type":"integer","description":"Stop after this many bytes"},
				"encoding":{"type":"string","enum":["utf-8","base64"]},
				"follow_links":{"type":"boolean","default":true},
				"ranges":{"type":"array","items":{"type":"integer"}}}}`)},
		{Name: "write_file", ID: "fs/write_file", Server: "fs", Description: "Write a file to disk",
			InputSchema: json.RawMessage(`{"type":"object","required":["path","content"],"properties":{
				"path":{"type":"string"},"content":{"type":"string"}}}`)},
		{Name: "search", ID: "web/search", Server: "web", Description: "Search the web for pages"},
	}
}

func newTestPlayground(t *testing.T) (*playgroundView, *apptest.Fake, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	f := apptest.New()
	f.SetTools(playgroundTools())
	v := newPlaygroundView(f)
	return v, f, viewWindow(t, v.content, 1100, 800)
}

// searchAndSelect searches for query and selects result row.
func searchAndSelect(t *testing.T, v *playgroundView, query string, row int) {
	t.Helper()
	test.Type(v.query, query)
	test.Tap(v.search)
	v.jobs.Wait()
	if row >= len(v.matches) {
		t.Fatalf("%q found %d tools, want row %d", query, len(v.matches), row)
	}
	v.results.Select(widget.TableCellID{Row: row, Col: 1})
}

func TestPlaygroundEmpty(t *testing.T) {
	v, f, w := newTestPlayground(t)
	test.AssertRendersToMarkup(t, "playground_empty.xml", w.Canvas())
	test.Tap(v.search)
	test.Type(v.query, "read")
	retype(v.topK, "0")
	test.Tap(v.search)
	if !strings.Contains(v.searchErr.Text, "top_k") || slices.Contains(f.Calls(), "Find") {
		t.Errorf("top_k 0: message %q, calls %v", v.searchErr.Text, f.Calls())
	}
}

func TestPlaygroundSearchBuildsTheSchemaForm(t *testing.T) {
	v, f, w := newTestPlayground(t)
	v.strategy.SetSelected(app.StrategyKeyword)
	test.Type(v.topK, "5")
	searchAndSelect(t, v, "file disk", 0)
	if got := len(v.matches); got != 2 {
		t.Fatalf("%d rows, want the 2 file tools", got)
	}
	if !slices.Contains(f.Calls(), "Find") {
		t.Error("Find was not called")
	}
	if v.tool == nil || v.tool.Name != "read_file" {
		t.Fatalf("selected %+v", v.tool)
	}
	want := map[string]schemaFieldKind{"path": schemaKindString, "max_bytes": schemaKindInteger, "encoding": schemaKindEnum,
		"follow_links": schemaKindBool, "ranges": schemaKindJSON}
	var order []string
	for _, fld := range v.form.fields {
		order = append(order, fld.name)
		if k, ok := want[fld.name]; !ok || k != fld.kind {
			t.Errorf("field %s: kind %d", fld.name, fld.kind)
		}
	}
	if order[0] != "path" || !v.form.fields[0].required || len(order) != len(want) {
		t.Errorf("fields %v: want the required path first and %d fields", order, len(want))
	}
	test.AssertRendersToMarkup(t, "playground_results.xml", w.Canvas())
}

// TestPlaygroundResultsFitTheirPane: in a 1280-wide window the results
// table's columns fill its half of the split, with none cut off behind a
// horizontal scroll bar, and the note stands in for the table until then.
func TestPlaygroundResultsFitTheirPane(t *testing.T) {
	test.NewTempApp(t)
	f := apptest.New()
	f.SetTools(playgroundTools())
	v := newPlaygroundView(f)
	viewWindow(t, v.content, 1280, 800)
	if !v.resultsNote.label.Visible() || v.resultsNote.content.Visible() {
		t.Fatalf("before a search: note shown %v, table shown %v", v.resultsNote.label.Visible(), v.resultsNote.content.Visible())
	}
	searchAndSelect(t, v, "file", 0)
	if v.resultsNote.label.Visible() || !v.resultsNote.content.Visible() {
		t.Fatalf("with results: note shown %v, table shown %v", v.resultsNote.label.Visible(), v.resultsNote.content.Visible())
	}
	for _, o := range test.LaidOutObjects(v.results) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Description" { // in the header row, which starts with the table
			if right, width := l.Position().X+l.Size().Width, v.results.Size().Width; right > width || right < width-1 {
				t.Errorf("the Description column ends at x=%v, the %v-wide table does not: want them to end together", right, width)
			}
			return
		}
	}
	t.Error("no Description header")
}

func TestPlaygroundCallSendsTheFormAndShowsTheResult(t *testing.T) {
	v, f, w := newTestPlayground(t)
	searchAndSelect(t, v, "read", 0)
	test.Type(v.form.field("path").entry, "/tmp/a.txt")
	test.Type(v.form.field("max_bytes").entry, "100")
	test.Type(v.form.field("ranges").entry, "[1, 2]")
	test.Tap(v.call)
	v.jobs.Wait()
	// The fake echoes unscripted calls' arguments.
	if got, want := v.resultText.Text, `{"max_bytes":100,"path":"/tmp/a.txt","ranges":[1,2]}`; got != want {
		t.Errorf("arguments sent %s, want %s", got, want)
	}

	f.SetCallResult("read_file", app.CallResult{Text: "hello world", Latency: 42 * time.Millisecond,
		Raw: "{\n  \"content\": [\n    {\"type\": \"text\", \"text\": \"hello world\"}\n  ]\n}"})
	test.Tap(v.call)
	v.jobs.Wait()
	if v.resultText.Text != "hello world" || !strings.Contains(v.resultMsg.Text, "42 ms") {
		t.Errorf("result %q, message %q", v.resultText.Text, v.resultMsg.Text)
	}
	if v.resultMsg.Importance != widget.SuccessImportance {
		t.Errorf("a successful call shows importance %v", v.resultMsg.Importance)
	}
	test.AssertRendersToMarkup(t, "playground_called.xml", w.Canvas())
}

func TestPlaygroundErrorResultIsMarked(t *testing.T) {
	v, f, w := newTestPlayground(t)
	f.SetCallResult("write_file", app.CallResult{IsError: true, Text: "permission denied: /etc/passwd",
		Raw: `{"isError": true}`, Latency: 3 * time.Millisecond})
	searchAndSelect(t, v, "write", 0)
	test.Type(v.form.field("path").entry, "/etc/passwd")
	test.Type(v.form.field("content").entry, "x")
	test.Tap(v.call)
	v.jobs.Wait()
	if v.resultMsg.Importance != widget.DangerImportance || !strings.Contains(v.resultMsg.Text, "returned an error") {
		t.Errorf("error result shown as %q (importance %v)", v.resultMsg.Text, v.resultMsg.Importance)
	}
	test.AssertRendersToMarkup(t, "playground_error_result.xml", w.Canvas())
}

func TestPlaygroundInvalidNumberDoesNotCall(t *testing.T) {
	v, f, w := newTestPlayground(t)
	searchAndSelect(t, v, "read", 0)
	test.Type(v.form.field("max_bytes").entry, "ten")
	test.Tap(v.call)
	v.jobs.Wait()
	if slices.Contains(f.Calls(), "Call read_file") {
		t.Fatal("called with an invalid number")
	}
	for _, want := range []string{`max_bytes: "ten" is not a whole number`, "path: required"} {
		if !strings.Contains(v.callErr.Text, want) {
			t.Errorf("message %q lacks %q", v.callErr.Text, want)
		}
	}
	test.AssertRendersToMarkup(t, "playground_invalid.xml", w.Canvas())
}

func TestPlaygroundCancelsABlockedCall(t *testing.T) {
	v, f, w := newTestPlayground(t)
	release := f.Block()
	t.Cleanup(release)
	searchAndSelect(t, v, "read", 0)
	test.Type(v.form.field("path").entry, "/tmp/a.txt")
	test.Tap(v.call)
	if !v.progress.Visible() || v.cancel.Disabled() || !v.call.Disabled() {
		t.Fatal("no progress or no Cancel while the call runs")
	}
	test.AssertRendersToMarkup(t, "playground_calling.xml", w.Canvas())
	test.Tap(v.cancel)
	v.jobs.Wait()
	if !strings.Contains(v.resultMsg.Text, "cancelled") || v.progress.Visible() || v.call.Disabled() {
		t.Errorf("after Cancel: %q, progress shown %v", v.resultMsg.Text, v.progress.Visible())
	}
}

func TestShowPlaygroundReusesItsWindow(t *testing.T) {
	f := apptest.New()
	s := New(test.NewTempApp(t), f)
	s.ShowPlayground()
	w := s.window("playground", "", nil)
	v, ok := paneView[*playgroundView](w)
	if !ok {
		t.Fatal("the playground window holds no playground view")
	}
	s.ShowPlayground()
	if v2, _ := paneView[*playgroundView](s.window("playground", "", nil)); v2 != v {
		t.Error("a second ShowPlayground built a second view")
	}
}
