package cache

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

func textOf(t *testing.T, r *mcp.CallToolResult) string {
	t.Helper()
	if r == nil || len(r.Content) != 1 {
		t.Fatalf("result %+v: want one content", r)
	}
	tc, ok := r.Content[0].(*mcp.TextContent)
	if !ok {
		t.Fatalf("content %T, want *mcp.TextContent", r.Content[0])
	}
	return tc.Text
}

func on(opts Options) Options { opts.Enabled = true; return opts }

// fakeClock replaces c.now; advance moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func withClock(c *Cache) *fakeClock {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	c.now = func() time.Time { clk.mu.Lock(); defer clk.mu.Unlock(); return clk.now }
	return clk
}

func (f *fakeClock) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func TestHitAndMiss(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	k := Key("github", "list_issues", "dev", json.RawMessage(`{"repo":"a/b"}`))
	if _, ok := c.Get(k); ok {
		t.Fatal("hit on an empty cache")
	}
	c.Put("github", k, text("issues of a/b"))
	got, ok := c.Get(k)
	if !ok || textOf(t, got) != "issues of a/b" {
		t.Fatalf("Get = %+v, %v", got, ok)
	}
	other := Key("github", "list_issues", "dev", json.RawMessage(`{"repo":"c/d"}`))
	if _, ok := c.Get(other); ok {
		t.Error("hit for other arguments")
	}
	want := Counts{Hits: 1, Misses: 2, Stores: 1}
	if diff := cmp.Diff(want, c.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestResultRoundTrip(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	res := &mcp.CallToolResult{
		Meta:              mcp.Meta{"trace": "x"},
		Content:           []mcp.Content{&mcp.TextContent{Text: "a"}, &mcp.ImageContent{Data: []byte{1, 2}, MIMEType: "image/png"}},
		StructuredContent: map[string]any{"n": 1.5, "list": []any{"x"}},
	}
	c.Put("s", "k", res)
	got, ok := c.Get("k")
	if !ok {
		t.Fatal("miss")
	}
	want, _ := json.Marshal(res)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Errorf("round trip\n got %s\nwant %s", have, want)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	c := New(on(Options{TTL: time.Minute}))
	clk := withClock(c)
	c.Put("s", "k", text("v"))
	clk.advance(59 * time.Second)
	if _, ok := c.Get("k"); !ok {
		t.Fatal("expired before the TTL")
	}
	clk.advance(time.Second)
	if _, ok := c.Get("k"); ok {
		t.Fatal("served at the TTL")
	}
	if c.Len() != 0 {
		t.Errorf("expired entry kept: Len = %d", c.Len())
	}
}

// TestExpiryRealClock runs the default clock in a synctest bubble. It also
// proves New starts no goroutine: a leftover one would fail the bubble.
func TestExpiryRealClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := New(on(Options{TTL: 300 * time.Second}))
		c.Put("s", "k", text("v"))
		time.Sleep(299 * time.Second)
		if _, ok := c.Get("k"); !ok {
			t.Fatal("expired early")
		}
		time.Sleep(time.Second)
		if _, ok := c.Get("k"); ok {
			t.Fatal("served after the TTL")
		}
	})
}

func TestTTLChangeAppliesToStoredEntries(t *testing.T) {
	t.Parallel()
	c := New(on(Options{TTL: time.Hour}))
	clk := withClock(c)
	c.Put("s", "k", text("v"))
	clk.advance(2 * time.Minute)
	c.SetOptions(on(Options{TTL: time.Minute}))
	if _, ok := c.Get("k"); ok {
		t.Error("entry older than the new TTL served")
	}
}

func TestSweepOnPut(t *testing.T) {
	t.Parallel()
	c := New(on(Options{TTL: time.Minute}))
	clk := withClock(c)
	c.Put("s", "old", text("v"))
	clk.advance(time.Hour)
	c.Put("s", "new", text("v"))
	if c.Len() != 1 {
		t.Errorf("Len = %d: the expired entry was not swept", c.Len())
	}
}

