package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// memDial returns a Dialer that connects every (re)start to a fresh session
// of server over in-memory transports, wrapping the server's side with wrap.
func memDial(t *testing.T, server *mcp.Server, wrap func(mcp.Transport) mcp.Transport) Dialer {
	return func(*config.Server) (mcp.Transport, error) {
		ct, st := mcp.NewInMemoryTransports()
		var tr mcp.Transport = st
		if wrap != nil {
			tr = wrap(st)
		}
		ss, err := server.Connect(context.Background(), tr, nil)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { ss.Close() })
		return ct, nil
	}
}

func memServer() *mcp.Server {
	return mcp.NewServer(&mcp.Implementation{Name: "mem", Version: "1"}, nil)
}

func textResult(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

// listCapture records the raw tools/list results a server writes.
type listCapture struct {
	inner mcp.Transport
	mu    sync.Mutex
	raw   []json.RawMessage
}

func (c *listCapture) Connect(ctx context.Context) (mcp.Connection, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &captureConn{Connection: conn, c: c}, nil
}

type captureConn struct {
	mcp.Connection
	c *listCapture
}

func (cc *captureConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	var top map[string]json.RawMessage
	if r, ok := msg.(*jsonrpc.Response); ok && json.Unmarshal(r.Result, &top) == nil && bytes.HasPrefix(top["tools"], []byte("[")) {
		// What goes on the wire is the encoded message; take the result
		// back out of exactly those bytes.
		wire, err := jsonrpc.EncodeMessage(r)
		if err == nil {
			var m struct{ Result json.RawMessage }
			if json.Unmarshal(wire, &m) == nil {
				cc.c.mu.Lock()
				cc.c.raw = append(cc.c.raw, m.Result)
				cc.c.mu.Unlock()
			}
		}
	}
	return cc.Connection.Write(ctx, msg)
}

// The catalog carries tool schemas byte for byte as the server sent them,
// key order included (the SDK would decode them into maps).
func TestSchemaTapPreservesBytes(t *testing.T) {
	t.Parallel()
	in := `{"type":"object","properties":{"zeta":{"type":"string","description":"z first"},"alpha":{"type":"number"}},"required":["zeta"],"additionalProperties":false}`
	out := `{"type":"object","properties":{"yes":{"type":"boolean"},"answer":{"type":"string"}}}`
	server := memServer()
	server.AddTool(&mcp.Tool{Name: "ordered", InputSchema: json.RawMessage(in), OutputSchema: json.RawMessage(out)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return textResult("ok"), nil })
	server.AddTool(&mcp.Tool{Name: "plain", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return textResult("ok"), nil })
	capture := &listCapture{}
	dial := memDial(t, server, func(tr mcp.Transport) mcp.Transport { capture.inner = tr; return capture })
	p := newTestPool(t, Options{Dial: dial}, config.Server{Name: "mem", URL: "mem://"})
	waitReady(t, mustGet(t, p, "mem"))

	capture.mu.Lock()
	if len(capture.raw) != 1 {
		t.Fatalf("captured %d tools/list results, want 1", len(capture.raw))
	}
	var sent struct {
		Tools []struct {
			Name         string
			InputSchema  json.RawMessage
			OutputSchema json.RawMessage
		}
	}
	if err := json.Unmarshal(capture.raw[0], &sent); err != nil {
		t.Fatal(err)
	}
	capture.mu.Unlock()

	cats := p.Catalogs()
	if len(cats) != 1 || len(cats[0].Tools) != 2 {
		t.Fatalf("Catalogs() = %+v, want one server with 2 tools", cats)
	}
	for i, tl := range cats[0].Tools {
		t.Run(tl.Name, func(t *testing.T) {
			for _, c := range []struct {
				what string
				got  any
				sent json.RawMessage
			}{
				{"inputSchema", tl.InputSchema, sent.Tools[i].InputSchema},
				{"outputSchema", tl.OutputSchema, sent.Tools[i].OutputSchema},
			} {
				if len(c.sent) == 0 {
					if c.got != nil {
						t.Errorf("%s = %v, the server sent none", c.what, c.got)
					}
					continue
				}
				raw, ok := c.got.(json.RawMessage)
				if !ok {
					t.Errorf("%s is %T, want json.RawMessage", c.what, c.got)
					continue
				}
				if !bytes.Equal(raw, c.sent) {
					t.Errorf("%s = %s\nserver sent  %s", c.what, raw, c.sent)
				}
			}
		})
	}
	// Guard against a test that passes because both sides re-encoded:
	// the schema kept the server's key order, which is not alphabetical.
	raw, _ := cats[0].Tools[0].InputSchema.(json.RawMessage)
	if s := string(raw); strings.Index(s, "zeta") > strings.Index(s, "alpha") || strings.Index(s, `"type"`) > strings.Index(s, "properties") {
		t.Errorf("inputSchema lost its key order: %s", s)
	}
}

// The first listing counts against initTimeout: a server that completes the
// handshake but never answers tools/list ends up failed, not starting forever.
func TestListHangFailsAtInitTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	server := memServer()
	server.AddTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return textResult("ok"), nil })
	server.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/list" {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil, fmt.Errorf("released")
			}
			return next(ctx, method, req)
		}
	})
	start := time.Now()
	p := newTestPool(t, Options{Dial: memDial(t, server, nil)}, config.Server{Name: "lazy", URL: "mem://"})
	u := mustGet(t, p, "lazy")
	st := waitFailed(t, u, initTimeout+3*time.Second)
	if d := time.Since(start); d < initTimeout-100*time.Millisecond {
		t.Errorf("failed after %s, before the init timeout", d)
	}
	if !strings.Contains(st.Error, "tools/list") {
		t.Errorf("Status.Error = %q, want it to name tools/list", st.Error)
	}
}

