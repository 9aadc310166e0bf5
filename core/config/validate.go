package config

import (
	"encoding/hex"
	"maps"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gobwas/glob"
)

// Validate checks the values of c: the same checks Parse runs after
// decoding, minus unknown keys and ${VAR} expansion, which need the file.
// Use it after changing a loaded config in memory (command-line overrides,
// GUI edits). The returned errors carry key paths but no file or line.
func (c *Config) Validate() error {
	p := &problems{}
	validate(c, p, nil)
	return p.err()
}

// validate records every invalid value in c. rawKey maps expanded API keys
// back to the table names written in the file (for positions); it may be nil.
func validate(c *Config, p *problems, rawKey map[string]string) {
	validateGateway(&c.Gateway, c.hasAPIKeys(), p)
	validateRouter(&c.Router, p)
	validateSecurity(&c.Security, p)
	validateCache(&c.Cache, p)
	// Role references are checked once roles are in use: with RBAC on, an
	// undefined role grants nothing, and with roles defined a name that
	// matches none is a typo. With neither, a role is only a label (the
	// seed's [api_keys] example names roles it does not define).
	roles := c.Roles
	if !c.Security.EnableRBAC && len(roles) == 0 {
		roles = nil
	} else if roles == nil {
		roles = map[string]Role{}
	}
	validateServers(c.Servers, c.Gateway.ToolNameSeparator, roles, p)
	validateRoles(c.Roles, p)
	validateAPIKeys(c.APIKeys, roles, rawKey, p)
	if a := c.AgentLens; a.Enabled || a.URL != "" {
		checkURL(p, "agentlens.url", a.URL)
	}
}

func (c *Config) hasAPIKeys() bool { return c.Gateway.APIKey != "" || len(c.APIKeys) > 0 }

func validateGateway(g *Gateway, hasKeys bool, p *problems) {
	if checkAddr(p, "gateway.listen", g.Listen) && !hasKeys && !g.AllowUnauthenticatedRemote && !isLoopback(g.Listen) {
		p.addf("gateway.listen", "%q is not a loopback address: set gateway.api_key or [api_keys], "+
			"or allow_unauthenticated_remote = true", g.Listen)
	}
	if g.Dashboard != "" {
		checkAddr(p, "gateway.dashboard", g.Dashboard)
	}
	nonEmpty(p, "gateway.name", g.Name)
	nonEmpty(p, "gateway.tool_name_separator", g.ToolNameSeparator)
	checkKeyForm(p, "gateway.api_key", g.APIKey)
	atLeast(p, "gateway.rate_limit_rps", int64(g.RateLimitRPS), 0)
	patterns := slices.Sorted(maps.Keys(g.ToolRateLimits))
	for _, pat := range patterns {
		key := "gateway.tool_rate_limits." + strconv.Quote(pat)
		if _, err := glob.Compile(pat, '/'); err != nil || pat == "" {
			p.addf(key, "invalid glob %q", pat)
		} else if c, bad := unsupportedGlobChar(pat); bad {
			p.addf(key, "invalid glob %q: %q is not supported (patterns use * and ?)", pat, c)
		}
		atLeast(p, key, int64(g.ToolRateLimits[pat]), 1)
	}
	atLeast(p, "gateway.session_idle_timeout_seconds", int64(g.SessionIdleTimeoutSeconds), 0)
	atLeast(p, "gateway.max_sessions_per_client", int64(g.MaxSessionsPerClient), 1)
	atLeast(p, "gateway.max_request_bytes", g.MaxRequestBytes, 1)
	atLeast(p, "gateway.shutdown_grace_seconds", int64(g.ShutdownGraceSeconds), 0)
	for i, h := range g.AllowedHosts {
		nonEmpty(p, index("gateway.allowed_hosts", i), h)
	}
}

func validateRouter(r *Router, p *problems) {
	oneOf(p, "router.mode", r.Mode, ModeMetatool, ModePassthrough, ModeLegacy)
	oneOf(p, "router.strategy", r.Strategy, StrategySemantic, StrategyKeyword, StrategyPassthrough)
	atLeast(p, "router.top_k", int64(r.TopK), 1)
	if t := r.SimilarityThreshold; math.IsNaN(t) || t < 0 || t > 1 {
		p.addf("router.similarity_threshold", "must be between 0 and 1, got %v", t)
	}
}

func validateSecurity(s *Security, p *problems) {
	if s.EnableAuditLog {
		nonEmpty(p, "security.audit_log_path", s.AuditLogPath)
	}
	atLeast(p, "security.max_log_size_mb", int64(s.MaxLogSizeMB), 1)
	oneOf(p, "security.tool_changes", s.ToolChanges, "warn", "quarantine")
}

func validateCache(c *Cache, p *problems) {
	atLeast(p, "cache.ttl_seconds", int64(c.TTLSeconds), 1)
	atLeast(p, "cache.max_entries", int64(c.MaxEntries), 1)
	checkGlobs(p, "cache.patterns", c.Patterns)
}

var serverNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// validateServers checks each server; roles is nil when role names are
// not checked.
func validateServers(servers []Server, sep string, roles map[string]Role, p *problems) {
	seen := map[string]string{} // name -> path of its first use
	for i := range servers {
		s, path := &servers[i], index("servers", i)
		checkServerName(p, child(path, "name"), s.Name, sep, seen)
		switch {
		case s.Command == "" && s.URL == "":
			p.addf(path, "needs command (stdio) or url (Streamable HTTP)")
		case s.Command != "" && s.URL != "":
			p.addf(path, "has both command and url; set exactly one")
		case s.URL != "":
			checkURL(p, child(path, "url"), s.URL)
			stdioOnly := map[string]bool{"args": len(s.Args) > 0, "env": len(s.Env) > 0, "cwd": s.Cwd != ""}
			for _, k := range []string{"args", "env", "cwd"} {
				if stdioOnly[k] {
					p.addf(child(path, k), "only valid for stdio servers (command)")
				}
			}
		default:
			if len(s.Headers) > 0 {
				p.addf(child(path, "headers"), "only valid for HTTP servers (url)")
			}
		}
		atLeast(p, child(path, "timeout_seconds"), int64(s.TimeoutSeconds), 0)
		checkGlobs(p, child(path, "allowed_tools"), s.AllowedTools)
		checkGlobs(p, child(path, "blocked_tools"), s.BlockedTools)
		for j, r := range s.AllowedRoles {
			checkRoleRef(p, index(child(path, "allowed_roles"), j), r, roles)
		}
	}
}

func checkServerName(p *problems, path, name, sep string, seen map[string]string) {
	switch {
	case name == "":
		p.addf(path, "must not be empty")
		return
	case !serverNameRE.MatchString(name):
		p.addf(path, "invalid name %q: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", name)
	case sep != "" && strings.Contains(name, sep):
		p.addf(path, "name %q contains the tool name separator %q", name, sep)
	}
	if first, dup := seen[name]; dup {
		p.addf(path, "duplicate server name %q (first used by %s)", name, first)
		return
	}
	seen[name] = parentPath(path)
}

func validateRoles(roles map[string]Role, p *problems) {
	for _, name := range sortedKeys(roles) {
		path := child("roles", name)
		if name == "" {
			p.addf(path, "role name must not be empty")
		}
		checkGlobs(p, child(path, "allowed_tools"), roles[name].AllowedTools)
		checkGlobs(p, child(path, "blocked_tools"), roles[name].BlockedTools)
	}
}

func validateAPIKeys(keys map[string]APIKey, roles map[string]Role, rawKey map[string]string, p *problems) {
	for _, k := range sortedKeys(keys) {
		name := k
		if raw, ok := rawKey[k]; ok {
			name = raw
		}
		path := child("api_keys", name)
		if k == "" {
			p.addf(path, "API key must not be empty")
		}
		checkKeyForm(p, path, k)
		if r := keys[k].Role; r != "" {
			checkRoleRef(p, child(path, "role"), r, roles)
		}
	}
}

// checkRoleRef reports a role name missing from roles, unless roles is nil.
func checkRoleRef(p *problems, path, role string, roles map[string]Role) {
	if roles == nil {
		return
	}
	if _, ok := roles[role]; ok {
		return
	}
	if len(roles) == 0 {
		p.addf(path, "unknown role %q (no [roles] are defined)", role)
		return
	}
	p.addf(path, "unknown role %q (defined: %s)", role, strings.Join(sortedKeys(roles), ", "))
}

// checkKeyForm checks the "sha256:HEX" form of a stored API key.
func checkKeyForm(p *problems, path, key string) {
	digest, ok := strings.CutPrefix(key, "sha256:")
	if !ok {
		return
	}
	if b, err := hex.DecodeString(digest); err != nil || len(b) != 32 {
		p.addf(path, "a sha256: key needs 64 hex digits")
	}
}

// checkAddr reports whether addr is host:port with a port in 0-65535.
func checkAddr(p *problems, path, addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		p.addf(path, "must be host:port with a port from 0 to 65535, got %q", addr)
		return false
	}
	return true
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkURL requires an http or https URL with a host. Credentials in the
// URL are not repeated in the message.
func checkURL(p *problems, path, raw string) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return
	}
	shown := raw
	if err == nil {
		shown = u.Redacted()
	}
	p.addf(path, "must be an http or https URL, got %q", shown)
}

// checkGlobs compiles each pattern the way core/policy matches tool names:
// gobwas/glob with '/' as the separator.
func checkGlobs(p *problems, path string, patterns []string) {
	for i, pat := range patterns {
		if pat == "" {
			p.addf(index(path, i), "empty pattern")
			continue
		}
		if _, err := glob.Compile(pat, '/'); err != nil {
			p.addf(index(path, i), "invalid glob %q: %v", pat, err)
			continue
		}
		if c, ok := unsupportedGlobChar(pat); ok {
			p.addf(index(path, i), "invalid glob %q: %q is not supported (patterns use * and ?; escape a literal with \\)", pat, c)
		}
	}
}

func nonEmpty(p *problems, path, v string) {
	if v == "" {
		p.addf(path, "must not be empty")
	}
}

func atLeast(p *problems, path string, v, min int64) {
	if v < min {
		p.addf(path, "must be >= %d, got %d", min, v)
	}
}

func oneOf(p *problems, path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		p.addf(path, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// unsupportedGlobChar finds an unescaped [ ] { }: character classes and
// alternatives are not part of MCPlex patterns (only * ** ? and \ escapes),
// so a pattern means the same to the validator and to the policy engine.
func unsupportedGlobChar(pat string) (rune, bool) {
	escaped := false
	for _, r := range pat {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '[' || r == ']' || r == '{' || r == '}':
			return r, true
		}
	}
	return 0, false
}
