package gateway

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/gobwas/glob"
	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/catalog"
	"golang.org/x/time/rate"
)

// toolLimits enforces [gateway] tool_rate_limits: per client and per
// pattern, every matching pattern must allow the call.
type toolLimits struct {
	mu      sync.Mutex
	config  map[string]int
	rules   []toolRule
	buckets map[string]*rate.Limiter // client + "\x00" + pattern
}

type toolRule struct {
	pattern string
	g       glob.Glob
	rps     int
}

// allow reports whether client may call tool id now, else how long to wait.
func (l *toolLimits) allow(cfg map[string]int, client, id string) (bool, time.Duration, string) {
	if len(cfg) == 0 {
		return true, 0, ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !maps.Equal(cfg, l.config) {
		l.compile(cfg)
	}
	now := time.Now()
	for _, r := range l.rules {
		if !r.g.Match(id) {
			continue
		}
		key := client + "\x00" + r.pattern
		b := l.buckets[key]
		if b == nil {
			b = rate.NewLimiter(rate.Limit(r.rps), 2*r.rps)
			l.buckets[key] = b
		}
		res := b.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			return false, d, r.pattern
		}
	}
	return true, 0, ""
}

// compile rebuilds the rules (config validation rejected bad patterns).
func (l *toolLimits) compile(cfg map[string]int) {
	l.config = maps.Clone(cfg)
	l.rules = nil
	l.buckets = map[string]*rate.Limiter{}
	for _, p := range slices.Sorted(maps.Keys(cfg)) {
		if g, err := glob.Compile(p, '/'); err == nil {
			l.rules = append(l.rules, toolRule{pattern: p, g: g, rps: cfg[p]})
		}
	}
}

// limitTool applies the per-tool rate limits to a call, after authorization.
// A refusal is a JSON-RPC error (the HTTP status is already sent on a
// streaming response), audited and counted like the per-client limit.
func (g *Gateway) limitTool(c *Caller, t *catalog.Tool) error {
	client := c.ID
	if client == "" {
		client = "anonymous"
	}
	ok, wait, pattern := g.toolLimits.allow(g.Config().Gateway.ToolRateLimits, client, t.ID)
	if ok {
		return nil
	}
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	g.metricsRateLimited()
	g.auditLog(audit.Event{Event: audit.RateLimited, ToolName: t.ID, ServerName: t.Server, Identity: describe(c.Identity),
		Role: c.Role, Outcome: audit.OutcomeDenied, TraceID: c.TraceID, Reason: "tool_rate_limits " + pattern})
	return unavailable(fmt.Errorf("rate limited: %s allows %d calls per second; retry after %ds", pattern, g.Config().Gateway.ToolRateLimits[pattern], secs))
}
