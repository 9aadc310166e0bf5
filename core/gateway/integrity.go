package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/integrity"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// PinsPath is where tool pins live: beside the config file ("" for a
// config that was not loaded from a file: nothing is pinned then).
func PinsPath(cfg *config.Config) string {
	if cfg.Path == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(cfg.Path), "mcplex.pins.json")
}

// guard pins every upstream tool definition at first sight, reports rug
// pulls and poisoned descriptions, and (tool_changes = "quarantine") hides
// changed tools until approved. The pins file is re-read when another
// process ("mcplex tools approve") changes it.
type guard struct {
	mu      sync.Mutex
	path    string
	store   *integrity.Store
	modTime time.Time
	scanned map[string]string // server/tool -> hash already scanned
}

func newGuard(path string) (*guard, error) {
	if path == "" {
		return nil, nil
	}
	st, err := integrity.Open(path)
	if err != nil {
		return nil, err
	}
	g := &guard{path: path, store: st, scanned: map[string]string{}}
	g.modTime = mtime(path)
	return g, nil
}

func mtime(path string) time.Time {
	if fi, err := os.Stat(path); err == nil {
		return fi.ModTime()
	}
	return time.Time{}
}

// refresh re-opens the pins file if someone else wrote it.
func (gd *guard) refresh() error {
	if m := mtime(gd.path); !m.Equal(gd.modTime) {
		st, err := integrity.Open(gd.path)
		if err != nil {
			return err
		}
		gd.store, gd.modTime = st, m
	}
	return nil
}

// review checks every server's tools against the pins, reports what changed
// or looks poisoned, and returns the catalogs with quarantined tools removed
// when quarantine is on.
func (g *Gateway) review(cats []*catalog.Server) []*catalog.Server {
	gd := g.guard
	if gd == nil {
		return cats
	}
	gd.mu.Lock()
	defer gd.mu.Unlock()
	if err := gd.refresh(); err != nil {
		g.log.Error("tool pins unreadable; pins not checked", "file", gd.path, "error", err)
		return cats
	}
	scanner := integrity.NewScanner(toolNamesByServer(cats))
	quarantine := g.Config().Security.ToolChanges == "quarantine"
	out := make([]*catalog.Server, 0, len(cats))
	for _, s := range cats {
		changes, err := gd.store.Check(s.Name, s.Tools)
		if err != nil {
			g.log.Error("saving tool pins", "file", gd.path, "error", err)
		}
		gd.modTime = mtime(gd.path)
		for _, ch := range changes {
			g.reportChange(ch, quarantine)
		}
		for _, t := range s.Tools {
			g.scanTool(gd, scanner, s.Name, t)
		}
		if quarantine {
			s = withoutQuarantined(gd.store, s)
		}
		out = append(out, s)
	}
	return out
}

func (g *Gateway) reportChange(ch integrity.Change, quarantine bool) {
	if ch.Kind != integrity.KindChanged || ch.Repeat {
		return
	}
	action := "warned (tool_changes = \"warn\")"
	if quarantine {
		action = "quarantined until `mcplex tools approve " + ch.Server + "/" + ch.Tool + "`"
	}
	msg := "tool definition changed since it was first seen; " + action
	g.log.Warn(msg, "server", ch.Server, "tool", ch.Tool, "old", ch.Old, "new", ch.New)
	g.bus.Publish(events.Event{Kind: events.Warning, Server: ch.Server, Tool: ch.Server + "/" + ch.Tool, Outcome: "tool_changed", Message: msg})
	g.auditLog(audit.Event{Event: audit.ToolChanged, ServerName: ch.Server, ToolName: ch.Server + "/" + ch.Tool,
		Outcome: "changed", Message: msg, Reason: "old=" + ch.Old + " new=" + ch.New})
}

func (g *Gateway) scanTool(gd *guard, sc *integrity.Scanner, server string, t *mcp.Tool) {
	id := server + "/" + t.Name
	h := integrity.Hash(t)
	if gd.scanned[id] == h {
		return
	}
	gd.scanned[id] = h
	findings := sc.Scan(server, t)
	if len(findings) == 0 {
		return
	}
	var parts []string
	for _, f := range findings {
		parts = append(parts, f.Kind+" in "+f.Field+": "+f.Detail)
	}
	msg := strings.Join(parts, "; ")
	g.log.Warn("tool description looks poisoned", "tool", id, "findings", msg)
	g.bus.Publish(events.Event{Kind: events.Warning, Server: server, Tool: id, Outcome: "tool_poisoning", Message: msg})
	g.auditLog(audit.Event{Event: audit.ToolPoisoning, ServerName: server, ToolName: id, Outcome: "warning", Message: msg})
}

func toolNamesByServer(cats []*catalog.Server) map[string][]string {
	out := map[string][]string{}
	for _, s := range cats {
		for _, t := range s.Tools {
			out[s.Name] = append(out[s.Name], t.Name)
		}
	}
	return out
}

func withoutQuarantined(st *integrity.Store, s *catalog.Server) *catalog.Server {
	cp := *s
	cp.Tools = nil
	for _, t := range s.Tools {
		if !st.Quarantined(s.Name, t.Name) {
			cp.Tools = append(cp.Tools, t)
		}
	}
	return &cp
}
