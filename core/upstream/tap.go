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

// reset forgets the tools/list requests of an earlier connection, whose ids
// a new connection reuses.
func (t *schemaTap) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = map[any]bool{}
}

// tapTransport wraps the transport of one connection: it feeds the schema
// tap, and reports a broken read side to lost (unless life has ended, when
// the gateway itself is closing the connection).
type tapTransport struct {
	inner mcp.Transport
	tap   *schemaTap
	life  context.Context
	lost  func(*tapConn, error)

	conn *tapConn // set by Connect
}

func (t *tapTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	t.tap.reset()
	t.conn = &tapConn{Connection: c, tap: t.tap, life: t.life, lost: t.lost}
	return t.conn, nil
}

type tapConn struct {
	mcp.Connection
	tap  *schemaTap
	life context.Context
	lost func(*tapConn, error)

	mu     sync.Mutex
	initID jsonrpc.ID // of the initialize request
}

func (c *tapConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if r, ok := msg.(*jsonrpc.Request); ok {
		switch {
		case r.Method == "tools/list" && r.ID.IsValid():
			c.tap.expect(r.ID)
		case r.Method == "initialize":
			c.mu.Lock()
			c.initID = r.ID
			c.mu.Unlock()
		case r.Method == "notifications/cancelled" && c.cancelsInit(r.Params):
			// The spec forbids cancelling initialize. The SDK sends it when
			// the handshake times out, and then its Close waits up to 5 s
			// for that notification to reach a server that does not answer.
			return nil
		}
	}
	return c.Connection.Write(ctx, msg)
}

func (c *tapConn) cancelsInit(params json.RawMessage) bool {
	var p struct {
		RequestID any `json:"requestId"`
	}
	if json.Unmarshal(params, &p) != nil {
		return false
	}
	id, err := jsonrpc.MakeID(p.RequestID)
	c.mu.Lock()
	defer c.mu.Unlock()
	return err == nil && c.initID.IsValid() && id == c.initID
}

func (c *tapConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	msg, err := c.Connection.Read(ctx)
	if err != nil {
		if c.lost != nil && c.life.Err() == nil && ctx.Err() == nil {
			c.lost(c, err)
		}
		return msg, err
	}
	if r, ok := msg.(*jsonrpc.Response); ok {
		c.tap.observe(r)
	}
	return msg, nil
}
