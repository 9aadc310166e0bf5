// Package clients connects MCP client apps (Claude Desktop, Claude Code,
// Cursor, VS Code, Windsurf, Cline, Zed, Codex, Gemini CLI, LM Studio) to
// the MCPlex gateway by editing their config files, and imports the servers
// a client already has into mcplex.toml.
//
// Every edit follows one algorithm:
// resolve symlinks and write the target, read with a size cap, parse (strict
// JSON refuses comments, JSONC keeps them, Codex TOML is spliced as text),
// change only the "mcplex" entry and keep every other byte, refuse to
// overwrite a same-named entry MCPlex did not write, snapshot the original
// before the first write, write atomically in the target's directory,
// re-check just before the rename that nobody changed the file meanwhile,
// and verify the result. [Disconnect] restores the original byte for byte
// when the file is still what MCPlex wrote, and otherwise removes only the
// MCPlex entry.
//
// Claude Desktop can only start stdio servers, so its entry runs this
// binary as "mcplex bridge --url ..." from its absolute path, with the API
// key in a 0600 token file; the other clients get the gateway URL (and an
// Authorization header) directly. For Claude Code, "claude mcp add" is
// used when the claude command is available.
//
// Paths are computed from an [Env], so the rules of every OS can be tested
// anywhere. The package is pure Go: it never imports the GUI toolkit.
//
// The functions are safe to call from any goroutine, but calls for the same
// client should not overlap: a second one may fail with [ErrConflict].
package clients
