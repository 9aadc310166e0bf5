package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Router modes (router.mode).
const (
	ModeMetatool    = "metatool"    // clients see the three mcplex_* meta-tools
	ModePassthrough = "passthrough" // clients see every tool their role may use
	ModeLegacy      = "legacy"      // the seed's _mcplex_query filtering extension
)

// Router strategies (router.strategy).
const (
	StrategySemantic    = "semantic"    // character n-gram embeddings, cosine similarity
	StrategyKeyword     = "keyword"     // TF-IDF keyword matching
	StrategyPassthrough = "passthrough" // no ranking
)

// defaultServerTimeoutSeconds is applied to each server whose
// timeout_seconds is 0 or absent.
const defaultServerTimeoutSeconds = 60

// Default returns a new config holding every default from the seed's
// configuration reference and the MCPlex additions. Relative paths in it
// (security.audit_log_path) are not yet resolved: Parse resolves them
// against the config file's directory.
func Default() *Config {
	return &Config{
		Gateway: Gateway{
			Listen:                    "127.0.0.1:3100",
			HotReload:                 true,
			Name:                      "mcplex",
			ToolNameSeparator:         "__",
			SessionIdleTimeoutSeconds: 600,
			MaxSessionsPerClient:      256,
			MaxRequestBytes:           4 << 20,
			ShutdownGraceSeconds:      10,
		},
		Router: Router{
			Mode:                ModeMetatool,
			Strategy:            StrategyKeyword,
			TopK:                5,
			SimilarityThreshold: 0.3,
			CacheEmbeddings:     true,
		},
		Security: Security{AuditLogPath: "./logs/audit.jsonl", MaxLogSizeMB: 100, ToolChanges: "warn"},
		Cache:    Cache{TTLSeconds: 300, MaxEntries: 1000},
	}
}

// DefaultPath returns where MCPlex keeps its config when none is given:
// mcplex/mcplex.toml under os.UserConfigDir.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config directory: %w", err)
	}
	return filepath.Join(dir, "mcplex", "mcplex.toml"), nil
}

// EnsureDefault writes [DefaultFile] to path if no file exists there,
// creating missing directories with mode 0700 and the file with mode 0600,
// and reports whether it did. An existing file is never touched.
func EnsureDefault(path, demoCommand string, demoArgs []string) (created bool, err error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("checking config file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("creating config directory: %w", err)
	}
	if err := writeAtomic(path, DefaultFile(demoCommand, demoArgs), 0o600); err != nil {
		return false, fmt.Errorf("writing default config: %w", err)
	}
	return true, nil
}

// DefaultFile returns the commented mcplex.toml that MCPlex writes for a new
// user: every section and key is shown, most commented out with its default
// and a one-line explanation, and the only upstream is the built-in demo
// server, started as demoCommand demoArgs... (normally the absolute path of
// the running binary and ["demo-server"]). The file uses the semantic router.
func DefaultFile(demoCommand string, demoArgs []string) []byte {
	args := make([]string, len(demoArgs))
	for i, a := range demoArgs {
		args[i] = quote(a)
	}
	r := strings.NewReplacer("{{command}}", quote(demoCommand), "{{args}}", "["+strings.Join(args, ", ")+"]")
	return []byte(r.Replace(defaultFileTemplate))
}

// quote returns s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

