package upstream

import (
	"context"
	"log/slog"
	"reflect"
	"sync"

	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Dialer makes the transport of a server. Tests use it to connect upstreams
// over in-memory transports; nil means stdio for command, HTTP for url.
type Dialer func(s *config.Server) (mcp.Transport, error)

// Options configure a Pool. Every field may be nil.
type Options struct {
	Hooks  *Hooks
	Logger *slog.Logger
	Dial   Dialer
}

// Pool owns the upstreams of one gateway. It is safe for concurrent use.
type Pool struct {
	ctx   context.Context // lifetime of every upstream the pool starts
	hooks *Hooks
	log   *slog.Logger
	dial  Dialer

	mu     sync.Mutex
	order  []string
	byName map[string]*Upstream
	closed bool // set by Close; Apply then starts nothing
}

// NewPool returns an empty pool whose upstreams live until ctx ends or Close.
func NewPool(ctx context.Context, opts Options) *Pool {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pool{ctx: ctx, hooks: opts.Hooks, log: log, dial: opts.Dial, byName: map[string]*Upstream{}}
}

// Diff says what Apply changed.
type Diff struct {
	Added, Removed, Restarted, Unchanged []string
}

// Apply makes the running set match servers (disabled ones are stopped):
// new servers start, removed ones stop, changed ones restart, unchanged ones
// keep their session and process. Starting never blocks: servers come up in
// the background, in parallel. It waits for removed servers to stop. After
// Close it does nothing, so a reload racing with shutdown leaks no child.
func (p *Pool) Apply(servers []config.Server) Diff {
	var d Diff
	var stopping []*Upstream
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return d
	}
	next := map[string]*Upstream{}
	var order []string
	for _, s := range servers {
		if !s.IsEnabled() {
			continue
		}
		if _, dup := next[s.Name]; dup {
			// Validation rejects this; starting both would leak the first.
			p.log.Warn("server listed twice; ignoring the second", "server", s.Name)
			continue
		}
		old := p.byName[s.Name]
		switch {
		case old != nil && reflect.DeepEqual(old.cfg, normalized(s)):
			next[s.Name] = old
			d.Unchanged = append(d.Unchanged, s.Name)
		default:
			if old != nil {
				stopping = append(stopping, old)
				d.Restarted = append(d.Restarted, s.Name)
			} else {
				d.Added = append(d.Added, s.Name)
			}
			u := newUpstream(s, p.hooks, p.log)
			u.dial = p.dial
			u.start(p.ctx)
			next[s.Name] = u
		}
		order = append(order, s.Name)
	}
	for name, old := range p.byName {
		if next[name] == nil {
			stopping = append(stopping, old)
			d.Removed = append(d.Removed, name)
		}
	}
	p.byName, p.order = next, order
	p.mu.Unlock()
	stopAll(stopping)
	for _, n := range d.Removed {
		p.hooks.changed(n)
	}
	return d
}

// normalized applies the same defaults newUpstream applies, so an unchanged
// server compares equal.
func normalized(s config.Server) config.Server {
	if s.TimeoutSeconds <= 0 {
		s.TimeoutSeconds = int(defaultTimeout.Seconds())
	}
	return s
}

func stopAll(us []*Upstream) {
	var wg sync.WaitGroup
	for _, u := range us {
		wg.Go(u.stop)
	}
	wg.Wait()
}

// Get returns the running upstream with this name.
func (p *Pool) Get(name string) (*Upstream, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.byName[name]
	return u, ok
}

// All returns the running upstreams in config order.
func (p *Pool) All() []*Upstream {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Upstream, 0, len(p.order))
	for _, n := range p.order {
		out = append(out, p.byName[n])
	}
	return out
}

// Statuses returns a snapshot of every upstream, in config order.
func (p *Pool) Statuses() []Status {
	all := p.All()
	out := make([]Status, len(all))
	for i, u := range all {
		out[i] = u.Status()
	}
	return out
}

// Catalogs returns the last listed catalog of every upstream, in config order.
func (p *Pool) Catalogs() []*catalog.Server {
	all := p.All()
	out := make([]*catalog.Server, len(all))
	for i, u := range all {
		out[i] = u.catalog()
	}
	return out
}

// Close stops every upstream and waits for their processes to end, within
// about 2*stopGrace + killGrace + 1s (see closeSession).
func (p *Pool) Close() {
	p.mu.Lock()
	all := make([]*Upstream, 0, len(p.byName))
	for _, u := range p.byName {
		all = append(all, u)
	}
	p.byName, p.order, p.closed = map[string]*Upstream{}, nil, true
	p.mu.Unlock()
	stopAll(all)
}