func TestSizeBound(t *testing.T) {
	t.Parallel()
	c := New(on(Options{MaxEntries: 3}))
	for _, k := range []string{"a", "b", "c"} {
		c.Put("s", k, text(k))
	}
	c.Get("a") // a is now the most recently used; b the least
	c.Put("s", "d", text("d"))
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok := c.Get(k); ok != want {
			t.Errorf("Get(%s) = %v, want %v", k, ok, want)
		}
	}
	// Evicted entries leave the server index too.
	c.InvalidateServer("s")
	if c.Len() != 0 || len(c.byServer) != 0 {
		t.Errorf("after invalidation: Len %d, index %v", c.Len(), c.byServer)
	}
}

func TestResize(t *testing.T) {
	t.Parallel()
	c := New(on(Options{MaxEntries: 10}))
	for i := range 10 {
		c.Put("s", fmt.Sprint(i), text("v"))
	}
	c.SetOptions(on(Options{MaxEntries: 4}))
	if c.Len() != 4 {
		t.Fatalf("Len = %d, want 4", c.Len())
	}
	for i := 6; i < 10; i++ {
		if _, ok := c.Get(fmt.Sprint(i)); !ok {
			t.Errorf("recent entry %d dropped by the resize", i)
		}
	}
	c.mu.Lock()
	n := len(c.byServer["s"])
	c.mu.Unlock()
	if n != 4 {
		t.Errorf("index holds %d keys, want 4", n)
	}
}

func TestWriteInvalidation(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	args := json.RawMessage(`{}`)
	ga := Key("github", "list_issues", "dev", args)
	gb := Key("github", "get_issue", "admin", args)
	fa := Key("fs", "list_files", "dev", args)
	c.Put("github", ga, text("1"))
	c.Put("github", gb, text("2"))
	c.Put("fs", fa, text("3"))

	// The gateway calls this for github/create_issue (not read-only).
	c.InvalidateServer("github")
	for _, k := range []string{ga, gb} {
		if _, ok := c.Get(k); ok {
			t.Error("github entry survived a write to github")
		}
	}
	if _, ok := c.Get(fa); !ok {
		t.Error("fs entry dropped by a write to github")
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d, want 1", c.Len())
	}
}

