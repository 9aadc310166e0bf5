package bridge

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bridgeRun is a Run in progress between two io.Pipes.
type bridgeRun struct {
	transport mcp.Transport // the client's end of the pipes
	finished  chan struct{}
	err       error // Run's result, valid once finished is closed
}

// startBridge runs Run until the test ends, closing its stdin then.
func startBridge(t *testing.T, opts Options) *bridgeRun {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	r := &bridgeRun{transport: &mcp.IOTransport{Reader: outR, Writer: inW}, finished: make(chan struct{})}
	go func() {
		r.err = Run(context.Background(), inR, outW, opts)
		outW.Close()
		close(r.finished)
	}()
	t.Cleanup(func() {
		inW.Close()
		outR.Close()
		r.wait(t)
	})
	return r
}

// wait returns Run's result, failing the test if Run does not return.
func (r *bridgeRun) wait(t *testing.T) error {
	t.Helper()
	receive(t, r.finished, "Run to return")
	return r.err
}

// connectVia starts a bridge to g and connects a client through it.
func connectVia(t *testing.T, g *testGateway, opts Options) (*testClient, *bridgeRun) {
	t.Helper()
	opts.URL = g.URL + "/mcp"
	run := startBridge(t, opts)
	c, err := connectClient(t, run.transport)
	if err != nil {
		t.Fatalf("connecting through the bridge: %v", err)
	}
	return c, run
}

func TestBridgeJSONResponses(t *testing.T) {
	g := newTestGateway(t, gatewayOptions{json: true})
	c, _ := connectVia(t, g, Options{})
	exerciseBasics(t, c)
}

func TestBridgeEndToEnd(t *testing.T) {
	g := newTestGateway(t, gatewayOptions{token: "k1"})
	c, _ := connectVia(t, g, Options{APIKey: "k1"})
	exerciseBasics(t, c)
	checkHeaders(t, g, c, "Bearer k1")
}

// checkHeaders checks that the GET stream was opened in the session and
// that the last POST carried auth, client name, session and version.
func checkHeaders(t *testing.T, g *testGateway, c *testClient, auth string) {
	t.Helper()
	get := receive(t, g.gets, "the GET stream")
	last := g.lastPOST()
	if id := last.Get("Mcp-Session-Id"); !slices.Contains(g.sessionIDs(), id) {
		t.Errorf("last POST in session %q, live sessions %v", id, g.sessionIDs())
	}
	want := map[string]string{
		"Authorization":        auth,
		"X-MCPlex-Client":      "bridge-test", // the client's clientInfo.name
		"Mcp-Protocol-Version": c.InitializeResult().ProtocolVersion,
		"Mcp-Session-Id":       last.Get("Mcp-Session-Id"),
	}
	for k, v := range want {
		if got := last.Get(k); got != v || v == "" {
			t.Errorf("last POST header %s = %q, want %q", k, got, v)
		}
		if got := get.Get(k); got != v {
			t.Errorf("GET header %s = %q, want %q", k, got, v)
		}
	}
}

