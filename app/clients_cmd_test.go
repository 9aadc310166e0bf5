package app

import (
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mcplex/mcplex/app/clients"
	"github.com/mcplex/mcplex/core/config"
)

// gatewayTOML is the test's mcplex.toml; its comments must survive an
// import.
const gatewayTOML = `# my gateway: these comments must survive an import
[gateway]
listen = "127.0.0.1:4242" # clients are pointed at http://127.0.0.1:4242/mcp

# already here: an imported "github" must not take this name
[[servers]]
name = "github"
url = "https://api.githubcopilot.com/mcp/"
`

// gatewayURL4242 is the MCP endpoint clients must be pointed at.
const gatewayURL4242 = "http://127.0.0.1:4242/mcp"

// claudeDesktopJSON is a real-shaped Claude Desktop config: stdio servers
// launched through npx, docker and uvx, with env vars, plus an unrelated
// setting. It is indented the way Claude Desktop writes it.
const claudeDesktopJSON = `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-filesystem",
        "/Users/me/Desktop"
      ]
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_example"
      }
    },
    "brave search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": {
        "BRAVE_API_KEY": "BSA_example",
        "LOG_LEVEL": "debug"
      }
    },
    "sqlite": {
      "command": "uvx",
      "args": ["mcp-server-sqlite", "--db-path", "/Users/me/test.db"]
    }
  },
  "preferences": {
    "menuBarEnabled": false
  }
}
`

// stableExe is where the tests pretend mcplex is installed; it is outside
// every temporary folder, so the clients package accepts it too.
func stableExe() string {
	if runtime.GOOS == "windows" {
		return `C:\Program Files\MCPlex\mcplex.exe`
	}
	return "/opt/mcplex/bin/mcplex"
}

// clientsHome is a private user home with an mcplex.toml, in which the
// CLI believes it runs from stableExe.
type clientsHome struct {
	t      *testing.T
	home   string
	config string
}

// clientsUserDirs is userDirs plus %APPDATA%, where Windows keeps the
// config folders (os.UserConfigDir) of Claude Desktop, VS Code and MCPlex.
func clientsUserDirs(t *testing.T) string {
	t.Helper()
	home := userDirs(t)
	t.Setenv("APPDATA", filepath.Join(home, "AppData", "Roaming"))
	return home
}

func newClientsHome(t *testing.T) *clientsHome {
	t.Helper()
	h := &clientsHome{t: t, home: clientsUserDirs(t)}
	h.config = filepath.Join(h.home, "mcplex.toml")
	writeFile(t, h.config, gatewayTOML)
	old := clientExe
	clientExe = func() (string, error) { return stableExe(), nil }
	t.Cleanup(func() { clientExe = old })
	return h
}

// run runs "mcplex ARGS -c <the test config>".
func (h *clientsHome) run(args ...string) (stdout string, err error) {
	h.t.Helper()
	out, _, err := run(h.t, append(args, "-c", h.config)...)
	return out, err
}

// mustRun is run for a command that must succeed.
func (h *clientsHome) mustRun(args ...string) string {
	h.t.Helper()
	out, err := h.run(args...)
	if err != nil {
		h.t.Fatalf("%q: %v\n%s", args, err, out)
	}
	return out
}

func (h *clientsHome) cursorPath() string { return filepath.Join(h.home, ".cursor", "mcp.json") }

// clientPath is where the CLI edits the named client's config.
func clientPath(t *testing.T, name string) string {
	t.Helper()
	c, err := clients.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return c.Path(clients.OSEnv())
}

// exitCode is the status Main exits with for err: 0, 2 for a usage
// mistake, 1 for any other error.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	}
	return 1
}

