package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// fakeServer is an upstream built with the SDK, reached over in-memory
// transports: real JSON-RPC on both sides of the gateway.
type fakeServer struct {
	name string
	srv  *mcp.Server
}

func newFake(name string) *fakeServer {
	return &fakeServer{name: name, srv: mcp.NewServer(&mcp.Implementation{Name: name}, nil)}
}

type echoArgs struct {
	Text string `json:"text"`
}

// addEcho adds a tool that answers "<server>:<tool>:<text>".
func (f *fakeServer) addEcho(tool string) {
	mcp.AddTool(f.srv, &mcp.Tool{Name: tool, Description: "echo on " + f.name}, func(ctx context.Context, req *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: f.name + ":" + tool + ":" + in.Text}}}, nil, nil
	})
}

// newTestGateway starts a gateway over the fakes and returns it with a
// connect function for downstream clients.
func newTestGateway(t testing.TB, mode string, fakes []*fakeServer, opts *Options, edit ...func(*config.Config)) (*Gateway, func(*mcp.ClientOptions, ...string) *mcp.ClientSession) {
	t.Helper()
	cfg := config.Default()
	cfg.Router.Mode = mode
	byName := map[string]*fakeServer{}
	for _, f := range fakes {
		cfg.Servers = append(cfg.Servers, config.Server{Name: f.name, Command: "fake-" + f.name})
		byName[f.name] = f
	}
	for _, e := range edit {
		e(cfg)
	}
	if opts == nil {
		opts = &Options{}
	}
	opts.Dial = func(s *config.Server) (mcp.Transport, error) {
		f, ok := byName[s.Name]
		if !ok {
			return nil, fmt.Errorf("no fake %q", s.Name)
		}
		ct, st := mcp.NewInMemoryTransports()
		if _, err := f.srv.Connect(context.Background(), st, nil); err != nil {
			return nil, err
		}
		return ct, nil
	}
	g, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	t.Cleanup(g.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.WaitReady(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	connect := func(co *mcp.ClientOptions, version ...string) *mcp.ClientSession {
		t.Helper()
		so := &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"}
		if len(version) > 0 {
			so.ProtocolVersion = version[0]
		}
		ct, st := mcp.NewInMemoryTransports()
		if _, err := g.MCPServer().Connect(context.Background(), st, nil); err != nil {
			t.Fatal(err)
		}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client"}, co).Connect(context.Background(), ct, so)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		return cs
	}
	return g, connect
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	slices.Sort(names)
	return names
}

func callText(t *testing.T, cs *mcp.ClientSession, name string, args any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("calling %s: %v", name, err)
	}
	if res.IsError || len(res.Content) == 0 {
		t.Fatalf("calling %s: error result %+v", name, res.Content)
	}
	return res.Content[0].(*mcp.TextContent).Text
}

func TestPassthroughAggregatesAndRoutesCollisions(t *testing.T) {
	a, b := newFake("alpha"), newFake("beta")
	a.addEcho("search")
	a.addEcho("only_alpha")
	b.addEcho("search")
	b.addEcho("only_beta")
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a, b}, nil)
	cs := connect(nil)

	want := []string{"alpha__search", "beta__search", "only_alpha", "only_beta"}
	if diff := cmp.Diff(want, toolNames(t, cs)); diff != "" {
		t.Errorf("tools/list (-want +got):\n%s", diff)
	}
	for name, wantText := range map[string]string{
		"alpha__search": "alpha:search:x",
		"beta__search":  "beta:search:x",
		"only_alpha":    "alpha:only_alpha:x",
		"only_beta":     "beta:only_beta:x",
	} {
		if got := callText(t, cs, name, map[string]any{"text": "x"}); got != wantText {
			t.Errorf("%s answered %q, want %q", name, got, wantText)
		}
	}
}

func TestUnknownToolIsInvalidParams(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("echo")
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil)
	_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "nope", Arguments: map[string]any{}})
	var wire *jsonrpc.Error
	if !errors.As(err, &wire) || wire.Code != jsonrpc.CodeInvalidParams || wire.Message != `unknown tool "nope"` {
		t.Fatalf("got %v, want -32602 unknown tool", err)
	}
}

func TestInputSchemaForwardedByteForByte(t *testing.T) {
	a := newFake("alpha")
	schema := `{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"number"}},"required":["zeta"],"$defs":{"x":{"type":"string"}},"additionalProperties":false}`
	a.srv.AddTool(&mcp.Tool{Name: "ordered", InputSchema: json.RawMessage(schema)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{}, nil
	})
	g, _ := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	tl, ok := g.Catalog().Tool("ordered")
	if !ok {
		t.Fatal("tool not in catalog")
	}
	raw, ok := tl.Exposed.InputSchema.(json.RawMessage)
	if !ok || string(raw) != schema {
		t.Fatalf("schema = %s (%T), want the upstream bytes %s", raw, tl.Exposed.InputSchema, schema)
	}
}

