package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Summary describes c in a few lines for "mcplex check": listen addresses,
// router settings, servers with their transport, roles and the number of
// API keys. It never shows keys, environment values, command arguments or
// URL credentials and queries, which may hold secrets.
func (c *Config) Summary() string {
	var b strings.Builder
	if c.Path != "" {
		fmt.Fprintf(&b, "config %s\n", c.Path)
	}
	g := c.Gateway
	fmt.Fprintf(&b, "gateway %q: listen %s, dashboard %s, hot reload %s\n",
		g.Name, g.Listen, orOff(g.Dashboard), onOff(g.HotReload))
	r := c.Router
	fmt.Fprintf(&b, "router: mode %s, strategy %s, top_k %d, threshold %v\n",
		r.Mode, r.Strategy, r.TopK, r.SimilarityThreshold)
	audit := "off"
	if c.Security.EnableAuditLog {
		audit = c.Security.AuditLogPath
	}
	fmt.Fprintf(&b, "security: rbac %s, audit log %s\n", onOff(c.Security.EnableRBAC), audit)
	if c.Cache.Enabled {
		fmt.Fprintf(&b, "cache: on, ttl %ds, %d entries\n", c.Cache.TTLSeconds, c.Cache.MaxEntries)
	} else {
		b.WriteString("cache: off\n")
	}
	c.summarizeServers(&b)
	roles := sortedKeys(c.Roles)
	fmt.Fprintf(&b, "roles (%d): %s\n", len(roles), orNone(strings.Join(roles, ", ")))
	fmt.Fprintf(&b, "api keys: %d, gateway api_key %s\n", len(c.APIKeys), setOrNot(g.APIKey != ""))
	return b.String()
}

func (c *Config) summarizeServers(b *strings.Builder) {
	fmt.Fprintf(b, "servers (%d):\n", len(c.Servers))
	width := 0
	for _, s := range c.Servers {
		width = max(width, len(s.Name))
	}
	for _, s := range c.Servers {
		transport, target := "stdio", s.Command
		if !s.IsStdio() {
			transport, target = "http ", safeURL(s.URL)
		}
		state := ""
		if !s.IsEnabled() {
			state = " (disabled)"
		}
		fmt.Fprintf(b, "  %-*s  %s  %s%s\n", width, s.Name, transport, target, state)
	}
}

// safeURL drops credentials, query and fragment.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func setOrNot(b bool) string {
	if b {
		return "set"
	}
	return "not set"
}
