package cache

import (
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Defaults for zero options (the seed's values).
const (
	DefaultTTL           = 300 * time.Second
	DefaultMaxEntries    = 1000
	DefaultMaxEntryBytes = 1 << 20
)

// Options configure a [Cache]; they mirror the [cache] section.
type Options struct {
	Enabled    bool
	TTL        time.Duration // <= 0: DefaultTTL
	MaxEntries int           // <= 0: DefaultMaxEntries
	Patterns   []string      // extra read-only tool name globs
	// MaxEntryBytes bounds one stored result (its JSON encoding), so that a
	// few huge answers cannot hold max_entries times their size.
	// <= 0: DefaultMaxEntryBytes.
	MaxEntryBytes int
}

func (o Options) normalized() Options {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxEntryBytes <= 0 {
		o.MaxEntryBytes = DefaultMaxEntryBytes
	}
	o.Patterns = slices.Clone(o.Patterns)
	return o
}

// entry is one stored result, kept as JSON so every Get decodes a fresh
// copy that no caller can share.
type entry struct {
	server string
	stored time.Time
	data   []byte
}

// Counts are the cache's counters since [New].
type Counts struct {
	Hits, Misses, Stores, Invalidations uint64
}

// Cache is a bounded, expiring store of tool results. Build it with [New].
// Safe for concurrent use.
type Cache struct {
	now func() time.Time // tests replace it

	hits, misses, stores, invalidations atomic.Uint64

	mu       sync.Mutex
	opts     Options                        // guarded by mu
	lru      *expirable.LRU[string, entry]  // guarded by mu; every call made with mu held
	byServer map[string]map[string]struct{} // guarded by mu; server -> keys
	seq      uint64                         // guarded by mu; bumped by every invalidation
	dropped  map[string]uint64              // guarded by mu; server -> seq of its last invalidation
	cleared  uint64                         // guarded by mu; seq of the last Clear
}

// New returns a cache configured by opts.
func New(opts Options) *Cache {
	c := &Cache{
		now:      time.Now,
		opts:     opts.normalized(),
		byServer: map[string]map[string]struct{}{},
		dropped:  map[string]uint64{},
	}
	// TTL 0: the library's expiry is off (see doc.go); Get checks age.
	c.lru = expirable.NewLRU[string, entry](c.opts.MaxEntries, c.evicted, 0)
	return c
}

// evicted keeps byServer in step with the LRU. The LRU calls it from
// methods the Cache calls with mu held.
func (c *Cache) evicted(key string, e entry) {
	keys := c.byServer[e.server]
	delete(keys, key)
	if len(keys) == 0 {
		delete(c.byServer, e.server)
	}
}

// Enabled reports whether the cache stores and returns results.
func (c *Cache) Enabled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opts.Enabled
}

// Cacheable reports whether calls to tool may be answered from the cache:
// the cache is enabled and [ReadOnly] holds with the current patterns.
func (c *Cache) Cacheable(tool string, ann *mcp.ToolAnnotations) bool {
	c.mu.Lock()
	enabled, patterns := c.opts.Enabled, c.opts.Patterns
	c.mu.Unlock()
	return enabled && ReadOnly(tool, ann, patterns)
}

// Get returns a copy of the result stored under key, if it is there and
// younger than the TTL. A disabled cache always misses and counts nothing.
func (c *Cache) Get(key string) (*mcp.CallToolResult, bool) {
	c.mu.Lock()
	if !c.opts.Enabled {
		c.mu.Unlock()
		return nil, false
	}
	e, ok := c.lru.Get(key)
	if ok && c.now().Sub(e.stored) >= c.opts.TTL {
		c.lru.Remove(key)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	res := new(mcp.CallToolResult)
	if err := json.Unmarshal(e.data, res); err != nil {
		// Cannot happen for data Put encoded; never serve a bad entry.
		c.mu.Lock()
		c.lru.Remove(key)
		c.mu.Unlock()
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return res, true
}

// Put stores a copy of res under key for server (the server passed to
// [Key]). It ignores results that must not be cached (see the package
// doc) and does nothing while the cache is disabled. Put does not check
// that the tool is read-only: that is the caller's [Cacheable] decision.
func (c *Cache) Put(server, key string, res *mcp.CallToolResult) {
	c.put(server, key, res, nil)
}

// Generation returns a stamp to pass to [Cache.PutIfCurrent]. Take it
// before calling the upstream.
func (c *Cache) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq
}

// PutIfCurrent is [Cache.Put], except that it stores nothing when server
// was invalidated, or the cache cleared, after gen was taken: the result
// may predate a write. It reports whether res was stored.
func (c *Cache) PutIfCurrent(server, key string, gen uint64, res *mcp.CallToolResult) bool {
	return c.put(server, key, res, &gen)
}

func (c *Cache) put(server, key string, res *mcp.CallToolResult, gen *uint64) bool {
	if res == nil || res.IsError || res.NeedsInput() {
		return false
	}
	data, err := json.Marshal(res)
	if err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.opts.Enabled || len(data) > c.opts.MaxEntryBytes {
		return false
	}
	if gen != nil && (c.dropped[server] > *gen || c.cleared > *gen) {
		return false
	}
	if old, ok := c.lru.Peek(key); ok && old.server != server {
		c.lru.Remove(key)
	}
	now := c.now()
	c.sweepLocked(now)
	c.lru.Add(key, entry{server: server, stored: now, data: data})
	keys := c.byServer[server]
	if keys == nil {
		keys = map[string]struct{}{}
		c.byServer[server] = keys
	}
	keys[key] = struct{}{}
	c.stores.Add(1)
	return true
}

// sweepLocked removes a few expired entries from the LRU end, so entries
// nobody reads again do not wait for eviction to free their memory.
func (c *Cache) sweepLocked(now time.Time) {
	for range 2 {
		key, e, ok := c.lru.GetOldest()
		if !ok || now.Sub(e.stored) < c.opts.TTL {
			return
		}
		c.lru.Remove(key)
	}
}

// InvalidateServer drops every entry of server, for every tenant.
func (c *Cache) InvalidateServer(server string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.dropped[server] = c.seq
	for key := range c.byServer[server] {
		c.lru.Remove(key) // evicted deletes it from byServer
	}
	delete(c.byServer, server)
	c.invalidations.Add(1)
}

// Clear drops every entry.
func (c *Cache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
}

func (c *Cache) clearLocked() {
	c.seq++
	c.cleared = c.seq
	c.lru.Purge()
	clear(c.byServer)
	clear(c.dropped) // cleared covers every older invalidation
	c.invalidations.Add(1)
}

// SetOptions applies a reloaded [cache] section. A smaller MaxEntries
// evicts the least recently used entries; a TTL change applies to stored
// entries too (age is checked on read). Disabling the cache or changing
// the patterns clears it.
func (c *Cache) SetOptions(opts Options) {
	opts = opts.normalized()
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.opts
	c.opts = opts
	if !opts.Enabled || !slices.Equal(old.Patterns, opts.Patterns) {
		c.clearLocked()
	}
	if opts.MaxEntries != old.MaxEntries {
		c.lru.Resize(opts.MaxEntries)
	}
}

// Len returns the number of stored entries, expired ones not yet removed
// included.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Counts returns the cache's counters.
func (c *Cache) Counts() Counts {
	return Counts{
		Hits:          c.hits.Load(),
		Misses:        c.misses.Load(),
		Stores:        c.stores.Load(),
		Invalidations: c.invalidations.Load(),
	}
}
