package policy

import (
	"strings"
	"testing"

	"github.com/mcplex/mcplex/core/config"
)

type decideCase struct {
	name      string
	id        Identity
	key       string // if set, id = Authenticate(key)
	action    Action // default: call for tools, get for prompts, read for resources
	target    Target
	wantAllow bool
	wantRule  string
}

func runDecide(t *testing.T, e *Engine, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := tc.id
			if tc.key != "" {
				id = who(t, e, tc.key)
			}
			a := tc.action
			if a == "" {
				a = defaultAction(tc.target.Kind)
			}
			got := e.Decide(id, a, tc.target)
			if got.Allow != tc.wantAllow || got.Rule != tc.wantRule {
				t.Errorf("Decide(%s, %s, %s) = allow %v by %s; want allow %v by %s",
					id.ID, a, tc.target, got.Allow, got.Rule, tc.wantAllow, tc.wantRule)
			}
			if got.Reason == "" {
				t.Error("empty Reason")
			}
			// The action never changes the outcome (A5.1: list and call agree).
			if tc.action == "" && tc.target.Kind != KindResource {
				if l := e.Decide(id, ActionList, tc.target); l != got {
					t.Errorf("list decided %+v, %s decided %+v", l, a, got)
				}
			}
		})
	}
}

func TestDecideSeedRoles(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	runDecide(t, e, []decideCase{
		// [roles.developer] allowed_tools = ["github/*", "database/query_*"]
		{name: "developer/github any tool", key: keyDev, target: tool("github", "create_issue"),
			wantAllow: true, wantRule: `roles.developer.allowed_tools[0] "github/*"`},
		{name: "developer/database query_", key: keyDev, target: tool("database", "query_users"),
			wantAllow: true, wantRule: `roles.developer.allowed_tools[1] "database/query_*"`},
		{name: "developer/database other tool: default deny", key: keyDev, target: tool("database", "get_user"),
			wantRule: RuleRBACNoMatch},
		{name: "developer/slack listed in allowed_roles but no pattern", key: keyDev, target: tool("slack", "post_message"),
			wantRule: RuleRBACNoMatch},
		{name: "developer/pattern is per server, not per name", key: keyDev, target: tool("slack", "query_users"),
			wantRule: RuleRBACNoMatch},
		// [roles.admin] allowed_tools = ["*"]
		{name: "admin/star is every tool of every server", key: keyAdmin, target: tool("slack", "post_message"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "admin/server blocklist beats admin", key: keyAdmin, target: tool("database", "drop_table"),
			wantRule: `servers[database].blocked_tools[0] "drop_table"`},
		{name: "admin/server blocklist glob", key: keyAdmin, target: tool("database", "delete_rows"),
			wantRule: `servers[database].blocked_tools[1] "delete_*"`},
		{name: "admin/server blocklist third", key: keyAdmin, target: tool("database", "truncate_logs"),
			wantRule: `servers[database].blocked_tools[2] "truncate_*"`},
		{name: "admin/database tool not blocked", key: keyAdmin, target: tool("database", "query_users"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "admin/server blocklist is anchored", key: keyAdmin, target: tool("database", "drop_table_v2"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "admin/server allowed_tools not matched", key: keyAdmin, target: tool("fs", "write_file"),
			wantRule: `servers[fs].allowed_tools`},
		{name: "admin/server allowed_tools matched", key: keyAdmin, target: tool("fs", "read_file"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		// [roles.readonly] allowed ["*/list_*", "*/get_*"], blocked ["*/delete_*", "*/drop_*"]
		{name: "readonly/list_", key: keyRO, target: tool("github", "list_issues"),
			wantAllow: true, wantRule: `roles.readonly.allowed_tools[0] "*/list_*"`},
		{name: "readonly/get_", key: keyRO, target: tool("database", "get_user"),
			wantAllow: true, wantRule: `roles.readonly.allowed_tools[1] "*/get_*"`},
		{name: "readonly/write tool: default deny", key: keyRO, target: tool("github", "create_issue"),
			wantRule: RuleRBACNoMatch},
		{name: "readonly/role blocklist", key: keyRO, target: tool("github", "delete_repo"),
			wantRule: `roles.readonly.blocked_tools[0] "*/delete_*"`},
		{name: "readonly/server blocklist reported first", key: keyRO, target: tool("database", "drop_table"),
			wantRule: `servers[database].blocked_tools[0] "drop_table"`},
		{name: "readonly/slack allowed_roles", key: keyRO, target: tool("slack", "list_channels"),
			wantRule: `servers[slack].allowed_roles`},
		{name: "readonly/fs both allowlists", key: keyRO, target: tool("fs", "list_dir"),
			wantAllow: true, wantRule: `roles.readonly.allowed_tools[0] "*/list_*"`},
		{name: "readonly/fs server allowlist denies get_", key: keyRO, target: tool("fs", "get_info"),
			wantRule: `servers[fs].allowed_tools`},
		// Blocked beats allowed inside one role.
		{name: "ops/role blocked beats role allowed *", key: keyOps, target: tool("github", "delete_branch"),
			wantRule: `roles.ops.blocked_tools[0] "github/delete_*"`},
		{name: "ops/role blocked on any server", key: keyOps, target: tool("slack", "get_secret_token"),
			wantRule: `roles.ops.blocked_tools[1] "*/get_secret*"`},
		{name: "ops/role blocked is per server", key: keyOps, target: tool("slack", "delete_message"),
			wantAllow: true, wantRule: `roles.ops.allowed_tools[0] "*"`},
	})
}

func TestDecideIdentities(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	dev := who(t, e, keyDev)
	forgedRole := dev
	forgedRole.Role = "admin"
	runDecide(t, e, []decideCase{
		{name: "anonymous while keys are configured", id: Anonymous(), target: tool("github", "x"),
			wantRule: RuleNeedsKey},
		{name: "anonymous with a role", id: Identity{ID: "anonymous", Role: "admin"}, target: tool("github", "x"),
			wantRule: RuleRoleWithoutKey},
		{name: "zero identity", id: Identity{}, target: tool("github", "x"), wantRule: RuleNeedsKey},
		{name: "local has no role under rbac", id: Local(), target: tool("github", "x"), wantRule: RuleRBACNoRole},
		{name: "local with a role", id: Identity{ID: "local", Role: "admin", Authenticated: true},
			target: tool("github", "x"), wantRule: RuleRoleWithoutKey},
		{name: "gateway api_key has no role under rbac", key: keyGateway, target: tool("github", "x"),
			wantRule: RuleRBACNoRole},
		{name: "gateway api_key and allowed_roles", key: keyGateway, target: tool("slack", "x"),
			wantRule: `servers[slack].allowed_roles`},
		{name: "forged identity", id: Identity{ID: "key:deadbeef", Role: "admin", Authenticated: true},
			target: tool("github", "x"), wantRule: RuleNotIssued},
		{name: "forged role on a real identity", id: forgedRole, target: tool("github", "x"), wantRule: RuleStaleRole},
	})
}

func TestDecideRequests(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	runDecide(t, e, []decideCase{
		{name: "unknown server", key: keyAdmin, target: tool("gitlab", "x"), wantRule: RuleUnknownServer},
		{name: "empty name", key: keyAdmin, target: tool("github", ""), wantRule: RuleEmptyTarget},
		{name: "empty server", key: keyAdmin, target: res("", "file:///x"), wantRule: RuleEmptyTarget},
		{name: "call on a prompt", key: keyAdmin, action: ActionCall, target: prompt("github", "x"), wantRule: RuleBadRequest},
		{name: "read on a tool", key: keyAdmin, action: ActionRead, target: tool("github", "x"), wantRule: RuleBadRequest},
		{name: "get on a resource", key: keyAdmin, action: ActionGet, target: res("github", "x"), wantRule: RuleBadRequest},
		{name: "unknown action", key: keyAdmin, action: "delete", target: tool("github", "x"), wantRule: RuleBadRequest},
		{name: "unknown kind", key: keyAdmin, action: ActionList, target: Target{Kind: "Tool", Server: "github", Name: "x"},
			wantRule: RuleBadRequest},
		{name: "complete on a prompt", key: keyAdmin, action: ActionComplete, target: prompt("github", "x"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "subscribe to a resource", key: keyAdmin, action: ActionSubscribe, target: res("github", "repo://x"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
	})
}

func TestDecidePrompts(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	runDecide(t, e, []decideCase{
		{name: "role pattern covers prompts", key: keyDev, target: prompt("github", "review_pr"),
			wantAllow: true, wantRule: `roles.developer.allowed_tools[0] "github/*"`},
		{name: "server blocklist applies to prompt names", key: keyAdmin, target: prompt("database", "delete_everything"),
			wantRule: `servers[database].blocked_tools[1] "delete_*"`},
		{name: "server allowlist applies to prompt names", key: keyAdmin, target: prompt("fs", "summarize"),
			wantRule: `servers[fs].allowed_tools`},
		{name: "default deny", key: keyRO, target: prompt("github", "review_pr"), wantRule: RuleRBACNoMatch},
	})
}

func TestDecideResources(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	runDecide(t, e, []decideCase{
		{name: "github/* covers github resources", key: keyDev, target: res("github", "repo://a/b"),
			wantAllow: true, wantRule: `roles.developer.allowed_tools[0] "github/*"`},
		{name: "database/query_* does not cover database", key: keyDev, target: res("database", "db://users"),
			wantRule: RuleRBACNoServer},
		{name: "*/list_* does not cover a server", key: keyRO, target: res("github", "repo://a/b"),
			wantRule: RuleRBACNoServer},
		{name: "admin * covers every server", key: keyAdmin, target: res("database", "db://users"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "server tool blocklist does not apply to URIs", key: keyAdmin, target: res("database", "db://drop_table"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "server tool allowlist does not apply to URIs", key: keyAdmin, target: res("fs", "file:///etc/hosts"),
			wantAllow: true, wantRule: `roles.admin.allowed_tools[0] "*"`},
		{name: "allowed_roles applies", key: keyRO, target: res("slack", "slack://general"),
			wantRule: `servers[slack].allowed_roles`},
		{name: "role blocked github/* covers github", key: keyNoHub, target: res("github", "repo://a/b"),
			wantRule: `roles.nohub.blocked_tools[0] "github/*"`},
		{name: "role blocked github/* leaves other servers", key: keyNoHub, target: res("database", "db://x"),
			wantAllow: true, wantRule: `roles.nohub.allowed_tools[0] "**"`},
		{name: "role blocked github/delete_* is not the whole server", key: keyOps, target: res("github", "repo://x"),
			wantAllow: true, wantRule: `roles.ops.allowed_tools[0] "*"`},
		{name: "list resources decides like read", key: keyDev, action: ActionList, target: res("database", "db://users"),
			wantRule: RuleRBACNoServer},
		{name: "no role", id: Local(), target: res("github", "repo://x"), wantRule: RuleRBACNoRole},
	})
}

// rbacOffTOML has roles and keys but enable_rbac = false.
const rbacOffTOML = `
[[servers]]
name = "github"
command = "github-mcp"

[[servers]]
name = "database"
url = "http://localhost:8080/mcp"
blocked_tools = ["drop_table", "delete_*"]
allowed_roles = ["readonly"]

[[servers]]
name = "fs"
command = "fs-mcp"
allowed_tools = ["read_*"]

[roles.readonly]
allowed_tools = ["*/list_*"]
blocked_tools = ["*/delete_*"]

[api_keys."sk-ro"]
role = "readonly"

[api_keys."sk-label"]
role = "readonly"
description = "second readonly key"
`

func TestDecideRBACOff(t *testing.T) {
	t.Parallel()
	e := engine(t, rbacOffTOML)
	runDecide(t, e, []decideCase{
		{name: "role allowlist not required", key: "sk-ro", target: tool("github", "create_issue"),
			wantAllow: true, wantRule: RuleDefaultAllow},
		{name: "role blocklist still applies", key: "sk-ro", target: tool("github", "delete_repo"),
			wantRule: `roles.readonly.blocked_tools[0] "*/delete_*"`},
		{name: "server blocklist", key: "sk-ro", target: tool("database", "drop_table"),
			wantRule: `servers[database].blocked_tools[0] "drop_table"`},
		{name: "allowed_roles admits the role", key: "sk-ro", target: tool("database", "query"),
			wantAllow: true, wantRule: RuleDefaultAllow},
		{name: "server allowlist reported on allow", key: "sk-ro", target: tool("fs", "read_file"),
			wantAllow: true, wantRule: `servers[fs].allowed_tools[0] "read_*"`},
		{name: "server allowlist denies", key: "sk-ro", target: tool("fs", "write_file"),
			wantRule: `servers[fs].allowed_tools`},
		{name: "local allowed", id: Local(), target: tool("github", "create_issue"),
			wantAllow: true, wantRule: RuleDefaultAllow},
		{name: "local and allowed_roles", id: Local(), target: tool("database", "query"),
			wantRule: `servers[database].allowed_roles`},
		{name: "anonymous denied while keys exist", id: Anonymous(), target: tool("github", "x"),
			wantRule: RuleNeedsKey},
		{name: "resource default allow", key: "sk-ro", target: res("github", "repo://x"),
			wantAllow: true, wantRule: RuleDefaultAllow},
	})
}

func TestDecideNoKeys(t *testing.T) {
	t.Parallel()
	open := engine(t, `
[[servers]]
name = "github"
command = "github-mcp"
blocked_tools = ["delete_*"]
`)
	runDecide(t, open, []decideCase{
		{name: "anonymous allowed without keys", id: Anonymous(), target: tool("github", "create_issue"),
			wantAllow: true, wantRule: RuleDefaultAllow},
		{name: "anonymous still blocked", id: Anonymous(), target: tool("github", "delete_repo"),
			wantRule: `servers[github].blocked_tools[0] "delete_*"`},
	})
	rbac := engine(t, `
[security]
enable_rbac = true

[[servers]]
name = "github"
command = "github-mcp"

[roles.admin]
allowed_tools = ["*"]
`)
	runDecide(t, rbac, []decideCase{
		{name: "rbac and no keys: anonymous has no role", id: Anonymous(), target: tool("github", "x"),
			wantRule: RuleRBACNoRole},
	})
}

// TestGlobEdgeCasesDecide runs security.md A5.3 through Decide: the same
// pattern allows strictly and blocks broadly.
func TestGlobEdgeCasesDecide(t *testing.T) {
	t.Parallel()
	e := engine(t, `
[security]
enable_rbac = true

[[servers]]
name = "x"
command = "x-mcp"

[roles.reader]
allowed_tools = ["x/fs.read*", "x/sub/**", "x/lit\\*"]

[roles.blocker]
allowed_tools = ["**"]
blocked_tools = ["fs.read*"]

[api_keys."sk-reader"]
role = "reader"

[api_keys."sk-blocker"]
role = "blocker"
`)
	const r, b = `roles.reader.allowed_tools[0] "x/fs.read*"`, `roles.blocker.blocked_tools[0] "fs.read*"`
	runDecide(t, e, []decideCase{
		{name: "allow fs.read", key: "sk-reader", target: tool("x", "fs.read"), wantAllow: true, wantRule: r},
		{name: "allow fs.readAll", key: "sk-reader", target: tool("x", "fs.readAll"), wantAllow: true, wantRule: r},
		{name: "allow: * stops at /", key: "sk-reader", target: tool("x", "fs.read/../write"), wantRule: RuleRBACNoMatch},
		{name: "allow: case-sensitive", key: "sk-reader", target: tool("x", "FS.READ"), wantRule: RuleRBACNoMatch},
		{name: "allow: anchored", key: "sk-reader", target: tool("x", "my.fs.read"), wantRule: RuleRBACNoMatch},
		{name: "allow: ** crosses /", key: "sk-reader", target: tool("x", "sub/a/b"), wantAllow: true,
			wantRule: `roles.reader.allowed_tools[1] "x/sub/**"`},
		{name: "allow: literal star", key: "sk-reader", target: tool("x", "lit*"), wantAllow: true,
			wantRule: `roles.reader.allowed_tools[2] "x/lit\\*"`},
		{name: "allow: literal star is not a wildcard", key: "sk-reader", target: tool("x", "litmus"), wantRule: RuleRBACNoMatch},
		{name: "block fs.read", key: "sk-blocker", target: tool("x", "fs.read"), wantRule: b},
		{name: "block fs.readAll", key: "sk-blocker", target: tool("x", "fs.readAll"), wantRule: b},
		{name: "block: * crosses / in blocklists", key: "sk-blocker", target: tool("x", "fs.read/../write"), wantRule: b},
		{name: "block: case-sensitive", key: "sk-blocker", target: tool("x", "FS.READ"), wantAllow: true,
			wantRule: `roles.blocker.allowed_tools[0] "**"`},
	})
}

func TestNilEngine(t *testing.T) {
	t.Parallel()
	var e *Engine
	if d := e.Decide(Local(), ActionCall, tool("a", "b")); d.Allow || d.Rule != RuleNoEngine {
		t.Errorf("nil engine decided %+v", d)
	}
	if _, ok := e.Authenticate("x"); ok {
		t.Error("nil engine authenticated")
	}
	if e.KeysConfigured() || e.RBAC() {
		t.Error("nil engine reports keys or rbac")
	}
	if x := e.Explain("admin", tool("a", "b")); x.Decision.Allow || x.Decision.Rule != RuleNoEngine {
		t.Errorf("nil engine explained %+v", x)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	tests := map[string]*config.Config{
		"bad server pattern": {Servers: []config.Server{{Name: "a", BlockedTools: []string{"x{a,b}"}}}},
		"empty pattern":      {Roles: map[string]config.Role{"r": {AllowedTools: []string{""}}}},
		"duplicate server":   {Servers: []config.Server{{Name: "a"}, {Name: "a"}}},
		"empty role name":    {Roles: map[string]config.Role{"": {}}},
		"short sha256 key":   {APIKeys: map[string]config.APIKey{"sha256:abcd": {Role: "r"}}},
		"sha256 of empty":    {APIKeys: map[string]config.APIKey{"sha256:" + sha(""): {Role: "r"}}},
		"same key twice": {APIKeys: map[string]config.APIKey{
			"sk-1": {Role: "a"}, "sha256:" + sha("sk-1"): {Role: "b"},
		}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, err := New(cfg)
			if err == nil {
				t.Fatalf("New succeeded: %+v", e)
			}
			if msg := err.Error(); strings.Contains(msg, "sk-1") {
				t.Errorf("error shows a key: %s", msg)
			}
		})
	}
}

// TestConfigRejectsEmptyPattern: security.md A5.3's empty pattern never
// reaches New from a file (and New rejects it too, above).
func TestConfigRejectsEmptyPattern(t *testing.T) {
	t.Parallel()
	_, err := config.Parse([]byte("[roles.r]\nallowed_tools = [\"\"]\n"), "mcplex.toml")
	if err == nil || !strings.Contains(err.Error(), "empty pattern") {
		t.Errorf("config.Parse = %v, want an empty pattern error", err)
	}
}

// TestDecideDoesNotAllocate keeps Decide cheap enough to filter every
// tools/list.
func TestDecideDoesNotAllocate(t *testing.T) {
	e := engine(t, seedTOML)
	id := who(t, e, keyRO)
	targets := []Target{
		tool("github", "list_issues"), tool("github", "create_issue"), tool("database", "drop_table"),
		tool("fs", "get_info"), res("github", "repo://x"), prompt("slack", "x"),
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, t := range targets {
			e.Decide(id, ActionList, t)
		}
	})
	if allocs != 0 {
		t.Errorf("Decide allocates %v times per run", allocs)
	}
}

func BenchmarkDecide(b *testing.B) {
	e := engine(b, seedTOML)
	id := who(b, e, keyRO)
	tg := tool("github", "create_issue")
	for b.Loop() {
		e.Decide(id, ActionCall, tg)
	}
}

func TestRoleNameQuoting(t *testing.T) {
	t.Parallel()
	e := engine(t, `
[security]
enable_rbac = true

[[servers]]
name = "github"
command = "github-mcp"

[roles."on call"]
allowed_tools = ["github/*"]

[api_keys."sk-oncall"]
role = "on call"
`)
	d := e.Decide(who(t, e, "sk-oncall"), ActionCall, tool("github", "x"))
	if want := `roles."on call".allowed_tools[0] "github/*"`; !d.Allow || d.Rule != want {
		t.Errorf("Decide = %+v, want allow by %s", d, want)
	}
}
