package gateway

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/upstream"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var errShuttingDown = errors.New("the MCPlex gateway is shutting down")

// Handler returns the gateway's HTTP handler: /mcp (Streamable HTTP) and
// /health (unauthenticated status).
func (g *Gateway) Handler() http.Handler {
	cfg := g.Config()
	mcpHandler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return g.server }, &mcp.StreamableHTTPOptions{
		SessionTimeout:             time.Duration(cfg.Gateway.SessionIdleTimeoutSeconds) * time.Second,
		MaxRequestBodyBytes:        -1, // precheck enforces the live limit (413)
		Logger:                     sdkLogger(g.log),
		DisableLocalhostProtection: true, // hostGuard below is stricter and configurable
	})
	mux := http.NewServeMux()
	// Order matters: reject foreign Host/Origin, then unauthenticated
	// callers, before reading a body; a session belongs to its creator;
	// rate limits count per authenticated client.
	front := g.hostGuard(g.authGuard(g.sessionGuard(g.rateGuard(g.drainHTTP(g.precheck(mcpHandler))))))
	mux.Handle("/mcp", front)
	mux.Handle("/mcp/", front)
	mux.HandleFunc("/health", g.serveHealth)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { // the process is alive
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"alive"}` + "\n"))
	})
	mux.HandleFunc("/readyz", g.serveReady)
	return mux
}

// Health is the body of GET /health.
type Health struct {
	Status  string            `json:"status"` // ok, degraded, starting
	Name    string            `json:"name"`
	Version string            `json:"version"`
	Tools   int               `json:"tools"`
	Servers []upstream.Status `json:"servers"`
}

// Health summarizes the gateway and its upstreams.
func (g *Gateway) Health() Health {
	servers := g.Servers()
	h := Health{Status: "ok", Name: g.Config().Gateway.Name, Version: g.opts.Version, Tools: len(g.Catalog().Tools), Servers: servers}
	if h.Servers == nil {
		h.Servers = []upstream.Status{}
	}
	for _, s := range servers {
		switch s.State {
		case upstream.StateFailed, upstream.StateRestarting:
			h.Status = "degraded"
		case upstream.StateStarting:
			if h.Status == "ok" {
				h.Status = "starting"
			}
		}
	}
	return h
}

func (g *Gateway) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(g.Health())
}

// hostGuard rejects requests whose Host or Origin is not allowed (DNS
// rebinding and cross-site requests): 403 Forbidden.
func (g *Gateway) hostGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw := g.Config().Gateway // live: allowed_hosts may change on reload
		allowed := allowedHosts(gw.Listen, gw.AllowedHosts)
		if !hostAllowed(r.Host, allowed) {
			g.rejected(r, "host", "Host "+r.Host+" is not allowed")
			forbid(w, "Host "+r.Host+" is not allowed")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !originAllowed(o, allowed) {
			g.rejected(r, "origin", "Origin "+o+" is not allowed")
			forbid(w, "Origin "+o+" is not allowed")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func forbid(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"jsonrpc": "2.0", "id": nil,
		"error": map[string]any{"code": -32600, "message": "Forbidden: " + msg},
	})
}

// allowedHosts returns the lower-case host names (without port) accepted in
// Host and Origin: loopback names, the listen host, and configured extras.
func allowedHosts(listen string, extra []string) map[string]bool {
	m := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	if h, _, err := net.SplitHostPort(listen); err == nil && h != "" && h != "0.0.0.0" && h != "::" {
		m[strings.ToLower(h)] = true
	}
	for _, e := range extra {
		h := e
		if hh, _, err := net.SplitHostPort(e); err == nil {
			h = hh
		}
		m[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	return m
}

func hostAllowed(hostport string, allowed map[string]bool) bool {
	h := hostport
	if hh, port, err := net.SplitHostPort(hostport); err == nil {
		if !isPort(port) {
			return false
		}
		h = hh
	} else if strings.Contains(hostport, ":") && !strings.HasPrefix(hostport, "[") {
		return false // "a:b:c" without brackets, or a bad port
	}
	h = strings.Trim(h, "[]")
	return h != "" && allowed[h] // exact match: "localhost." and "LOCALHOST" are not allowed
}

func originAllowed(origin string, allowed map[string]bool) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Path != "" && u.Path != "/" {
		return false
	}
	return hostAllowed(u.Host, allowed)
}

func isPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// rejected audits a request refused before it reached the MCP server.
func (g *Gateway) rejected(r *http.Request, reason, msg string) {
	g.metrics.Blocked("request:" + reason)
	g.auditLog(audit.Event{Event: audit.RequestRejected, Outcome: audit.OutcomeDenied, Reason: reason,
		Message: msg, Remote: remoteHost(r), Identity: describe(identityOf(r)), TraceID: newTraceID()})
}

// serveReady answers 200 while the gateway accepts requests (config loaded,
// listener up) and 503 once shutdown has begun. Upstream health is in /health.
func (g *Gateway) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	g.httpDrain.mu.Lock()
	closing := g.httpDrain.closing
	g.httpDrain.mu.Unlock()
	if closing {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"shutting down"}` + "\n"))
		return
	}
	_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
}
