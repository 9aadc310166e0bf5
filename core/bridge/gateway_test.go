//lint:file-ignore SA1019 sampling is deprecated for 2026-07-28, but clients speaking 2025-11-25 use it and the bridge must relay it.

package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// waitTimeout bounds every wait in these tests; nothing should come close.
const waitTimeout = 15 * time.Second

// testGateway is an in-process MCP server behind the go-sdk Streamable HTTP
// handler, standing in for the MCPlex gateway. It records what the bridge
// sends and can require a bearer token.
type testGateway struct {
	*httptest.Server
	mcp     *mcp.Server
	handler http.Handler

	deletes chan string      // Mcp-Session-Id of each DELETE
	gets    chan http.Header // headers of each GET
	blocked chan struct{}    // the "block" tool has started
	release chan struct{}    // closing it lets the "block" tool return

	noGET bool

	mu    sync.Mutex
	token string        // required bearer token, "" for none; guarded by mu
	posts []http.Header // headers of each POST; guarded by mu
}

// gatewayOptions configures newTestGateway.
type gatewayOptions struct {
	token      string       // required bearer token
	eventStore bool         // make streams resumable (Last-Event-ID)
	listener   net.Listener // listen here instead of a fresh port
	noGET      bool         // answer GET with 405, like a gateway without a GET stream
	json       bool         // answer POSTs with application/json instead of SSE
}

// newTestGateway starts a gateway with the tools echo, progress, sample,
// big and block, closed when the test ends.
func newTestGateway(t *testing.T, o gatewayOptions) *testGateway {
	t.Helper()
	g := &testGateway{
		deletes: make(chan string, 16),
		gets:    make(chan http.Header, 64),
		blocked: make(chan struct{}, 1),
		release: make(chan struct{}),
		token:   o.token,
		noGET:   o.noGET,
	}
	g.mcp = mcp.NewServer(&mcp.Implementation{Name: "test-gateway", Version: "1"}, nil)
	g.addTools()
	hopts := &mcp.StreamableHTTPOptions{JSONResponse: o.json}
	if o.eventStore {
		hopts.EventStore = mcp.NewMemoryEventStore(nil)
	}
	g.handler = mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return g.mcp }, hopts)
	g.Server = httptest.NewUnstartedServer(g)
	if o.listener != nil {
		g.Listener.Close()
		g.Listener = o.listener
	}
	g.Start()
	t.Cleanup(g.Close)
	t.Cleanup(g.dropSessions) // ends hanging GET streams, so Close does not wait for them
	return g
}

// ServeHTTP checks the token, records the request and serves MCP.
func (g *testGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	token := g.token
	if r.Method == http.MethodPost {
		g.posts = append(g.posts, r.Header.Clone())
	}
	g.mu.Unlock()
	if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	switch r.Method {
	case http.MethodDelete:
		g.deletes <- r.Header.Get("Mcp-Session-Id")
	case http.MethodGet:
		select {
		case g.gets <- r.Header.Clone():
		default:
		}
		if g.noGET {
			w.Header().Set("Allow", "POST, DELETE")
			http.Error(w, "no GET stream", http.StatusMethodNotAllowed)
			return
		}
	}
	g.handler.ServeHTTP(w, r)
}

// setToken changes the bearer token the gateway requires.
func (g *testGateway) setToken(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.token = token
}

// lastPOST returns the headers of the last POST received.
func (g *testGateway) lastPOST() http.Header {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.posts) == 0 {
		return http.Header{}
	}
	return g.posts[len(g.posts)-1]
}

// dropSessions closes every server session, as a gateway restart would:
// later requests in those sessions get 404.
func (g *testGateway) dropSessions() {
	for ss := range g.mcp.Sessions() {
		ss.Close()
	}
}

// sessionIDs lists the ids of the live server sessions.
func (g *testGateway) sessionIDs() []string {
	var ids []string
	for ss := range g.mcp.Sessions() {
		ids = append(ids, ss.ID())
	}
	return ids
}

type textIn struct {
	Text string `json:"text"`
}

type stepsIn struct {
	Steps int `json:"steps"`
}

type sizeIn struct {
	Size int `json:"size"`
}

