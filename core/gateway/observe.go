package gateway

import (
	"path/filepath"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/metrics"
	"github.com/mcplex/mcplex/core/policy"
)

// openAudit opens the audit log when cfg enables it.
func (g *Gateway) openAudit(cfg *config.Config) error {
	if !cfg.Security.EnableAuditLog {
		return nil
	}
	path := cfg.Security.AuditLogPath
	if !filepath.IsAbs(path) && cfg.Path != "" {
		path = filepath.Join(filepath.Dir(cfg.Path), path)
	}
	l, err := audit.Open(path, audit.Options{MaxSizeMB: cfg.Security.MaxLogSizeMB, Slog: g.log})
	if err != nil {
		return err
	}
	if old := g.audit.Swap(l); old != nil {
		_ = old.Close()
	}
	return nil
}

// auditLog writes one audit record. A failing audit log never fails the
// request (fail open), but it is logged loudly and counted.
func (g *Gateway) auditLog(e audit.Event) {
	l := g.audit.Load()
	if l == nil {
		return
	}
	if err := l.Log(e); err != nil {
		g.log.Error("audit log write failed", "error", err, "event", e.Event)
	}
}

func (g *Gateway) publishBlocked(c *Caller, t policy.Target, d policy.Decision) {
	g.bus.Publish(events.Event{Kind: events.ToolBlocked, Server: t.Server, Tool: t.Server + "/" + t.Name,
		Identity: describe(c.Identity), Outcome: "denied", Message: d.Rule})
}

func (g *Gateway) metricsAuthFailed()         { g.metrics.AuthFailed() }
func (g *Gateway) metricsRateLimited()        { g.metrics.RateLimited() }
func (g *Gateway) metricsBlocked(kind string) { g.metrics.Blocked(kind) }

func (g *Gateway) metricsToolCall(t *catalog.Tool, d time.Duration, outcome string, cached bool) {
	g.metrics.ToolCall(t.Server, t.Original, d, outcome, cached)
}

// Metrics returns the gateway's Prometheus collectors and snapshot source.
func (g *Gateway) Metrics() *metrics.Metrics { return g.metrics }