func wantExit(t *testing.T, err error, code int) {
	t.Helper()
	if got := exitCode(err); got != code {
		t.Fatalf("exit code %d (error %v), want %d", got, err, code)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// servers returns the server map (under key) of a strict JSON file.
func servers(t *testing.T, path, key string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(readString(t, path)), &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m, _ := doc[key].(map[string]any)
	return m
}

func wantMissing(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists (or cannot be checked: %v)", path, err)
	}
}

func wantBytes(t *testing.T, path, want string) {
	t.Helper()
	if got := readString(t, path); got != want {
		t.Errorf("%s differs from the original (-want +got):\n%s", path, cmp.Diff(want, got))
	}
}

// tree records every file and folder under a root, to prove that a
// command wrote nothing: not even a temporary file, which would change its
// folder's modification time.
type tree map[string]treeEntry

type treeEntry struct {
	info fs.FileInfo
	data string
}

func snapshot(t *testing.T, root string) tree {
	t.Helper()
	s := tree{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := treeEntry{info: fi}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.data = string(b)
		}
		s[p] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s tree) unchanged(t *testing.T, root string) {
	t.Helper()
	now := snapshot(t, root)
	for p, was := range s {
		is, ok := now[p]
		switch {
		case !ok:
			t.Errorf("%s was removed", p)
		case is.data != was.data || !os.SameFile(is.info, was.info) || !is.info.ModTime().Equal(was.info.ModTime()):
			t.Errorf("%s was written", p)
		}
	}
	for p := range now {
		if _, ok := s[p]; !ok {
			t.Errorf("%s was created", p)
		}
	}
}

// statusOf returns the STATUS column of "clients status NAME".
func (h *clientsHome) statusOf(name string) string {
	h.t.Helper()
	out := h.mustRun("clients", "status", name)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], name+" ") {
		h.t.Fatalf("status printed:\n%s", out)
	}
	cols := regexp.MustCompile(`\s{2,}`).Split(lines[1], -1) // the status may hold single spaces
	if len(cols) != 4 {
		h.t.Fatalf("status line %q", lines[1])
	}
	return cols[2]
}

// TestClientsList: all ten clients are listed, with whether each is
// installed and the file its entry goes to; listing writes nothing.
func TestClientsList(t *testing.T) {
	h := newClientsHome(t)
	if err := os.Mkdir(filepath.Join(h.home, ".cursor"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h.home)
	out := h.mustRun("clients", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"claude-desktop", "claude-code", "cursor", "vscode", "windsurf", "cline", "zed", "codex", "gemini", "lmstudio"}
	if len(lines) != 1+len(want) || strings.Join(strings.Fields(lines[0]), " ") != "NAME CLIENT INSTALLED CONFIG" {
		t.Fatalf("list printed:\n%s", out)
	}
	for i, name := range want {
		c, err := clients.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		line := lines[i+1]
		if !strings.HasPrefix(line, name+" ") || !strings.Contains(line, c.Display) {
			t.Errorf("line %d is %q, want client %s (%s)", i+1, line, name, c.Display)
		}
	}
	cursor := strings.Fields(lines[3])
	if got := cursor[len(cursor)-2:]; got[0] != "yes" || got[1] != h.cursorPath() {
		t.Errorf("cursor line is %q, want it installed with config %s", lines[3], h.cursorPath())
	}
	before.unchanged(t, h.home)
}

// TestClientsConnectCursor walks a client with no config file through
// dry run, connect, connect again, status and disconnect.
func TestClientsConnectCursor(t *testing.T) {
	h := newClientsHome(t)
	path := h.cursorPath()

	before := snapshot(t, h.home)
	out := h.mustRun("clients", "connect", "cursor", "--dry-run")
	for _, want := range []string{
		"--- /dev/null\n+++ " + path + "\n@@ -0,0 +1,",
		`+      "url": "` + gatewayURL4242 + `"`,
		"Cursor: would be created (dry run: nothing was written)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	before.unchanged(t, h.home)

	out = h.mustRun("clients", "connect", "cursor")
	want := map[string]any{"mcplex": map[string]any{"url": gatewayURL4242}}
	if diff := cmp.Diff(want, servers(t, path, "mcpServers")); diff != "" {
		t.Errorf("mcpServers (-want +got):\n%s", diff)
	}
	c, _ := clients.Lookup("cursor")
	if !strings.Contains(out, "Cursor: created "+path+" with the MCPlex entry\n") || !strings.Contains(out, c.Restart+".\n") {
		t.Errorf("connect printed:\n%s", out)
	}

	before = snapshot(t, h.home)
	out = h.mustRun("clients", "connect", "cursor")
	if out != "Cursor: already connected ("+path+")\n" {
		t.Errorf("second connect printed:\n%s", out)
	}
	before.unchanged(t, h.home)

	if got := h.statusOf("cursor"); got != "connected" {
		t.Errorf("status is %q, want connected", got)
	}

	out = h.mustRun("clients", "disconnect", "cursor")
	if !strings.Contains(out, "Cursor: deleted "+path+", which MCPlex had created\n") {
		t.Errorf("disconnect printed:\n%s", out)
	}
	wantMissing(t, filepath.Dir(path)) // the folder MCPlex made goes too
	if got := h.statusOf("cursor"); got != "not connected" {
		t.Errorf("status after disconnect is %q", got)
	}
}

// TestClientsDisconnectRestoresOriginal: a file the user wrote, with odd
// formatting a re-encoder would change, comes back byte for byte, mode
// included.
func TestClientsDisconnectRestoresOriginal(t *testing.T) {
	h := newClientsHome(t)
	path := h.cursorPath()
	original := "{\r\n\t\"mcpServers\" : {\"linear\": {\"url\": \"https://mcp.linear.app/mcp\"}},\r\n\t\"other\":   [1,2,  3]\r\n}"
	writeFile(t, path, original)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}

	h.mustRun("clients", "connect", "cursor")
	got := servers(t, path, "mcpServers")
	if len(got) != 2 || got["linear"] == nil || got["mcplex"] == nil {
		t.Fatalf("after connect the servers are %v, want linear and mcplex", got)
	}
	if !strings.Contains(readString(t, path), `"other":   [1,2,  3]`) {
		t.Errorf("connect reformatted the rest of the file:\n%s", readString(t, path))
	}

	out := h.mustRun("clients", "disconnect", "cursor")
	if !strings.Contains(out, "Cursor: restored "+path+" as it was before MCPlex changed it\n") {
		t.Errorf("disconnect printed:\n%s", out)
	}
	wantBytes(t, path, original)
	if fi, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after disconnect: %v, %v; want 0640", fi.Mode(), err)
	}
}

