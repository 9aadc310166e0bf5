package gateway

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// flight is one downstream call in progress on an upstream.
type flight struct {
	id      uint64
	ctx     context.Context // the downstream request's context
	session *mcp.ServerSession
	server  string
	token   any       // the downstream progress token, if any
	upToken string    // the token sent upstream in its place
	mrtr    *mrtrCall // set when the client speaks 2026-07-28 (multi round trip)
}

// inflight tracks calls in progress so upstream notifications and requests
// reach the downstream session that caused them. Progress tokens are
// rewritten because many downstream sessions share one upstream session and
// may reuse the same token.
type inflight struct {
	mu       sync.Mutex
	next     uint64
	byToken  map[string]*flight
	byServer map[string]map[uint64]*flight
}

func newInflight() *inflight {
	return &inflight{byToken: map[string]*flight{}, byServer: map[string]map[uint64]*flight{}}
}

// add registers a call and returns it with a done function.
func (f *inflight) add(ctx context.Context, ss *mcp.ServerSession, server string, token any, mc *mrtrCall) (*flight, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	fl := &flight{id: f.next, ctx: ctx, session: ss, server: server, token: token, mrtr: mc}
	if token != nil {
		fl.upToken = fmt.Sprintf("mcplex-%d", fl.id)
		f.byToken[fl.upToken] = fl
	}
	if f.byServer[server] == nil {
		f.byServer[server] = map[uint64]*flight{}
	}
	f.byServer[server][fl.id] = fl
	return fl, func() {
		f.mu.Lock()
		delete(f.byServer[server], fl.id)
		f.mu.Unlock()
		if fl.upToken == "" {
			return
		}
		// The SDK dispatches notifications asynchronously, so progress sent
		// just before a result may be handled just after it: keep routing
		// the token for a moment.
		time.AfterFunc(lateProgress, func() {
			f.mu.Lock()
			delete(f.byToken, fl.upToken)
			f.mu.Unlock()
		})
	}
}

// lateProgress is how long a finished call's progress token still routes.
const lateProgress = 2 * time.Second

func (f *inflight) byUpToken(tok any) (*flight, bool) {
	s, ok := tok.(string)
	if !ok {
		return nil, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.byToken[s]
	return fl, ok
}

// latest returns the most recent call in flight on server whose session
// passes keep.
func (f *inflight) latest(server string, keep func(*mcp.ServerSession) bool) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var best *flight
	for _, fl := range f.byServer[server] {
		if fl.session == nil || (keep != nil && !keep(fl.session)) {
			continue
		}
		if best == nil || fl.id > best.id {
			best = fl
		}
	}
	return best, best != nil
}

// sessions returns one flight per distinct session with calls on server.
func (f *inflight) sessions(server string) []*flight {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[*mcp.ServerSession]*flight{}
	for _, fl := range f.byServer[server] {
		if fl.session == nil {
			continue
		}
		if cur, ok := seen[fl.session]; !ok || fl.id > cur.id {
			seen[fl.session] = fl
		}
	}
	out := make([]*flight, 0, len(seen))
	for _, fl := range seen {
		out = append(out, fl)
	}
	return out
}
