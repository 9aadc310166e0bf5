package gateway

import (
	"encoding/json"
	"time"

	"github.com/mcplex/mcplex/core/cache"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func cacheOptions(c config.Cache) cache.Options {
	return cache.Options{Enabled: c.Enabled, TTL: time.Duration(c.TTLSeconds) * time.Second, MaxEntries: c.MaxEntries, Patterns: c.Patterns}
}

// tenant scopes cache entries: callers with different roles (or keys
// without a role) never share cached results.
func tenant(c *Caller) string {
	if c.Role != "" {
		return "role:" + c.Role
	}
	return "id:" + c.ID
}

// cacheSlot is what one call needs from the cache after the upstream
// answered: whether the cache is on, whether the tool is read-only, the key
// and the generation seen before the call. The generation guards against
// storing a result that a concurrent write to the same server made stale.
type cacheSlot struct {
	enabled, readOnly bool
	key               string
	gen               uint64
}

// cacheLookup answers a read-only call from the cache, or returns the slot
// to fill once the upstream answered. The caller was already authorized; a
// hit is still audited and counted, marked cached.
func (g *Gateway) cacheLookup(c *Caller, t *catalog.Tool, args json.RawMessage) (*mcp.CallToolResult, cacheSlot, bool) {
	if !g.cache.Enabled() {
		return nil, cacheSlot{}, false
	}
	slot := cacheSlot{enabled: true, readOnly: g.cache.Cacheable(t.Original, t.Exposed.Annotations)}
	if !slot.readOnly {
		return nil, slot, false
	}
	start := time.Now()
	slot.key, slot.gen = cache.Key(t.Server, t.Original, tenant(c), args), g.cache.Generation()
	res, ok := g.cache.Get(slot.key)
	if !ok {
		g.metrics.CacheMiss()
		return nil, slot, false
	}
	g.metrics.CacheHit()
	g.recordCall(c, t, args, start, res, nil, true)
	return res, slot, true
}

// cacheStore keeps a read-only result, or, after any other tool ran,
// drops every cached result of its server (it may have changed state).
func (g *Gateway) cacheStore(t *catalog.Tool, slot cacheSlot, res *mcp.CallToolResult) {
	switch {
	case !slot.enabled:
	case !slot.readOnly:
		g.cache.InvalidateServer(t.Server)
	default:
		g.cache.PutIfCurrent(t.Server, slot.key, slot.gen, res)
	}
}
