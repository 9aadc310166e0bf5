package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape serves m.Handler over HTTP, as /api/metrics will, and parses the
// Prometheus text answer.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/api/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q, want text/plain", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the scrape: %v", err)
	}
	return fams
}

// value returns the value of the sample of family name whose labels
// include want ("k=v" pairs); it fails when there is not exactly one.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	t.Helper()
	ms := find(fams, name, want...)
	if len(ms) != 1 {
		t.Fatalf("%s%v: %d samples, want 1", name, want, len(ms))
	}
	switch m := ms[0]; {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("%s%v is neither counter nor gauge", name, want)
	return 0
}

func find(fams map[string]*dto.MetricFamily, name string, want ...string) []*dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	var out []*dto.Metric
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		ok := true
		for _, kv := range want {
			k, v, _ := strings.Cut(kv, "=")
			if have[k] != v {
				ok = false
			}
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

func sum(fams map[string]*dto.MetricFamily, name string) float64 {
	var s float64
	for _, m := range find(fams, name) {
		s += m.GetCounter().GetValue()
	}
	return s
}

func TestScrape(t *testing.T) {
	t.Parallel()
	m := New()
	for range 3 {
		m.Request("tools/call")
	}
	m.Request("tools/list")
	m.Request("x/made-up") // counted as other
	m.ToolCall("github", "list_issues", 3*time.Millisecond, OutcomeOK, false)
	m.ToolCall("github", "list_issues", 20*time.Millisecond, OutcomeOK, false)
	m.ToolCall("github", "list_issues", 700*time.Millisecond, OutcomeToolError, false)
	m.ToolCall("github", "list_issues", time.Millisecond, OutcomeOK, true) // cached: no duration
	m.ToolCall("fs", "write_file", 2*time.Second, OutcomeError, false)
	m.Error("parse")
	m.Blocked("policy")
	m.Blocked("policy")
	m.RateLimited()
	m.AuthFailed()
	m.CacheHit()
	m.CacheHit()
	m.CacheMiss()
	m.TokensSaved(1500)
	m.TokensSaved(-3) // ignored
	m.EventsDropped(4)
	m.SetUpstreamState("github", "ready")
	m.SetUpstreamState("fs", "restarting")
	m.SetUpstreamState("old", "ready")
	m.RemoveUpstream("old")

	fams := scrape(t, m)

	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"mcplex_requests_total", []string{"method=tools/call"}, 3},
		{"mcplex_requests_total", []string{"method=tools/list"}, 1},
		{"mcplex_requests_total", []string{"method=other"}, 1},
		{"mcplex_tool_calls_total", []string{"server=github", "tool=list_issues", "outcome=ok", "cached=false"}, 2},
		{"mcplex_tool_calls_total", []string{"server=github", "tool=list_issues", "outcome=ok", "cached=true"}, 1},
		{"mcplex_tool_calls_total", []string{"server=github", "tool=list_issues", "outcome=tool_error", "cached=false"}, 1},
		{"mcplex_tool_calls_total", []string{"server=fs", "tool=write_file", "outcome=error", "cached=false"}, 1},
		{"mcplex_errors_total", []string{"kind=tool_error"}, 1},
		{"mcplex_errors_total", []string{"kind=error"}, 1},
		{"mcplex_errors_total", []string{"kind=parse"}, 1},
		{"mcplex_blocked_total", []string{"kind=policy"}, 2},
		{"mcplex_rate_limited_total", nil, 1},
		{"mcplex_auth_failures_total", nil, 1},
		{"mcplex_cache_hits_total", nil, 2},
		{"mcplex_cache_misses_total", nil, 1},
		{"mcplex_tokens_saved_total", nil, 1500},
		{"mcplex_events_dropped_total", nil, 4},
		{"mcplex_upstream_state", []string{"server=github", "state=ready"}, 1},
		{"mcplex_upstream_state", []string{"server=github", "state=failed"}, 0},
		{"mcplex_upstream_state", []string{"server=fs", "state=restarting"}, 1},
		{"mcplex_upstream_state", []string{"server=fs", "state=ready"}, 0},
		{"mcplex_upstream_up", []string{"server=github"}, 1},
		{"mcplex_upstream_up", []string{"server=fs"}, 0},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The seed's unlabelled numbers are the sums.
	for name, want := range map[string]float64{
		"mcplex_requests_total":   5,
		"mcplex_tool_calls_total": 5,
		"mcplex_errors_total":     3,
	} {
		if got := sum(fams, name); got != want {
			t.Errorf("sum(%s) = %v, want %v", name, got, want)
		}
	}
	if ms := find(fams, "mcplex_upstream_state", "server=old"); len(ms) != 0 {
		t.Errorf("removed server still has %d mcplex_upstream_state series", len(ms))
	}
	if fams["go_goroutines"] == nil {
		t.Errorf("the Go collector is missing")
	}
}

