package metrics

import (
	"cmp"
	"slices"
	"time"
)

// Stats is a point-in-time copy of the counters, for /api/stats and the
// desktop windows. Counters count since [New].
type Stats struct {
	Time          time.Time `json:"time"`
	Started       time.Time `json:"started"`
	Requests      uint64    `json:"requests"`
	ToolCalls     uint64    `json:"tool_calls"`
	Errors        uint64    `json:"errors"`
	CacheHits     uint64    `json:"cache_hits"`
	CacheMisses   uint64    `json:"cache_misses"`
	CacheHitRate  float64   `json:"cache_hit_rate"` // hits / (hits + misses), 0..1; 0 before any lookup
	TokensSaved   uint64    `json:"tokens_saved"`
	Blocked       uint64    `json:"blocked"`
	RateLimited   uint64    `json:"rate_limited"`
	AuthFailures  uint64    `json:"auth_failures"`
	EventsDropped uint64    `json:"events_dropped"`

	// Upstreams maps each server to its last reported state.
	Upstreams map[string]string `json:"upstreams"`
	// Tools has one entry per server/tool pair seen, sorted by server then
	// tool; the "other"/"other" entry, if any, is last.
	Tools []ToolStats `json:"tools"`
	// Series covers the last 10 minutes in 5-second steps, oldest first.
	Series []Point `json:"series"`
}

// ToolStats is one tool's share of [Stats]. Count, Errors and Cached count
// every call since [New]; AvgMs averages every upstream (non-cached) call;
// the percentiles are exact (nearest-rank) over the last Window upstream
// calls, at most 1,024.
type ToolStats struct {
	Server   string    `json:"server"`
	Tool     string    `json:"tool"`
	Count    uint64    `json:"count"`
	Errors   uint64    `json:"errors"`
	Cached   uint64    `json:"cached"`
	AvgMs    float64   `json:"avg_ms"`
	P50Ms    float64   `json:"p50_ms"`
	P95Ms    float64   `json:"p95_ms"`
	P99Ms    float64   `json:"p99_ms"`
	Window   int       `json:"window"`
	LastCall time.Time `json:"last_call"`
}

// Snapshot copies the current counters. It costs a sort of up to 1,024
// values per tool, so call it per refresh, not per request.
func (m *Metrics) Snapshot() Stats {
	now := time.Now()
	t := &m.totals
	s := Stats{
		Time:          now,
		Started:       m.start,
		Requests:      t.requests.Load(),
		ToolCalls:     t.toolCalls.Load(),
		Errors:        t.errors.Load(),
		CacheHits:     t.cacheHits.Load(),
		CacheMisses:   t.cacheMisses.Load(),
		TokensSaved:   t.tokens.Load(),
		Blocked:       t.blocked.Load(),
		RateLimited:   t.rateLimited.Load(),
		AuthFailures:  t.authFailed.Load(),
		EventsDropped: t.dropped.Load(),
		Upstreams:     m.ups.snapshot(),
		Series:        m.series.points(now),
	}
	if n := s.CacheHits + s.CacheMisses; n > 0 {
		s.CacheHitRate = float64(s.CacheHits) / float64(n)
	}
	named, other := m.tools.all()
	s.Tools = make([]ToolStats, 0, len(named)+1)
	for _, ts := range named {
		s.Tools = append(s.Tools, ts.stats())
	}
	slices.SortFunc(s.Tools, func(a, b ToolStats) int {
		return cmp.Or(cmp.Compare(a.Server, b.Server), cmp.Compare(a.Tool, b.Tool))
	})
	if other != nil {
		s.Tools = append(s.Tools, other.stats())
	}
	return s
}