// TestClientsConnectClaudeDesktop: the stdio client gets the bridge entry,
// run from the absolute installed path; an API key goes to a 0600 token
// file, never into the client's config.
func TestClientsConnectClaudeDesktop(t *testing.T) {
	h := newClientsHome(t)
	path := clientPath(t, "claude-desktop")

	out := h.mustRun("clients", "connect", "claude-desktop")
	want := map[string]any{"mcplex": map[string]any{
		"command": stableExe(),
		"args":    []any{"bridge", "--url", gatewayURL4242, "--client", "claude-desktop"},
	}}
	if diff := cmp.Diff(want, servers(t, path, "mcpServers")); diff != "" {
		t.Errorf("mcpServers (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, "Quit Claude Desktop completely") {
		t.Errorf("no restart hint:\n%s", out)
	}
	if got := h.statusOf("claude-desktop"); got != "connected" {
		t.Errorf("status is %q, want connected", got)
	}

	const key = "mcplex_k_secret"
	out = h.mustRun("clients", "connect", "claude-desktop", "--key", key)
	entry, _ := servers(t, path, "mcpServers")["mcplex"].(map[string]any)
	args, _ := entry["args"].([]any)
	if len(args) != 7 || args[5] != "--token-file" {
		t.Fatalf("entry with a key is %v", entry)
	}
	token, _ := args[6].(string)
	if got := readString(t, token); got != key+"\n" {
		t.Errorf("token file holds %q", got)
	}
	if fi, err := os.Stat(token); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if strings.Contains(readString(t, path), key) || !strings.Contains(out, "API key file for the bridge: "+token) {
		t.Errorf("the key leaked into %s, or the token file was not named:\n%s", path, out)
	}
}

// TestClientsMalformedRefused: a file that does not parse is never
// written, not even with --force; the error names the file and position.
func TestClientsMalformedRefused(t *testing.T) {
	for _, tc := range []struct{ name, data, at string }{
		{"syntax", "{\n  \"mcpServers\": {\n    \"linear\": {\"url\": \"https://mcp.linear.app/mcp\"}\n    \"x\": {}\n  }\n}\n", ":4:5: not valid JSON"},
		{"trailing comma", "{\n  \"mcpServers\": {\n    \"linear\": {\"url\": \"https://mcp.linear.app/mcp\"},\n  }\n}\n", ":3:52: has comments or trailing commas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newClientsHome(t)
			path := h.cursorPath()
			writeFile(t, path, tc.data)
			before := snapshot(t, h.home)
			for _, args := range [][]string{
				{"clients", "connect", "cursor"},
				{"clients", "connect", "cursor", "--force"},
				{"clients", "connect", "cursor", "--dry-run"},
				{"clients", "disconnect", "cursor"},
			} {
				_, err := h.run(args...)
				wantExit(t, err, 1)
				if !errors.Is(err, clients.ErrMalformed) || !strings.HasPrefix(err.Error(), path+tc.at) ||
					!strings.HasSuffix(err.Error(), "(MCPlex left the file untouched)") {
					t.Errorf("%q: error %q, want a malformed-file error at %s%s", args, err, path, tc.at)
				}
			}
			before.unchanged(t, h.home)
			if got := h.statusOf("cursor"); !strings.HasPrefix(got, "error: "+path+tc.at) {
				t.Errorf("status is %q, want the error", got)
			}
		})
	}
}

