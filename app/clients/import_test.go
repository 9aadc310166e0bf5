package clients

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mcplex/mcplex/core/config"
)

// baseConfig is an mcplex.toml that already has a server called github.
const baseConfig = `# my gateway
[gateway]
listen = "127.0.0.1:3100"

[[servers]]
name = "github"
url = "https://api.githubcopilot.com/mcp/"
`

func parseConfig(t *testing.T, src []byte) *config.Config {
	t.Helper()
	cfg, err := config.Parse(src, "mcplex.toml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// memUpdate edits cfg in memory and validates it, like Controller.UpdateConfig.
func memUpdate(cfg *config.Config) func(func(*config.Config) error) error {
	return func(edit func(*config.Config) error) error {
		if err := edit(cfg); err != nil {
			return err
		}
		return cfg.Validate()
	}
}

// TestImportClaudeDesktop imports a real-shaped Claude Desktop config: the
// stdio servers with their env, the URL server, not the SSE one and not
// MCPlex itself; a name clash gets a suffix and the config stays valid.
func TestImportClaudeDesktop(t *testing.T) {
	c, _ := Lookup("claude-desktop")
	path, _ := fixture(t, c, "import")
	plan, err := Import(context.Background(), c, testOptions(t, c, path))
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped := []Skipped{
		{"old-sse", "uses the SSE transport, which MCPlex cannot reach (Streamable HTTP and stdio only)"},
		{"mcplex", "this is MCPlex itself"},
	}
	if diff := cmp.Diff(wantSkipped, plan.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	cfg := parseConfig(t, []byte(baseConfig))
	res, err := plan.Apply(memUpdate(cfg))
	if err != nil {
		t.Fatal(err)
	}
	wantAdded := []Imported{
		{"filesystem", "filesystem"}, {"github", "github-2"}, {"brave search", "brave-search"},
		{"sqlite", "sqlite"}, {"linear", "linear"},
	}
	if diff := cmp.Diff(wantAdded, res.Added); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("imported config is invalid: %v", err)
	}
	want := []config.Server{
		{Name: "filesystem", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop", "/Users/me/Downloads"}},
		{Name: "github-2", Command: "docker", Args: []string{"run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"},
			Env: map[string]string{"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_example"}},
		{Name: "brave-search", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-brave-search"},
			Env: map[string]string{"BRAVE_API_KEY": "BSA_example", "LOG_LEVEL": "debug"}},
		{Name: "sqlite", Command: "uvx", Args: []string{"mcp-server-sqlite", "--db-path", "/Users/me/test.db"}},
		{Name: "linear", URL: "https://mcp.linear.app/mcp", Headers: map[string]string{"Authorization": "Bearer lin_example"}},
	}
	if diff := cmp.Diff(want, cfg.Servers[1:]); diff != "" {
		t.Errorf("servers (-want +got):\n%s", diff)
	}

	// The CLI appends the same servers to the file as text: the old text
	// stays byte for byte and the result parses to the same servers.
	out := AppendServers([]byte(baseConfig), "imported from Claude Desktop", cfg.Servers[1:])
	if !bytes.HasPrefix(out, []byte(baseConfig)) {
		t.Error("AppendServers changed the existing text")
	}
	back := parseConfig(t, out)
	if err := back.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := range back.Servers {
		back.Servers[i].TimeoutSeconds = 0 // a default Parse fills in
	}
	if diff := cmp.Diff(cfg.Servers[1:], back.Servers[1:]); diff != "" {
		t.Errorf("appended servers do not parse back (-want +got):\n%s", diff)
	}
}

// TestImportReplace swaps the imported servers for the MCPlex entry; undo
// restores the original byte for byte, or after a later edit puts the
// imported servers back next to it.
func TestImportReplace(t *testing.T) {
	c, _ := Lookup("claude-desktop")
	path, orig := fixture(t, c, "import")
	o := testOptions(t, c, path)
	o.Replace = true
	for _, edited := range []bool{false, true} {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		plan, err := Import(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		res, err := plan.Apply(memUpdate(parseConfig(t, []byte(baseConfig))))
		if err != nil {
			t.Fatal(err)
		}
		if res.Client == nil || !res.Client.Changed {
			t.Fatalf("client not changed: %+v", res.Client)
		}
		got := readFile(t, path)
		golden(t, c, "import-replace", got)
		if edited {
			got = userEdit(c, got)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		undo, err := Disconnect(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		after := readFile(t, path)
		if !edited {
			if undo.Action != Restored || !bytes.Equal(after, orig) {
				t.Errorf("undo (%s) did not restore the original:\n%s", undo.Action, unifiedDiff(path, orig, after, true, true))
			}
			continue
		}
		m := decodeFile(t, c, after)
		var names []string
		for _, e := range mustDoc(t, c, after).entries() {
			names = append(names, e.Name)
		}
		slices.Sort(names)
		wantNames := []string{"brave search", "filesystem", "github", "linear", "old-sse", "sqlite"}
		if diff := cmp.Diff(wantNames, names); diff != "" || m["userKey"] != true {
			t.Errorf("surgical undo: servers (-want +got):\n%s\nfile:\n%s", diff, after)
		}
	}
}

func mustDoc(t *testing.T, c *Client, b []byte) document {
	t.Helper()
	d, err := parseDoc(c, "x", b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestImportTranslatesVariables: ${env:NAME} becomes ${NAME}, with a warning.
func TestImportTranslatesVariables(t *testing.T) {
	c, _ := Lookup("cursor")
	path, _ := fixture(t, c, "others")
	plan, err := Import(context.Background(), c, testOptions(t, c, path))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Servers) != 2 {
		t.Fatalf("servers: %+v", plan.Servers)
	}
	pg := plan.Servers[1]
	if pg.Server.Env["PGPASSWORD"] != "${PGPASSWORD}" || len(pg.Warnings) != 1 {
		t.Errorf("postgres: %+v", pg)
	}
}

func TestServerNames(t *testing.T) {
	for in, want := range map[string]string{
		"brave search": "brave-search",
		"my__server":   "my-server",
		"_hidden":      "hidden",
		"日本":           "server",
		"a.b-c_d":      "a.b-c_d",
		"x" + string(bytes.Repeat([]byte("y"), 80)): "x" + string(bytes.Repeat([]byte("y"), 63)),
	} {
		if got := serverName(in, "__"); got != want {
			t.Errorf("serverName(%q) = %q, want %q", in, got, want)
		}
	}
	taken := map[string]bool{"a": true, "a-2": true}
	if got := uniqueName("a", taken); got != "a-3" {
		t.Errorf("uniqueName = %q", got)
	}
}

// TestIsMCPlexBinary: both Windows builds are MCPlex (the tray's GUI build
// once named a bridge entry), other programs are not.
func TestIsMCPlexBinary(t *testing.T) {
	for cmd, want := range map[string]bool{
		"/usr/local/bin/mcplex":                true,
		`C:\Program Files\MCPlex\mcplex.exe`:   true,
		`C:\Program Files\MCPlex\MCPlexW.exe`:  true,
		"/opt/mcplex/mcplexw":                  true,
		"/usr/bin/npx":                         false,
		`C:\Program Files\MCPlex\mcplexd.exe`:  false,
		"/home/me/mcplex-server/bin/other-mcp": false,
	} {
		if got := isMCPlexBinary(cmd); got != want {
			t.Errorf("isMCPlexBinary(%q) = %v, want %v", cmd, got, want)
		}
	}
}
