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

// newClient builds the SDK client of this upstream: it answers server->client
// requests through the hooks and refreshes the catalog on list_changed.
func (u *Upstream) newClient() *mcp.Client {
	h := u.hooks
	name := u.cfg.Name
	opts := &mcp.ClientOptions{
		KeepAlive: keepAlive,
		Capabilities: &mcp.ClientCapabilities{
			RootsV2: &mcp.RootCapabilities{ListChanged: true},
		},
		CreateMessageHandler: func(ctx context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			if h == nil || h.CreateMessage == nil {
				return nil, errNoDownstream
			}
			return h.CreateMessage(ctx, name, req.Params)
		},
		ElicitationHandler: func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			if h == nil || h.Elicit == nil {
				return nil, errNoDownstream
			}
			return h.Elicit(ctx, name, req.Params)
		},
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) {
			go u.refreshAfterNotice()
		},
		PromptListChangedHandler: func(context.Context, *mcp.PromptListChangedRequest) {
			go u.refreshAfterNotice()
		},
		ResourceListChangedHandler: func(context.Context, *mcp.ResourceListChangedRequest) {
			go u.refreshAfterNotice()
		},
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) {
			if h != nil && h.ResourceUpdated != nil {
				h.ResourceUpdated(name, req.Params)
			}
		},
		LoggingMessageHandler: func(_ context.Context, req *mcp.LoggingMessageRequest) {
			if h != nil && h.Log != nil {
				h.Log(name, req.Params)
			}
		},
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			if h != nil && h.Progress != nil {
				h.Progress(name, req.Params)
			}
		},
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "mcplex", Version: Version}, opts)
	// Server->client requests are answered here, before the SDK's own
	// handlers: those validate elicitation schemas more strictly than other
	// clients do, and the downstream client is the one to judge them.
	c.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			switch p := req.GetParams().(type) {
			case *mcp.ElicitParams:
				if h == nil || h.Elicit == nil {
					return nil, errNoDownstream
				}
				return h.Elicit(ctx, name, p)
			case *mcp.CreateMessageParams:
				if h == nil || h.CreateMessage == nil {
					return nil, errNoDownstream
				}
				return h.CreateMessage(ctx, name, p)
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

func (u *Upstream) refreshAfterNotice() {
	u.mu.Lock()
	sess := u.session
	u.mu.Unlock()
	if sess == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), initTimeout)
	defer cancel()
	if err := u.refresh(ctx, sess, false); err != nil {
		u.log.Warn("refreshing catalog after list_changed", "error", err)
		return
	}
	u.hooks.changed(u.cfg.Name)
}

// refresh lists everything the server offers and stores it as its catalog.
// On the first listing a failure to list tools is fatal; later it is logged.
func (u *Upstream) refresh(ctx context.Context, sess *mcp.ClientSession, first bool) error {
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
		return errors.Join(errs...)
	}
	for _, err := range errs {
		u.log.Warn("listing upstream catalog", "error", err)
	}
	u.mu.Lock()
	u.cat = cat
	u.mu.Unlock()
	return nil
}