// TestClientsForeignEntry: an "mcplex" entry MCPlex did not write is
// neither replaced nor removed without --force; with it, disconnect puts
// the foreign entry back.
func TestClientsForeignEntry(t *testing.T) {
	h := newClientsHome(t)
	path := h.cursorPath()
	original := "{\n  \"mcpServers\": {\n    \"mcplex\": {\"url\": \"http://127.0.0.1:9999/mcp\"}\n  }\n}\n"
	writeFile(t, path, original)
	before := snapshot(t, h.home)
	for _, action := range []string{"connect", "disconnect"} {
		_, err := h.run("clients", action, "cursor")
		wantExit(t, err, 1)
		if !errors.Is(err, clients.ErrNotOurs) || !strings.Contains(err.Error(), "http://127.0.0.1:9999/mcp") ||
			!strings.Contains(err.Error(), "--force") {
			t.Errorf("%s: error %q, want the not-ours error naming the entry and --force", action, err)
		}
	}
	before.unchanged(t, h.home)
	if got := h.statusOf("cursor"); got != "points elsewhere: http://127.0.0.1:9999/mcp" {
		t.Errorf("status is %q, want points elsewhere", got)
	}

	h.mustRun("clients", "connect", "cursor", "--force")
	if got := servers(t, path, "mcpServers")["mcplex"]; !cmp.Equal(got, map[string]any{"url": gatewayURL4242}) {
		t.Errorf("forced entry is %v", got)
	}
	h.mustRun("clients", "disconnect", "cursor")
	wantBytes(t, path, original)
}

