package metrics

import (
	"encoding/json"
	"math"
	"sync"
	"testing"
	"time"
)

func TestSnapshotPercentiles(t *testing.T) {
	t.Parallel()
	m := New()
	// 1..100 ms in a scrambled order: nearest-rank p50 = 50, p95 = 95, p99 = 99.
	for i := range 100 {
		ms := (i*37)%100 + 1
		m.ToolCall("github", "list_issues", time.Duration(ms)*time.Millisecond, OutcomeOK, false)
	}
	m.ToolCall("github", "list_issues", time.Hour, OutcomeToolError, true) // cached: not in the percentiles
	m.ToolCall("fs", "read_file", 5*time.Millisecond, OutcomeError, false)

	s := m.Snapshot()
	if len(s.Tools) != 2 {
		t.Fatalf("tools = %+v, want 2", s.Tools)
	}
	fs, gh := s.Tools[0], s.Tools[1] // sorted by server
	if gh.Server != "github" || gh.Tool != "list_issues" {
		t.Fatalf("order: %+v", s.Tools)
	}
	want := ToolStats{
		Server: "github", Tool: "list_issues", Count: 101, Errors: 1, Cached: 1,
		AvgMs: 50.5, P50Ms: 50, P95Ms: 95, P99Ms: 99, Window: 100, LastCall: gh.LastCall,
	}
	if gh != want {
		t.Errorf("github/list_issues\n got %+v\nwant %+v", gh, want)
	}
	if fs.Count != 1 || fs.Errors != 1 || fs.P50Ms != 5 || fs.P99Ms != 5 {
		t.Errorf("fs/read_file = %+v", fs)
	}
	if time.Since(gh.LastCall) > time.Minute {
		t.Errorf("last call %v", gh.LastCall)
	}
	if s.ToolCalls != 102 || s.Errors != 2 {
		t.Errorf("totals: calls %d errors %d, want 102, 2", s.ToolCalls, s.Errors)
	}
}

// TestSnapshotWindow: the percentiles cover the last 1,024 upstream calls.
func TestSnapshotWindow(t *testing.T) {
	t.Parallel()
	m := New()
	for range 2000 {
		m.ToolCall("s", "t", time.Second, OutcomeOK, false)
	}
	for range window {
		m.ToolCall("s", "t", 2*time.Millisecond, OutcomeOK, false)
	}
	ts := m.Snapshot().Tools[0]
	if ts.Window != window || ts.P99Ms != 2 || ts.P50Ms != 2 {
		t.Errorf("after the window turned over: %+v", ts)
	}
	if ts.Count != 2000+window {
		t.Errorf("count %d", ts.Count)
	}
}

