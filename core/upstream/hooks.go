package upstream

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Hooks connect upstream events to the gateway. Any field may be nil.
// Hooks are called from SDK goroutines and must not block for long.
type Hooks struct {
	// Changed reports a state or catalog change of the named server.
	Changed func(server string)
	// Progress delivers a progress notification (the token is the one the
	// gateway sent upstream).
	Progress func(server string, p *mcp.ProgressNotificationParams)
	// Log delivers a notifications/message from the server.
	Log func(server string, p *mcp.LoggingMessageParams)
	// ResourceUpdated delivers notifications/resources/updated.
	ResourceUpdated func(server string, p *mcp.ResourceUpdatedNotificationParams)
	// CreateMessage, Elicit and ListRoots answer server->client requests,
	// normally by asking the downstream session whose call is in progress.
	CreateMessage func(ctx context.Context, server string, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error)
	Elicit        func(ctx context.Context, server string, p *mcp.ElicitParams) (*mcp.ElicitResult, error)
	ListRoots     func(ctx context.Context, server string) (*mcp.ListRootsResult, error)
}

func (h *Hooks) changed(server string) {
	if h != nil && h.Changed != nil {
		h.Changed(server)
	}
}
