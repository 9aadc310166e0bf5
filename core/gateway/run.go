package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

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
// way out it stops accepting, lets in-flight requests finish for up to the
// shutdown grace period, closes every session and stops every child.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	g.Start()
	defer g.Close()
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
	// Stop accepting connections, then wait for in-flight MCP requests.
	// Shutdown itself would wait for idle SSE streams, so it runs with the
	// drain and is cut short by Close once requests are done.
	go func() { _ = srv.Shutdown(ctx) }()
	g.drain.wait(ctx)
	_ = srv.Close()
}

// ServeStdio serves the gateway over stdin/stdout until ctx ends or the
// client closes stdin.
func (g *Gateway) ServeStdio(ctx context.Context, t mcp.Transport) error {
	g.Start()
	defer g.Close()
	if t == nil {
		t = &mcp.StdioTransport{}
	}
	err := g.server.Run(ctx, t)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
