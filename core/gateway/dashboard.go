package gateway

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/mcplex/mcplex/core/metrics"
)

//go:embed web
var webFS embed.FS

// Stats is the JSON snapshot served at /api/stats and used by the GUI.
type Stats struct {
	Health  Health        `json:"health"`
	Metrics metrics.Stats `json:"metrics"`
	Tokens  *TokenStats   `json:"tokens,omitempty"`
}

// Stats returns a snapshot of the gateway: health, metrics with per-tool
// percentiles, and the token savings of the current catalog.
func (g *Gateway) Stats() Stats {
	g.syncDropped()
	st := Stats{Health: g.Health(), Metrics: g.metrics.Snapshot()}
	if ts, ok := g.cachedTokenStats(); ok {
		st.Tokens = &ts
	}
	return st
}

// DashboardHandler serves the dashboard page and its API: /api/stats,
// /api/metrics (Prometheus text) and /api/events (Server-Sent Events). It
// uses the same Host/Origin checks and API keys as /mcp.
func (g *Gateway) DashboardHandler() http.Handler {
	mux := http.NewServeMux()
	page, _ := fs.Sub(webFS, "web")
	mux.Handle("GET /", http.FileServerFS(page))
	mux.HandleFunc("GET /api/stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(g.Stats())
	})
	mux.Handle("GET /api/metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.syncDropped()
		g.metrics.Handler().ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /api/events", g.serveEvents)
	mux.HandleFunc("GET /health", g.serveHealth)
	return g.hostGuard(g.authGuard(mux))
}

// serveEvents streams the recent events, then live ones, as SSE. A slow
// reader loses events (counted by the bus); it never slows the gateway.
func (g *Gateway) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, cancel := g.bus.Subscribe(256)
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	for _, e := range g.bus.Recent() {
		writeSSE(w, e)
	}
	flusher.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-ch:
			if !ok {
				return
			}
			writeSSE(w, e)
			flusher.Flush()
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		}
	}
}

func writeSSE(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "data: %s\n\n", b)
}

// serveDashboard runs the dashboard listener until ctx ends.
func (g *Gateway) serveDashboard(ctx context.Context, addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		g.log.Error("dashboard disabled: cannot listen", "addr", addr, "error", err)
		return
	}
	g.log.Info("MCPlex dashboard listening", "url", "http://"+ln.Addr().String()+"/")
	srv := &http.Server{Handler: g.DashboardHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		g.log.Error("dashboard stopped", "error", err)
	}
}

// syncDropped moves the event bus's drop count into the metrics.
func (g *Gateway) syncDropped() {
	g.dropMu.Lock()
	defer g.dropMu.Unlock()
	if d := g.bus.Dropped(); d > g.dropSeen {
		g.metrics.EventsDropped(d - g.dropSeen)
		g.dropSeen = d
	}
}
