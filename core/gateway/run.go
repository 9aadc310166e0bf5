package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/agentlens"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Run starts the upstreams, serves HTTP on the configured listen address
// until ctx ends, then shuts down gracefully. ready, if non-nil, receives the
// bound address once the listener is up.
func (g *Gateway) Run(ctx context.Context, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", g.Config().Gateway.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", g.Config().Gateway.Listen, err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return g.Serve(ctx, ln)
}

// Serve starts the upstreams and serves HTTP on ln until ctx ends. On the
// way out it refuses new requests, lets in-flight ones finish for up to the
// shutdown grace period, closes every connection and stops every child.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	g.Start()
	defer g.Close()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	g.watch(watchCtx)
	g.startSidecars(watchCtx)
	srv := &http.Server{
		Handler:           g.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	g.shutdown(srv)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (g *Gateway) shutdown(srv *http.Server) {
	grace := time.Duration(g.Config().Gateway.ShutdownGraceSeconds) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// Refuse new requests and wait for the ones in flight first, with the
	// listener still open: clients keep their streams (a closed listener
	// makes some clients abandon the whole session, in-flight calls
	// included). Then end the sessions, so their streams finish cleanly,
	// let the last responses flush, and close everything.
	g.httpDrain.wait(ctx)
	g.drain.wait(ctx)
	g.closeSessions(ctx)
	flush, cancelFlush := context.WithTimeout(ctx, 2*time.Second)
	defer cancelFlush()
	_ = srv.Shutdown(flush)
	_ = srv.Close()
}

// closeSessions closes every downstream session, waiting at most until ctx ends.
func (g *Gateway) closeSessions(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for ss := range g.server.Sessions() {
			wg.Go(func() { _ = ss.Close() })
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// ServeStdio serves the gateway over stdin/stdout until ctx ends or the
// client closes stdin.
func (g *Gateway) ServeStdio(ctx context.Context, t mcp.Transport) error {
	g.Start()
	defer g.Close()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	g.watch(watchCtx)
	if t == nil {
		t = &mcp.StdioTransport{}
	}
	err := g.server.Run(ctx, t)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// startSidecars starts the dashboard listener and the AgentLens bridge
// when configured; both stop with ctx.
func (g *Gateway) startSidecars(ctx context.Context) {
	cfg := g.Config()
	if cfg.Gateway.Dashboard != "" {
		go g.serveDashboard(ctx, cfg.Gateway.Dashboard)
	}
	if cfg.AgentLens.Enabled && cfg.AgentLens.URL != "" {
		agentlens.Start(ctx, g.bus, agentlens.Options{URL: cfg.AgentLens.URL, SessionName: cfg.AgentLens.SessionName, Logger: g.log})
	}
}
