package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// deleteTimeout bounds the DELETE that ends the session when Run returns.
const deleteTimeout = 2 * time.Second

// listChanged records which list_changed notifications a server supports.
type listChanged struct {
	tools, prompts, resources bool
}

// recovery is one re-initialization after session loss; done is closed
// when it has finished, successfully or not.
type recovery struct {
	done chan struct{}
	err  error // valid after done is closed
}

// initializeResult is the part of an initialize result the bridge reads.
type initializeResult struct {
	ProtocolVersion string `json:"protocolVersion"`
	Capabilities    struct {
		Tools     *struct{ ListChanged bool } `json:"tools"`
		Prompts   *struct{ ListChanged bool } `json:"prompts"`
		Resources *struct{ ListChanged bool } `json:"resources"`
	} `json:"capabilities"`
}

// sessionFor returns the session ex must be sent in, waiting for a
// re-initialization in progress. An initialize always starts a new session.
func (b *bridge) sessionFor(ctx context.Context, ex *exchange) (session, error) {
	if ex != nil && ex.call != nil && ex.call.Method == methodInitialize {
		return session{}, nil
	}
	for {
		b.mu.Lock()
		s, r := b.sess, b.recovering
		b.mu.Unlock()
		if r == nil {
			return s, nil
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return session{}, ctx.Err()
		}
	}
}

// rememberInitialize keeps the client's initialize params for replay, and
// its name for the X-MCPlex-Client header.
func (b *bridge) rememberInitialize(req *jsonrpc.Request) {
	var p struct {
		ClientInfo struct{ Name string } `json:"clientInfo"`
	}
	_ = json.Unmarshal(req.Params, &p) // a bad initialize is the gateway's to reject
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initParams = append(json.RawMessage(nil), req.Params...)
	if p.ClientInfo.Name != "" {
		b.clientName = headerSafe(p.ClientInfo.Name)
	}
}

// adoptInitialize makes the session created by an initialize current. For
// the client's own initialize it also records what the client was told.
func (b *bridge) adoptInitialize(result json.RawMessage, sessionID string, forClient bool) {
	var r initializeResult
	if err := json.Unmarshal(result, &r); err != nil {
		b.log.Warn("cannot read initialize result", "err", err)
	}
	b.mu.Lock()
	b.sess = session{id: sessionID, version: r.ProtocolVersion}
	if forClient {
		c := r.Capabilities
		b.told = listChanged{
			tools:     c.Tools != nil && c.Tools.ListChanged,
			prompts:   c.Prompts != nil && c.Prompts.ListChanged,
			resources: c.Resources != nil && c.Resources.ListChanged,
		}
	}
	b.mu.Unlock()
	b.log.Info("gateway session established", "protocolVersion", r.ProtocolVersion, "sessionID", sessionID != "")
	b.kickListener() // a running GET stream belongs to the previous session
}

// renewSession re-initializes after the gateway forgot the session lost.
// Concurrent callers share one re-initialization; leader is true for the
// caller that ran it. If another caller already replaced lost, renewSession
// returns at once.
func (b *bridge) renewSession(ctx context.Context, lost string) (leader bool, err error) {
	b.mu.Lock()
	if b.sess.id != lost {
		b.mu.Unlock()
		return false, nil
	}
	if r := b.recovering; r != nil {
		b.mu.Unlock()
		select {
		case <-r.done:
			return false, r.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	r := &recovery{done: make(chan struct{})}
	b.recovering = r
	b.mu.Unlock()

	b.log.Warn("gateway lost the session; re-initializing")
	r.err = b.reinitialize(ctx)
	b.mu.Lock()
	b.recovering = nil
	b.mu.Unlock()
	close(r.done)
	if r.err != nil {
		b.log.Warn("re-initialization failed", "err", r.err)
	}
	return true, r.err
}

// reinitialize replays the client's initialize and initialized messages in
// a new session, which it then makes current.
func (b *bridge) reinitialize(ctx context.Context) error {
	b.mu.Lock()
	params := b.initParams
	b.reinits++
	id, _ := jsonrpc.MakeID(fmt.Sprintf("mcplex-bridge-reinit-%d", b.reinits)) // a string is always a valid id
	b.mu.Unlock()
	if params == nil {
		return errors.New("MCPlex gateway lost the session before the client initialized it")
	}
	var result *jsonrpc.Response
	ex := &exchange{msg: &jsonrpc.Request{ID: id, Method: methodInitialize, Params: params}}
	ex.call = ex.msg.(*jsonrpc.Request)
	ex.reply = func(r *jsonrpc.Response) { result = r }
	if err := b.roundTrip(ctx, ex, session{}); err != nil {
		return fmt.Errorf("MCPlex gateway lost the session and re-initializing failed: %w", err)
	}
	if result.Error != nil {
		return fmt.Errorf("MCPlex gateway lost the session and refused to re-initialize: %v", result.Error)
	}
	var r initializeResult
	_ = json.Unmarshal(result.Result, &r)
	s := session{id: ex.sessionID, version: r.ProtocolVersion}
	note := &exchange{msg: &jsonrpc.Request{Method: notificationInitialized}}
	if err := b.roundTrip(ctx, note, s); err != nil {
		return fmt.Errorf("MCPlex gateway lost the session and re-initializing failed: %w", err)
	}
	b.adoptInitialize(result.Result, ex.sessionID, false)
	return nil
}

// announceListChanged tells the client to refetch the lists it was told
// can change, since the new session may expose different ones.
func (b *bridge) announceListChanged() {
	b.mu.Lock()
	told := b.told
	b.mu.Unlock()
	for _, n := range []struct {
		on     bool
		method string
	}{
		{told.tools, "notifications/tools/list_changed"},
		{told.prompts, "notifications/prompts/list_changed"},
		{told.resources, "notifications/resources/list_changed"},
	} {
		if n.on {
			b.out.send(&jsonrpc.Request{Method: n.method})
		}
	}
}

// headerSafe replaces what may not appear in an HTTP header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// endSession deletes the gateway session on a best-effort basis.
func (b *bridge) endSession() {
	b.mu.Lock()
	s := b.sess
	b.mu.Unlock()
	if s.id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, b.url, nil)
	if err != nil {
		return
	}
	b.setHeaders(req.Header, s)
	resp, err := b.client.Do(req)
	if err != nil {
		b.log.Debug("deleting the gateway session failed", "err", err)
		return
	}
	discard(resp)
	b.log.Debug("deleted the gateway session", "status", resp.StatusCode)
}