// Elicitation and roots requests from the upstream go through the hooks.
func TestServerRequests(t *testing.T) {
	t.Parallel()
	server := memServer()
	server.AddTool(&mcp.Tool{Name: "ask", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := req.Session.Elicit(ctx, &mcp.ElicitParams{Message: "name?", RequestedSchema: json.RawMessage(
				`{"type":"object","properties":{"name":{"type":"string"}}}`)})
			if err != nil {
				return nil, err
			}
			return textResult(fmt.Sprint(res.Action, " ", res.Content["name"])), nil
		})
	server.AddTool(&mcp.Tool{Name: "roots", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := req.Session.ListRoots(ctx, nil)
			if err != nil {
				return nil, err
			}
			var uris []string
			for _, r := range res.Roots {
				uris = append(uris, r.URI)
			}
			return textResult(fmt.Sprint(len(uris), uris)), nil
		})
	hooks := &Hooks{
		Elicit: func(_ context.Context, server string, p *mcp.ElicitParams) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": server + "-" + p.Message}}, nil
		},
		ListRoots: func(_ context.Context, server string) (*mcp.ListRootsResult, error) {
			return &mcp.ListRootsResult{Roots: []*mcp.Root{{URI: "file:///" + server}}}, nil
		},
	}
	tests := []struct {
		name  string
		hooks *Hooks
		tool  string
		want  string
	}{
		{"elicit", hooks, "ask", "accept mem-name?"},
		{"roots", hooks, "roots", "1 [file:///mem]"},
		{"roots without hook", nil, "roots", "0 []"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newTestPool(t, Options{Hooks: tt.hooks, Dial: memDial(t, server, nil)}, config.Server{Name: "mem", URL: "mem://"})
			u := mustGet(t, p, "mem")
			waitReady(t, u)
			got, err := callText(t.Context(), u, tt.tool, nil)
			if err != nil || got != tt.want {
				t.Errorf("%s = %q, %v; want %q", tt.tool, got, err, tt.want)
			}
		})
	}
}

// A call that finds its session closed before the request went out is sent
// again, once, on the next session.
func TestCallRetriesOnClosedSession(t *testing.T) {
	t.Parallel()
	server := memServer()
	server.AddTool(&mcp.Tool{Name: "echo", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) { return textResult("ok"), nil })
	p := newTestPool(t, Options{Dial: memDial(t, server, nil)}, config.Server{Name: "mem", URL: "mem://", TimeoutSeconds: 5})
	u := mustGet(t, p, "mem")
	waitReady(t, u)

	var used []*mcp.ClientSession
	res, err := call(t.Context(), u, func(ctx context.Context, s *mcp.ClientSession) (*mcp.CallToolResult, error) {
		used = append(used, s)
		if len(used) == 1 {
			s.Close() // the session dies between Session and the send
		}
		return s.CallTool(ctx, &mcp.CallToolParams{Name: "echo"})
	})
	if err != nil || len(res.Content) != 1 {
		t.Fatalf("call = %v, %v; want a result from the next session", res, err)
	}
	if len(used) != 2 || used[0] == used[1] {
		t.Errorf("sessions used: %v, want two different ones", used)
	}

	// An error after the request was sent is not retried.
	n := 0
	_, err = call(t.Context(), u, func(ctx context.Context, s *mcp.ClientSession) (*mcp.CallToolResult, error) {
		n++
		return nil, errors.New("tool failed after it ran")
	})
	if err == nil || n != 1 {
		t.Errorf("a failed call ran %d times (err %v), want once", n, err)
	}
}

// Session never hands out the session a call found closed, even while the
// upstream still says ready; it waits for the next one.
func TestNextSessionSkipsStale(t *testing.T) {
	t.Parallel()
	u := newUpstream(config.Server{Name: "x", URL: "mem://"}, nil, slog.New(slog.DiscardHandler))
	stale, fresh := &mcp.ClientSession{}, &mcp.ClientSession{}
	u.setState(StateReady, "", stale)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if s, err := u.nextSession(ctx, stale); err == nil || !errors.Is(err, ErrUnavailable) {
		t.Errorf("nextSession(stale) = %p, %v; want to wait, then ErrUnavailable", s, err)
	}
	if s, err := u.Session(t.Context()); s != stale || err != nil {
		t.Errorf("Session = %p, %v; want the ready session", s, err)
	}

	got := make(chan *mcp.ClientSession, 1)
	go func() {
		s, _ := u.nextSession(t.Context(), stale)
		got <- s
	}()
	u.setState(StateRestarting, "", nil)
	u.setState(StateReady, "", fresh)
	if s := <-got; s != fresh {
		t.Errorf("nextSession(stale) = %p, want the fresh session %p", s, fresh)
	}
}