// exerciseBasics checks listing, calls, progress, sampling and large
// messages in both directions through a connected bridge.
func exerciseBasics(t *testing.T, c *testClient) {
	t.Run("list", func(t *testing.T) {
		res, err := c.ListTools(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range res.Tools {
			names = append(names, tool.Name)
		}
		slices.Sort(names)
		if want := []string{"big", "block", "echo", "progress", "sample"}; !slices.Equal(names, want) {
			t.Errorf("tools = %v, want %v", names, want)
		}
	})
	t.Run("call", func(t *testing.T) {
		expectText(t, c, "echo", map[string]any{"text": "hello"}, "hello")
	})
	t.Run("progress", func(t *testing.T) {
		params := &mcp.CallToolParams{Name: "progress", Arguments: map[string]any{"steps": 3}}
		params.SetProgressToken("tok-1")
		if got, err := c.callText(t, params); err != nil || got != "done" {
			t.Fatalf("progress = %q, %v", got, err)
		}
		for i := 1; i <= 3; i++ {
			p := receive(t, c.progress, "a progress notification")
			if p.ProgressToken != "tok-1" || p.Progress != float64(i) || p.Total != 3 {
				t.Errorf("progress notification %d = %+v", i, p)
			}
		}
	})
	t.Run("sampling", func(t *testing.T) {
		expectText(t, c, "sample", map[string]any{"text": "hi"}, "test-model: re hi")
	})
	t.Run("large", func(t *testing.T) {
		in := strings.Repeat("ab", 160<<10) // 320 KiB on stdin
		expectText(t, c, "echo", map[string]any{"text": in}, in)
		out, err := c.callText(t, &mcp.CallToolParams{Name: "big", Arguments: map[string]any{"size": 300 << 10}})
		if err != nil || len(out) != 300<<10 {
			t.Errorf("big = %d bytes, %v; want %d bytes", len(out), err, 300<<10)
		}
	})
}

// expectText calls a tool and checks the text it returns.
func expectText(t *testing.T, c *testClient, tool string, args map[string]any, want string) {
	t.Helper()
	got, err := c.callText(t, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("calling %s: %v", tool, err)
	}
	if got != want {
		t.Errorf("%s = %.40q (%d bytes), want %.40q (%d bytes)", tool, got, len(got), want, len(want))
	}
}

func TestBridgeSessionLoss(t *testing.T) {
	for _, tc := range []struct {
		name  string
		noGET bool
	}{
		{"noticed by GET stream or POST", false},
		{"noticed by POST, gateway without GET stream", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGateway(t, gatewayOptions{noGET: tc.noGET})
			c, _ := connectVia(t, g, Options{})
			exerciseSessionLoss(t, g, c)
		})
	}
}

// exerciseSessionLoss drops the gateway's sessions and checks that the next
// call succeeds in a new session and the client is told to refetch tools.
func exerciseSessionLoss(t *testing.T, g *testGateway, c *testClient) {
	t.Helper()
	expectText(t, c, "echo", map[string]any{"text": "before"}, "before")
	old := g.lastPOST().Get("Mcp-Session-Id")
	g.dropSessions()
	expectText(t, c, "echo", map[string]any{"text": "after"}, "after")
	receive(t, c.listChanged, "notifications/tools/list_changed after re-initialization")
	now := g.lastPOST().Get("Mcp-Session-Id")
	if now == old || !slices.Contains(g.sessionIDs(), now) {
		t.Errorf("call after session loss went to session %q (before: %q, live: %v), want a new live session", now, old, g.sessionIDs())
	}
}

func TestBridgeGatewayRestart(t *testing.T) {
	g1 := newTestGateway(t, gatewayOptions{})
	addr := g1.Listener.Addr().String()
	logger, refused := signalOn(t, msgRefused)
	c, _ := connectVia(t, g1, Options{Logger: logger})
	expectText(t, c, "echo", map[string]any{"text": "before"}, "before")
	receive(t, g1.gets, "the GET stream")

	g1.CloseClientConnections() // ends the GET stream, so Close does not wait for it
	g1.Close()
	receive(t, refused, "the GET stream to find the gateway gone")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	g2 := newTestGateway(t, gatewayOptions{listener: ln}) // knows no sessions: 404
	expectText(t, c, "echo", map[string]any{"text": "after"}, "after")
	receive(t, c.listChanged, "notifications/tools/list_changed after the restart")
	if ids := g2.sessionIDs(); len(ids) != 1 {
		t.Errorf("restarted gateway has sessions %v, want one", ids)
	}
}

