package gateway

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// newServer builds the front MCP server. The SDK handles the protocol
// (initialize, versions, ping, sessions, cancellation); the route middleware
// answers every catalog method itself.
func (g *Gateway) newServer() *mcp.Server {
	cfg := g.cfg.Load()
	s := mcp.NewServer(&mcp.Implementation{Name: cfg.Gateway.Name, Title: "MCPlex gateway", Version: g.opts.Version}, &mcp.ServerOptions{
		Logger:       sdkLogger(g.log),
		Instructions: "MCPlex aggregates several MCP servers behind this one endpoint.",
		Capabilities: &mcp.ServerCapabilities{
			Logging:     &mcp.LoggingCapabilities{},
			Completions: &mcp.CompletionCapabilities{},
			Tools:       &mcp.ToolCapabilities{ListChanged: true},
			Prompts:     &mcp.PromptCapabilities{ListChanged: true},
			Resources:   &mcp.ResourceCapabilities{ListChanged: true, Subscribe: true},
		},
		SubscribeHandler:   g.subscribe,
		UnsubscribeHandler: g.unsubscribe,
	})
	s.AddReceivingMiddleware(g.drainMiddleware, g.route)
	return s
}

// route answers catalog methods from the merged catalog and forwards the
// rest of the work to the owning upstream.
func (g *Gateway) route(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		g.metrics.Request(method)
		switch method {
		case "tools/list", "prompts/list", "resources/list", "resources/templates/list":
			g.awaitStartup(ctx)
		}
		switch r := req.(type) {
		case *mcp.ListToolsRequest:
			return g.listTools(ctx, r)
		case *mcp.CallToolRequest:
			return g.handleCallTool(ctx, r)
		case *mcp.ListPromptsRequest:
			return g.listPrompts(ctx, r)
		case *mcp.GetPromptRequest:
			return g.getPrompt(ctx, r)
		case *mcp.ListResourcesRequest:
			return g.listResources(ctx, r)
		case *mcp.ListResourceTemplatesRequest:
			return g.listTemplates(ctx, r)
		case *mcp.ReadResourceRequest:
			return g.readResource(ctx, r)
		case *mcp.CompleteRequest:
			return g.complete(ctx, r)
		case *mcp.ServerRequest[*mcp.SetLoggingLevelParams]:
			res, err := next(ctx, method, req)
			if err == nil {
				g.forwardSetLevel(ctx, r.Params)
			}
			return res, err
		}
		return next(ctx, method, req)
	}
}

// Protocol errors. A tool, prompt or resource the caller may not see gets
// exactly the same error as one that does not exist.
func unknownTool(name string) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("unknown tool %q", name)}
}

func unknownPrompt(name string) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("unknown prompt %q", name)}
}

// codeUnavailable is the JSON-RPC code for failures of the gateway or an
// upstream (down, timed out, connection lost), as opposed to tool errors.
const codeUnavailable = -32000

func unavailable(err error) error {
	return &jsonrpc.Error{Code: codeUnavailable, Message: err.Error()}
}
