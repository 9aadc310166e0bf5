package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/cache"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/metrics"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/rank"
	"github.com/mcplex/mcplex/core/upstream"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configure a Gateway. Nil fields get defaults.
type Options struct {
	Logger  *slog.Logger
	Version string
	Events  *events.Bus
	// Dial, if set, replaces how upstream transports are made (tests).
	Dial upstream.Dialer
}

// Gateway aggregates the upstreams of its config behind one MCP server.
type Gateway struct {
	log       *slog.Logger
	opts      Options
	bus       *events.Bus
	server    *mcp.Server
	flights   *inflight
	drain     drainer // MCP requests in progress (stdio and HTTP)
	httpDrain drainer // HTTP POSTs until their response is written
	savings   savingsCache
	metrics   *metrics.Metrics
	cache     *cache.Cache
	guard     *guard // tool pins; nil when they cannot be kept

	cfg        atomic.Pointer[config.Config]
	pol        atomic.Pointer[policy.Engine]
	stdioKey   atomic.Pointer[string] // the key the stdio client acts with, if any
	audit      atomic.Pointer[audit.Logger]
	owners     sessionOwners
	limits     limiters
	toolLimits toolLimits
	catalog    atomic.Pointer[catalog.Catalog]

	rankMu sync.Mutex  // guards ranker, created on first use
	ranker *rank.Index // nil until a query needs it: its word vectors cost memory

	reloadMu sync.Mutex // serializes Reload
	started  time.Time  // when Start ran; set before any request is served

	mu                                    sync.Mutex // guards pool lifecycle and the fields below
	pool                                  *upstream.Pool
	stopPool                              context.CancelFunc
	closing                               bool // Close has begun: no more list_changed
	lastTools, lastPrompts, lastResources string
	toggles                               map[string]bool

	mrtr mrtrCalls // calls of 2026-07-28 clients waiting for their next round

	dropMu   sync.Mutex
	dropSeen uint64 // bus drops already counted in metrics

	subMu sync.Mutex
	subs  map[string]int // resource URI -> downstream subscriptions
}

// New builds a gateway for cfg. It starts no upstream until Start or Run;
// it opens the audit log when the config enables it.
func New(cfg *config.Config, opts *Options) (*Gateway, error) {
	g := &Gateway{flights: newInflight(), toggles: map[string]bool{}, subs: map[string]int{}}
	if opts != nil {
		g.opts = *opts
	}
	g.log = g.opts.Logger
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.opts.Version == "" {
		g.opts.Version = "dev"
	}
	g.bus = g.opts.Events
	if g.bus == nil {
		g.bus = events.New(256)
	}
	pol, err := policy.New(cfg)
	if err != nil {
		return nil, err
	}
	g.pol.Store(pol)
	if err := g.openAudit(cfg); err != nil {
		return nil, err
	}
	if g.guard, err = newGuard(PinsPath(cfg)); err != nil {
		return nil, err
	}
	g.metrics = metrics.New()
	g.cache = cache.New(cacheOptions(cfg.Cache))
	g.cfg.Store(cfg)
	g.catalog.Store(catalog.Build(nil, cfg.Gateway.ToolNameSeparator))
	g.server = g.newServer()
	return g, nil
}

// index returns the tool ranker, building it from the catalog on first use.
func (g *Gateway) index() *rank.Index {
	g.rankMu.Lock()
	defer g.rankMu.Unlock()
	if g.ranker == nil {
		g.ranker = rank.New(rank.Options{Strategy: g.Config().Router.Strategy})
		syncIndex(g.ranker, nil, g.Catalog())
	}
	return g.ranker
}

// syncRanker updates an existing ranker with the servers that changed.
// With [router] cache_embeddings = false the index is dropped instead and
// rebuilt from scratch on the next query.
func (g *Gateway) syncRanker(old, cur *catalog.Catalog) {
	g.rankMu.Lock()
	defer g.rankMu.Unlock()
	switch {
	case g.ranker == nil:
	case !g.Config().Router.CacheEmbeddings:
		g.ranker = nil
	default:
		syncIndex(g.ranker, old, cur)
	}
}

// Events returns the gateway's event bus.
func (g *Gateway) Events() *events.Bus { return g.bus }

// Config returns the running config.
func (g *Gateway) Config() *config.Config { return g.cfg.Load() }

// Catalog returns the current merged catalog.
func (g *Gateway) Catalog() *catalog.Catalog { return g.catalog.Load() }

// MCPServer returns the front MCP server (for in-memory transports in tests).
func (g *Gateway) MCPServer() *mcp.Server { return g.server }

