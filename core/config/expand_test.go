package config

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEnvExpansion goes through the public Parse and the real environment.
func TestEnvExpansion(t *testing.T) {
	t.Setenv("MCPLEX_TEST_TOKEN", "tok-123")
	t.Setenv("MCPLEX_TEST_EMPTY", "")
	const file = `# ${MCPLEX_TEST_UNSET} in a comment is ignored
[gateway]
name = "gw-${MCPLEX_TEST_TOKEN}" # and here: ${MCPLEX_TEST_UNSET}
api_key = "${MCPLEX_TEST_EMPTY}"

[[servers]]
name = "github"
command = "npx"
args = ["--token", "${MCPLEX_TEST_TOKEN}", "${MCPLEX_TEST_UNSET:-fallback}", "$HOME stays"]
env = { TOKEN = "${MCPLEX_TEST_TOKEN}", LEVEL = "${MCPLEX_TEST_EMPTY:-info}", "${NOT_EXPANDED}" = "x" }

[api_keys."${MCPLEX_TEST_TOKEN}"]
description = "key from the environment"
`
	c, err := Parse([]byte(file), "mcplex.toml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	check(t, "name", c.Gateway.Name, "gw-tok-123")
	check(t, "empty but set", c.Gateway.APIKey, "")
	check(t, "args", c.Servers[0].Args, []string{"--token", "tok-123", "fallback", "$HOME stays"})
	check(t, "env", c.Servers[0].Env, map[string]string{"TOKEN": "tok-123", "LEVEL": "info", "${NOT_EXPANDED}": "x"})
	check(t, "api key", c.APIKeys, map[string]APIKey{"tok-123": {Description: "key from the environment"}})

	_, err = Parse([]byte("[gateway]\n\napi_key = \"${MCPLEX_TEST_UNSET}\"\n"), "mcplex.toml")
	want := []string{`mcplex.toml:3: gateway.api_key: environment variable MCPLEX_TEST_UNSET is not set`}
	if diff := cmp.Diff(want, errLines(t, err)); diff != "" {
		t.Errorf("unset variable (-want +got):\n%s", diff)
	}
}

func TestExpandEnv(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{"A": "1", "EMPTY": "", "B_2": "two"})
	tests := []struct {
		name, in, want, err string
	}{
		{name: "plain", in: "no refs", want: "no refs"},
		{name: "one", in: "${A}", want: "1"},
		{name: "several", in: "x${A}y${B_2}z", want: "x1ytwoz"},
		{name: "default unused", in: "${A:-d}", want: "1"},
		{name: "default for unset", in: "${NOPE:-d}", want: "d"},
		{name: "default for empty", in: "${EMPTY:-d}", want: "d"},
		{name: "empty default", in: "${NOPE:-}", want: ""},
		{name: "set but empty", in: "<${EMPTY}>", want: "<>"},
		{name: "dollar without brace", in: "$A $ {A}", want: "$A $ {A}"},
		{name: "unset", in: "${NOPE}", err: "environment variable NOPE is not set"},
		{name: "unterminated", in: "${A", err: `unterminated "${" (want ${NAME} or ${NAME:-default})`},
		{name: "bad name", in: "${A-B}", err: `invalid variable reference "${A-B}" (want ${NAME} or ${NAME:-default})`},
		{name: "empty name", in: "${}", err: `invalid variable reference "${}" (want ${NAME} or ${NAME:-default})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := expandEnv(tt.in, env)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("expandEnv(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("expandEnv(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestRelativePaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "mcplex.toml")
	data := lines(`[security]`, `audit_log_path = "audit/a.jsonl"`,
		`[[servers]]`, `name = "a"`, `command = "x"`, `cwd = "work"`,
		`[[servers]]`, `name = "b"`, `command = "x"`, `cwd = "/abs/dir"`)
	c, err := parse([]byte(data), file, mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Path", c.Path, file)
	check(t, "audit", c.Security.AuditLogPath, filepath.Join(dir, "sub", "audit", "a.jsonl"))
	check(t, "cwd", c.Servers[0].Cwd, filepath.Join(dir, "sub", "work"))
	check(t, "absolute cwd", c.Servers[1].Cwd, filepath.FromSlash("/abs/dir"))

	c, err = parse([]byte(""), "", mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "no file: Path", c.Path, "")
	check(t, "no file: audit stays relative", c.Security.AuditLogPath, "./logs/audit.jsonl")
}
