package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Multi-round-trip calls (protocol 2026-07-28, SEP-2322). Upstream sessions
// speak 2025-11-25, where a server asks the client for sampling, elicitation
// or roots with a request sent while its tool call runs. A 2026-07-28
// client cannot receive such requests; it expects the tools/call result to
// say "input required", and calls again with the answers. The gateway
// bridges the two: the upstream call keeps running in the background, each
// request it sends is handed to the client as an input request, and the
// client's retry, recognised by its requestState, answers it.

// mrtrIdle is how long an upstream call waits for the client's next round.
const mrtrIdle = 2 * time.Minute

func isMRTR(ss *mcp.ServerSession) bool {
	if ss == nil {
		return false
	}
	ip := ss.InitializeParams()
	return ip != nil && ip.ProtocolVersion >= sessionlessVersion
}

// ask is a server->client request from the upstream, waiting for its answer.
type ask struct {
	req   mcp.InputRequest
	reply chan mcp.InputResponse
}

type outcome struct {
	res *mcp.CallToolResult
	err error
}

// mrtrCall is an upstream call kept open across the rounds of one client call.
type mrtrCall struct {
	session *mcp.ServerSession
	asks    chan *ask
	done    chan outcome
	cancel  context.CancelFunc

	mu      sync.Mutex
	waiting map[string]*ask // input request id -> ask
	next    int
	timer   *time.Timer
}

type mrtrCalls struct {
	mu    sync.Mutex
	calls map[string]*mrtrCall // requestState -> call
}

func (m *mrtrCalls) put(state string, c *mrtrCall) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls = map[string]*mrtrCall{}
	}
	m.calls[state] = c
}

func (m *mrtrCalls) take(state string) (*mrtrCall, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.calls[state]
	delete(m.calls, state)
	return c, ok
}

// startMRTR starts call in the background for a 2026-07-28 client and
// returns its first round.
func (g *Gateway) startMRTR(ctx context.Context, c *Caller, run func(context.Context, *mrtrCall) (*mcp.CallToolResult, error)) (*mcp.CallToolResult, error) {
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	mc := &mrtrCall{session: c.Session, asks: make(chan *ask), done: make(chan outcome, 1), cancel: cancel, waiting: map[string]*ask{}}
	mc.timer = time.AfterFunc(mrtrIdle, cancel) // the client never came back
	go func() {
		defer cancel()
		res, err := run(callCtx, mc)
		mc.done <- outcome{res, err}
	}()
	return g.mrtrRound(ctx, mc)
}

// resumeMRTR answers the input requests of a previous round and returns
// the next round.
func (g *Gateway) resumeMRTR(ctx context.Context, c *Caller, p *mcp.CallToolParamsRaw) (*mcp.CallToolResult, error) {
	mc, ok := g.mrtr.take(p.RequestState)
	if !ok || mc.session != c.Session {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "unknown or expired requestState: call the tool again"}
	}
	mc.mu.Lock()
	for id, resp := range p.InputResponses {
		if a, ok := mc.waiting[id]; ok {
			delete(mc.waiting, id)
			a.reply <- resp
		}
	}
	mc.mu.Unlock()
	return g.mrtrRound(ctx, mc)
}

// mrtrRound waits for the upstream call to finish or to ask something.
func (g *Gateway) mrtrRound(ctx context.Context, mc *mrtrCall) (*mcp.CallToolResult, error) {
	mc.timer.Reset(mrtrIdle)
	select {
	case o := <-mc.done:
		mc.timer.Stop()
		return o.res, o.err
	case a := <-mc.asks:
		mc.mu.Lock()
		mc.next++
		id := fmt.Sprintf("r%d", mc.next)
		mc.waiting[id] = a
		mc.mu.Unlock()
		state := newTraceID() + newTraceID()
		g.mrtr.put(state, mc)
		return inputRequired(mcp.InputRequestMap{id: a.req}, state)
	case <-ctx.Done():
		mc.cancel()
		return nil, ctx.Err()
	}
}

// inputRequired builds an "input required" result. Its result type is not
// settable from outside the SDK, so the result is decoded from its wire form.
func inputRequired(reqs mcp.InputRequestMap, state string) (*mcp.CallToolResult, error) {
	ir, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	wire, err := json.Marshal(map[string]any{"resultType": "input_required", "inputRequests": json.RawMessage(ir), "requestState": state})
	if err != nil {
		return nil, err
	}
	var res mcp.CallToolResult
	if err := json.Unmarshal(wire, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

var errMRTRGone = errors.New("the client did not answer the input request")

// askClient hands an upstream's server->client request to the client of a
// multi-round-trip call, and waits for its answer.
func (mc *mrtrCall) askClient(ctx context.Context, req mcp.InputRequest) (mcp.InputResponse, error) {
	a := &ask{req: req, reply: make(chan mcp.InputResponse, 1)}
	select {
	case mc.asks <- a:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-a.reply:
		return r, nil
	case <-ctx.Done():
		return nil, errMRTRGone
	}
}

// samplingAnswer converts the client's answer to what the upstream asked for.
func samplingAnswer(r mcp.InputResponse) (*mcp.CreateMessageResult, error) {
	switch v := r.(type) {
	case *mcp.CreateMessageWithToolsResult:
		out := &mcp.CreateMessageResult{Meta: v.Meta, Model: v.Model, Role: v.Role, StopReason: v.StopReason}
		if len(v.Content) > 0 {
			out.Content = v.Content[0]
		}
		return out, nil
	case *mcp.CreateMessageResult:
		return v, nil
	}
	return nil, fmt.Errorf("the client answered a sampling request with %T", r)
}