func TestScrapeHistogram(t *testing.T) {
	t.Parallel()
	m := New()
	durations := []time.Duration{
		200 * time.Microsecond, // <= 0.0005
		3 * time.Millisecond,   // <= 0.005
		20 * time.Millisecond,  // <= 0.025
		700 * time.Millisecond, // <= 1
		2 * time.Second,        // <= 2.5
		90 * time.Second,       // +Inf only
	}
	for _, d := range durations {
		m.ToolCall("github", "list_issues", d, OutcomeOK, false)
	}
	m.ToolCall("github", "list_issues", time.Hour, OutcomeOK, true) // cached: not observed

	fams := scrape(t, m)
	f := fams["mcplex_tool_call_duration_seconds"]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("mcplex_tool_call_duration_seconds missing or not a histogram: %v", f)
	}
	ms := find(fams, "mcplex_tool_call_duration_seconds", "server=github", "tool=list_issues")
	if len(ms) != 1 {
		t.Fatalf("%d histogram series, want 1", len(ms))
	}
	h := ms[0].GetHistogram()
	if h.GetSampleCount() != uint64(len(durations)) {
		t.Errorf("sample count = %d, want %d", h.GetSampleCount(), len(durations))
	}
	var wantSum float64
	for _, d := range durations {
		wantSum += d.Seconds()
	}
	if diff := h.GetSampleSum() - wantSum; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("sample sum = %v, want %v", h.GetSampleSum(), wantSum)
	}
	// Cumulative counts at each upper bound.
	want := map[float64]uint64{
		0.0005: 1, 0.001: 1, 0.0025: 1, 0.005: 2, 0.01: 2, 0.025: 3, 0.05: 3,
		0.1: 3, 0.25: 3, 0.5: 3, 1: 4, 2.5: 5, 5: 5, 10: 5, 30: 5, 60: 5,
		math.Inf(1): 6, // the text format's +Inf bucket equals the count
	}
	var bounds []float64
	for _, b := range h.GetBucket() {
		ub := b.GetUpperBound()
		bounds = append(bounds, ub)
		if w, ok := want[ub]; !ok {
			t.Errorf("unexpected bucket le=%v", ub)
		} else if b.GetCumulativeCount() != w {
			t.Errorf("bucket le=%v: %d, want %d", ub, b.GetCumulativeCount(), w)
		}
	}
	if !sort.Float64sAreSorted(bounds) || len(bounds) != len(DurationBuckets)+1 {
		t.Errorf("buckets %v, want %v", bounds, DurationBuckets)
	}
}

// TestRegistriesIndependent: two Metrics in one process share nothing.
func TestRegistriesIndependent(t *testing.T) {
	t.Parallel()
	a, b := New(), New()
	a.Request("ping")
	a.ToolCall("s", "get_x", time.Millisecond, OutcomeOK, false)
	fb := scrape(t, b)
	if got := value(t, fb, "mcplex_requests_total", "method=ping"); got != 0 {
		t.Errorf("b counts a's request: %v", got)
	}
	if ms := find(fb, "mcplex_tool_calls_total"); len(ms) != 0 {
		t.Errorf("b has a's tool series: %d", len(ms))
	}
}

