// Package gateway is MCPlex's front: one MCP server (Streamable HTTP at /mcp
// and stdio) that aggregates every upstream of a upstream.Pool.
//
// Every downstream request passes through one receiving middleware (see
// route.go) that resolves exposed names with the catalog, asks the
// visibility seam whether the caller may see the target, and forwards to the
// owning upstream under its own name. tools/call and the mcplex_call_tool
// meta-tool share one function, callTool, so every check applies to both.
//
// Upstream notifications are routed back: progress to the session and token
// that asked, logging to the sessions with calls in flight on that server,
// sampling/elicitation/roots requests to the most recent downstream session
// with a call in flight on that server.
//
// A Gateway is started with Run (HTTP) or ServeStdio, and stopped by
// cancelling the context: it stops accepting, lets in-flight calls finish up
// to the grace period, then stops every child process.
package gateway