const defaultFileTemplate = `# MCPlex configuration.
#
# Uncomment a line to change a setting; commented values are the defaults.
# String values may use ${VAR} or ${VAR:-default} to read environment variables.
# Relative paths are relative to the directory of this file.
# Check this file with: mcplex check -c <path-to-this-file>

[gateway]
# Address MCP clients connect to (http://<listen>/mcp).
# listen = "127.0.0.1:3100"
# Dashboard and Prometheus metrics address; the dashboard is off when unset.
# dashboard = "127.0.0.1:9090"
# Apply changes to this file without a restart.
# hot_reload = true
# Name of this gateway instance.
# name = "mcplex"
# Key clients must send (Authorization: Bearer <key> or X-API-Key: <key>); "sha256:<hex>" stores a digest.
# api_key = "${MCPLEX_API_KEY}"
# Maximum requests per second per client; 0 means unlimited.
# rate_limit_rps = 0
# Per-tool limits (calls per second per client) for tools matching "server/tool" globs.
# tool_rate_limits = { "github/create_*" = 2 }
# Extra Host/Origin values to accept (localhost, 127.0.0.1 and [::1] always are).
# allowed_hosts = []
# Joins server and tool names when two servers offer a tool of the same name: server__tool.
# tool_name_separator = "__"
# Most sessions one client (API key, or address without a key) may hold open.
# max_sessions_per_client = 256
# Close client sessions idle for this many seconds.
# session_idle_timeout_seconds = 600
# Largest request body accepted, in bytes (4 MiB).
# max_request_bytes = 4194304
# Seconds running calls may take to finish when MCPlex stops.
# shutdown_grace_seconds = 10
# Allow listening on a non-loopback address without any API key (not recommended).
# allow_unauthenticated_remote = false

[router]
# metatool: clients see 3 meta-tools and find real tools on demand;
# passthrough: clients see every tool; legacy: _mcplex_query filtering for custom clients.
# mode = "metatool"
# How tools are ranked: "semantic" (n-gram embeddings), "keyword" (TF-IDF) or "passthrough".
strategy = "semantic"
# Maximum tools returned per query.
# top_k = 5
# Minimum relevance score, from 0.0 to 1.0.
# similarity_threshold = 0.3
# Cache tool embeddings between queries.
# cache_embeddings = true

[security]
# Enforce [roles] for clients that present an API key from [api_keys].
# enable_rbac = false
# Write every tool call as a JSON line to audit_log_path.
# enable_audit_log = false
# audit_log_path = "./logs/audit.jsonl"
# Rotate the audit log at this size; 5 old files are kept.
# max_log_size_mb = 100
# Also write tool arguments (secret-looking values redacted); otherwise only their digest.
# audit_arguments = false
# When an upstream changes a tool's definition after it was first seen (a "rug pull"):
# "warn" logs and audits it, "quarantine" hides the tool until "mcplex tools approve".
# tool_changes = "warn"

[cache]
# Cache results of read-only tools (list_*, get_*, search_*, query_*, describe_*, show_*).
# enabled = false
# Seconds a cached result stays valid.
# ttl_seconds = 300
# Maximum number of cached results.
# max_entries = 1000
# Tool name patterns to cache instead of the read-only prefixes above.
# patterns = ["my_custom_tool", "expensive_*"]

# Upstream MCP servers: each needs a unique name and either command (stdio) or url (HTTP).
[[servers]]
name = "demo"
description = "MCPlex built-in demo server"
command = {{command}}
args = {{args}}
# Environment for the child process.
# env = { GITHUB_TOKEN = "${GITHUB_TOKEN}" }
# Working directory for the child process.
# cwd = "."
# Set to false to keep the server configured but stopped.
# enabled = true
# Seconds one call may take.
# timeout_seconds = 60
# Roles allowed to use this server (all when empty).
# allowed_roles = []
# Tool name patterns this server may expose (all when empty), and patterns it may not.
# allowed_tools = []
# blocked_tools = []

# An upstream over Streamable HTTP:
# [[servers]]
# name = "database"
# url = "http://localhost:8080/mcp"
# headers = { Authorization = "Bearer ${DATABASE_TOKEN}" }
# blocked_tools = ["drop_table", "delete_*", "truncate_*"]

# Roles for RBAC. Patterns match "server/tool" names: * matches any characters, ? one.
# [roles.developer]
# allowed_tools = ["github/*", "database/query_*"]
# [roles.readonly]
# allowed_tools = ["*/list_*", "*/get_*"]
# blocked_tools = ["*/delete_*", "*/drop_*"]

# API keys and the role each one gets. The table name is the key, "sha256:<hex>" of it, or ${VAR}.
# [api_keys."${DEV_TEAM_KEY}"]
# role = "developer"
# description = "Dev team key"

# Forward tool calls and security events to AgentLens (optional).
[agentlens]
# enabled = false
# url = "http://127.0.0.1:3000/api/ingest"
# session_name = "MCPlex Gateway"
`
