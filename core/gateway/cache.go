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

// cachedCall answers a read-only call from the cache. The caller was
// already authorized; the hit is still audited and counted, marked cached.
func (g *Gateway) cachedCall(c *Caller, t *catalog.Tool, args json.RawMessage) (*mcp.CallToolResult, bool) {
	if !g.cache.Enabled() || !g.cache.Cacheable(t.Original, t.Exposed.Annotations) {
		return nil, false
	}
	start := time.Now()
	res, ok := g.cache.Get(cache.Key(t.Server, t.Original, tenant(c), args))
	if !ok {
		g.metrics.CacheMiss()
		return nil, false
	}
	g.metrics.CacheHit()
	g.recordCall(c, t, args, start, res, nil, true)
	return res, true
}

// cacheLookupKey prepares storing the result of a read-only call. The
// generation guards against storing a result that a concurrent write to
// the same server made stale.
func (g *Gateway) cacheLookupKey(c *Caller, t *catalog.Tool, args json.RawMessage) (key string, gen uint64, cacheable bool) {
	if !g.cache.Enabled() {
		return "", 0, false
	}
	if !g.cache.Cacheable(t.Original, t.Exposed.Annotations) {
		return "", 0, false
	}
	return cache.Key(t.Server, t.Original, tenant(c), args), g.cache.Generation(), true
}

// cacheStore keeps a read-only result, or, after any other tool ran,
// drops every cached result of its server (it may have changed state).
func (g *Gateway) cacheStore(t *catalog.Tool, key string, gen uint64, cacheable bool, res *mcp.CallToolResult) {
	if !g.cache.Enabled() {
		return
	}
	if !cacheable {
		g.cache.InvalidateServer(t.Server)
		return
	}
	g.cache.PutIfCurrent(t.Server, key, gen, res)
}
