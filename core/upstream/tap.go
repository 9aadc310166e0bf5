package upstream

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// schemaTap records the raw bytes of tool schemas from tools/list responses,
// so the gateway forwards inputSchema and outputSchema byte for byte (the SDK
// client decodes them into maps, which reorders keys).
type schemaTap struct {
	mu      sync.Mutex
	pending map[any]bool
	input   map[string]json.RawMessage
	output  map[string]json.RawMessage
}

func newSchemaTap() *schemaTap {
	return &schemaTap{pending: map[any]bool{}, input: map[string]json.RawMessage{}, output: map[string]json.RawMessage{}}
}

func (t *schemaTap) expect(id jsonrpc.ID) {
	t.mu.Lock()
	t.pending[id.Raw()] = true
	t.mu.Unlock()
}

func (t *schemaTap) observe(r *jsonrpc.Response) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.pending[r.ID.Raw()] {
		return
	}
	delete(t.pending, r.ID.Raw())
	var res struct {
		Tools []struct {
			Name         string          `json:"name"`
			InputSchema  json.RawMessage `json:"inputSchema"`
			OutputSchema json.RawMessage `json:"outputSchema"`
		} `json:"tools"`
	}
	if r.Error != nil || json.Unmarshal(r.Result, &res) != nil {
		return
	}
	for _, tl := range res.Tools {
		if len(tl.InputSchema) > 0 {
			t.input[tl.Name] = tl.InputSchema
		}
		if len(tl.OutputSchema) > 0 && string(tl.OutputSchema) != "null" {
			t.output[tl.Name] = tl.OutputSchema
		}
	}
}

// apply replaces the decoded schemas of tools with the recorded raw bytes.
func (t *schemaTap) apply(tools []*mcp.Tool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tl := range tools {
		if raw, ok := t.input[tl.Name]; ok {
			tl.InputSchema = raw
		}
		if raw, ok := t.output[tl.Name]; ok {
			tl.OutputSchema = raw
		}
	}
	t.input = map[string]json.RawMessage{}
	t.output = map[string]json.RawMessage{}
}

type tapTransport struct {
	inner mcp.Transport
	tap   *schemaTap
}

func (t *tapTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &tapConn{Connection: c, tap: t.tap}, nil
}

type tapConn struct {
	mcp.Connection
	tap *schemaTap
}

func (c *tapConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if r, ok := msg.(*jsonrpc.Request); ok && r.Method == "tools/list" && r.ID.IsValid() {
		c.tap.expect(r.ID)
	}
	return c.Connection.Write(ctx, msg)
}

func (c *tapConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	msg, err := c.Connection.Read(ctx)
	if r, ok := msg.(*jsonrpc.Response); ok && err == nil {
		c.tap.observe(r)
	}
	return msg, err
}