func TestToolCardinalityCap(t *testing.T) {
	t.Parallel()
	m := New()
	m.tools.max = 3
	for i := range 10 {
		m.ToolCall("s", fmt.Sprintf("tool_%d", i), time.Millisecond, OutcomeOK, false)
	}
	fams := scrape(t, m)
	names := map[string]bool{}
	for _, s := range find(fams, "mcplex_tool_calls_total", "outcome=ok", "cached=false") {
		for _, l := range s.Label {
			if l.GetName() == "tool" {
				names[l.GetValue()] = true
			}
		}
	}
	if len(names) != 4 || !names[Other] {
		t.Errorf("tool label values %v, want 3 tools + other", names)
	}
	if got := value(t, fams, "mcplex_tool_calls_total", "server=other", "tool=other", "outcome=ok", "cached=false"); got != 7 {
		t.Errorf("other = %v, want 7", got)
	}
	if got := len(find(fams, "mcplex_tool_call_duration_seconds")); got != 4 {
		t.Errorf("%d histogram series, want 4", got)
	}
	st := m.Snapshot()
	if len(st.Tools) != 4 || st.Tools[3].Tool != Other || st.Tools[3].Count != 7 {
		t.Errorf("snapshot tools = %+v, want 3 tools then other with 7 calls", st.Tools)
	}
}

func TestToolFilter(t *testing.T) {
	t.Parallel()
	m := New()
	m.ToolCall("s", "gone", time.Millisecond, OutcomeOK, false)
	m.ToolCall("s", "kept", time.Millisecond, OutcomeOK, false)
	catalog := map[string]bool{"s/kept": true}
	m.SetToolFilter(func(server, tool string) bool { return catalog[server+"/"+tool] })
	m.ToolCall("s", "unknown", time.Millisecond, OutcomeOK, false)
	m.ToolCall("s", "kept", time.Millisecond, OutcomeOK, false)

	fams := scrape(t, m)
	if ms := find(fams, "mcplex_tool_calls_total", "tool=gone"); len(ms) != 0 {
		t.Errorf("filtered-out tool still has %d series", len(ms))
	}
	if ms := find(fams, "mcplex_tool_call_duration_seconds", "tool=gone"); len(ms) != 0 {
		t.Errorf("filtered-out tool still has a histogram")
	}
	if got := value(t, fams, "mcplex_tool_calls_total", "tool=kept", "outcome=ok", "cached=false"); got != 2 {
		t.Errorf("kept = %v, want 2", got)
	}
	if got := value(t, fams, "mcplex_tool_calls_total", "tool=other", "outcome=ok", "cached=false"); got != 1 {
		t.Errorf("other = %v, want 1", got)
	}
}

func TestKindCap(t *testing.T) {
	t.Parallel()
	m := New()
	for i := range maxKinds + 5 {
		m.Blocked(fmt.Sprintf("k%d", i))
	}
	m.Blocked("\xff") // invalid UTF-8 must not panic
	fams := scrape(t, m)
	if got := len(find(fams, "mcplex_blocked_total")); got != maxKinds+1 {
		t.Errorf("%d blocked series, want %d (+other)", got, maxKinds+1)
	}
	if got := value(t, fams, "mcplex_blocked_total", "kind=other"); got != 6 {
		t.Errorf("other = %v, want 6", got)
	}
}

func TestInvalidUTF8ToolNames(t *testing.T) {
	t.Parallel()
	m := New()
	m.ToolCall("s\xff", "t\xfe", time.Millisecond, OutcomeOK, false)
	m.SetUpstreamState("s\xff", "ready")
	_ = scrape(t, m) // parses
}
