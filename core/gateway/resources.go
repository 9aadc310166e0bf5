package gateway

import (
	"context"

	"github.com/mcplex/mcplex/core/upstream"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// resourceID is the canonical id of a resource for the visibility check.
func resourceID(server, uri string) string { return server + "/" + uri }

func (g *Gateway) listResources(ctx context.Context, req *mcp.ListResourcesRequest) (*mcp.ListResourcesResult, error) {
	c := g.callerOf(req)
	cat := g.Catalog()
	out := []*mcp.Resource{}
	for _, r := range cat.Resources {
		if owner, _ := cat.ResourceOwner(r.URI); g.visible(c, resourceID(owner, r.URI)) {
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
		if owner, _ := cat.ResourceOwner(templatePrefixOf(t.URITemplate)); g.visible(c, resourceID(owner, t.URITemplate)) {
			out = append(out, t)
		}
	}
	return &mcp.ListResourceTemplatesResult{ResourceTemplates: out}, nil
}

func templatePrefixOf(tpl string) string {
	for i, r := range tpl {
		if r == '{' {
			return tpl[:i]
		}
	}
	return tpl
}

// resourceUpstream finds the upstream serving uri: its owner in the catalog,
// or the only upstream when there is just one.
func (g *Gateway) resourceUpstream(c *Caller, uri string) (*upstream.Upstream, bool) {
	owner, ok := g.Catalog().ResourceOwner(uri)
	if !ok {
		servers := g.Servers()
		if len(servers) != 1 {
			return nil, false
		}
		owner = servers[0].Name
	}
	if !g.visible(c, resourceID(owner, uri)) {
		return nil, false
	}
	return g.upstream(owner)
}

func (g *Gateway) readResource(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	u, ok := g.resourceUpstream(g.callerOf(req), req.Params.URI)
	if !ok {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	res, err := u.ReadResource(ctx, req.Params)
	if err != nil {
		return nil, callError(err)
	}
	return res, nil
}

func (g *Gateway) subscribe(ctx context.Context, req *mcp.SubscribeRequest) error {
	u, ok := g.resourceUpstream(g.callerOf(req), req.Params.URI)
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

func (g *Gateway) unsubscribe(ctx context.Context, req *mcp.UnsubscribeRequest) error {
	u, ok := g.resourceUpstream(g.callerOf(req), req.Params.URI)
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
		if !ok || !g.visible(c, p.ID) {
			return nil, unknownPrompt(ref.Name)
		}
		ref.Name = p.Original
		if u, ok = g.upstream(p.Server); !ok {
			return nil, unknownPrompt(ref.Name)
		}
	default:
		var ok bool
		if u, ok = g.resourceUpstream(c, templatePrefixOf(ref.URI)); !ok {
			return nil, mcp.ResourceNotFoundError(ref.URI)
		}
	}
	res, err := u.Complete(ctx, &params)
	if err != nil {
		return nil, callError(err)
	}
	return res, nil
}
