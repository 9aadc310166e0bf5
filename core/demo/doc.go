// Package demo is the MCP server behind `mcplex demo-server`, the built-in
// upstream of the default configuration, so that a new user has a working
// gateway with real tools before installing anything else.
//
// Its tools (get_current_time, calculate, convert_units, generate_uuid,
// hash_text, encode_text, json_format, count_text and wait) are small,
// deterministic where they can be, and safe: none writes to the filesystem,
// opens a network connection or starts a process. It also offers the resource
// mcplex://demo/about, the resource template mcplex://demo/units/{category}
// and the prompt "summarize". The wait tool exists for the gateway's own tests
// of progress notifications and cancellation.
//
// A tool that fails (bad input, division by zero) returns a CallToolResult
// with IsError set; protocol problems (unknown tool, malformed request) are
// JSON-RPC errors, as the go-sdk decides. The package holds no global mutable
// state.
package demo
