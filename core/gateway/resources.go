package gateway

import (
	"context"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/upstream"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func (g *Gateway) listResources(ctx context.Context, req *mcp.ListResourcesRequest) (*mcp.ListResourcesResult, error) {
	c := g.callerOf(req)
	cat := g.Catalog()
	out := []*mcp.Resource{}
	for _, r := range cat.Resources {
		if owner, _ := cat.ResourceOwner(r.URI); g.may(c, policy.ActionList, resourceTarget(owner, r.URI)) {
			out = append(out, r)
		}
	}
	return &mcp.ListResourcesResult{Resources: out}, nil
}

func (g *Gateway) listTemplates(ctx context.Context, req *mcp.ListResourceTemplatesRequest) (*mcp.ListResourceTemplatesResult, error) {
	c := g.callerOf(req)
	cat := g.Catalog()
	out := []*mcp.ResourceTemplate{}
	for _, t := range cat.Templates {
		if owner, _ := cat.ResourceOwner(catalog.TemplatePrefix(t.URITemplate)); g.may(c, policy.ActionList, resourceTarget(owner, t.URITemplate)) {
			out = append(out, t)
		}
	}
	return &mcp.ListResourceTemplatesResult{ResourceTemplates: out}, nil
}

// resourceOwner finds the server serving uri: its owner in the catalog, or
// the only upstream when there is just one.
func (g *Gateway) resourceOwner(uri string) (string, bool) {
	if owner, ok := g.Catalog().ResourceOwner(uri); ok {
		return owner, true
	}
	if servers := g.Servers(); len(servers) == 1 {
		return servers[0].Name, true
	}
	return "", false
}

// resourceUpstream resolves uri and checks that c may act on it. A denied
// resource is audited and looks exactly like a missing one.
func (g *Gateway) resourceUpstream(c *Caller, uri string, a policy.Action) (*upstream.Upstream, bool) {
	owner, ok := g.resourceOwner(uri)
	if !ok {
		return nil, false
	}
	t := resourceTarget(owner, uri)
	if d := g.decide(c, a, t); !d.Allow {
		g.blocked(c, audit.ResourceRead, t, d)
		return nil, false
	}
	return g.upstream(owner)
}

func (g *Gateway) readResource(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	c := g.callerOf(req)
	u, ok := g.resourceUpstream(c, req.Params.URI, policy.ActionRead)
	if !ok {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	res, err := u.ReadResource(ctx, req.Params)
	g.auditLog(audit.Event{Event: audit.ResourceRead, ToolName: u.Name() + "/" + req.Params.URI, ServerName: u.Name(),
		Identity: describe(c.Identity), Role: c.Role, Outcome: outcomeOf(err), TraceID: c.TraceID})
	if err != nil {
		return nil, callError(err)
	}
	return res, nil
}

func (g *Gateway) subscribe(ctx context.Context, req *mcp.SubscribeRequest) error {
	u, ok := g.resourceUpstream(g.callerOf(req), req.Params.URI, policy.ActionSubscribe)
	if !ok {
		return mcp.ResourceNotFoundError(req.Params.URI)
	}
	g.subMu.Lock()
	defer g.subMu.Unlock()
	if g.subs[req.Params.URI] == 0 {
		if err := u.Subscribe(ctx, req.Params); err != nil {
			return callError(err)
		}
	}
	g.subs[req.Params.URI]++
	return nil
}

// unsubscribe needs no policy check: it only ever removes a subscription.
func (g *Gateway) unsubscribe(ctx context.Context, req *mcp.UnsubscribeRequest) error {
	owner, ok := g.resourceOwner(req.Params.URI)
	if !ok {
		return mcp.ResourceNotFoundError(req.Params.URI)
	}
	u, ok := g.upstream(owner)
	if !ok {
		return mcp.ResourceNotFoundError(req.Params.URI)
	}
	g.subMu.Lock()
	defer g.subMu.Unlock()
	if g.subs[req.Params.URI] > 0 {
		g.subs[req.Params.URI]--
	}
	if g.subs[req.Params.URI] == 0 {
		delete(g.subs, req.Params.URI)
		if err := u.Unsubscribe(ctx, req.Params); err != nil {
			return callError(err)
		}
	}
	return nil
}

func (g *Gateway) complete(ctx context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
	c := g.callerOf(req)
	if req.Params == nil || req.Params.Ref == nil {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "completion/complete: params.ref is required"}
	}
	params := *req.Params
	ref := *req.Params.Ref
	params.Ref = &ref
	var u *upstream.Upstream
	switch ref.Type {
	case "ref/prompt":
		p, ok := g.Catalog().Prompt(ref.Name)
		if !ok {
			return nil, unknownPrompt(ref.Name)
		}
		if d := g.decide(c, policy.ActionComplete, promptTarget(p)); !d.Allow {
			g.blocked(c, audit.PromptGet, promptTarget(p), d)
			return nil, unknownPrompt(ref.Name)
		}
		ref.Name = p.Original
		if u, ok = g.upstream(p.Server); !ok {
			return nil, unknownPrompt(ref.Name)
		}
	default:
		var ok bool
		if u, ok = g.resourceUpstream(c, catalog.TemplatePrefix(ref.URI), policy.ActionComplete); !ok {
			return nil, mcp.ResourceNotFoundError(ref.URI)
		}
	}
	res, err := u.Complete(ctx, &params)
	if err != nil {
		return nil, callError(err)
	}
	return res, nil
}