// TestInFlightReadAfterWrite: a read that started before a write must not
// store its (possibly stale) answer.
func TestInFlightReadAfterWrite(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	gen := c.Generation()   // read starts
	c.InvalidateServer("a") // a write to the same server completes
	if c.PutIfCurrent("a", "k", gen, text("stale")) {
		t.Error("stored a read that overlapped a write")
	}
	if !c.PutIfCurrent("b", "k2", gen, text("fresh")) {
		t.Error("a write to server a blocked a store for server b")
	}
	gen = c.Generation()
	c.Clear()
	if c.PutIfCurrent("b", "k3", gen, text("stale")) {
		t.Error("stored a read that overlapped a Clear")
	}
	gen = c.Generation()
	if !c.PutIfCurrent("a", "k", gen, text("fresh")) {
		t.Error("a read that started after the write was not stored")
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	args := json.RawMessage(`{"q":"secret"}`)
	admin := Key("github", "search_code", "admin", args)
	dev := Key("github", "search_code", "developer", args)
	none := Key("github", "search_code", "", args)
	if admin == dev || admin == none || dev == none {
		t.Fatal("tenants share a key")
	}
	c.Put("github", admin, text("admin-only"))
	for _, k := range []string{dev, none} {
		if _, ok := c.Get(k); ok {
			t.Error("another tenant hit the admin's entry")
		}
	}
}

func TestErrorResultsNotCached(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	bad := text("boom")
	bad.IsError = true
	c.Put("s", "k", bad)
	if _, ok := c.Get("k"); ok {
		t.Error("isError result cached")
	}
	var input mcp.CallToolResult
	if err := json.Unmarshal([]byte(`{"content":[],"resultType":"input_required","inputRequests":{}}`), &input); err != nil {
		t.Fatal(err)
	}
	if !input.NeedsInput() {
		t.Fatal("fixture does not need input")
	}
	c.Put("s", "k2", &input)
	c.Put("s", "k3", nil)
	if c.Len() != 0 || c.Counts().Stores != 0 {
		t.Errorf("stored %d entries", c.Len())
	}
}

func TestMaxEntryBytes(t *testing.T) {
	t.Parallel()
	c := New(on(Options{MaxEntryBytes: 100}))
	c.Put("s", "big", text(string(make([]byte, 200))))
	c.Put("s", "small", text("x"))
	if _, ok := c.Get("big"); ok {
		t.Error("oversized result cached")
	}
	if _, ok := c.Get("small"); !ok {
		t.Error("small result not cached")
	}
}

func TestCopyIsolation(t *testing.T) {
	t.Parallel()
	c := New(on(Options{}))
	res := text("original")
	res.StructuredContent = map[string]any{"k": "original"}
	c.Put("s", "k", res)

	// The caller keeps using its result after Put.
	res.Content[0].(*mcp.TextContent).Text = "mutated"
	res.StructuredContent.(map[string]any)["k"] = "mutated"

	a, _ := c.Get("k")
	if textOf(t, a) != "original" || a.StructuredContent.(map[string]any)["k"] != "original" {
		t.Fatalf("Put kept the caller's value: %+v", a)
	}
	// One reader mutating its copy does not reach the next.
	a.Content[0].(*mcp.TextContent).Text = "mutated"
	a.StructuredContent.(map[string]any)["k"] = "mutated"
	b, _ := c.Get("k")
	if textOf(t, b) != "original" || b.StructuredContent.(map[string]any)["k"] != "original" {
		t.Fatalf("Get shared its value: %+v", b)
	}
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	c.Put("s", "k", text("v"))
	if _, ok := c.Get("k"); ok || c.Len() != 0 {
		t.Error("a disabled cache stored a result")
	}
	if c.Cacheable("list_x", nil) {
		t.Error("Cacheable while disabled")
	}
	c.SetOptions(on(Options{}))
	c.Put("s", "k", text("v"))
	if c.Len() != 1 {
		t.Fatal("enabling did not take effect")
	}
	c.SetOptions(Options{})
	if c.Len() != 0 {
		t.Error("disabling did not clear")
	}
}

func TestPatternChangeClears(t *testing.T) {
	t.Parallel()
	c := New(on(Options{Patterns: []string{"expensive_*"}}))
	c.Put("s", "k", text("v"))
	if !c.Cacheable("expensive_report", nil) {
		t.Error("pattern not applied")
	}
	c.SetOptions(on(Options{}))
	if c.Len() != 0 {
		t.Error("pattern change kept entries")
	}
	if c.Cacheable("expensive_report", nil) {
		t.Error("old pattern still applied")
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := New(on(Options{MaxEntries: 50}))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			server := fmt.Sprint("s", g%3)
			for i := range 300 {
				k := Key(server, "get_x", "t", json.RawMessage(fmt.Sprintf(`{"i":%d}`, i%70)))
				if r, ok := c.Get(k); ok {
					r.Content[0].(*mcp.TextContent).Text = "scribble"
				} else {
					c.PutIfCurrent(server, k, c.Generation(), text("v"))
				}
				switch i % 97 {
				case 0:
					c.InvalidateServer(server)
				case 50:
					c.SetOptions(on(Options{MaxEntries: 40 + g}))
				}
			}
		})
	}
	wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	indexed := 0
	for _, keys := range c.byServer {
		indexed += len(keys)
	}
	if indexed != c.lru.Len() {
		t.Errorf("index holds %d keys, LRU %d", indexed, c.lru.Len())
	}
}