func textResult(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

func (g *testGateway) addTools() {
	mcp.AddTool(g.mcp, &mcp.Tool{Name: "echo", Description: "returns its text"},
		func(_ context.Context, _ *mcp.CallToolRequest, in textIn) (*mcp.CallToolResult, any, error) {
			return textResult(in.Text), nil, nil
		})
	mcp.AddTool(g.mcp, &mcp.Tool{Name: "progress", Description: "reports progress, then returns"},
		func(ctx context.Context, req *mcp.CallToolRequest, in stepsIn) (*mcp.CallToolResult, any, error) {
			for i := 1; i <= in.Steps; i++ {
				err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
					ProgressToken: req.Params.GetProgressToken(),
					Progress:      float64(i),
					Total:         float64(in.Steps),
					Message:       fmt.Sprintf("step %d", i),
				})
				if err != nil {
					return nil, nil, err
				}
			}
			return textResult("done"), nil, nil
		})
	mcp.AddTool(g.mcp, &mcp.Tool{Name: "sample", Description: "asks the client's model"},
		func(ctx context.Context, req *mcp.CallToolRequest, in textIn) (*mcp.CallToolResult, any, error) {
			res, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{
				MaxTokens: 16,
				Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: in.Text}}},
			})
			if err != nil {
				return nil, nil, err
			}
			return textResult(res.Model + ": " + res.Content.(*mcp.TextContent).Text), nil, nil
		})
	mcp.AddTool(g.mcp, &mcp.Tool{Name: "big", Description: "returns size bytes of text"},
		func(_ context.Context, _ *mcp.CallToolRequest, in sizeIn) (*mcp.CallToolResult, any, error) {
			return textResult(strings.Repeat("x", in.Size)), nil, nil
		})
	mcp.AddTool(g.mcp, &mcp.Tool{Name: "block", Description: "returns when the test releases it"},
		func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			g.blocked <- struct{}{}
			select {
			case <-g.release:
				return textResult("released"), nil, nil
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		})
}

// testClient is a go-sdk client session that records what the server sent.
type testClient struct {
	*mcp.ClientSession
	progress    chan *mcp.ProgressNotificationParams
	listChanged chan struct{}
}

// connectClient connects a go-sdk client with a sampling handler over t.
func connectClient(t *testing.T, transport mcp.Transport) (*testClient, error) {
	t.Helper()
	tc := &testClient{
		progress:    make(chan *mcp.ProgressNotificationParams, 64),
		listChanged: make(chan struct{}, 16),
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "bridge-test", Version: "1"}, &mcp.ClientOptions{
		CreateMessageHandler: func(_ context.Context, req *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			prompt := req.Params.Messages[0].Content.(*mcp.TextContent).Text
			return &mcp.CreateMessageResult{Model: "test-model", Role: "assistant", Content: &mcp.TextContent{Text: "re " + prompt}}, nil
		},
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			tc.progress <- req.Params
		},
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) {
			select {
			case tc.listChanged <- struct{}{}:
			default:
			}
		},
	})
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	cs, err := client.Connect(ctx, transport, nil)
	if err != nil {
		return nil, err
	}
	tc.ClientSession = cs
	t.Cleanup(func() { _ = cs.Close() })
	return tc, nil
}

// callText calls a tool and returns the text of its result.
func (c *testClient) callText(t *testing.T, params *mcp.CallToolParams) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	res, err := c.CallTool(ctx, params)
	if err != nil {
		return "", err
	}
	if res.IsError || len(res.Content) != 1 {
		return "", fmt.Errorf("tool %s: unexpected result %+v", params.Name, res)
	}
	return res.Content[0].(*mcp.TextContent).Text, nil
}

// receive waits for a value on ch, failing the test after waitTimeout.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// testLogger returns a logger writing to the test log until it ends.
func testLogger(t *testing.T) *slog.Logger {
	w := &testLogWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testLogWriter struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLogWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
}

// signalOn returns a test logger that also signals on the returned channel
// each time a record with message msg is logged.
func signalOn(t *testing.T, msg string) (*slog.Logger, <-chan struct{}) {
	ch := make(chan struct{}, 1)
	h := signalHandler{Handler: testLogger(t).Handler(), msg: msg, ch: ch}
	return slog.New(h), ch
}

type signalHandler struct {
	slog.Handler
	msg string
	ch  chan struct{}
}

func (h signalHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h signalHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return signalHandler{Handler: h.Handler.WithAttrs(attrs), msg: h.msg, ch: h.ch}
}

func (h signalHandler) WithGroup(name string) slog.Handler {
	return signalHandler{Handler: h.Handler.WithGroup(name), msg: h.msg, ch: h.ch}
}
