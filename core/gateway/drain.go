package gateway

import (
	"context"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// drainer counts requests in progress so shutdown can wait for them.
type drainer struct {
	mu      sync.Mutex
	active  int
	closing bool
	idle    chan struct{} // closed when active drops to zero while closing
}

func (d *drainer) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing {
		return false
	}
	d.active++
	return true
}

func (d *drainer) leave() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.active--
	if d.closing && d.active == 0 && d.idle != nil {
		close(d.idle)
		d.idle = nil
	}
}

// wait refuses new requests and waits until none is active or ctx ends.
func (d *drainer) wait(ctx context.Context) {
	d.mu.Lock()
	d.closing = true
	if d.active == 0 {
		d.mu.Unlock()
		return
	}
	idle := make(chan struct{})
	d.idle = idle
	d.mu.Unlock()
	select {
	case <-idle:
	case <-ctx.Done():
	}
}

// drainMiddleware counts every request; once shutdown has begun, new
// requests are refused with a clear error.
func (g *Gateway) drainMiddleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if !g.drain.enter() {
			return nil, unavailable(errShuttingDown)
		}
		defer g.drain.leave()
		return next(ctx, method, req)
	}
}

// drainHTTP counts POSTs until their response is written: the MCP-level
// count ends when a handler returns, before its result reaches the wire.
// Once shutdown begins, new POSTs get 503.
func (g *Gateway) drainHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if !g.httpDrain.enter() {
			rpcError(w, http.StatusServiceUnavailable, nil, codeUnavailable, errShuttingDown.Error())
			return
		}
		defer g.httpDrain.leave()
		next.ServeHTTP(w, r)
	})
}
