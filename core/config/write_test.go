package config

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDefaultFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		command string
		args    []string
	}{
		{"unix path", "/usr/local/bin/mcplex", []string{"demo-server"}},
		{"windows path with quote", `C:\Program Files\MC"plex\mcplex.exe`, []string{"demo-server", "--tab\there"}},
		{"no args", "/opt/mcplex", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parse(DefaultFile(tt.command, tt.args), "mcplex.toml", mapEnv(nil))
			if err != nil {
				t.Fatalf("the default file does not parse: %v", err)
			}
			want := Default()
			want.Router.Strategy = StrategySemantic
			want.Security.AuditLogPath = c.Security.AuditLogPath // resolved against the file
			want.Servers = []Server{{
				Name:           "demo",
				Description:    "MCPlex built-in demo server",
				Command:        tt.command,
				Args:           tt.args,
				TimeoutSeconds: 60,
			}}
			want.Path = c.Path
			if diff := cmp.Diff(want, c, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("default config (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDefaultFileShowsEveryKey checks that each key of the schema appears
// in the generated file, so that new fields get documented there.
func TestDefaultFileShowsEveryKey(t *testing.T) {
	t.Parallel()
	text := string(DefaultFile("/bin/mcplex", []string{"demo-server"}))
	var missing []string
	for _, key := range schemaKeys(reflect.TypeFor[Config](), "") {
		name := key[strings.LastIndex(key, ".")+1:]
		if !strings.Contains(text, "\n"+name+" = ") && !strings.Contains(text, "# "+name+" = ") {
			missing = append(missing, key)
		}
	}
	for _, section := range []string{"[gateway]", "[router]", "[security]", "[cache]", "[[servers]]", "[roles.", "[api_keys.", "[agentlens]"} {
		if !strings.Contains(text, section) {
			missing = append(missing, section)
		}
	}
	if len(missing) > 0 {
		t.Errorf("missing from DefaultFile: %v", missing)
	}
}

// schemaKeys lists the key paths of every leaf field of a config type
// (map and slice elements collapsed: servers.name, roles.allowed_tools).
func schemaKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			keys = append(keys, schemaKeys(ft, child(prefix, name))...)
		} else {
			keys = append(keys, child(prefix, name))
		}
	}
	return keys
}

func TestEnsureDefault(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new", "dir", "mcplex.toml")
	created, err := EnsureDefault(path, "/bin/mcplex", []string{"demo-server"})
	if err != nil || !created {
		t.Fatalf("EnsureDefault = %v, %v; want true, nil", created, err)
	}
	checkPerm(t, path, 0o600)
	checkPerm(t, filepath.Dir(path), 0o700)
	if _, err := Load(path); err != nil {
		t.Fatalf("Load(created file): %v", err)
	}
	if err := os.WriteFile(path, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	created, err = EnsureDefault(path, "/bin/other", nil)
	if err != nil || created {
		t.Fatalf("second EnsureDefault = %v, %v; want false, nil", created, err)
	}
	checkFile(t, path, "# mine\n")
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "mcplex.toml")
	if err := WriteFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, "one")
	checkPerm(t, path, 0o600)
	if _, err := os.Stat(path + ".bak"); !os.IsNotExist(err) {
		t.Errorf("a .bak was made for a new file: %v", err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, "two")
	checkFile(t, path+".bak", "one")
	checkPerm(t, path, 0o640)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want 2 (no temp files left)", len(entries))
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{"GITHUB_TOKEN": "ghp_secret", "TEAM_KEY": "sk-team-secret-1"})
	file := filepath.Join(t.TempDir(), "mcplex.toml")
	src := lines(
		`[gateway]`, `listen = "127.0.0.1:4000"`, `dashboard = "127.0.0.1:9090"`, `allowed_hosts = ["mcplex.local"]`,
		`[router]`, `strategy = "semantic"`, `similarity_threshold = 0.45`,
		`[security]`, `enable_rbac = true`, `enable_audit_log = true`, `audit_log_path = "./audit/a.jsonl"`,
		`[cache]`, `enabled = true`, `patterns = ["get_*"]`,
		`[[servers]]`, `name = "github"`, `command = "npx"`, `args = ["-y", "server-github"]`,
		`env = { GITHUB_TOKEN = "${GITHUB_TOKEN}", "odd key" = "v" }`, `cwd = "work"`, `enabled = false`,
		`[[servers]]`, `name = "db"`, `url = "https://db.example/mcp"`, `headers = { Authorization = "Bearer ${GITHUB_TOKEN}" }`,
		`allowed_roles = ["dev"]`, `timeout_seconds = 5`,
		`[roles.dev]`, `allowed_tools = ["github/*"]`, `blocked_tools = ["*/delete_*"]`,
		`[api_keys."${TEAM_KEY}"]`, `role = "dev"`,
		`[api_keys."sha256:`+strings.Repeat("ab", 32)+`"]`, `description = "hashed"`,
		`[agentlens]`, `enabled = true`, `url = "http://127.0.0.1:3000/api/ingest"`,
	)
	c, err := parse([]byte(src), file, env)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"ghp_secret", "sk-team-secret-1", file} {
		if strings.Contains(string(data), secret) {
			t.Errorf("Encode wrote %q instead of the text from the file:\n%s", secret, data)
		}
	}
	back, err := parse(data, file, env)
	if err != nil {
		t.Fatalf("Parse(Encode(c)): %v\n%s", err, data)
	}
	if diff := cmp.Diff(c, back, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, data)
	}

	// A value changed in memory is written as it is now.
	c.Servers[0].Env = map[string]string{"GITHUB_TOKEN": "other"}
	data, err = Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `GITHUB_TOKEN = "other"`) {
		t.Errorf("changed value not written:\n%s", data)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	src := lines(
		`[gateway]`, `api_key = "sk-gateway-secret"`,
		`[[servers]]`, `name = "filesystem"`, `command = "npx"`, `args = ["--token", "arg-secret"]`,
		`[[servers]]`, `name = "db"`, `url = "https://user:pw@db.example/mcp?key=q-secret"`, `enabled = false`,
		`[roles.dev]`, `[roles.admin]`,
		`[api_keys."sk-key-secret-1"]`, `role = "dev"`,
	)
	c, err := parse([]byte(src), "", mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `gateway "mcplex": listen 127.0.0.1:3100, dashboard off, hot reload on
router: mode metatool, strategy keyword, top_k 5, threshold 0.3
security: rbac off, audit log off
cache: off
servers (2):
  filesystem  stdio  npx
  db          http   https://db.example/mcp (disabled)
roles (2): admin, dev
api keys: 1, gateway api_key set
`
	if diff := cmp.Diff(want, c.Summary()); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
}

func checkFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
}

func checkPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return // no Unix permission bits
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	path, err := DefaultPath()
	if err != nil {
		t.Skipf("no user config dir here: %v", err)
	}
	if want := filepath.Join("mcplex", "mcplex.toml"); !strings.HasSuffix(path, want) || !filepath.IsAbs(path) {
		t.Errorf("DefaultPath() = %q, want an absolute path ending in %q", path, want)
	}
}

// A secret from the environment stays a ${VAR} reference when what is
// around it moves: a server removed before its server, an argument deleted
// before it (the GUI edits configs this way).
func TestEncodeKeepsMovedReferences(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{"SECRET_A": "aaaa-secret", "SECRET_B": "bbbb-secret", "PORT": "8080"})
	src := lines(
		`[[servers]]`, `name = "a"`, `command = "x"`, `env = { TOKEN = "${SECRET_A}" }`,
		`[[servers]]`, `name = "b"`, `command = "y"`, `args = ["--first", "--token=${SECRET_B}", "${MODE:-fast}"]`,
		`env = { TOKEN = "${SECRET_B}" }`,
	)
	c, err := parse([]byte(src), filepath.Join(t.TempDir(), "mcplex.toml"), env)
	if err != nil {
		t.Fatal(err)
	}
	c.Servers = c.Servers[1:]                 // remove "a": "b" moves to servers[0]
	c.Servers[0].Args = c.Servers[0].Args[1:] // delete an argument: the others move up
	c.Servers[0].Description = "fast"         // equal to a default written in the file: stays literal
	data, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	for _, secret := range []string{"aaaa-secret", "bbbb-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("Encode wrote the secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{`TOKEN = "${SECRET_B}"`, `"--token=${SECRET_B}"`, `"${MODE:-fast}"`, `description = "fast"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	back, err := parse(data, c.Path, env)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Servers[0].Env["TOKEN"]; got != "bbbb-secret" {
		t.Errorf("TOKEN reads back as %q", got)
	}
}

// ParseUnexpanded keeps every reference, whatever this environment holds,
// and Encode writes them back as they were.
func TestParseUnexpandedKeepsReferences(t *testing.T) {
	t.Parallel()
	src := lines(
		`[[servers]]`, `name = "gh"`, `command = "${GH_BIN}"`, `args = ["--mode=${MODE:-fast}"]`,
		`env = { TOKEN = "${UNSET_IN_THIS_PROCESS_TOKEN}" }`,
		`[roles.dev]`, `allowed_tools = ["gh/*"]`,
		`[api_keys."${TEAM_KEY}"]`, `role = "dev"`,
	)
	c, err := ParseUnexpanded([]byte(src), filepath.Join(t.TempDir(), "mcplex.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Servers[0].Env["TOKEN"]; got != "${UNSET_IN_THIS_PROCESS_TOKEN}" {
		t.Errorf("TOKEN = %q, want the reference", got)
	}
	if _, ok := c.APIKeys["${TEAM_KEY}"]; !ok {
		t.Errorf("api_keys = %v, want the reference as the key", c.APIKeys)
	}
	c.Servers[0].Description = "edited"
	data, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`command = "${GH_BIN}"`, `"--mode=${MODE:-fast}"`, `TOKEN = "${UNSET_IN_THIS_PROCESS_TOKEN}"`, `[api_keys."${TEAM_KEY}"]`, `description = "edited"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("output lacks %s:\n%s", want, data)
		}
	}
}
