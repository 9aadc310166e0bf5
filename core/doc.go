// Package core holds MCPlex's headless gateway, with no GUI dependency:
//
//   - config: the mcplex.toml schema, defaults, validation
//   - upstream: one long-lived session per upstream MCP server
//   - catalog: the merged, exposed view of every upstream
//   - rank: the offline tool ranker behind mcplex_find_tools
//   - gateway: the front MCP server (Streamable HTTP and stdio)
//   - events: the publish/subscribe bus for the dashboard and GUI
//   - bridge: the stdio <-> Streamable HTTP bridge
//   - demo: the built-in demo MCP server
//   - execpath: finding commands without the login shell's PATH
//   - atomicfile: crash-safe file replacement (config, pins)
//
// Nothing under core imports Fyne, kardianos/service, app or ui, and it
// builds with CGO_ENABLED=0 (see deps_test.go).
package core
