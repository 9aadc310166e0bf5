package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// errSessionLost means the gateway answered 404 to a request that carried a
// session id: it no longer knows the session (MCP 2025-11-25, Session
// Management).
var errSessionLost = errors.New("MCPlex gateway no longer knows this session (HTTP 404)")

// maxStreamResumes bounds how often a broken response stream is resumed
// without making progress before its request is answered with an error.
const maxStreamResumes = 3

// exchange follows one message through the gateway.
type exchange struct {
	msg       jsonrpc.Message
	call      *jsonrpc.Request        // the request awaiting a response; nil for notifications and responses
	reply     func(*jsonrpc.Response) // receives the gateway's response to call
	answered  bool                    // reply has been called
	sessionID string                  // Mcp-Session-Id of the HTTP response to an initialize
}

// roundTrip POSTs ex.msg in session s and relays what comes back.
func (b *bridge) roundTrip(ctx context.Context, ex *exchange, s session) error {
	body, err := jsonrpc.EncodeMessage(ex.msg)
	if err != nil {
		return fmt.Errorf("encoding message: %w", err)
	}
	resp, err := b.do(ctx, func() (*http.Request, error) { return b.newPOST(ctx, body, ex.msg, s) })
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNotFound && s.id != "" {
		discard(resp)
		return errSessionLost
	}
	return b.relay(ctx, resp, ex)
}

// relay handles the gateway's HTTP response to a POST: 202, an error
// status, one JSON body or an SSE stream.
func (b *bridge) relay(ctx context.Context, resp *http.Response, ex *exchange) error {
	defer resp.Body.Close()
	if ex.call != nil && ex.call.Method == methodInitialize {
		ex.sessionID = resp.Header.Get(headerSessionID)
	}
	switch {
	case resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusNoContent:
		if ex.call != nil {
			return fmt.Errorf("MCPlex gateway accepted %q but sent no response", ex.call.Method)
		}
		return nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return b.statusError(resp, ex)
	}
	switch mediaType(resp.Header.Get("Content-Type")) {
	case "text/event-stream":
		return b.relayStream(ctx, resp.Body, ex)
	case "application/json":
		return b.relayJSON(resp.Body, ex)
	}
	if ex.call == nil {
		return nil // some servers answer notifications with an empty 200
	}
	return fmt.Errorf("MCPlex gateway answered %q with unexpected content type %q", ex.call.Method, resp.Header.Get("Content-Type"))
}

// relayJSON relays the message (or batch) in a JSON response body.
func (b *bridge) relayJSON(body io.Reader, ex *exchange) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("reading gateway response: %w", err)
	}
	if len(bytes.TrimSpace(data)) > 0 {
		msgs, err := decodeMessages(data)
		if err != nil {
			return fmt.Errorf("decoding gateway response: %w", err)
		}
		for _, msg := range msgs {
			b.fromGateway(msg, ex)
		}
	}
	if ex.call != nil && !ex.answered {
		return fmt.Errorf("MCPlex gateway sent no response to %q", ex.call.Method)
	}
	return nil
}

// relayStream relays an SSE response stream until the request is answered.
// A stream that breaks first is resumed with Last-Event-ID if the gateway
// gave its events ids; otherwise the request cannot be answered.
func (b *bridge) relayStream(ctx context.Context, body io.Reader, ex *exchange) error {
	last, retry, err := b.readEvents(body, ex, "")
	stalled := 0
	for ex.call != nil && !ex.answered {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if last == "" || stalled >= maxStreamResumes {
			b.log.Debug("response stream ended early", "method", ex.call.Method, "err", err)
			return fmt.Errorf("the connection to the MCPlex gateway broke before %q was answered; it may or may not have run", ex.call.Method)
		}
		if err := sleep(ctx, max(retry, minBackoff)); err != nil {
			return err
		}
		prev := last
		if last, retry, err = b.resume(ctx, last, ex); last == prev {
			stalled++
		} else {
			stalled = 0
		}
	}
	return nil
}

// resume reconnects a broken response stream after event id last, as the
// 2025-11-25 transport allows, and relays from there.
func (b *bridge) resume(ctx context.Context, last string, ex *exchange) (string, time.Duration, error) {
	s, err := b.sessionFor(ctx, ex)
	if err != nil {
		return last, 0, err
	}
	if ex.call.Method == methodInitialize {
		s = session{id: ex.sessionID} // the stream belongs to the session being created
	}
	resp, err := b.do(ctx, func() (*http.Request, error) { return b.newGET(ctx, s, last) })
	if err != nil {
		return last, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || mediaType(resp.Header.Get("Content-Type")) != "text/event-stream" {
		return last, 0, fmt.Errorf("resuming stream: HTTP %d", resp.StatusCode)
	}
	return b.readEvents(resp.Body, ex, last)
}

// readEvents relays the messages of an SSE stream until it ends or answers
// ex.call. It returns the last event id seen (starting from last) and the
// reconnect delay the server asked for.
func (b *bridge) readEvents(body io.Reader, ex *exchange, last string) (string, time.Duration, error) {
	var retry time.Duration
	err := readSSE(body, func(ev sseEvent) bool {
		if ev.id != "" {
			last = ev.id
		}
		if ev.retry > 0 {
			retry = ev.retry
		}
		if len(ev.data) == 0 {
			return true
		}
		msgs, err := decodeMessages(ev.data)
		if err != nil {
			b.log.Warn("skipping undecodable event from gateway", "err", err)
			return true
		}
		for _, msg := range msgs {
			b.fromGateway(msg, ex)
		}
		return ex.call == nil || !ex.answered
	})
	return last, retry, err
}

// fromGateway routes one message from the gateway: the response to ex.call
// to ex.reply, anything else (notifications, server requests) to stdout.
func (b *bridge) fromGateway(msg jsonrpc.Message, ex *exchange) {
	if resp, ok := msg.(*jsonrpc.Response); ok && ex.call != nil && resp.ID == ex.call.ID && !ex.answered {
		ex.answered = true
		ex.reply(resp)
		return
	}
	b.out.send(msg)
}

// statusError turns an HTTP error status into an error for the client. A
// JSON-RPC error body answering the request is relayed as is instead.
func (b *bridge) statusError(resp *http.Response, ex *exchange) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if ex.call != nil {
		if msg, err := jsonrpc.DecodeMessage(data); err == nil {
			if r, ok := msg.(*jsonrpc.Response); ok && r.Error != nil && r.ID == ex.call.ID {
				ex.answered = true
				ex.reply(r)
				return nil
			}
		}
	}
	detail := strings.TrimSpace(string(data))
	if len(detail) > 200 {
		detail = detail[:200] + "…"
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return errors.New("MCPlex gateway rejected the API key (HTTP 401) — check the bridge's token file or MCPLEX_API_KEY")
	case http.StatusForbidden:
		return fmt.Errorf("MCPlex gateway refused access (HTTP 403): %s", detail)
	case http.StatusNotFound:
		return fmt.Errorf("nothing answers MCP at %s (HTTP 404) — check the gateway URL, normally http://127.0.0.1:3100/mcp", b.url)
	}
	return fmt.Errorf("MCPlex gateway answered HTTP %d: %s", resp.StatusCode, detail)
}
