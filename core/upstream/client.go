package upstream

import (
	"context"
	"errors"
	"fmt"

	"github.com/mcplex/mcplex/core/catalog"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Version is reported to upstream servers in clientInfo.
var Version = "dev"

var errNoDownstream = errors.New("no MCP client is waiting on this server: a server-to-client request needs an active call")

// newClient builds the SDK client of one connection: it answers
// server->client requests through the hooks, with contexts that also end
// when life does (the upstream stops), and kicks a catalog refresh on
// list_changed.
func (u *Upstream) newClient(life context.Context, kick chan<- struct{}) *mcp.Client {
	h := u.hooks
	name := u.cfg.Name
	notice := func() {
		select {
		case kick <- struct{}{}:
		default: // a refresh is already pending
		}
	}
	opts := &mcp.ClientOptions{
		Logger:    u.log, // keep-alive failures, dropped protocol errors
		KeepAlive: keepAlive,
		// One late ping (a ping answer queued behind a 10 MB result) must
		// not tear down a session and every call on it.
		KeepAliveFailureThreshold: keepAliveFails,
		Capabilities: &mcp.ClientCapabilities{
			RootsV2: &mcp.RootCapabilities{ListChanged: true},
		},
		CreateMessageHandler: func(ctx context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			if h == nil || h.CreateMessage == nil {
				return nil, errNoDownstream
			}
			return h.CreateMessage(ctx, name, req.Params)
		},
		// This one only advertises the capability: the middleware below
		// answers elicitation requests.
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return nil, errNoDownstream
		},
		ToolListChangedHandler:     func(context.Context, *mcp.ToolListChangedRequest) { notice() },
		PromptListChangedHandler:   func(context.Context, *mcp.PromptListChangedRequest) { notice() },
		ResourceListChangedHandler: func(context.Context, *mcp.ResourceListChangedRequest) { notice() },
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) {
			if h != nil && h.ResourceUpdated != nil {
				h.ResourceUpdated(name, req.Params)
			}
		},
		LoggingMessageHandler: func(_ context.Context, req *mcp.LoggingMessageRequest) {
			defer u.notes.add(-1)
			if h != nil && h.Log != nil {
				h.Log(name, req.Params)
			}
		},
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			defer u.notes.add(-1)
			if h != nil && h.Progress != nil {
				h.Progress(name, req.Params)
			}
		},
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "mcplex", Version: Version}, opts)
	// Server->client requests get contexts that also end when the upstream
	// stops: the SDK's Close waits for these handlers. Elicitation and roots
	// are answered here, before the SDK's own handlers: those validate
	// elicitation schemas more strictly than other clients do, and the
	// downstream client is the one to judge them. Sampling goes on to
	// CreateMessageHandler, after the SDK converted its params.
	c.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			switch method {
			case "sampling/createMessage", "elicitation/create", "roots/list":
			default:
				return next(ctx, method, req)
			}
			ctx, cancel := context.WithCancelCause(ctx)
			defer cancel(nil)
			stop := context.AfterFunc(life, func() { cancel(context.Cause(life)) })
			defer stop()
			switch p := req.GetParams().(type) {
			case *mcp.ElicitParams:
				if h == nil || h.Elicit == nil {
					return nil, errNoDownstream
				}
				return h.Elicit(ctx, name, p)
			case *mcp.ListRootsParams:
				if h == nil || h.ListRoots == nil {
					return &mcp.ListRootsResult{Roots: []*mcp.Root{}}, nil
				}
				return h.ListRoots(ctx, name)
			}
			return next(ctx, method, req)
		}
	})
	return c
}

// list lists everything the server offers. On the first listing a failure
// to list tools is fatal; later it is logged and the rest is kept.
func (u *Upstream) list(ctx context.Context, sess *mcp.ClientSession, first bool) (*catalog.Server, error) {
	caps := sess.InitializeResult().Capabilities
	cat := &catalog.Server{Name: u.cfg.Name, Description: u.cfg.Description}
	if info := sess.InitializeResult().ServerInfo; info != nil {
		cat.Title = info.Title
	}
	if cat.Description == "" {
		cat.Description = sess.InitializeResult().Instructions
	}
	if caps == nil {
		caps = &mcp.ServerCapabilities{}
	}
	var errs []error
	if caps.Tools != nil {
		for t, err := range sess.Tools(ctx, nil) {
			if err != nil {
				errs = append(errs, fmt.Errorf("tools/list: %w", err))
				break
			}
			cat.Tools = append(cat.Tools, t)
		}
		u.tap.apply(cat.Tools)
	}
	if caps.Prompts != nil {
		for p, err := range sess.Prompts(ctx, nil) {
			if err != nil {
				errs = append(errs, fmt.Errorf("prompts/list: %w", err))
				break
			}
			cat.Prompts = append(cat.Prompts, p)
		}
	}
	if caps.Resources != nil {
		for r, err := range sess.Resources(ctx, nil) {
			if err != nil {
				errs = append(errs, fmt.Errorf("resources/list: %w", err))
				break
			}
			cat.Resources = append(cat.Resources, r)
		}
		for t, err := range sess.ResourceTemplates(ctx, nil) {
			if err != nil {
				errs = append(errs, fmt.Errorf("resources/templates/list: %w", err))
				break
			}
			cat.Templates = append(cat.Templates, t)
		}
	}
	if first && len(errs) > 0 && caps.Tools != nil && len(cat.Tools) == 0 {
		return nil, errors.Join(errs...)
	}
	for _, err := range errs {
		u.log.Warn("listing upstream catalog", "error", err)
	}
	return cat, nil
}