func TestPromptsAndResourcesRouteToOwner(t *testing.T) {
	a, b := newFake("alpha"), newFake("beta")
	for _, f := range []*fakeServer{a, b} {
		f.srv.AddPrompt(&mcp.Prompt{Name: "greet"}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "from " + f.name}}}}, nil
		})
		uri := "test://" + f.name + "/doc"
		f.srv.AddResource(&mcp.Resource{URI: uri, Name: "doc"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "doc of " + f.name}}}, nil
		})
	}
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a, b}, nil)
	cs := connect(nil)
	ctx := context.Background()
	for _, tc := range []struct{ prompt, want string }{{"alpha__greet", "from alpha"}, {"beta__greet", "from beta"}} {
		res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: tc.prompt})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Messages[0].Content.(*mcp.TextContent).Text; got != tc.want {
			t.Errorf("%s: got %q want %q", tc.prompt, got, tc.want)
		}
	}
	res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "test://beta/doc"})
	if err != nil || res.Contents[0].Text != "doc of beta" {
		t.Fatalf("read: %v %+v", err, res)
	}
	list, err := cs.ListResources(ctx, nil)
	if err != nil || len(list.Resources) != 2 {
		t.Fatalf("resources/list: %v %d", err, len(list.Resources))
	}
}

func TestProgressReachesCallerWithItsToken(t *testing.T) {
	a := newFake("alpha")
	a.srv.AddTool(&mcp.Tool{Name: "slow", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		for i := 1; i <= 3; i++ {
			if err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: req.Params.GetProgressToken(), Progress: float64(i), Total: 3}); err != nil {
				return nil, err
			}
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
	})
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	var mu sync.Mutex
	var got []any
	cs := connect(&mcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
		mu.Lock()
		got = append(got, r.Params.ProgressToken)
		mu.Unlock()
	}})
	params := &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{}}
	params.SetProgressToken("my-token")
	if _, err := cs.CallTool(context.Background(), params); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 3 })
	for _, tok := range got {
		if tok != "my-token" {
			t.Errorf("progress token %v, want my-token", tok)
		}
	}
}

func TestSamplingGoesToTheCallingSession(t *testing.T) {
	a := newFake("alpha")
	a.srv.AddTool(&mcp.Tool{Name: "ask", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 5, Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: "hi"}}}})
		if err != nil {
			return nil, err
		}
		return &mcp.CallToolResult{Content: []mcp.Content{res.Content}}, nil
	})
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	sampler := func(who string) *mcp.ClientOptions {
		return &mcp.ClientOptions{CreateMessageHandler: func(context.Context, *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Model: "m", Role: "assistant", Content: &mcp.TextContent{Text: "answer from " + who}}, nil
		}}
	}
	one, two := connect(sampler("one")), connect(sampler("two"))
	if got := callText(t, two, "ask", map[string]any{}); got != "answer from two" {
		t.Errorf("session two got %q", got)
	}
	if got := callText(t, one, "ask", map[string]any{}); got != "answer from one" {
		t.Errorf("session one got %q", got)
	}
}

func TestUpstreamListChangedReachesClients(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("first")
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	changed := make(chan struct{}, 10)
	cs := connect(&mcp.ClientOptions{ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} }})
	if diff := cmp.Diff([]string{"first"}, toolNames(t, cs)); diff != "" {
		t.Fatal(diff)
	}
	a.addEcho("second")
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("no tools/list_changed reached the client")
	}
	if diff := cmp.Diff([]string{"first", "second"}, toolNames(t, cs)); diff != "" {
		t.Errorf("after change (-want +got):\n%s", diff)
	}
}

func TestCancellationReachesUpstream(t *testing.T) {
	a := newFake("alpha")
	cancelled := make(chan struct{})
	a.srv.AddTool(&mcp.Tool{Name: "block", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	})
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "block", Arguments: map[string]any{}}); err == nil {
		t.Fatal("cancelled call returned no error")
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream handler was never cancelled")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSamplingForNewestProtocolClient: a 2026-07-28 client cannot receive a
// sampling request during a call; the gateway turns the upstream's request
// into an input-required round and answers the upstream with the retry.
func TestSamplingForNewestProtocolClient(t *testing.T) {
	a := newFake("alpha")
	a.srv.AddTool(&mcp.Tool{Name: "ask", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		first, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 5, Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: "one"}}}})
		if err != nil {
			return nil, err
		}
		second, err := req.Session.Elicit(ctx, &mcp.ElicitParams{Message: "confirm?", RequestedSchema: map[string]any{"type": "object", "properties": map[string]any{"ok": map[string]any{"type": "boolean"}}}})
		if err != nil {
			return nil, err
		}
		text := first.Content.(*mcp.TextContent).Text + "/" + second.Action
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil
	})
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(&mcp.ClientOptions{
		CreateMessageHandler: func(context.Context, *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Model: "m", Role: "assistant", Content: &mcp.TextContent{Text: "sampled"}}, nil
		},
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"ok": true}}, nil
		},
	}, "2026-07-28")
	if got := callText(t, cs, "ask", map[string]any{}); got != "sampled/accept" {
		t.Fatalf("got %q", got)
	}
}
