package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tools lists the merged catalog under the names clients use.
func (h *Host) Tools(ctx context.Context) ([]Tool, error) {
	r, err := h.serving()
	if err != nil {
		return nil, err
	}
	cat := r.gw.Catalog()
	out := make([]Tool, 0, len(cat.Tools))
	for _, t := range cat.Tools {
		out = append(out, catalogTool(t))
	}
	return out, nil
}

// Find ranks the catalog for query as the local user sees it, with
// strategy ("" = [router] strategy) and at most topK matches (0 = [router]
// top_k). It is what mcplex_find_tools answers, with the strategy chosen.
func (h *Host) Find(ctx context.Context, query, strategy string, topK int) ([]Match, error) {
	switch strategy {
	case "", config.StrategySemantic, config.StrategyKeyword, config.StrategyPassthrough:
	default:
		return nil, fmt.Errorf("unknown ranking strategy %q: use %s, %s or %s", strategy,
			config.StrategySemantic, config.StrategyKeyword, config.StrategyPassthrough)
	}
	r, err := h.serving()
	if err != nil {
		return nil, err
	}
	found := r.gw.FindWith(localCaller(), gateway.FindQuery{Query: query, TopK: max(topK, 0), Strategy: strategy})
	cat := r.gw.Catalog()
	out := make([]Match, 0, len(found))
	for _, m := range found {
		id := m.Server + "/" + m.Name
		if t, ok := cat.Tool(m.Name); ok {
			id = t.ID
		}
		out = append(out, Match{Score: m.Score, Tool: Tool{
			Name: m.Name, ID: id, Server: m.Server, Title: m.Title, Description: m.Description,
			InputSchema: rawJSON(m.InputSchema),
		}})
	}
	return out, nil
}

// localCaller is who the desktop acts as: the local user, as the stdio
// client of the gateway is (no role: with RBAC on, it sees nothing).
func localCaller() *gateway.Caller { return &gateway.Caller{Identity: policy.Local()} }

// Call calls a tool by its exposed name through an MCP session of the
// gateway's own, so the call takes the path of any client's: policy,
// rate limits, cache, metrics, audit and events. A tool that fails is a
// result with IsError; a protocol error (an unknown tool) is an error.
func (h *Host) Call(ctx context.Context, name string, args map[string]any) (CallResult, error) {
	if name == "" {
		return CallResult{}, errors.New("no tool name given")
	}
	r, err := h.serving()
	if err != nil {
		return CallResult{}, err
	}
	cs, err := r.client.session(ctx, r.gw.MCPServer(), h.opts.Version)
	if err != nil {
		return CallResult{}, err
	}
	if args == nil {
		args = map[string]any{}
	}
	began := time.Now()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	latency := time.Since(began)
	if err != nil {
		if errors.Is(err, mcp.ErrConnectionClosed) {
			r.client.forget(cs)
		}
		return CallResult{}, err
	}
	raw, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return CallResult{}, fmt.Errorf("encoding the result: %w", err)
	}
	return CallResult{IsError: res.IsError, Text: texts(res.Content), Raw: string(raw), Latency: latency}, nil
}

func texts(content []mcp.Content) string {
	var parts []string
	for _, c := range content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// localClient is the in-memory MCP session Call uses, connected to the
// gateway's front server on first use and closed when the gateway stops.
type localClient struct {
	mu     sync.Mutex // guards the fields below
	cs     *mcp.ClientSession
	closed bool
}

// localProtocol is the protocol version of the desktop's session: the
// last one whose calls finish in one round.
const localProtocol = "2025-11-25"

func (c *localClient) session(ctx context.Context, srv *mcp.Server, version string) (*mcp.ClientSession, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errStopped
	}
	if c.cs != nil {
		return c.cs, nil
	}
	ct, st := mcp.NewInMemoryTransports()
	// The server side lives as long as the gateway, not as this call.
	if _, err := srv.Connect(context.WithoutCancel(ctx), st, nil); err != nil {
		return nil, fmt.Errorf("connecting to the gateway: %w", err)
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "mcplex-desktop", Version: version}, nil)
	cs, err := client.Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: localProtocol})
	if err != nil {
		return nil, fmt.Errorf("connecting to the gateway: %w", err)
	}
	c.cs = cs
	return cs, nil
}

// forget drops cs after the gateway closed it; the next call reconnects.
func (c *localClient) forget(cs *mcp.ClientSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cs == cs {
		c.cs = nil
	}
}

func (c *localClient) close() {
	c.mu.Lock()
	cs := c.cs
	c.cs, c.closed = nil, true
	c.mu.Unlock()
	if cs != nil {
		_ = cs.Close()
	}
}

func catalogTool(t *catalog.Tool) Tool {
	e := t.Exposed
	return Tool{
		Name: e.Name, ID: t.ID, Server: t.Server, Title: e.Title,
		Description: e.Description, InputSchema: rawJSON(e.InputSchema),
	}
}

// rawJSON encodes an input schema as the JSON clients see; nil stays nil.
func rawJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
