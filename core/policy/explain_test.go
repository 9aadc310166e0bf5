package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExplainGolden(t *testing.T) {
	t.Parallel()
	seed := engine(t, seedTOML)
	off := engine(t, rbacOffTOML)
	tests := []struct {
		name string
		e    *Engine
		role string
		t    Target
		want string
	}{
		{"server blocklist", seed, "readonly", tool("database", "drop_table"), `role "readonly", call tool database/drop_table:
   1. skip      identity: role taken as given, authentication not checked
   2. deny      servers[database].blocked_tools[0] "drop_table": matches name "drop_table"
=> deny by servers[database].blocked_tools[0] "drop_table" (blocked by the server's blocked_tools)
`},
		{"role allowlist", seed, "developer", tool("github", "create_issue"), `role "developer", call tool github/create_issue:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[github].blocked_tools: not set
   3. skip      servers[github].allowed_roles: not set
   4. skip      roles.developer.blocked_tools: not set
   5. skip      servers[github].allowed_tools: not set
   6. allow     roles.developer.allowed_tools[0] "github/*": matches "github/create_issue"
=> allow by roles.developer.allowed_tools[0] "github/*" (allowed by the role's allowed_tools)
`},
		{"default deny", seed, "developer", tool("database", "get_user"), `role "developer", call tool database/get_user:
   1. skip      identity: role taken as given, authentication not checked
   2. no match  servers[database].blocked_tools[0] "drop_table": does not match name "get_user"
   3. no match  servers[database].blocked_tools[1] "delete_*": does not match name "get_user"
   4. no match  servers[database].blocked_tools[2] "truncate_*": does not match name "get_user"
   5. skip      servers[database].allowed_roles: not set
   6. skip      roles.developer.blocked_tools: not set
   7. skip      servers[database].allowed_tools: not set
   8. no match  roles.developer.allowed_tools[0] "github/*": does not match "database/get_user"
   9. no match  roles.developer.allowed_tools[1] "database/query_*": does not match "database/get_user"
  10. deny      default: rbac enabled and no allowed_tools pattern matched
=> deny by default: rbac enabled and no allowed_tools pattern matched (rbac is enabled and no allowed_tools pattern of the role matched)
`},
		{"role blocklist", seed, "readonly", tool("github", "delete_repo"), `role "readonly", call tool github/delete_repo:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[github].blocked_tools: not set
   3. skip      servers[github].allowed_roles: not set
   4. deny      roles.readonly.blocked_tools[0] "*/delete_*": matches "github/delete_repo"
=> deny by roles.readonly.blocked_tools[0] "*/delete_*" (blocked by the role's blocked_tools)
`},
		{"allowed_roles", seed, "readonly", tool("slack", "list_channels"), `role "readonly", call tool slack/list_channels:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[slack].blocked_tools: not set
   3. deny      servers[slack].allowed_roles: does not list role "readonly"
=> deny by servers[slack].allowed_roles (the caller's role is not in the server's allowed_roles)
`},
		{"server allowlist", seed, "readonly", tool("fs", "write_file"), `role "readonly", call tool fs/write_file:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[fs].blocked_tools: not set
   3. skip      servers[fs].allowed_roles: not set
   4. no match  roles.readonly.blocked_tools[0] "*/delete_*": does not match "fs/write_file"
   5. no match  roles.readonly.blocked_tools[1] "*/drop_*": does not match "fs/write_file"
   6. no match  servers[fs].allowed_tools[0] "read_*": does not match name "write_file"
   7. no match  servers[fs].allowed_tools[1] "list_*": does not match name "write_file"
   8. deny      servers[fs].allowed_tools: no pattern matches name "write_file"
=> deny by servers[fs].allowed_tools (not in the server's allowed_tools)
`},
		{"no role", seed, "", tool("github", "x"), `no role, call tool github/x:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[github].blocked_tools: not set
   3. skip      servers[github].allowed_roles: not set
   4. skip      roles: the caller has no role
   5. skip      servers[github].allowed_tools: not set
   6. deny      default: rbac enabled and the caller has no role
=> deny by default: rbac enabled and the caller has no role (rbac is enabled and the caller has no role)
`},
		{"undefined role", seed, "intern", tool("github", "x"), `role "intern", call tool github/x:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[github].blocked_tools: not set
   3. skip      servers[github].allowed_roles: not set
   4. skip      roles.intern: role is not defined
   5. skip      servers[github].allowed_tools: not set
   6. deny      default: rbac enabled and the role is not defined: role "intern"
=> deny by default: rbac enabled and the role is not defined (rbac is enabled and the caller's role is not defined)
`},
		{"resource", seed, "readonly", res("github", "repo://x"), `role "readonly", read resource repo://x on server github:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[github].blocked_tools and .allowed_tools: tool name lists do not apply to resources
   3. skip      servers[github].allowed_roles: not set
   4. no match  roles.readonly.blocked_tools[0] "*/delete_*": does not name every item of server "github"
   5. no match  roles.readonly.blocked_tools[1] "*/drop_*": does not name every item of server "github"
   6. no match  roles.readonly.allowed_tools[0] "*/list_*": does not name every item of server "github"
   7. no match  roles.readonly.allowed_tools[1] "*/get_*": does not name every item of server "github"
   8. deny      default: rbac enabled and no allowed_tools pattern covers the whole server: a resource needs a pattern naming the whole server, such as "github/*"
=> deny by default: rbac enabled and no allowed_tools pattern covers the whole server (no allowed_tools pattern names every item of the server)
`},
		{"prompt", seed, "admin", prompt("database", "delete_all"), `role "admin", get prompt database/delete_all:
   1. skip      identity: role taken as given, authentication not checked
   2. no match  servers[database].blocked_tools[0] "drop_table": does not match name "delete_all"
   3. deny      servers[database].blocked_tools[1] "delete_*": matches name "delete_all"
=> deny by servers[database].blocked_tools[1] "delete_*" (blocked by the server's blocked_tools)
`},
		{"unknown server", seed, "admin", tool("gitlab", "x"), `role "admin", call tool gitlab/x:
   1. deny      request: server is not configured: the target's server is not in the config
=> deny by request: server is not configured (the target's server is not in the config)
`},
		{"rbac off, server allowlist", off, "readonly", tool("fs", "read_file"), `role "readonly", call tool fs/read_file:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[fs].blocked_tools: not set
   3. skip      servers[fs].allowed_roles: not set
   4. no match  roles.readonly.blocked_tools[0] "*/delete_*": does not match "fs/read_file"
   5. match     servers[fs].allowed_tools[0] "read_*": matches name "read_file"
   6. skip      security.enable_rbac: false: no allowed_tools pattern is required
   7. allow     servers[fs].allowed_tools[0] "read_*": rbac disabled and the server's allowed_tools matched
=> allow by servers[fs].allowed_tools[0] "read_*" (matched the server's allowed_tools; rbac is disabled)
`},
		{"rbac off, default allow", off, "", tool("github", "x"), `no role, call tool github/x:
   1. skip      identity: role taken as given, authentication not checked
   2. skip      servers[github].blocked_tools: not set
   3. skip      servers[github].allowed_roles: not set
   4. skip      roles: the caller has no role
   5. skip      servers[github].allowed_tools: not set
   6. skip      security.enable_rbac: false: no allowed_tools pattern is required
   7. allow     default: rbac disabled and no rule denies
=> allow by default: rbac disabled and no rule denies (rbac is disabled and no rule denies)
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := tc.e.Explain(tc.role, tc.t)
			if diff := cmp.Diff(tc.want, x.String()); diff != "" {
				t.Errorf("Explain(%q, %s) (-want +got):\n%s", tc.role, tc.t, diff)
			}
			if last := x.Steps[len(x.Steps)-1]; last.Rule != x.Decision.Rule {
				t.Errorf("last step %+v is not the decision %+v", last, x.Decision)
			}
		})
	}
}

// TestExplainAgreesWithDecide: Explain and Decide share one evaluation.
func TestExplainAgreesWithDecide(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	for _, key := range []string{keyDev, keyAdmin, keyRO, keyOps, keyNoHub, keyGateway} {
		id := who(t, e, key)
		for _, server := range []string{"github", "database", "slack", "fs", "nope"} {
			for _, name := range []string{"create_issue", "list_x", "get_secret", "drop_table", "delete_x", "read_file", "repo://x"} {
				for _, k := range []Kind{KindTool, KindPrompt, KindResource} {
					tg := Target{Kind: k, Server: server, Name: name}
					d, x := e.Decide(id, defaultAction(k), tg), e.Explain(id.Role, tg)
					if d != x.Decision {
						t.Errorf("%s %s: Decide %+v, Explain %+v", id.Role, tg, d, x.Decision)
					}
				}
			}
		}
	}
}
