package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/upstream"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func (g *Gateway) listTools(ctx context.Context, req *mcp.ListToolsRequest) (*mcp.ListToolsResult, error) {
	c := g.callerOf(req)
	switch g.Config().Router.Mode {
	case "metatool":
		g.countSavings()
		return &mcp.ListToolsResult{Tools: g.metaTools(c)}, nil
	case "legacy":
		if q := legacyQuery(req); q != "" {
			return &mcp.ListToolsResult{Tools: g.rankedTools(c, q)}, nil
		}
	}
	return &mcp.ListToolsResult{Tools: g.visibleTools(c)}, nil
}

// legacyQuery returns the _mcplex_query of a tools/list request, from
// params._meta (where the HTTP front moves it) or sent there directly.
func legacyQuery(req *mcp.ListToolsRequest) string {
	if req.Params == nil {
		return ""
	}
	q, _ := req.Params.GetMeta()[legacyQueryParam].(string)
	return q
}

// rankedTools returns the tools c may see that best match query.
func (g *Gateway) rankedTools(c *Caller, query string) []*mcp.Tool {
	out := []*mcp.Tool{}
	for _, m := range g.Find(c, query, 0, "") {
		if t, ok := g.Catalog().Tool(m.Name); ok {
			out = append(out, t.Exposed)
		}
	}
	return out
}

func (g *Gateway) visibleTools(c *Caller) []*mcp.Tool {
	cat := g.Catalog()
	out := make([]*mcp.Tool, 0, len(cat.Tools))
	for _, t := range cat.Tools {
		if g.may(c, policy.ActionList, toolTarget(t)) {
			out = append(out, t.Exposed)
		}
	}
	return out
}

func (g *Gateway) handleCallTool(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	c := g.callerOf(req)
	if req.Params.RequestState != "" {
		return g.resumeMRTR(ctx, c, req.Params) // the next round of a 2026-07-28 call
	}
	if isMetaTool(req.Params.Name) && g.Config().Router.Mode != "passthrough" {
		return g.callMetaTool(ctx, c, req.Params)
	}
	return g.callTool(ctx, c, req.Params.Name, req.Params.Arguments, req.Params.Meta)
}

// callTool is the one path every tool call takes, whether it arrives as
// tools/call or through mcplex_call_tool: resolve the exposed name, check
// visibility, forward to the owner under its own name, record the outcome.
func (g *Gateway) callTool(ctx context.Context, c *Caller, name string, args json.RawMessage, meta mcp.Meta) (*mcp.CallToolResult, error) {
	t, ok := g.Catalog().Tool(name)
	if !ok {
		return nil, unknownTool(name)
	}
	if d := g.decide(c, policy.ActionCall, toolTarget(t)); !d.Allow {
		g.blocked(c, audit.ToolBlocked, toolTarget(t), d)
		return nil, unknownTool(name) // a denied tool looks exactly like an unknown one
	}
	u, ok := g.upstream(t.Server)
	if !ok {
		return nil, unknownTool(name)
	}
	if err := g.limitTool(c, t); err != nil {
		return nil, err
	}
	params := &mcp.CallToolParams{Name: t.Original, Arguments: args, Meta: copyMeta(meta)}
	if len(args) == 0 {
		params.Arguments = json.RawMessage(`{}`)
	}
	var token any
	if meta != nil {
		token = meta["progressToken"]
	}
	res, slot, hit := g.cacheLookup(c, t, args)
	if hit {
		return res, nil
	}
	if isMRTR(c.Session) {
		// A 2026-07-28 client: the call may need several rounds (mrtr.go).
		return g.startMRTR(ctx, c, func(ctx context.Context, mc *mrtrCall) (*mcp.CallToolResult, error) {
			return g.invoke(ctx, c, t, u, params, args, token, slot, mc)
		})
	}
	return g.invoke(ctx, c, t, u, params, args, token, slot, nil)
}

// invoke runs one upstream call: in-flight registration (for progress and
// server->client requests), the call, audit/metrics/events, the cache.
func (g *Gateway) invoke(ctx context.Context, c *Caller, t *catalog.Tool, u *upstream.Upstream, params *mcp.CallToolParams,
	args json.RawMessage, token any, slot cacheSlot, mc *mrtrCall) (*mcp.CallToolResult, error) {
	fl, done := g.flights.add(ctx, c.Session, t.Server, token, mc)
	defer done()
	if token != nil {
		params.Meta["progressToken"] = fl.upToken
	}
	start := time.Now()
	res, err := u.CallTool(ctx, params)
	g.recordCall(c, t, args, start, res, err, false)
	if err != nil {
		return nil, callError(err)
	}
	g.cacheStore(t, slot, res)
	return res, nil
}

