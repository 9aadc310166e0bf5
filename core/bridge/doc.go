// Package bridge connects a stdio-only MCP client (Claude Desktop, Claude Code)
// to the MCPlex gateway's Streamable HTTP endpoint.
//
// [Run] is a message pump, not an MCP implementation: it reads newline-delimited
// JSON-RPC messages from stdin, POSTs each one to the gateway as it arrives,
// and writes every message the gateway sends back (responses, progress,
// logging, server-to-client requests such as sampling) to stdout. It keeps
// just enough protocol state to be a well-behaved Streamable HTTP client:
//
//   - the Mcp-Session-Id and negotiated MCP-Protocol-Version, sent on every
//     request after initialize;
//   - the standalone GET stream for server-initiated messages, reconnected
//     with backoff and Last-Event-ID;
//   - the client's initialize params, replayed when the gateway forgets the
//     session (HTTP 404), after which the client is told that its lists changed;
//   - a guarantee that every request read from stdin gets an answer, either
//     from the gateway or as a JSON-RPC error naming the problem.
//
// The package owns no listener and no child process, and writes nothing but
// JSON-RPC messages to stdout; diagnostics go to the injected [log/slog.Logger].
// JSON-RPC encoding comes from the go-sdk jsonrpc package. The Streamable HTTP
// side is a small client of its own, because mcp.StreamableClientTransport used
// as a raw pump opens no GET stream, sends no version header and treats a
// lost session as terminal.
//
// The Node.js twin of this package is bridge.mjs at the repository root.
package bridge
