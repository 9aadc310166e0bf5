package clients

import (
	"fmt"
	"slices"
	"strings"
)

// EntryName is the name of the MCPlex entry in every client's server map.
const EntryName = "mcplex"

// Format is the syntax of a client's config file.
type Format int

// The config file formats.
const (
	// JSON is strict JSON: a file with comments or trailing commas is
	// refused, because the client would refuse it too.
	JSON Format = iota
	// JSONC is JSON with comments and trailing commas, which are kept.
	JSONC
	// TOML is Codex's config.toml; the MCPlex table is spliced in as text
	// so comments elsewhere survive.
	TOML
)

func (f Format) String() string {
	switch f {
	case JSON:
		return "JSON"
	case JSONC:
		return "JSON with comments"
	case TOML:
		return "TOML"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Client describes one MCP client app: where it keeps its servers and what
// an entry for the gateway looks like in it.
type Client struct {
	// Name is the slug used on the command line, e.g. "claude-desktop".
	Name string
	// Display is the name shown to people, e.g. "Claude Desktop".
	Display string
	// Format is the syntax of the config file.
	Format Format
	// Container is the top-level key (TOML table) holding the servers.
	Container string
	// Bridge is true for clients that can only start stdio servers: their
	// entry runs this binary as "mcplex bridge --url ...".
	Bridge bool
	// Restart tells the user what to do for the client to load a change;
	// empty when the client picks the file up by itself.
	Restart string

	paths    func(Env) []string // candidate config files, preferred first
	installs func(Env) []string // folders whose presence means installed (nil: the candidates' folders)
	entry    func(Target) object
	cli      string // the client's own command-line installer, if any
}

// Target is what an MCPlex entry points at.
type Target struct {
	// URL is the gateway's MCP endpoint, e.g. http://127.0.0.1:3100/mcp.
	URL string
	// Key is the API key to send, "" for none.
	Key string
	// Exe is the absolute path of the mcplex binary, for bridge entries.
	Exe string
	// TokenFile is the file holding Key, for bridge entries.
	TokenFile string
}

// Paths returns the config files the client may use on env's OS, the
// preferred one first.
func (c *Client) Paths(env Env) []string {
	var out []string
	for _, p := range c.paths(env) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Path returns the config file to edit: the first candidate that exists,
// else the first whose folder exists, else the preferred one. It returns ""
// when the user's folders are unknown.
func (c *Client) Path(env Env) string {
	paths := c.Paths(env)
	for _, p := range paths {
		if env.exists(p) {
			return p
		}
	}
	for _, p := range paths {
		if env.isDir(env.dir(p)) {
			return p
		}
	}
	if len(paths) == 0 {
		return ""
	}
	return paths[0]
}

// Installed reports whether the client appears to be installed: one of its
// config folders exists (or, for Claude Code, its command is on PATH).
func (c *Client) Installed(env Env) bool {
	dirs := []string{}
	if c.installs != nil {
		dirs = c.installs(env)
	} else {
		for _, p := range c.Paths(env) {
			dirs = append(dirs, env.dir(p))
		}
	}
	for _, d := range dirs {
		if env.isDir(d) {
			return true
		}
	}
	if c.cli != "" && env.LookPath != nil {
		if _, err := env.LookPath(c.cli); err == nil {
			return true
		}
	}
	return false
}

// All returns every known client, in the order the UI lists them.
func All() []*Client { return slices.Clone(registry) }

// Lookup returns the client with the given slug.
func Lookup(name string) (*Client, error) {
	for _, c := range registry {
		if c.Name == name {
			return c, nil
		}
	}
	names := make([]string, len(registry))
	for i, c := range registry {
		names[i] = c.Name
	}
	return nil, fmt.Errorf("unknown client %q (known: %s)", name, strings.Join(names, ", "))
}

var registry = []*Client{
	{
		Name: "claude-desktop", Display: "Claude Desktop", Format: JSON, Container: "mcpServers", Bridge: true,
		Restart: "Quit Claude Desktop completely (from its menu or tray icon, not just the window) and reopen it to load the change",
		paths:   claudeDesktopPaths, installs: claudeDesktopInstalls, entry: bridgeEntry("claude-desktop"),
	},
	{
		Name: "claude-code", Display: "Claude Code", Format: JSON, Container: "mcpServers",
		Restart: "Start a new Claude Code session to load the change",
		paths: func(e Env) []string {
			if d := e.getenv("CLAUDE_CONFIG_DIR"); d != "" {
				return []string{e.join(d, ".claude.json")}
			}
			return []string{e.join(e.Home, ".claude.json")}
		},
		installs: func(e Env) []string { return []string{e.join(e.Home, ".claude"), e.getenv("CLAUDE_CONFIG_DIR")} },
		entry:    httpEntry("type", "http", "url", "headers"),
		cli:      "claude",
	},
	{
		Name: "cursor", Display: "Cursor", Format: JSON, Container: "mcpServers",
		Restart: "Cursor reloads mcp.json by itself; if MCPlex does not appear, toggle it in Cursor Settings > MCP",
		paths:   homePath(".cursor", "mcp.json"), entry: httpEntry("", "", "url", "headers"),
	},
	{
		Name: "vscode", Display: "VS Code", Format: JSONC, Container: "servers",
		Restart: "VS Code reloads mcp.json by itself; start the server from the MCP view if it is not running",
		paths:   vscodePaths, entry: httpEntry("type", "http", "url", "headers"),
	},
	{
		Name: "windsurf", Display: "Windsurf", Format: JSON, Container: "mcpServers",
		Restart: "Press Refresh in Windsurf's MCP panel (or restart Windsurf) to load the change",
		paths:   homePath(".codeium", "windsurf", "mcp_config.json"), entry: httpEntry("", "", "serverUrl", "headers"),
	},
	{
		Name: "cline", Display: "Cline", Format: JSON, Container: "mcpServers",
		Restart: "Cline reloads its MCP settings by itself",
		paths:   clinePaths, installs: clineInstalls, entry: clineEntry,
	},
	{
		Name: "zed", Display: "Zed", Format: JSONC, Container: "context_servers",
		Restart: "Zed reloads settings.json by itself",
		paths:   zedPaths, entry: httpEntry("", "", "url", "headers"),
	},
	{
		Name: "codex", Display: "Codex", Format: TOML, Container: "mcp_servers",
		Restart: "Start a new Codex session to load the change",
		paths: func(e Env) []string {
			if d := e.getenv("CODEX_HOME"); d != "" {
				return []string{e.join(d, "config.toml")}
			}
			return []string{e.join(e.Home, ".codex", "config.toml")}
		},
		entry: httpEntry("", "", "url", "http_headers"),
	},
	{
		Name: "gemini", Display: "Gemini CLI", Format: JSON, Container: "mcpServers",
		Restart: "Restart Gemini CLI to load the change",
		paths:   homePath(".gemini", "settings.json"), entry: httpEntry("", "", "httpUrl", "headers"),
	},
	{
		Name: "lmstudio", Display: "LM Studio", Format: JSON, Container: "mcpServers",
		Restart: "LM Studio reloads mcp.json by itself; if MCPlex does not appear, restart LM Studio",
		paths: func(e Env) []string {
			return []string{e.join(e.Home, ".lmstudio", "mcp.json"), e.join(e.Home, ".cache", "lm-studio", "mcp.json")}
		},
		entry: httpEntry("", "", "url", "headers"),
	},
}

func homePath(elem ...string) func(Env) []string {
	return func(e Env) []string { return []string{e.join(append([]string{e.Home}, elem...)...)} }
}

// claudeMSIX is the Windows Store package of Claude Desktop. The packaged
// app reads its config from the package's virtualized AppData, and silently
// ignores %APPDATA%\Claude.
const claudeMSIX = "Claude_pzs8sxrjxfjjc"

func claudeDesktopPaths(e Env) []string {
	const file = "claude_desktop_config.json"
	switch e.GOOS {
	case "windows":
		msix := e.join(e.LocalAppData, "Packages", claudeMSIX)
		if e.isDir(msix) {
			return []string{e.join(msix, "LocalCache", "Roaming", "Claude", file)}
		}
		return []string{e.join(e.ConfigDir, "Claude", file)}
	case "darwin":
		return []string{e.join(e.ConfigDir, "Claude", file)}
	}
	// No official Linux build: the community one uses ~/.config/Claude,
	// some tools write ~/.config/claude. Path prefers whichever exists.
	return []string{e.join(e.ConfigDir, "Claude", file), e.join(e.ConfigDir, "claude", file)}
}

func claudeDesktopInstalls(e Env) []string {
	if e.GOOS == "windows" {
		return []string{e.join(e.LocalAppData, "Packages", claudeMSIX), e.join(e.ConfigDir, "Claude")}
	}
	var out []string
	for _, p := range claudeDesktopPaths(e) {
		out = append(out, e.dir(p))
	}
	return out
}

// vscodeUser is VS Code's per-user settings folder ("Code/User").
func vscodeUser(e Env) string { return e.join(e.ConfigDir, "Code", "User") }

func vscodePaths(e Env) []string { return []string{e.join(vscodeUser(e), "mcp.json")} }

const clineExt = "saoudrizwan.claude-dev"

func clinePaths(e Env) []string {
	return []string{
		e.join(vscodeUser(e), "globalStorage", clineExt, "settings", "cline_mcp_settings.json"),
		e.join(e.ConfigDir, "Cursor", "User", "globalStorage", clineExt, "settings", "cline_mcp_settings.json"),
		e.join(e.Home, ".cline", "data", "settings", "cline_mcp_settings.json"),
	}
}

func clineInstalls(e Env) []string {
	return []string{
		e.join(vscodeUser(e), "globalStorage", clineExt),
		e.join(e.ConfigDir, "Cursor", "User", "globalStorage", clineExt),
		e.join(e.Home, ".cline"),
	}
}

func zedPaths(e Env) []string {
	switch e.GOOS {
	case "windows":
		return []string{e.join(e.ConfigDir, "Zed", "settings.json")}
	case "darwin":
		return []string{e.join(e.Home, ".config", "zed", "settings.json")}
	}
	return []string{e.join(e.ConfigDir, "zed", "settings.json")}
}
