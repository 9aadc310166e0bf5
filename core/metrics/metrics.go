package metrics

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of a tool call, the values of the outcome label.
const (
	OutcomeOK        = "ok"
	OutcomeError     = "error"      // the call failed (transport, timeout, JSON-RPC error)
	OutcomeToolError = "tool_error" // the tool answered with isError: true
)

// Other is the label value that absorbs values beyond a cardinality bound.
const Other = "other"

// DurationBuckets are the bucket bounds of
// mcplex_tool_call_duration_seconds, in seconds.
var DurationBuckets = []float64{
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
}

const (
	maxKinds     = 32   // distinct kind values per metric
	defaultTools = 2000 // distinct server/tool pairs
)

// Metrics records the gateway's counters. Build it with [New]; the zero
// value is not usable. Safe for concurrent use.
type Metrics struct {
	reg   *prometheus.Registry
	start time.Time

	requests    *prometheus.CounterVec // {method}
	reqByMethod []prometheus.Counter   // index from methodIndex; last is Other
	toolCalls   *prometheus.CounterVec // {server, tool, outcome, cached}
	duration    *prometheus.HistogramVec
	errors      *kindSet
	blocked     *kindSet
	tokens      prometheus.Counter
	cacheHits   prometheus.Counter
	cacheMisses prometheus.Counter
	rateLimited prometheus.Counter
	authFailed  prometheus.Counter
	dropped     prometheus.Counter

	totals totals
	tools  *toolTable
	series series
	ups    *upstreams
}

// totals are the Snapshot's counters, kept beside Prometheus so a snapshot
// never has to gather the registry.
type totals struct {
	requests, toolCalls, errors, blocked atomic.Uint64
	cacheHits, cacheMisses, tokens       atomic.Uint64
	rateLimited, authFailed, dropped     atomic.Uint64
}

// New returns a Metrics with its own registry.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), start: time.Now()}
	m.requests = m.counterVec("mcplex_requests_total",
		"JSON-RPC requests and notifications received from clients, by method.", "method")
	m.reqByMethod = make([]prometheus.Counter, len(knownMethods)+1)
	for i, name := range knownMethods {
		m.reqByMethod[i] = m.requests.WithLabelValues(name)
	}
	m.reqByMethod[len(knownMethods)] = m.requests.WithLabelValues(Other)
	m.toolCalls = m.counterVec("mcplex_tool_calls_total",
		"Tool calls, by server, tool, outcome (ok, error, tool_error) and whether the response cache answered.",
		"server", "tool", "outcome", "cached")
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mcplex_tool_call_duration_seconds",
		Help:    "Duration of tool calls answered by the upstream server (cached calls excluded).",
		Buckets: DurationBuckets,
	}, []string{"server", "tool"})
	m.reg.MustRegister(m.duration)
	m.errors = newKindSet(m.counterVec("mcplex_errors_total",
		"Errors, by kind: failed tool calls (error, tool_error) and gateway errors.", "kind"), maxKinds)
	m.blocked = newKindSet(m.counterVec("mcplex_blocked_total",
		"Requests denied by policy, by kind.", "kind"), maxKinds)
	m.tokens = m.counter("mcplex_tokens_saved_total", "Tokens kept out of the client's context window.")
	m.cacheHits = m.counter("mcplex_cache_hits_total", "Tool calls answered from the response cache.")
	m.cacheMisses = m.counter("mcplex_cache_misses_total", "Cacheable tool calls the response cache could not answer.")
	m.rateLimited = m.counter("mcplex_rate_limited_total", "Requests rejected by a rate limit.")
	m.authFailed = m.counter("mcplex_auth_failures_total", "Requests with a missing or unknown API key.")
	m.dropped = m.counter("mcplex_events_dropped_total", "Events not delivered to a slow subscriber.")
	m.tools = newToolTable(m.toolCalls, m.duration, defaultTools)
	m.ups = newUpstreams(m.reg)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *Metrics) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	m.reg.MustRegister(c)
	return c
}

