package upstream

import (
	"context"
	"encoding/json"
	"sync"
	"time"

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
	notes *noteCounter // notifications read but not yet handled

	conn *tapConn // set by Connect
}

func (t *tapTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	t.tap.reset()
	t.notes.reset() // a dead session's undelivered notifications are gone
	t.conn = &tapConn{Connection: c, tap: t.tap, life: t.life, lost: t.lost, notes: t.notes}
	return t.conn, nil
}

type tapConn struct {
	mcp.Connection
	tap   *schemaTap
	life  context.Context
	lost  func(*tapConn, error)
	notes *noteCounter

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
	switch r := msg.(type) {
	case *jsonrpc.Response:
		c.tap.observe(r)
	case *jsonrpc.Request:
		if !r.ID.IsValid() && forwarded(r.Method) {
			c.notes.add(1) // handled (and done) by the client's handler
		}
	}
	return msg, nil
}

// forwarded lists the notifications the gateway relays to the caller of an
// in-flight call, and so must relay before that call's result.
func forwarded(method string) bool {
	return method == "notifications/message" || method == "notifications/progress"
}

// noteCounter counts relayed notifications read from the upstream but not
// yet handed to the hooks. The SDK dispatches notifications asynchronously,
// so a notification sent just before a result may be handled after it; a
// call waits for the count to drain (briefly) before returning its result,
// so progress and log messages reach the caller before the result does.
type noteCounter struct {
	mu      sync.Mutex
	pending int
	idle    chan struct{} // closed when pending drops to zero
}

func (n *noteCounter) add(d int) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pending += d
	if n.pending < 0 {
		n.pending = 0
	}
	if n.pending == 0 && n.idle != nil {
		close(n.idle)
		n.idle = nil
	}
}

func (n *noteCounter) reset() {
	if n != nil {
		n.add(-n.count())
	}
}

func (n *noteCounter) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.pending
}

// wait returns once no counted notification is pending, or after max.
func (n *noteCounter) wait(max time.Duration) {
	if n == nil {
		return
	}
	n.mu.Lock()
	if n.pending == 0 {
		n.mu.Unlock()
		return
	}
	if n.idle == nil {
		n.idle = make(chan struct{})
	}
	idle := n.idle
	n.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