// importedServers is what importing claudeDesktopJSON adds to gatewayTOML.
func importedServers() []config.Server {
	return []config.Server{
		{Name: "filesystem", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"}},
		{Name: "github-2", Command: "docker", Args: []string{"run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"},
			Env: map[string]string{"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_example"}},
		{Name: "brave-search", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-brave-search"},
			Env: map[string]string{"BRAVE_API_KEY": "BSA_example", "LOG_LEVEL": "debug"}},
		{Name: "sqlite", Command: "uvx", Args: []string{"mcp-server-sqlite", "--db-path", "/Users/me/test.db"}},
	}
}

// checkImported loads the config and compares its stdio servers with
// importedServers, and checks the old text is kept as a prefix.
func (h *clientsHome) checkImported() {
	t := h.t
	t.Helper()
	cfg, err := config.Load(h.config)
	if err != nil {
		t.Fatalf("the config after import does not load: %v", err)
	}
	var got []config.Server
	for _, s := range cfg.Servers {
		if s.Name == "github" {
			continue // the one already there
		}
		got = append(got, config.Server{Name: s.Name, Command: s.Command, Args: s.Args, Env: s.Env})
	}
	if diff := cmp.Diff(importedServers(), got); diff != "" {
		t.Errorf("imported servers (-want +got):\n%s", diff)
	}
	text := readString(t, h.config)
	if !strings.HasPrefix(text, gatewayTOML) || !strings.Contains(text, "# imported from Claude Desktop (") {
		t.Errorf("the config lost its text or has no import comment:\n%s", text)
	}
}

// TestClientsImportClaudeDesktop: the servers move into mcplex.toml, whose
// comments stay, and the client's file is left as it was.
func TestClientsImportClaudeDesktop(t *testing.T) {
	h := newClientsHome(t)
	path := clientPath(t, "claude-desktop")
	writeFile(t, path, claudeDesktopJSON)

	out := h.mustRun("clients", "import", "claude-desktop")
	for _, want := range []string{"  + filesystem\n", "  + github (as github-2)\n", "  + brave search (as brave-search)\n",
		"added 4 servers to " + h.config} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	h.checkImported()
	wantBytes(t, h.config+".bak", gatewayTOML)
	wantBytes(t, path, claudeDesktopJSON)
	if got := h.statusOf("claude-desktop"); got != "not connected" {
		t.Errorf("status after a plain import is %q", got)
	}
}

// TestClientsImportReplaceUndo: --replace leaves only the MCPlex entry in
// Claude Desktop, and disconnect brings the original file back byte for
// byte while mcplex.toml keeps the servers.
func TestClientsImportReplaceUndo(t *testing.T) {
	h := newClientsHome(t)
	path := clientPath(t, "claude-desktop")
	writeFile(t, path, claudeDesktopJSON)

	h.mustRun("clients", "import", "claude-desktop", "--replace")
	h.checkImported()
	got := servers(t, path, "mcpServers")
	if len(got) != 1 || got["mcplex"] == nil {
		t.Errorf("after --replace the servers are %v, want only mcplex", got)
	}
	if !strings.Contains(readString(t, path), `"menuBarEnabled": false`) {
		t.Errorf("--replace lost the preferences:\n%s", readString(t, path))
	}
	imported := readString(t, h.config)

	h.mustRun("clients", "disconnect", "claude-desktop")
	wantBytes(t, path, claudeDesktopJSON)
	wantBytes(t, h.config, imported)
}

// TestClientsDisconnectAll undoes every client MCPlex connected, including
// a file connected with --path and an entry of ours MCPlex has no record
// of, and leaves alone what it did not write unless forced.
func TestClientsDisconnectAll(t *testing.T) {
	h := newClientsHome(t)
	cursor, claude, gemini := h.cursorPath(), clientPath(t, "claude-desktop"), clientPath(t, "gemini")
	profile := filepath.Join(h.home, "profiles", "work", "mcp.json")
	zed, windsurf := clientPath(t, "zed"), clientPath(t, "windsurf")
	const profileJSON = "{\n\t// work profile\n\t\"servers\": {},\n}\n"
	const windsurfJSON = "{\"mcpServers\": {\"mcplex\": {\"serverUrl\": \"https://gateway.example.com/mcp\"}}}\n"
	writeFile(t, claude, claudeDesktopJSON)
	writeFile(t, profile, profileJSON)
	writeFile(t, zed, "{ \"context_servers\": [ }\n")
	writeFile(t, windsurf, windsurfJSON)
	writeFile(t, gemini, `{"mcpServers": {"mcplex": {"httpUrl": "`+gatewayURL4242+`"}, "other": {"command": "x"}}}`)
	h.mustRun("clients", "connect", "cursor")
	h.mustRun("clients", "connect", "claude-desktop")
	h.mustRun("clients", "connect", "vscode", "--path", profile)

	out := h.mustRun("clients", "disconnect", "--all")
	for _, want := range []string{
		"Claude Desktop: restored " + claude + " as it was before MCPlex changed it\n",
		"Cursor: deleted " + cursor + ", which MCPlex had created\n",
		"VS Code: restored " + profile + " as it was before MCPlex changed it\n",
		"Windsurf: left alone: its \"mcplex\" entry points at https://gateway.example.com/mcp, not at this MCPlex (--force removes it)\n",
		"Zed: not checked (MCPlex never changed it): " + zed + ":1:",
		"Gemini CLI: removed the MCPlex entry from " + gemini + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("disconnect --all output lacks %q:\n%s", want, out)
		}
	}
	wantMissing(t, cursor)
	wantBytes(t, claude, claudeDesktopJSON)
	wantBytes(t, profile, profileJSON)
	wantBytes(t, zed, "{ \"context_servers\": [ }\n")
	wantBytes(t, windsurf, windsurfJSON)
	if got := servers(t, gemini, "mcpServers"); len(got) != 1 || got["other"] == nil {
		t.Errorf("gemini's servers are %v, want only other", got)
	}

	before := snapshot(t, h.home)
	out = h.mustRun("clients", "disconnect", "--all")
	if !strings.HasSuffix(out, "No MCP client is connected to MCPlex.\n") {
		t.Errorf("second disconnect --all printed:\n%s", out)
	}
	before.unchanged(t, h.home)

	h.mustRun("clients", "disconnect", "--all", "--force")
	if got := servers(t, windsurf, "mcpServers"); len(got) != 0 {
		t.Errorf("--force left windsurf's servers %v", got)
	}
}