func TestBridgeGatewayNotRunning(t *testing.T) {
	addr := freeAddr(t)
	run := startBridge(t, Options{URL: "http://" + addr + "/mcp", StartupWait: 300 * time.Millisecond})
	start := time.Now()
	_, err := connectClient(t, run.transport)
	if err == nil || !strings.Contains(err.Error(), "MCPlex gateway is not running at http://"+addr) {
		t.Fatalf("connect error = %v, want the gateway-not-running message", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("initialize failed after %v, want StartupWait (300ms) to be honoured", d)
	}
}

func TestBridgeWaitsForGateway(t *testing.T) {
	addr := freeAddr(t)
	logger, refused := signalOn(t, msgRefused)
	run := startBridge(t, Options{URL: "http://" + addr + "/mcp", StartupWait: waitTimeout, Logger: logger})
	connected := make(chan error, 1)
	go func() {
		_, err := connectClient(t, run.transport)
		connected <- err
	}()
	receive(t, refused, "a refused dial")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	newTestGateway(t, gatewayOptions{listener: ln})
	if err := receive(t, connected, "the client to connect"); err != nil {
		t.Fatalf("connect: %v", err)
	}
}

func TestBridgeTokenFileReread(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	writeToken(t, file, "one")
	g := newTestGateway(t, gatewayOptions{token: "one"})
	c, _ := connectVia(t, g, Options{TokenFile: file})
	expectText(t, c, "echo", map[string]any{"text": "a"}, "a")

	g.setToken("two") // the tray rotated the key
	writeToken(t, file, "two")
	expectText(t, c, "echo", map[string]any{"text": "b"}, "b")

	g.setToken("three") // the file was not updated
	_, err := c.callText(t, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "c"}})
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("call with a stale key: error = %v, want a 401 message", err)
	}
}

func TestBridgeStdinEOF(t *testing.T) {
	g := newTestGateway(t, gatewayOptions{})
	c, run := connectVia(t, g, Options{})
	expectText(t, c, "echo", map[string]any{"text": "x"}, "x")
	id := g.lastPOST().Get("Mcp-Session-Id")
	if err := c.Close(); err != nil { // closes the bridge's stdin
		t.Fatal(err)
	}
	if err := run.wait(t); err != nil {
		t.Errorf("Run = %v, want nil after stdin EOF", err)
	}
	if got := receive(t, g.deletes, "DELETE of the session"); got != id || id == "" {
		t.Errorf("DELETE for session %q, want %q", got, id)
	}
}

func TestBridgeResumesBrokenResponseStream(t *testing.T) {
	g := newTestGateway(t, gatewayOptions{eventStore: true})
	c, _ := connectVia(t, g, Options{})
	result := make(chan string, 1)
	go func() {
		got, err := c.callText(t, &mcp.CallToolParams{Name: "block"})
		if err != nil {
			got = err.Error()
		}
		result <- got
	}()
	receive(t, g.blocked, "the block tool to start")
	g.CloseClientConnections() // breaks the POST's SSE stream mid-call
	close(g.release)
	if got := receive(t, result, "the block result"); got != "released" {
		t.Errorf("block = %q, want released (resumed with Last-Event-ID)", got)
	}
}

func TestBridgeReconnectsGETStream(t *testing.T) {
	g := newTestGateway(t, gatewayOptions{eventStore: true})
	c, _ := connectVia(t, g, Options{})
	receive(t, g.gets, "the GET stream")
	addTool(g, "late1") // list_changed travels on the GET stream
	receive(t, c.listChanged, "list_changed on the GET stream")

	g.CloseClientConnections()
	again := receive(t, g.gets, "the GET stream to reconnect")
	if again.Get("Last-Event-ID") == "" {
		t.Error("GET stream reconnected without Last-Event-ID")
	}
	addTool(g, "late2")
	receive(t, c.listChanged, "list_changed on the reconnected GET stream")
}

func addTool(g *testGateway, name string) {
	mcp.AddTool(g.mcp, &mcp.Tool{Name: name},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return textResult(name), nil, nil
		})
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func writeToken(t *testing.T, path, token string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
