package config

// Config is the whole MCPlex configuration, as read from mcplex.toml.
// A *Config is treated as an immutable value once Load returns it: the
// gateway swaps whole configs on reload and never mutates one in place.
type Config struct {
	Gateway   Gateway           `toml:"gateway"`
	Router    Router            `toml:"router"`
	Security  Security          `toml:"security"`
	Cache     Cache             `toml:"cache"`
	Servers   []Server          `toml:"servers"`
	Roles     map[string]Role   `toml:"roles"`
	APIKeys   map[string]APIKey `toml:"api_keys"`
	AgentLens AgentLens         `toml:"agentlens"`

	// Path is the file this config was loaded from ("" for built-in defaults).
	Path string `toml:"-"`

	// source holds, for each value Parse changed (${VAR} expansion, relative
	// path resolution), the text written in the file, so that Encode writes
	// "${TOKEN}" back instead of the secret it expanded to. Unexported, so
	// go-cmp needs cmpopts.IgnoreUnexported(config.Config{}).
	source map[string]sourced
	// sourceServers are the server names in file order, so a value of a
	// server that moved in the list is still found under its old index.
	sourceServers []string
}

// Gateway holds the [gateway] section: listeners, identity and transport limits.
type Gateway struct {
	Listen       string `toml:"listen"`         // default 127.0.0.1:3100
	Dashboard    string `toml:"dashboard"`      // "" = dashboard off
	HotReload    bool   `toml:"hot_reload"`     // default true
	Name         string `toml:"name"`           // default "mcplex"
	APIKey       string `toml:"api_key"`        // optional; ${ENV} or sha256:HEX
	RateLimitRPS int    `toml:"rate_limit_rps"` // 0 = unlimited
	// ToolRateLimits caps calls per second per client for the tools whose
	// canonical "server/tool" matches a key (glob); burst is twice the rate.
	ToolRateLimits map[string]int `toml:"tool_rate_limits"`

	// AllowedHosts extends the Host/Origin allow-list (localhost, 127.0.0.1
	// and [::1] are always allowed). Entries are host or host:port.
	AllowedHosts []string `toml:"allowed_hosts"`
	// ToolNameSeparator joins server and tool in collision names: server__tool.
	ToolNameSeparator string `toml:"tool_name_separator"` // default "__"
	// MaxSessionsPerClient caps the open sessions of one key (or address).
	MaxSessionsPerClient int `toml:"max_sessions_per_client"` // default 256
	// SessionIdleTimeoutSeconds reaps downstream sessions idle this long.
	SessionIdleTimeoutSeconds int `toml:"session_idle_timeout_seconds"` // default 600
	// MaxRequestBytes limits a request body (413 above it).
	MaxRequestBytes int64 `toml:"max_request_bytes"` // default 4 MiB
	// ShutdownGraceSeconds is how long in-flight calls may run after SIGTERM.
	ShutdownGraceSeconds int `toml:"shutdown_grace_seconds"` // default 10
	// AllowUnauthenticatedRemote permits a non-loopback listen address with no API key.
	AllowUnauthenticatedRemote bool `toml:"allow_unauthenticated_remote"`
}

// Router holds the [router] section.
type Router struct {
	Mode                string  `toml:"mode"`                 // metatool (default) | passthrough | legacy
	Strategy            string  `toml:"strategy"`             // semantic | keyword (default) | passthrough
	TopK                int     `toml:"top_k"`                // default 5
	SimilarityThreshold float64 `toml:"similarity_threshold"` // default 0.3, 0..1
	CacheEmbeddings     bool    `toml:"cache_embeddings"`     // default true
}

// Security holds the [security] section.
type Security struct {
	EnableRBAC     bool   `toml:"enable_rbac"`
	EnableAuditLog bool   `toml:"enable_audit_log"`
	AuditLogPath   string `toml:"audit_log_path"`  // default ./logs/audit.jsonl (relative to the config file)
	MaxLogSizeMB   int    `toml:"max_log_size_mb"` // default 100
	// AuditArguments also writes tool arguments (redacted) to the audit log.
	AuditArguments bool `toml:"audit_arguments"`
	// ToolChanges is what a changed tool definition does: warn | quarantine.
	ToolChanges string `toml:"tool_changes"` // default "warn"
}

// Cache holds the [cache] section.
type Cache struct {
	Enabled    bool     `toml:"enabled"`
	TTLSeconds int      `toml:"ttl_seconds"` // default 300
	MaxEntries int      `toml:"max_entries"` // default 1000
	Patterns   []string `toml:"patterns"`
}

// Server is one [[servers]] entry: an upstream MCP server.
type Server struct {
	Name        string            `toml:"name"`
	Description string            `toml:"description"`
	Command     string            `toml:"command"` // stdio transport
	Args        []string          `toml:"args"`
	Env         map[string]string `toml:"env"`
	Cwd         string            `toml:"cwd"`
	URL         string            `toml:"url"`     // Streamable HTTP transport
	Headers     map[string]string `toml:"headers"` // HTTP upstreams only

	AllowedRoles []string `toml:"allowed_roles"`
	AllowedTools []string `toml:"allowed_tools"`
	BlockedTools []string `toml:"blocked_tools"`

	// Enabled defaults to true; use IsEnabled.
	Enabled *bool `toml:"enabled"`
	// TimeoutSeconds bounds one call to this server (default 60).
	TimeoutSeconds int `toml:"timeout_seconds"`
}

// IsEnabled reports whether the server should run (absent means true).
func (s *Server) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// IsStdio reports whether the server is spawned as a child process.
func (s *Server) IsStdio() bool { return s.Command != "" }

// Role is a [roles.NAME] table.
type Role struct {
	AllowedTools []string `toml:"allowed_tools"`
	BlockedTools []string `toml:"blocked_tools"`
}

// APIKey is an [api_keys."KEY"] table. The map key is the key itself,
// "sha256:HEX" of it, or ${ENV}.
type APIKey struct {
	Role        string `toml:"role"`
	Description string `toml:"description"`
}

// AgentLens is the [agentlens] section.
type AgentLens struct {
	Enabled     bool   `toml:"enabled"`
	URL         string `toml:"url"`
	SessionName string `toml:"session_name"`
}