// Start launches every upstream in the background and returns at once.
// Upstreams live until Close.
func (g *Gateway) Start() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pool != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.stopPool = cancel
	g.started = time.Now()
	g.pool = upstream.NewPool(ctx, upstream.Options{Hooks: g.hooks(), Logger: g.log, Dial: g.opts.Dial})
	g.pool.Apply(g.cfg.Load().Servers)
}

// Close stops every upstream and its child process. It is idempotent.
func (g *Gateway) Close() {
	g.mu.Lock()
	pool, cancel := g.pool, g.stopPool
	g.closing = true // upstreams stopping now must not trigger list_changed
	g.mu.Unlock()
	if pool == nil {
		return
	}
	pool.Close()
	cancel()
	if l := g.audit.Swap(nil); l != nil {
		_ = l.Close()
	}
}

func (g *Gateway) upstream(name string) (*upstream.Upstream, bool) {
	g.mu.Lock()
	pool := g.pool
	g.mu.Unlock()
	if pool == nil {
		return nil, false
	}
	return pool.Get(name)
}

// Servers returns a status snapshot of every upstream.
func (g *Gateway) Servers() []upstream.Status {
	g.mu.Lock()
	pool := g.pool
	g.mu.Unlock()
	if pool == nil {
		return nil
	}
	return pool.Statuses()
}

// rebuild merges the upstream catalogs and tells downstream sessions about
// what changed.
func (g *Gateway) rebuild() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pool == nil || g.closing {
		return
	}
	cat := catalog.Build(g.review(g.pool.Catalogs()), g.cfg.Load().Gateway.ToolNameSeparator)
	g.syncRanker(g.catalog.Swap(cat), cat)
	tools, prompts, resources := digests(cat)
	if tools != g.lastTools {
		g.lastTools = tools
		g.toggle("tools")
	}
	if prompts != g.lastPrompts {
		g.lastPrompts = prompts
		g.toggle("prompts")
	}
	if resources != g.lastResources {
		g.lastResources = resources
		g.toggle("resources")
	}
}

// toggle makes the SDK server send a list_changed notification of one kind.
// The SDK sends them (batched) when its registry changes; the gateway answers
// list requests itself, so it flips a hidden sentinel entry that no client
// ever sees. Called with g.mu held.
func (g *Gateway) toggle(kind string) {
	on := !g.toggles[kind]
	g.toggles[kind] = on
	const name = "mcplex-internal-revision"
	switch {
	case kind == "tools" && on:
		g.server.AddTool(&mcp.Tool{Name: name, InputSchema: json.RawMessage(`{"type":"object"}`)}, nil)
	case kind == "tools":
		g.server.RemoveTools(name)
	case kind == "prompts" && on:
		g.server.AddPrompt(&mcp.Prompt{Name: name}, nil)
	case kind == "prompts":
		g.server.RemovePrompts(name)
	case kind == "resources" && on:
		g.server.AddResource(&mcp.Resource{URI: "mcplex-internal://revision", Name: name}, nil)
	case kind == "resources":
		g.server.RemoveResources("mcplex-internal://revision")
	}
}

func digests(c *catalog.Catalog) (tools, prompts, resources string) {
	h := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	var ts []string
	for _, t := range c.Tools {
		ts = append(ts, catalog.Digest(t.Exposed))
	}
	return h(ts), h(c.Prompts), h([]any{c.Resources, c.Templates})
}

// firstListWait bounds how long a list request waits for servers that are
// still starting for the first time (see awaitStartup).
const firstListWait = 5 * time.Second

// awaitStartup lets a list request made right after the gateway started
// (a stdio client spawning MCPlex lists tools at once) see the servers that
// are about to be ready, instead of an empty catalog. It waits at most
// firstListWait, and only while some server is in its first start.
func (g *Gateway) awaitStartup(ctx context.Context) {
	if time.Since(g.started) > firstListWait {
		return
	}
	ctx, cancel := context.WithDeadline(ctx, g.started.Add(firstListWait))
	defer cancel()
	_ = g.WaitReady(ctx, firstListWait)
}

// WaitReady waits until no upstream is still starting, or timeout. It
// reports the servers that are not ready.
func (g *Gateway) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		var pending, down []string
		for _, s := range g.Servers() {
			switch s.State {
			case upstream.StateReady:
			case upstream.StateStarting, upstream.StateRestarting:
				pending = append(pending, s.Name)
			default:
				down = append(down, s.Name+": "+s.Error)
			}
		}
		if len(pending) == 0 {
			// A server's state turns ready just before its catalog is merged
			// (the state-change hook does that); merge now so a caller that
			// waited sees the tools.
			g.rebuild()
			if len(down) > 0 {
				return fmt.Errorf("servers not ready: %s", strings.Join(down, "; "))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("servers still starting: %s", strings.Join(pending, ", "))
		case <-tick.C:
		}
	}
}
