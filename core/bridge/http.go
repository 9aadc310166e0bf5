package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// HTTP headers of the Streamable HTTP transport, and ours.
const (
	headerSessionID       = "Mcp-Session-Id"
	headerProtocolVersion = "Mcp-Protocol-Version"
	headerLastEventID     = "Last-Event-ID"
	headerMethod          = "Mcp-Method" // 2026-07-28 and later
	headerName            = "Mcp-Name"   // 2026-07-28 and later
	headerClient          = "X-MCPlex-Client"
	metaProtocolVersion   = "io.modelcontextprotocol/protocolVersion"
	firstStatelessVersion = "2026-07-28"
)

// msgRefused is logged at debug level for each refused dial that is retried.
const msgRefused = "gateway refused the connection; retrying"

// Backoff bounds for refused dials and stream reconnects.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// session identifies the gateway session a request belongs to. The zero
// value means "no session yet".
type session struct {
	id      string // Mcp-Session-Id
	version string // negotiated protocol version
}

// newHTTPClient returns a client without overall timeout (tool calls and
// the GET stream are long-lived) that never follows redirects, so the key is
// only ever sent to the configured URL.
func newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// do sends the request built by build. Refused connections are retried with
// backoff (the request cannot have arrived) until the dial deadline; a 401 is
// retried once if re-reading the token file yields a different key.
func (b *bridge) do(ctx context.Context, build func() (*http.Request, error)) (*http.Response, error) {
	deadline := b.dialDeadline()
	delay := minBackoff
	reread := false
	for {
		req, err := build()
		if err != nil {
			return nil, err
		}
		resp, err := b.client.Do(req)
		if err == nil {
			b.reached.Store(true)
			if resp.StatusCode == http.StatusUnauthorized && !reread && b.reloadToken(req) {
				reread = true
				discard(resp)
				continue
			}
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !isDialError(err) {
			return nil, fmt.Errorf("lost the connection to the MCPlex gateway at %s (the request may or may not have run): %w", b.url, err)
		}
		wait := min(delay, time.Until(deadline))
		if wait <= 0 {
			return nil, fmt.Errorf("MCPlex gateway is not running at %s — start MCPlex (or `mcplex serve`) and try again", b.url)
		}
		b.log.Debug(msgRefused, "retryIn", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// dialDeadline says how long a request may wait for a refused gateway: until
// the startup deadline while the gateway was never reached, briefly after.
func (b *bridge) dialDeadline() time.Time {
	if !b.reached.Load() && time.Now().Before(b.startupUntil) {
		return b.startupUntil
	}
	return time.Now().Add(min(redialWindow, b.startupWait))
}

// reloadToken re-reads the token file after a 401 and reports whether the
// key differs from the one req carried, that is, whether a retry can help.
func (b *bridge) reloadToken(req *http.Request) bool {
	if b.opts.APIKey != "" || b.opts.TokenFile == "" {
		return false
	}
	tok, err := readToken(b.opts.TokenFile)
	if err != nil {
		b.log.Warn("gateway answered 401 and the token file is not readable", "file", b.opts.TokenFile, "err", err)
		return false
	}
	b.mu.Lock()
	b.token = tok
	b.mu.Unlock()
	changed := bearer(tok) != req.Header.Get("Authorization")
	b.log.Info("gateway answered 401; re-read the token file", "changed", changed)
	return changed
}

// newPOST builds the POST carrying one encoded message in session s.
func (b *bridge) newPOST(ctx context.Context, body []byte, msg jsonrpc.Message, s session) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	b.setHeaders(req.Header, s)
	setStatelessHeaders(req.Header, msg)
	return req, nil
}

// newGET builds the GET that opens (or resumes, after lastEventID) a stream.
func (b *bridge) newGET(ctx context.Context, s session, lastEventID string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set(headerLastEventID, lastEventID)
	}
	b.setHeaders(req.Header, s)
	return req, nil
}

// setHeaders adds the configured headers, auth, client name and session.
func (b *bridge) setHeaders(h http.Header, s session) {
	for k, v := range b.opts.Headers {
		h.Set(k, v)
	}
	b.mu.Lock()
	token, name := b.token, b.clientName
	b.mu.Unlock()
	if b.opts.ClientName != "" {
		name = b.opts.ClientName
	}
	if token != "" {
		h.Set("Authorization", bearer(token))
	}
	if name != "" {
		h.Set(headerClient, name)
	}
	if s.id != "" {
		h.Set(headerSessionID, s.id)
	}
	if s.version != "" {
		h.Set(headerProtocolVersion, s.version)
	}
}

// setStatelessHeaders passes a request's per-request protocol version
// (_meta, 2026-07-28 and later) through as headers, so that a client
// probing with server/discover reaches the gateway unchanged.
func setStatelessHeaders(h http.Header, msg jsonrpc.Message) {
	req, ok := msg.(*jsonrpc.Request)
	if !ok || !bytes.Contains(req.Params, []byte(metaProtocolVersion)) {
		return
	}
	var p struct {
		Meta map[string]any `json:"_meta"`
		Name string         `json:"name"`
		URI  string         `json:"uri"`
	}
	if json.Unmarshal(req.Params, &p) != nil {
		return
	}
	version, _ := p.Meta[metaProtocolVersion].(string)
	if version == "" {
		return
	}
	h.Set(headerProtocolVersion, version)
	if version < firstStatelessVersion {
		return
	}
	h.Set(headerMethod, req.Method)
	switch {
	case req.Method == "resources/read" && p.URI != "":
		h.Set(headerName, p.URI)
	case (req.Method == "tools/call" || req.Method == "prompts/get") && p.Name != "":
		h.Set(headerName, p.Name)
	}
}

func bearer(token string) string {
	if token == "" {
		return ""
	}
	return "Bearer " + token
}

// isDialError reports whether err means the connection was never made.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// discard drains a little of an unwanted body so the connection can be
// reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
