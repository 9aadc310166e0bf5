package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/upstream"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var errNoCaller = errors.New("no downstream client is waiting on this server")

// hooks routes upstream notifications and requests to downstream sessions.
func (g *Gateway) hooks() *upstream.Hooks {
	return &upstream.Hooks{
		Changed:         g.upstreamChanged,
		Progress:        g.forwardProgress,
		Log:             g.forwardLog,
		ResourceUpdated: g.forwardResourceUpdated,
		CreateMessage:   g.forwardCreateMessage,
		Elicit:          g.forwardElicit,
		ListRoots:       g.forwardListRoots,
	}
}

func (g *Gateway) upstreamChanged(server string) {
	g.cache.InvalidateServer(server) // restarted, re-listed or gone: its results may be stale
	g.rebuild()
	state, msg := upstream.StateStopped, ""
	if u, ok := g.upstream(server); ok {
		st := u.Status()
		state, msg = st.State, st.Error
		g.metrics.SetUpstreamState(server, string(state))
	} else {
		g.metrics.RemoveUpstream(server)
	}
	g.bus.Publish(events.Event{Kind: events.ServerState, Server: server, Outcome: string(state), Message: msg})
	g.auditLog(audit.Event{Event: audit.ServerState, ServerName: server, Outcome: string(state), Message: msg})
}

func (g *Gateway) forwardProgress(_ string, p *mcp.ProgressNotificationParams) {
	fl, ok := g.flights.byUpToken(p.ProgressToken)
	if !ok {
		return
	}
	cp := *p
	cp.ProgressToken = fl.token
	ctx := fl.ctx
	if ctx.Err() != nil { // the call has just finished: use the session stream
		ctx = context.Background()
	}
	if err := fl.session.NotifyProgress(ctx, &cp); err != nil {
		g.log.Debug("forwarding progress", "error", err)
	}
}

func (g *Gateway) forwardLog(server string, p *mcp.LoggingMessageParams) {
	for _, fl := range g.flights.sessions(server) {
		if err := fl.session.Log(fl.ctx, p); err != nil {
			g.log.Debug("forwarding log message", "server", server, "error", err)
		}
	}
}

func (g *Gateway) forwardResourceUpdated(server string, p *mcp.ResourceUpdatedNotificationParams) {
	if owner, ok := g.Catalog().ResourceOwner(p.URI); ok && owner != server {
		return // a server may only announce updates of what it owns
	}
	if err := g.server.ResourceUpdated(context.Background(), p); err != nil {
		g.log.Debug("forwarding resource update", "error", err)
	}
}

func hasSampling(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.Capabilities != nil && ip.Capabilities.Sampling != nil
}

func hasElicitation(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.Capabilities != nil && ip.Capabilities.Elicitation != nil
}

func hasRoots(ss *mcp.ServerSession) bool {
	ip := ss.InitializeParams()
	return ip != nil && ip.Capabilities != nil && (ip.Capabilities.RootsV2 != nil || ip.Capabilities.Roots.ListChanged)
}

func (g *Gateway) forwardCreateMessage(ctx context.Context, server string, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error) {
	fl, ok := g.flights.latest(server, hasSampling)
	if !ok {
		return nil, fmt.Errorf("sampling/createMessage from %q: %w that supports sampling", server, errNoCaller)
	}
	if fl.mrtr != nil {
		r, err := fl.mrtr.askClient(mergeCtx(fl.ctx, ctx), p)
		if err != nil {
			return nil, err
		}
		return samplingAnswer(r)
	}
	return fl.session.CreateMessage(mergeCtx(fl.ctx, ctx), p)
}

func (g *Gateway) forwardElicit(ctx context.Context, server string, p *mcp.ElicitParams) (*mcp.ElicitResult, error) {
	fl, ok := g.flights.latest(server, hasElicitation)
	if !ok {
		return nil, fmt.Errorf("elicitation/create from %q: %w that supports elicitation", server, errNoCaller)
	}
	if fl.mrtr != nil {
		r, err := fl.mrtr.askClient(mergeCtx(fl.ctx, ctx), p)
		if err != nil {
			return nil, err
		}
		if er, ok := r.(*mcp.ElicitResult); ok {
			return er, nil
		}
		return nil, fmt.Errorf("the client answered an elicitation with %T", r)
	}
	return fl.session.Elicit(mergeCtx(fl.ctx, ctx), p)
}

func (g *Gateway) forwardListRoots(ctx context.Context, server string) (*mcp.ListRootsResult, error) {
	fl, ok := g.flights.latest(server, hasRoots)
	if !ok {
		return &mcp.ListRootsResult{Roots: []*mcp.Root{}}, nil
	}
	if fl.mrtr != nil {
		r, err := fl.mrtr.askClient(mergeCtx(fl.ctx, ctx), &mcp.ListRootsParams{})
		if err != nil {
			return nil, err
		}
		if rr, ok := r.(*mcp.ListRootsResult); ok {
			return rr, nil
		}
		return nil, fmt.Errorf("the client answered roots/list with %T", r)
	}
	return fl.session.ListRoots(mergeCtx(fl.ctx, ctx), &mcp.ListRootsParams{})
}

// mergeCtx returns a context carrying base's values (so the SDK routes the
// message on the downstream call's stream) that ends when either ends.
func mergeCtx(base, other context.Context) context.Context {
	ctx, cancel := context.WithCancel(base)
	stop := context.AfterFunc(other, cancel)
	context.AfterFunc(ctx, func() { stop() })
	return ctx
}