func (m *Metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.reg.MustRegister(c)
	return c
}

// Registry returns the registry behind [Metrics.Handler], for metrics the
// caller adds itself.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format (or OpenMetrics
// when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request counts one JSON-RPC request or notification from a client.
// Methods this package does not know are counted as "other".
func (m *Metrics) Request(method string) {
	m.reqByMethod[methodIndex(method)].Inc()
	m.totals.requests.Add(1)
}

// ToolCall records one tools/call: server and tool are the upstream's
// canonical names, d the time the upstream took (ignored when cached),
// outcome one of OutcomeOK, OutcomeError, OutcomeToolError (anything else
// counts as OutcomeError). A failed call is also counted in
// mcplex_errors_total{kind=outcome}.
func (m *Metrics) ToolCall(server, tool string, d time.Duration, outcome string, cached bool) {
	oi := outcomeIndex(outcome)
	now := time.Now()
	m.tools.get(server, tool).record(now, d, oi, cached)
	m.totals.toolCalls.Add(1)
	if oi != outOK {
		m.errors.inc(outcomeNames[oi])
		m.totals.errors.Add(1)
	}
	m.series.record(now, d, oi != outOK, !cached)
}

// Error counts a gateway error that is not a tool call's outcome (for
// example "parse", "internal", "upstream_unavailable"). Kinds are bounded.
func (m *Metrics) Error(kind string) {
	m.errors.inc(kind)
	m.totals.errors.Add(1)
}

// Blocked counts a request denied by policy; kind says why (for example
// "policy", "role", "server"). Kinds are bounded.
func (m *Metrics) Blocked(kind string) {
	m.blocked.inc(kind)
	m.totals.blocked.Add(1)
}

// RateLimited counts a request rejected by a rate limit.
func (m *Metrics) RateLimited() {
	m.rateLimited.Inc()
	m.totals.rateLimited.Add(1)
}

// AuthFailed counts a request with a missing or unknown API key.
func (m *Metrics) AuthFailed() {
	m.authFailed.Inc()
	m.totals.authFailed.Add(1)
}

// CacheHit counts a tool call answered from the response cache.
func (m *Metrics) CacheHit() {
	m.cacheHits.Inc()
	m.totals.cacheHits.Add(1)
}

// CacheMiss counts a cacheable tool call the cache could not answer.
func (m *Metrics) CacheMiss() {
	m.cacheMisses.Inc()
	m.totals.cacheMisses.Add(1)
}

// TokensSaved adds n tokens kept out of the client's context; n <= 0 is
// ignored.
func (m *Metrics) TokensSaved(n int) {
	if n <= 0 {
		return
	}
	m.tokens.Add(float64(n))
	m.totals.tokens.Add(uint64(n))
}

// EventsDropped adds n events lost by slow subscribers. n is a delta, not
// the bus's running total.
func (m *Metrics) EventsDropped(n uint64) {
	if n == 0 {
		return
	}
	m.dropped.Add(float64(n))
	m.totals.dropped.Add(n)
}

// SetToolFilter bounds the tool labels to the pairs allow accepts (for
// example: the tool is in the catalog); others are recorded as
// server="other", tool="other". Series of already seen pairs that allow
// rejects are deleted, so a reload that removes tools also removes their
// series. A nil allow accepts every pair (still capped at 2,000). allow must
// be cheap and safe for concurrent use; it runs once per new pair, never
// under a lock.
func (m *Metrics) SetToolFilter(allow func(server, tool string) bool) {
	m.tools.setFilter(allow)
}

// SetUpstreamState records server's current state (one of "starting",
// "ready", "restarting", "failed", "stopped"; anything else is "other").
// An empty state removes the server, like [Metrics.RemoveUpstream].
func (m *Metrics) SetUpstreamState(server, state string) {
	if state == "" {
		m.ups.remove(server)
		return
	}
	m.ups.set(server, state)
}

// RemoveUpstream deletes a removed server's upstream series.
func (m *Metrics) RemoveUpstream(server string) { m.ups.remove(server) }