func TestSnapshotTotals(t *testing.T) {
	t.Parallel()
	m := New()
	m.Request("initialize")
	m.Request("tools/call")
	m.CacheHit()
	m.CacheHit()
	m.CacheHit()
	m.CacheMiss()
	m.TokensSaved(42)
	m.Blocked("policy")
	m.RateLimited()
	m.AuthFailed()
	m.EventsDropped(7)
	m.Error("internal")
	m.SetUpstreamState("github", "ready")
	m.SetUpstreamState("fs", "weird")
	m.SetUpstreamState("gone", "ready")
	m.SetUpstreamState("gone", "")

	s := m.Snapshot()
	got := []uint64{s.Requests, s.CacheHits, s.CacheMisses, s.TokensSaved, s.Blocked, s.RateLimited, s.AuthFailures, s.EventsDropped, s.Errors}
	want := []uint64{2, 3, 1, 42, 1, 1, 1, 7, 1}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("totals = %v, want %v", got, want)
			break
		}
	}
	if s.CacheHitRate != 0.75 {
		t.Errorf("hit rate %v, want 0.75", s.CacheHitRate)
	}
	if len(s.Upstreams) != 2 || s.Upstreams["github"] != "ready" || s.Upstreams["fs"] != "weird" {
		t.Errorf("upstreams %v", s.Upstreams)
	}
	if len(s.Series) != SeriesLen {
		t.Errorf("series has %d points, want %d", len(s.Series), SeriesLen)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var round map[string]any
	if err := json.Unmarshal(b, &round); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"requests", "tool_calls", "errors", "cache_hit_rate", "tokens_saved", "blocked", "rate_limited", "tools", "series", "upstreams"} {
		if _, ok := round[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
}

func TestSeries(t *testing.T) {
	t.Parallel()
	var s series
	base := time.Unix(1_700_000_000, 0) // a multiple of 5 s
	// 10 calls in the step at base, one of them failed; durations 1..10 ms.
	for i := range 10 {
		s.record(base.Add(time.Duration(i)*100*time.Millisecond), time.Duration(i+1)*time.Millisecond, i == 0, true)
	}
	// A cached call counts as a call but adds no duration.
	s.record(base, time.Hour, false, false)
	// One call two steps later.
	s.record(base.Add(2*SeriesStep), 40*time.Millisecond, false, true)

	now := base.Add(2*SeriesStep + 2*time.Second)
	pts := s.points(now)
	last, first := pts[SeriesLen-1], pts[SeriesLen-3]
	if !first.Time.Equal(base) || !last.Time.Equal(base.Add(2*SeriesStep)) {
		t.Fatalf("times: %v, %v", first.Time, last.Time)
	}
	if first.CallsPerSec != 11.0/5 || first.ErrorsPerSec != 1.0/5 {
		t.Errorf("first step %+v", first)
	}
	if math.Abs(first.P95Ms-10) > 10*0.04 {
		t.Errorf("first step p95 %v, want 10 ±4%%", first.P95Ms)
	}
	if pts[SeriesLen-2].CallsPerSec != 0 {
		t.Errorf("empty step %+v", pts[SeriesLen-2])
	}
	if last.CallsPerSec != 0.5 { // 1 call in the 2 s elapsed of the current step
		t.Errorf("current step %+v", last)
	}
	// Ten minutes later the old steps have rolled out.
	later := s.points(now.Add(SeriesLen * SeriesStep))
	for _, p := range later {
		if p.CallsPerSec != 0 {
			t.Fatalf("stale point %+v", p)
		}
	}
}

func TestLogHistAccuracy(t *testing.T) {
	t.Parallel()
	for _, us := range []uint32{0, 1, 15, 16, 17, 31, 32, 100, 999, 12345, 1 << 20, 60_000_000, math.MaxUint32} {
		got := histValue(histIndex(us))
		if us < subBuckets && got != us {
			t.Errorf("%d -> %d, want exact", us, got)
		}
		if rel := math.Abs(float64(got)-float64(us)) / math.Max(float64(us), 1); rel > 1.0/subBuckets {
			t.Errorf("%d -> %d: error %.3f", us, got, rel)
		}
		if i := histIndex(us); i < 0 || i >= histBuckets {
			t.Errorf("%d -> index %d out of range", us, i)
		}
	}
}

func TestNearestRank(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   []uint32
		p    int
		want uint32
	}{
		{nil, 50, 0},
		{[]uint32{7}, 99, 7},
		{[]uint32{1, 2}, 50, 1},
		{[]uint32{1, 2}, 51, 2},
		{[]uint32{1, 2, 3, 4}, 95, 4},
	}
	for _, c := range cases {
		if got := nearestRank(c.in, c.p); got != c.want {
			t.Errorf("nearestRank(%v, %d) = %d, want %d", c.in, c.p, got, c.want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	t.Parallel()
	m := New()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				m.ToolCall("s", []string{"a", "b", "c"}[i%3], time.Duration(i)*time.Microsecond, OutcomeOK, i%5 == 0)
				m.Request("tools/call")
				m.Blocked([]string{"x", "y"}[g%2])
				if i%100 == 0 {
					_ = m.Snapshot()
					m.SetUpstreamState("s", "ready")
				}
			}
		})
	}
	wg.Wait()
	s := m.Snapshot()
	if s.ToolCalls != 4000 || s.Requests != 4000 || s.Blocked != 4000 {
		t.Errorf("totals %d %d %d", s.ToolCalls, s.Requests, s.Blocked)
	}
	var n uint64
	for _, ts := range s.Tools {
		n += ts.Count
	}
	if n != 4000 {
		t.Errorf("per-tool counts add up to %d", n)
	}
}

func BenchmarkToolCall(b *testing.B) {
	m := New()
	m.ToolCall("github", "list_issues", time.Millisecond, OutcomeOK, false)
	b.ReportAllocs()
	for b.Loop() {
		m.ToolCall("github", "list_issues", 3*time.Millisecond, OutcomeOK, false)
	}
}

func BenchmarkToolCallParallel(b *testing.B) {
	m := New()
	tools := []string{"list_issues", "get_issue", "search_code", "create_issue"}
	for _, tool := range tools {
		m.ToolCall("github", tool, time.Millisecond, OutcomeOK, false)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.ToolCall("github", tools[i%len(tools)], 3*time.Millisecond, OutcomeOK, false)
			i++
		}
	})
}

func BenchmarkRequest(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Request("tools/call")
	}
}

func BenchmarkSnapshot(b *testing.B) {
	m := New()
	for i := range 200 {
		for j := range window {
			m.ToolCall("s", string(rune('a'+i%26))+string(rune('a'+i/26)), time.Duration(j)*time.Microsecond, OutcomeOK, false)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Snapshot()
	}
}