func copyMeta(m mcp.Meta) mcp.Meta {
	out := mcp.Meta{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// callError keeps an upstream's own JSON-RPC error and turns everything else
// (unavailable, timeout, lost connection) into a clear -32000 error.
func callError(err error) error {
	var wire *jsonrpc.Error
	if errors.As(err, &wire) && !errors.Is(err, upstream.ErrUnavailable) {
		return wire
	}
	return unavailable(err)
}

// countSavings adds the tokens a metatool tools/list saved over listing
// every tool. The first count after a catalog change is measured in the
// background: tokenizing a large catalog takes a while.
func (g *Gateway) countSavings() {
	if st, ok := g.cachedTokenStats(); ok {
		g.metrics.TokensSaved(st.SavedTok)
		return
	}
	go func() { g.metrics.TokensSaved(g.TokenStats(nil).SavedTok) }()
}

func (g *Gateway) recordCall(c *Caller, t *catalog.Tool, args json.RawMessage, start time.Time, res *mcp.CallToolResult, err error, cached bool) {
	d := time.Since(start)
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "error"
	case res != nil && res.IsError:
		outcome = "tool_error"
	}
	e := events.Event{
		Kind: events.ToolCall, Server: t.Server, Tool: t.ID, Identity: describe(c.Identity),
		DurationMS: audit.Millis(d), Outcome: outcome,
	}
	if cached {
		e.Fields = map[string]any{"cached": true}
	}
	ae := audit.Event{
		Event: audit.ToolCall, ToolName: t.ID, ServerName: t.Server, Identity: describe(c.Identity), Role: c.Role,
		DurationMS: audit.Millis(d), Outcome: outcome, TraceID: c.TraceID, Arguments: args, Cached: cached,
	}
	if err != nil {
		e.Message, ae.Message = err.Error(), err.Error()
	}
	g.bus.Publish(e)
	g.auditLog(ae)
	g.metricsToolCall(t, d, outcome, cached)
}

func (g *Gateway) listPrompts(ctx context.Context, req *mcp.ListPromptsRequest) (*mcp.ListPromptsResult, error) {
	c := g.callerOf(req)
	out := []*mcp.Prompt{}
	for _, p := range g.Catalog().Prompts {
		if g.may(c, policy.ActionList, promptTarget(p)) {
			out = append(out, p.Exposed)
		}
	}
	return &mcp.ListPromptsResult{Prompts: out}, nil
}

func (g *Gateway) getPrompt(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	c := g.callerOf(req)
	p, ok := g.Catalog().Prompt(req.Params.Name)
	if !ok {
		return nil, unknownPrompt(req.Params.Name)
	}
	if d := g.decide(c, policy.ActionGet, promptTarget(p)); !d.Allow {
		g.blocked(c, audit.PromptGet, promptTarget(p), d)
		return nil, unknownPrompt(req.Params.Name)
	}
	u, ok := g.upstream(p.Server)
	if !ok {
		return nil, unknownPrompt(req.Params.Name)
	}
	params := *req.Params
	params.Name = p.Original
	res, err := u.GetPrompt(ctx, &params)
	g.auditLog(audit.Event{Event: audit.PromptGet, ToolName: p.ID, ServerName: p.Server, Identity: describe(c.Identity),
		Role: c.Role, Outcome: outcomeOf(err), TraceID: c.TraceID})
	if err != nil {
		return nil, callError(err)
	}
	return res, nil
}

// forwardSetLevel makes every ready upstream at least as verbose as the
// level a downstream session asked for, before the request returns, so a
// call made right after sees its log messages.
func (g *Gateway) forwardSetLevel(ctx context.Context, p *mcp.SetLoggingLevelParams) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, st := range g.Servers() {
		u, ok := g.upstream(st.Name)
		if !ok || st.State != upstream.StateReady {
			continue
		}
		wg.Go(func() {
			if err := u.LowerLogLevel(ctx, p.Level); err != nil {
				g.log.Debug("forwarding logging/setLevel", "server", u.Name(), "error", err)
			}
		})
	}
	wg.Wait()
}

func outcomeOf(err error) string {
	if err != nil {
		return audit.OutcomeError
	}
	return audit.OutcomeOK
}
