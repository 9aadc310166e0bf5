package gateway

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/upstream"
)

// ReloadResult says what a reload changed.
type ReloadResult struct {
	upstream.Diff
	// RestartRequired lists settings that changed but only apply after a
	// restart (listen addresses, session timeout).
	RestartRequired []string
}

func (r ReloadResult) String() string {
	var parts []string
	add := func(label string, names []string) {
		if len(names) > 0 {
			parts = append(parts, label+" "+strings.Join(names, ", "))
		}
	}
	add("added", r.Added)
	add("removed", r.Removed)
	add("restarted", r.Restarted)
	add("restart required for", r.RestartRequired)
	if len(parts) == 0 {
		return "no server changes"
	}
	return strings.Join(parts, "; ")
}

// Reload applies cfg as one transaction: everything that can fail (the
// policy, the audit log) is built first, and only then is anything swapped.
// On error the running config stays in force, and the error is logged,
// published and audited. Unchanged upstreams keep their process; in-flight
// calls finish on the config they started with.
func (g *Gateway) Reload(cfg *config.Config) (ReloadResult, error) {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	old := g.Config()
	pol, err := policy.New(cfg)
	if err == nil && auditChanged(old, cfg) {
		err = g.openAudit(cfg)
	}
	if err != nil {
		g.reloadFailed(cfg, err)
		return ReloadResult{}, err
	}
	res := ReloadResult{RestartRequired: restartRequired(old, cfg)}
	g.pol.Store(pol)
	g.cfg.Store(cfg)
	g.cache.SetOptions(cacheOptions(cfg.Cache))
	g.cache.Clear() // roles, keys or servers may have changed
	if old.Router.Strategy != cfg.Router.Strategy {
		g.rankMu.Lock()
		g.ranker = nil // rebuilt with the new default strategy on next use
		g.rankMu.Unlock()
	}
	g.mu.Lock()
	pool := g.pool
	if old.Router.Mode != cfg.Router.Mode || !reflect.DeepEqual(old.Roles, cfg.Roles) || !reflect.DeepEqual(old.APIKeys, cfg.APIKeys) || old.Security.EnableRBAC != cfg.Security.EnableRBAC {
		g.toggle("tools") // what each client may see has changed
		g.toggle("prompts")
		g.toggle("resources")
	}
	g.mu.Unlock()
	if pool != nil {
		res.Diff = pool.Apply(cfg.Servers)
	}
	g.logCommands(cfg, append(append([]string(nil), res.Added...), res.Restarted...))
	g.rebuild()
	msg := res.String()
	g.log.Info("configuration reloaded", "file", cfg.Path, "changes", msg)
	g.bus.Publish(events.Event{Kind: events.ConfigReload, Outcome: "ok", Message: msg})
	g.auditLog(audit.Event{Event: audit.ConfigReloaded, Outcome: audit.OutcomeOK, Message: msg, Reason: cfg.Path})
	return res, nil
}

func (g *Gateway) reloadFailed(cfg *config.Config, err error) {
	path := g.Config().Path
	if cfg != nil && cfg.Path != "" {
		path = cfg.Path
	}
	g.log.Error("configuration not reloaded; the previous one keeps running", "file", path, "error", err)
	g.bus.Publish(events.Event{Kind: events.ConfigReload, Outcome: "error", Message: err.Error()})
	g.auditLog(audit.Event{Event: audit.ConfigReloaded, Outcome: audit.OutcomeError, Message: err.Error(), Reason: path})
}

func auditChanged(a, b *config.Config) bool {
	return a.Security.EnableAuditLog != b.Security.EnableAuditLog || a.Security.AuditLogPath != b.Security.AuditLogPath ||
		a.Security.MaxLogSizeMB != b.Security.MaxLogSizeMB || a.Security.AuditArguments != b.Security.AuditArguments
}

func restartRequired(a, b *config.Config) []string {
	var out []string
	if a.Gateway.Listen != b.Gateway.Listen {
		out = append(out, "gateway.listen")
	}
	if a.Gateway.Dashboard != b.Gateway.Dashboard {
		out = append(out, "gateway.dashboard")
	}
	if a.Gateway.SessionIdleTimeoutSeconds != b.Gateway.SessionIdleTimeoutSeconds {
		out = append(out, "gateway.session_idle_timeout_seconds")
	}
	if a.Gateway.ToolNameSeparator != b.Gateway.ToolNameSeparator {
		out = append(out, "gateway.tool_name_separator")
	}
	return out
}

// ReloadFile re-reads the running config's file (SIGHUP).
func (g *Gateway) ReloadFile() (ReloadResult, error) {
	path := g.Config().Path
	if path == "" {
		return ReloadResult{}, fmt.Errorf("the running config was not loaded from a file")
	}
	cfg, err := config.Load(path)
	if err != nil {
		g.reloadFailed(nil, err)
		return ReloadResult{}, err
	}
	return g.Reload(cfg)
}

// watch reloads the config file on every change while ctx lives, when
// [gateway] hot_reload is on.
func (g *Gateway) watch(ctx context.Context) {
	cfg := g.Config()
	if !cfg.Gateway.HotReload || cfg.Path == "" {
		return
	}
	err := config.Watch(ctx, cfg.Path, 300*time.Millisecond, func(c *config.Config, err error) {
		if err != nil {
			g.reloadFailed(nil, err)
			return
		}
		if !g.Config().Gateway.HotReload {
			return
		}
		_, _ = g.Reload(c)
	})
	if err != nil {
		g.log.Warn("hot reload disabled: cannot watch the config file", "file", cfg.Path, "error", err)
	}
}

// logCommands records, in full, every command a reload makes the gateway
// run: a config change that starts a process is a security event.
func (g *Gateway) logCommands(cfg *config.Config, names []string) {
	for _, name := range names {
		for _, s := range cfg.Servers {
			if s.Name != name || !s.IsStdio() {
				continue
			}
			argv := strconv.Quote(s.Command)
			for _, a := range s.Args {
				argv += " " + strconv.Quote(a)
			}
			g.log.Warn("reload starts a command", "server", name, "argv", argv)
			g.auditLog(audit.Event{Event: audit.ConfigReloaded, ServerName: name, Outcome: "command", Message: argv})
		}
	}
}
