package metrics

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// window is how many recent upstream durations a tool keeps for its
// percentiles.
const window = 1024

type toolKey struct{ server, tool string }

// toolTable maps server/tool pairs to their stats, bounded by max and by
// the optional filter. Pairs that do not fit share the "other" entry.
type toolTable struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	max      int
	allow    atomic.Pointer[func(server, tool string) bool]

	mu    sync.RWMutex
	m     map[toolKey]*toolStats // guarded by mu
	other *toolStats             // guarded by mu; created on first use
}

func newToolTable(calls *prometheus.CounterVec, duration *prometheus.HistogramVec, max int) *toolTable {
	return &toolTable{calls: calls, duration: duration, max: max, m: map[toolKey]*toolStats{}}
}

// get returns the stats for server/tool, creating them if the pair is
// allowed and the table has room.
func (t *toolTable) get(server, tool string) *toolStats {
	k := toolKey{server, tool}
	t.mu.RLock()
	ts, full := t.m[k], len(t.m) >= t.max
	other := t.other
	t.mu.RUnlock()
	if ts != nil {
		return ts
	}
	ok := !full
	if f := t.allow.Load(); ok && f != nil {
		ok = (*f)(server, tool)
	}
	if !ok && other != nil {
		return other
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ts := t.m[k]; ts != nil {
		return ts
	}
	if !ok || len(t.m) >= t.max {
		if t.other == nil {
			t.other = t.newStats(Other, Other)
		}
		return t.other
	}
	ts = t.newStats(labelValue(server), labelValue(tool))
	t.m[k] = ts
	return ts
}

func (t *toolTable) newStats(server, tool string) *toolStats {
	ts := &toolStats{server: server, tool: tool, hist: t.duration.WithLabelValues(server, tool)}
	for o := range numOutcomes {
		ts.calls[o][0] = t.calls.WithLabelValues(server, tool, outcomeNames[o], "false")
		ts.calls[o][1] = t.calls.WithLabelValues(server, tool, outcomeNames[o], "true")
	}
	return ts
}

// setFilter installs allow and deletes the series of pairs it rejects.
func (t *toolTable) setFilter(allow func(server, tool string) bool) {
	if allow == nil {
		t.allow.Store(nil)
		return
	}
	t.allow.Store(&allow)
	t.mu.RLock()
	keys := make([]toolKey, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	t.mu.RUnlock()
	var drop []toolKey
	for _, k := range keys {
		if !allow(k.server, k.tool) {
			drop = append(drop, k)
		}
	}
	if len(drop) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range drop {
		ts := t.m[k]
		if ts == nil {
			continue
		}
		delete(t.m, k)
		labels := prometheus.Labels{"server": ts.server, "tool": ts.tool}
		t.calls.DeletePartialMatch(labels)
		t.duration.DeletePartialMatch(labels)
	}
}

// all returns the named entries and the "other" entry (nil if unused).
func (t *toolTable) all() (named []*toolStats, other *toolStats) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	named = make([]*toolStats, 0, len(t.m))
	for _, ts := range t.m {
		named = append(named, ts)
	}
	return named, t.other
}

// toolStats are one server/tool pair's series and recent durations.
type toolStats struct {
	server, tool string // label values
	calls        [numOutcomes][2]prometheus.Counter
	hist         prometheus.Observer

	mu     sync.Mutex
	count  uint64        // guarded by mu; all calls
	errors uint64        // guarded by mu; outcome != ok
	cached uint64        // guarded by mu
	timed  uint64        // guarded by mu; upstream calls behind sum
	sum    time.Duration // guarded by mu
	last   time.Time     // guarded by mu
	ring   []uint32      // guarded by mu; microseconds, grows to window
	next   int           // guarded by mu; ring's next write index once full
}

func (ts *toolStats) record(now time.Time, d time.Duration, outcome int, cached bool) {
	c := 0
	if cached {
		c = 1
	}
	ts.calls[outcome][c].Inc()
	if !cached {
		ts.hist.Observe(d.Seconds())
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.count++
	ts.last = now
	if outcome != outOK {
		ts.errors++
	}
	if cached {
		ts.cached++
		return
	}
	ts.timed++
	ts.sum += d
	us := micros(d)
	if len(ts.ring) < window {
		ts.ring = append(ts.ring, us)
		return
	}
	ts.ring[ts.next] = us
	ts.next = (ts.next + 1) % window
}

// micros converts d to whole microseconds, clamped to uint32.
func micros(d time.Duration) uint32 {
	us := d.Microseconds()
	switch {
	case us < 0:
		return 0
	case us > math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(us)
}

// stats copies the entry under its lock and computes the percentiles
// outside it.
func (ts *toolStats) stats() ToolStats {
	ts.mu.Lock()
	s := ToolStats{
		Server: ts.server, Tool: ts.tool,
		Count: ts.count, Errors: ts.errors, Cached: ts.cached,
		LastCall: ts.last,
	}
	if ts.timed > 0 {
		s.AvgMs = ms(ts.sum) / float64(ts.timed)
	}
	ring := slices.Clone(ts.ring)
	ts.mu.Unlock()

	slices.Sort(ring)
	s.Window = len(ring)
	s.P50Ms = usToMs(nearestRank(ring, 50))
	s.P95Ms = usToMs(nearestRank(ring, 95))
	s.P99Ms = usToMs(nearestRank(ring, 99))
	return s
}

// nearestRank returns the p-th percentile of sorted: the smallest value
// with at least p% of the values at or below it. 0 for no values.
func nearestRank(sorted []uint32, p int) uint32 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100 // ceil(p*n/100)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func usToMs(us uint32) float64 { return float64(us) / 1000 }