// TestClientsDisconnectAllBestEffort: a client that cannot be undone, or a
// damaged record, fails the command (exit 1) without stopping the others.
func TestClientsDisconnectAllBestEffort(t *testing.T) {
	h := newClientsHome(t)
	claude := clientPath(t, "claude-desktop")
	h.mustRun("clients", "connect", "claude-desktop")
	h.mustRun("clients", "connect", "cursor")
	const broken = "{\"mcpServers\": {\"mcplex\": \n" // the user broke it after MCPlex wrote it
	writeFile(t, claude, broken)
	cfgDir, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(cfgDir, "mcplex", "client-backups", "zed", "0123456789abcdef", "manifest.json")
	writeFile(t, damaged, "{not json")

	out, err := h.run("clients", "disconnect", "--all")
	wantExit(t, err, 1)
	if !errors.Is(err, clients.ErrMalformed) || !strings.Contains(err.Error(), "Claude Desktop: "+claude+":") ||
		!strings.Contains(err.Error(), damaged) {
		t.Errorf("error %q, want Claude Desktop's malformed file and the damaged record", err)
	}
	wantMissing(t, h.cursorPath())
	if !strings.Contains(out, "Cursor: deleted") {
		t.Errorf("cursor was not reported:\n%s", out)
	}
	wantBytes(t, claude, broken)
}

// TestClientsDisconnectAllNoConfig: the uninstaller runs --all where there
// may be no config; none is written, and nothing connected is no error.
// --all with a client name is a usage mistake.
func TestClientsDisconnectAllNoConfig(t *testing.T) {
	home := clientsUserDirs(t)
	before := snapshot(t, home)
	out, _, err := run(t, "clients", "disconnect", "--all")
	wantExit(t, err, 0)
	if out != "No MCP client is connected to MCPlex.\n" {
		t.Errorf("printed %q", out)
	}
	before.unchanged(t, home)

	_, _, err = run(t, "clients", "disconnect", "--all", "cursor")
	wantExit(t, err, 2)
}

// TestClientsTransientBinaryRefused: run from a temporary folder (as go
// test does), MCPlex will not point Claude Desktop at itself, directly or
// through import --replace, and says how to install it; HTTP clients do
// not need the binary and still connect.
func TestClientsTransientBinaryRefused(t *testing.T) {
	if _, err := StableExecutable(); err == nil {
		t.Skip("the test binary runs from a stable place")
	}
	home := clientsUserDirs(t)
	cfg := filepath.Join(home, "mcplex.toml")
	writeFile(t, cfg, gatewayTOML)
	claude := clientPath(t, "claude-desktop")
	writeFile(t, claude, claudeDesktopJSON)

	before := snapshot(t, home)
	for _, args := range [][]string{
		{"clients", "connect", "claude-desktop", "-c", cfg},
		{"clients", "import", "claude-desktop", "--replace", "-c", cfg},
	} {
		_, _, err := run(t, args...)
		wantExit(t, err, 1)
		if !errors.Is(err, ErrTransientBinary) || !strings.Contains(err.Error(), "Run 'mcplex install-binary'") {
			t.Errorf("%q: error %q, want the transient-binary refusal with the install-binary hint", args, err)
		}
	}
	before.unchanged(t, home)

	if _, _, err := run(t, "clients", "connect", "cursor", "-c", cfg); err != nil {
		t.Errorf("connect cursor from a temporary binary: %v", err)
	}
}
