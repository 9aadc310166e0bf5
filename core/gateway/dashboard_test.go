package gateway

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/events"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestMetricsScrapeAfterRealCalls(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("echo")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil)
	for i := 0; i < 5; i++ {
		callText(t, cs, "echo", map[string]any{"text": "x"})
	}
	srv := httptest.NewServer(g.DashboardHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(name string) float64 {
		var total float64
		for _, m := range families[name].GetMetric() {
			total += m.GetCounter().GetValue()
		}
		return total
	}
	if got := sum("mcplex_tool_calls_total"); got != 5 {
		t.Errorf("mcplex_tool_calls_total = %v, want 5", got)
	}
	if got := sum("mcplex_requests_total"); got < 6 { // initialize + 5 calls (+ list)
		t.Errorf("mcplex_requests_total = %v", got)
	}
	for _, name := range []string{"mcplex_errors_total", "mcplex_tokens_saved_total"} {
		if families[name] == nil {
			t.Errorf("%s missing from the scrape", name)
		}
	}
	h := families["mcplex_tool_call_duration_seconds"]
	if h == nil || len(h.GetMetric()) == 0 {
		t.Fatal("no duration histogram")
	}
	hist := h.GetMetric()[0].GetHistogram()
	if hist.GetSampleCount() != 5 || len(hist.GetBucket()) < 5 {
		t.Errorf("histogram: %d samples, %d buckets", hist.GetSampleCount(), len(hist.GetBucket()))
	}
	last := hist.GetBucket()[len(hist.GetBucket())-1]
	if last.GetCumulativeCount() != 5 {
		t.Errorf("largest bucket holds %d of 5 calls", last.GetCumulativeCount())
	}

	var st Stats
	r2, err := http.Get(srv.URL + "/api/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	if err := json.NewDecoder(r2.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Metrics.ToolCalls != 5 || len(st.Metrics.Tools) != 1 || st.Metrics.Tools[0].Count != 5 || st.Metrics.Tools[0].P99Ms <= 0 {
		t.Errorf("stats: %+v", st.Metrics)
	}
	if len(st.Health.Servers) != 1 || st.Health.Servers[0].State != "ready" {
		t.Errorf("health in stats: %+v", st.Health)
	}
}

func TestEventsStreamDeliversCall(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("echo")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil)
	srv := httptest.NewServer(g.DashboardHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	got := make(chan events.Event, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e events.Event
				if json.Unmarshal([]byte(d), &e) == nil {
					got <- e
				}
			}
		}
	}()
	callText(t, cs, "echo", map[string]any{"text": "x"})
	called := time.Now()
	deadline := time.After(time.Second)
	for {
		select {
		case e := <-got:
			if e.Kind == events.ToolCall && e.Tool == "alpha/echo" {
				t.Logf("event delivered %s after the call returned", time.Since(called))
				return
			}
		case <-deadline:
			t.Fatal("no tool_call event within 1s")
		}
	}
}

func TestDashboardPageIsEmbeddedAndProtected(t *testing.T) {
	f := newSecureFixture(t, nil)
	_ = f
	a := newFake("alpha")
	g, _ := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	srv := httptest.NewServer(g.DashboardHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "MCPlex") || strings.Contains(string(body), "https://") {
		t.Errorf("page: %d, %d bytes (must not load anything from the network)", resp.StatusCode, len(body))
	}
	// With keys configured, the API needs a key.
	sec := httptest.NewServer(f.gw.DashboardHandler())
	defer sec.Close()
	for path, want := range map[string]int{"/api/stats": 401, "/api/events": 401, "/api/metrics": 401} {
		r, err := http.Get(sec.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("%s without key: %d", path, r.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, sec.URL+"/api/stats", nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Errorf("/api/stats with key: %d", r.StatusCode)
	}
}
