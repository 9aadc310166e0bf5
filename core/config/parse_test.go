package config

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mapEnv is a lookupFunc over a fixed environment, so tests can run in
// parallel without t.Setenv.
func mapEnv(env map[string]string) lookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// errLines returns the message of each joined error, checking that each
// is an *Error.
func errLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error is not joined: %T %v", err, err)
	}
	var lines []string
	for _, e := range joined.Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Errorf("%T is not an *Error: %v", e, e)
		}
		lines = append(lines, e.Error())
	}
	return lines
}

// lines joins TOML lines, so cases can count them.
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const stdio = "[[servers]]\nname = \"a\"\ncommand = \"x\"\n" // lines 1-3
	tests := []struct {
		name string
		toml string
		env  map[string]string
		want []string
	}{
		{"syntax error", lines(`[gateway]`, `listen =`),
			nil, []string{`mcplex.toml:2: invalid TOML: expected value but found '\n' instead`}},
		{"duplicate key", lines(`[router]`, `top_k = 1`, `top_k = 2`),
			nil, []string{`mcplex.toml:3: invalid TOML: Key 'router.top_k' has already been defined.`}},
		{"wrong type", lines(`[router]`, `top_k = "5"`),
			nil, []string{`mcplex.toml:2: router.top_k: wrong type: want integer, got string`}},
		{"wrong type in second server", stdio + lines(`[[servers]]`, `name = 7`),
			nil, []string{`mcplex.toml:5: servers[1].name: wrong type: want string, got integer`}},
		{"table instead of array of tables", lines(`[servers]`, `name = "a"`),
			nil, []string{`mcplex.toml:1: servers: wrong type: want array, got table`}},
		{"unknown top-level key", lines(`bogus = 1`),
			nil, []string{`mcplex.toml:1: bogus: unknown key`}},
		{"unknown table reported once", lines(`[bogus]`, `x = 1`, `y.z = 2`),
			nil, []string{`mcplex.toml:1: bogus: unknown key`}},
		{"unknown nested key", lines(`[gateway]`, `listen = "127.0.0.1:1"`, `listn = "x"`),
			nil, []string{`mcplex.toml:3: gateway.listn: unknown key`}},
		{"unknown key in second server", stdio + lines(`[[servers]]`, `name = "b"`, `comand = "y"`),
			nil, []string{
				`mcplex.toml:4: servers[1]: needs command (stdio) or url (Streamable HTTP)`,
				`mcplex.toml:6: servers[1].comand: unknown key`,
			}},
		{"key in wrong case", lines(`[gateway]`, `LISTEN = "127.0.0.1:1"`, `[Router]`, `top_k = 2`) + lines(`[[Servers]]`, `Name = "a"`),
			nil, []string{
				`mcplex.toml:2: gateway.LISTEN: unknown key (keys are case-sensitive: did you mean "listen"?)`,
				`mcplex.toml:3: Router: unknown key (keys are case-sensitive: did you mean "router"?)`,
				`mcplex.toml:5: Servers: unknown key (keys are case-sensitive: did you mean "servers"?)`,
				`mcplex.toml: servers[0]: needs command (stdio) or url (Streamable HTTP)`, // written as Servers: no line
			}},
		{"unknown key in role", lines(`[roles.dev]`, `allow = ["x"]`),
			nil, []string{`mcplex.toml:2: roles.dev.allow: unknown key`}},
		{"duplicate server names", stdio + stdio,
			nil, []string{`mcplex.toml:5: servers[1].name: duplicate server name "a" (first used by servers[0])`}},
		{"neither command nor url", lines(`[[servers]]`, `name = "a"`),
			nil, []string{`mcplex.toml:1: servers[0]: needs command (stdio) or url (Streamable HTTP)`}},
		{"both command and url", stdio + lines(`url = "http://h/mcp"`),
			nil, []string{`mcplex.toml:1: servers[0]: has both command and url; set exactly one`}},
		{"headers on stdio server", stdio + lines(`headers = { X-Token = "t" }`),
			nil, []string{`mcplex.toml:4: servers[0].headers: only valid for HTTP servers (url)`}},
		{"stdio keys on http server", lines(`[[servers]]`, `name = "a"`, `url = "http://h/mcp"`, `args = ["-v"]`, `cwd = "/tmp"`),
			nil, []string{
				`mcplex.toml:4: servers[0].args: only valid for stdio servers (command)`,
				`mcplex.toml:5: servers[0].cwd: only valid for stdio servers (command)`,
			}},
		{"bad url", lines(`[[servers]]`, `name = "a"`, `url = "ftp://x"`),
			nil, []string{`mcplex.toml:3: servers[0].url: must be an http or https URL, got "ftp://x"`}},
		{"url without host hides password", lines(`[[servers]]`, `name = "a"`, `url = "http://u:secret@/mcp"`),
			nil, []string{`mcplex.toml:3: servers[0].url: must be an http or https URL, got "http://u:xxxxx@/mcp"`}},
		{"invalid server names", lines(`[[servers]]`, `name = "my server"`, `command = "x"`,
			`[[servers]]`, `name = "git__hub"`, `command = "x"`, `[[servers]]`, `name = ""`, `command = "x"`),
			nil, []string{
				`mcplex.toml:2: servers[0].name: invalid name "my server": use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
				`mcplex.toml:5: servers[1].name: name "git__hub" contains the tool name separator "__"`,
				`mcplex.toml:8: servers[2].name: must not be empty`,
			}},
		{"bad listen", lines(`[gateway]`, `listen = "localhost"`, `dashboard = "127.0.0.1:99999"`),
			nil, []string{
				`mcplex.toml:2: gateway.listen: must be host:port with a port from 0 to 65535, got "localhost"`,
				`mcplex.toml:3: gateway.dashboard: must be host:port with a port from 0 to 65535, got "127.0.0.1:99999"`,
			}},
		{"non-numeric port", lines(`[gateway]`, `listen = "127.0.0.1:http"`),
			nil, []string{`mcplex.toml:2: gateway.listen: must be host:port with a port from 0 to 65535, got "127.0.0.1:http"`}},
		{"remote listen without key", lines(`[gateway]`, `listen = "0.0.0.0:3100"`),
			nil, []string{`mcplex.toml:2: gateway.listen: "0.0.0.0:3100" is not a loopback address: set gateway.api_key or [api_keys], or allow_unauthenticated_remote = true`}},
		{"bad mode", lines(`[router]`, `mode = "smart"`),
			nil, []string{`mcplex.toml:2: router.mode: must be one of metatool, passthrough, legacy, got "smart"`}},
		{"bad strategy", lines(`[router]`, `strategy = "vector"`),
			nil, []string{`mcplex.toml:2: router.strategy: must be one of semantic, keyword, passthrough, got "vector"`}},
		{"bad top_k", lines(`[router]`, `top_k = 0`),
			nil, []string{`mcplex.toml:2: router.top_k: must be >= 1, got 0`}},
		{"threshold above 1", lines(`[router]`, `similarity_threshold = 1.5`),
			nil, []string{`mcplex.toml:2: router.similarity_threshold: must be between 0 and 1, got 1.5`}},
		{"threshold below 0", lines(`[router]`, `similarity_threshold = -0.1`),
			nil, []string{`mcplex.toml:2: router.similarity_threshold: must be between 0 and 1, got -0.1`}},
		{"negative numbers", lines(`[gateway]`, `rate_limit_rps = -1`, `[cache]`, `ttl_seconds = 0`) + stdio + lines(`timeout_seconds = -5`),
			nil, []string{
				`mcplex.toml:2: gateway.rate_limit_rps: must be >= 0, got -1`,
				`mcplex.toml:4: cache.ttl_seconds: must be >= 1, got 0`,
				`mcplex.toml:8: servers[0].timeout_seconds: must be >= 0, got -5`,
			}},
		{"bad globs", lines(`[roles.dev]`, `allowed_tools = [`, `  "github/*",`, `  "github/[",`, `  "",`, `]`, `[cache]`, `patterns = ["a[b"]`),
			nil, []string{
				`mcplex.toml:4: roles.dev.allowed_tools[1]: invalid glob "github/[": unexpected end of input`,
				`mcplex.toml:5: roles.dev.allowed_tools[2]: empty pattern`,
				`mcplex.toml:8: cache.patterns[0]: invalid glob "a[b": unexpected end of input`,
			}},
		{"unsupported glob syntax", lines(`[roles.dev]`, `allowed_tools = ["github/{a,b}", "x\\[y"]`),
			nil, []string{`mcplex.toml:2: roles.dev.allowed_tools[0]: invalid glob "github/{a,b}": '{' is not supported (patterns use * and ?; escape a literal with \)`}},
		{"unset env var", stdio + lines(`env = { GITHUB_TOKEN = "${GITHUB_TOKEN}" }`),
			nil, []string{`mcplex.toml:4: servers[0].env.GITHUB_TOKEN: environment variable GITHUB_TOKEN is not set`}},
		{"unset env var hides follow-up errors", lines(`[[servers]]`, `name = "db"`, `url = "${DB_URL}"`),
			nil, []string{`mcplex.toml:3: servers[0].url: environment variable DB_URL is not set`}},
		{"malformed references", lines(`[gateway]`, `api_key = "${KEY"`, `name = "${1X}"`),
			nil, []string{
				`mcplex.toml:2: gateway.api_key: unterminated "${" (want ${NAME} or ${NAME:-default})`,
				`mcplex.toml:3: gateway.name: invalid variable reference "${1X}" (want ${NAME} or ${NAME:-default})`,
			}},
		{"unset env var in api key name", lines(`[api_keys."${TEAM_KEY}"]`, `role = "dev"`),
			nil, []string{`mcplex.toml:1: api_keys."${TEAM_KEY}": environment variable TEAM_KEY is not set`}},
		{"unknown role in api key is redacted", lines(`[roles.dev]`, `[api_keys."sk-live-0123456789"]`, `role = "ops"`),
			nil, []string{`mcplex.toml:3: api_keys."sk-l***".role: unknown role "ops" (defined: dev)`}},
		{"unknown role with rbac and no roles", lines(`[security]`, `enable_rbac = true`, `[api_keys.k1]`, `role = "dev"`),
			nil, []string{`mcplex.toml:4: api_keys."***".role: unknown role "dev" (no [roles] are defined)`}},
		{"unknown allowed role", lines(`[roles.dev]`, `[roles.ops]`) + strings.ReplaceAll(stdio, "[[servers]]", "[[servers]]\nallowed_roles = [\"dev\", \"qa\"]"),
			nil, []string{`mcplex.toml:4: servers[0].allowed_roles[1]: unknown role "qa" (defined: dev, ops)`}},
		{"bad sha256 key", lines(`[api_keys."sha256:abcd"]`),
			nil, []string{`mcplex.toml:1: api_keys."sha256:abcd": a sha256: key needs 64 hex digits`}},
		{"several errors in line order", lines(
			`[gateway]`,
			`listen = "nope"`,
			`[router]`,
			`mode = "smart"`,
			`top_k = 0`,
			`extra = true`,
			`[[servers]]`,
			`name = "a"`,
			`url = "ftp://x"`,
			`headers = { Authorization = "Bearer ${TOKEN}" }`,
			`[[servers]]`,
			`name = "a"`,
		), nil, []string{
			`mcplex.toml:2: gateway.listen: must be host:port with a port from 0 to 65535, got "nope"`,
			`mcplex.toml:4: router.mode: must be one of metatool, passthrough, legacy, got "smart"`,
			`mcplex.toml:5: router.top_k: must be >= 1, got 0`,
			`mcplex.toml:6: router.extra: unknown key`,
			`mcplex.toml:9: servers[0].url: must be an http or https URL, got "ftp://x"`,
			`mcplex.toml:10: servers[0].headers.Authorization: environment variable TOKEN is not set`,
			`mcplex.toml:11: servers[1]: needs command (stdio) or url (Streamable HTTP)`,
			`mcplex.toml:12: servers[1].name: duplicate server name "a" (first used by servers[0])`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parse([]byte(tt.toml), "mcplex.toml", mapEnv(tt.env))
			if c != nil {
				t.Errorf("config = %+v, want nil", c)
			}
			if diff := cmp.Diff(tt.want, errLines(t, err)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"full", Error{File: "m.toml", Line: 3, Key: "router.mode", Msg: "bad"}, "m.toml:3: router.mode: bad"},
		{"no line", Error{File: "m.toml", Key: "router.mode", Msg: "bad"}, "m.toml: router.mode: bad"},
		{"no file", Error{Key: "router.mode", Msg: "bad"}, "router.mode: bad"},
		{"no key", Error{File: "m.toml", Line: 1, Msg: "invalid TOML: x"}, "m.toml:1: invalid TOML: x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateInMemory(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	c.Gateway.Listen = "0.0.0.0:3100"
	c.Servers = []Server{{Name: "x"}}
	want := []string{
		`gateway.listen: "0.0.0.0:3100" is not a loopback address: set gateway.api_key or [api_keys], or allow_unauthenticated_remote = true`,
		`servers[0]: needs command (stdio) or url (Streamable HTTP)`,
	}
	if diff := cmp.Diff(want, errLines(t, c.Validate())); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	c.Gateway.AllowUnauthenticatedRemote = true
	c.Servers[0].URL = "https://example.com/mcp"
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load("testdata/does-not-exist.toml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load error = %v, want a not-exist error", err)
	}
}
