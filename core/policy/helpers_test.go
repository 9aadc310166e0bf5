package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/mcplex/mcplex/core/config"
)

// Test keys. keyRO is configured only as its digest.
const (
	keyDev     = "sk-dev-team-abc123"
	keyAdmin   = "sk-admin-xyz789"
	keyRO      = "sk-readonly-000"
	keyOps     = "sk-ops-111"
	keyNoHub   = "sk-nohub-222"
	keyGateway = "sk-gateway-333"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// seedTOML is the seed's [security], [roles] and [api_keys] examples, its
// per-server database blocklist, and a few servers and roles of our own.
var seedTOML = `
[gateway]
api_key = "` + keyGateway + `"

[security]
enable_rbac = true

[[servers]]
name = "github"
command = "github-mcp"

[[servers]]
name = "database"
url = "http://localhost:8080/mcp"
blocked_tools = ["drop_table", "delete_*", "truncate_*"]

[[servers]]
name = "slack"
command = "slack-mcp"
allowed_roles = ["admin", "developer", "ops"]

[[servers]]
name = "fs"
command = "fs-mcp"
allowed_tools = ["read_*", "list_*"]

[roles.developer]
allowed_tools = ["github/*", "database/query_*"]

[roles.admin]
allowed_tools = ["*"]

[roles.readonly]
allowed_tools = ["*/list_*", "*/get_*"]
blocked_tools = ["*/delete_*", "*/drop_*"]

[roles.ops]
allowed_tools = ["*"]
blocked_tools = ["github/delete_*", "*/get_secret*"]

[roles.nohub]
allowed_tools = ["**"]
blocked_tools = ["github/*"]

[api_keys."` + keyDev + `"]
role = "developer"
description = "Dev team key"

[api_keys."` + keyAdmin + `"]
role = "admin"
description = "Admin key"

[api_keys."sha256:` + sha(keyRO) + `"]
role = "readonly"
description = "Read-only key"

[api_keys."` + keyOps + `"]
role = "ops"

[api_keys."` + keyNoHub + `"]
role = "nohub"
`

// engine parses src as mcplex.toml (so the config package validates it as
// the gateway would) and compiles its policy.
func engine(t testing.TB, src string) *Engine {
	t.Helper()
	cfg, err := config.Parse([]byte(src), "mcplex.toml")
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// who authenticates key on e, failing the test if it is not configured.
func who(t testing.TB, e *Engine, key string) Identity {
	t.Helper()
	id, ok := e.Authenticate(key)
	if !ok {
		t.Fatalf("Authenticate(%q) failed", key)
	}
	return id
}

func tool(server, name string) Target   { return Target{Kind: KindTool, Server: server, Name: name} }
func prompt(server, name string) Target { return Target{Kind: KindPrompt, Server: server, Name: name} }
func res(server, uri string) Target     { return Target{Kind: KindResource, Server: server, Name: uri} }
