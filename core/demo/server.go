package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// serverName is the implementation name reported in the initialize result.
const serverName = "mcplex-demo"

const instructions = `MCPlex demo server: small, safe utility tools (current time, calculator, ` +
	`unit conversion, UUIDs, hashing, text encoding, JSON formatting, text statistics, wait). ` +
	`No tool touches the filesystem or the network. Read ` + aboutURI + ` for details.`

// NewServer returns the demo MCP server with all of its tools, resources and
// prompts registered. version is reported as the server version ("dev" if
// empty). The server holds no state besides its registrations; each call to
// NewServer returns an independent server.
func NewServer(version string) *mcp.Server {
	if version == "" {
		version = "dev"
	}
	s := mcp.NewServer(&mcp.Implementation{
		Name:    serverName,
		Title:   "MCPlex demo server",
		Version: version,
	}, &mcp.ServerOptions{Instructions: instructions})
	addTools(s)
	addTextTools(s)
	addJSONTool(s)
	addContent(s, version)
	return s
}

// Run serves the demo server over stdin/stdout until the client closes the
// connection or ctx is done. It returns nil when the client disconnects and
// ctx.Err() when ctx is done. Nothing else may use stdin or stdout meanwhile.
func Run(ctx context.Context, version string) error {
	return run(ctx, version, &mcp.StdioTransport{})
}

func run(ctx context.Context, version string, t mcp.Transport) error {
	if err := NewServer(version).Run(ctx, t); err != nil {
		return fmt.Errorf("demo server: %w", err)
	}
	return nil
}

// toolAnnotations marks a tool as read-only and closed-world (none of the demo
// tools touch anything outside the process). idempotent is false for tools
// whose result changes between calls, such as the clock.
func toolAnnotations(title string, idempotent bool) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{
		Title:          title,
		ReadOnlyHint:   true,
		IdempotentHint: idempotent,
		OpenWorldHint:  new(false),
	}
}

// inputSchema infers the schema of T (descriptions come from jsonschema tags)
// and lets edit add what tags cannot express: enums, defaults and bounds.
// It panics on a schema that cannot be inferred, which is a programming error
// caught by every test.
func inputSchema[T any](edit func(props map[string]*jsonschema.Schema)) *jsonschema.Schema {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		panic(fmt.Sprintf("demo: input schema for %T: %v", *new(T), err))
	}
	if edit != nil {
		edit(s.Properties)
	}
	return s
}

// enumOf returns the JSON values of vals, for a schema's Enum.
func enumOf(vals ...string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

// defaultOf returns the JSON encoding of v, for a schema's Default.
func defaultOf(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("demo: default %v: %v", v, err))
	}
	return b
}

// textResult is a successful tool result with one text block; the SDK adds
// the structured output next to it.
func textResult(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}
