package gateway

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestCacheThroughTheGateway(t *testing.T) {
	var reads, writes atomic.Int64
	a := newFake("alpha")
	mcp.AddTool(a.srv, &mcp.Tool{Name: "get_doc"}, func(ctx context.Context, req *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
		n := reads.Add(1)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("%s#%d", in.Text, n)}}}, nil, nil
	})
	mcp.AddTool(a.srv, &mcp.Tool{Name: "get_broken"}, func(ctx context.Context, req *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
		reads.Add(1)
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "boom"}}}, nil, nil
	})
	mcp.AddTool(a.srv, &mcp.Tool{Name: "update_doc"}, func(ctx context.Context, req *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
		writes.Add(1)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}, nil, nil
	})
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil, func(c *config.Config) {
		c.Cache = config.Cache{Enabled: true, TTLSeconds: 300, MaxEntries: 100}
	})
	cs := connect(nil)
	first := callText(t, cs, "get_doc", map[string]any{"text": "x"})
	if again := callText(t, cs, "get_doc", map[string]any{"text": "x"}); again != first || reads.Load() != 1 {
		t.Fatalf("second read: %q (first %q), upstream reads %d", again, first, reads.Load())
	}
	callText(t, cs, "get_doc", map[string]any{"text": "y"}) // other arguments: a miss
	if reads.Load() != 2 {
		t.Fatalf("different arguments served from cache")
	}
	for i := 0; i < 2; i++ {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_broken", Arguments: map[string]any{"text": "x"}})
		if err != nil || !res.IsError {
			t.Fatal(err)
		}
	}
	if reads.Load() != 4 {
		t.Fatalf("an error result was cached (reads %d)", reads.Load())
	}
	callText(t, cs, "update_doc", map[string]any{"text": "x"}) // a write invalidates the server
	if got := callText(t, cs, "get_doc", map[string]any{"text": "x"}); got == first || reads.Load() != 5 {
		t.Fatalf("read after write served stale %q", got)
	}
	st := g.Metrics().Snapshot()
	if st.CacheHits != 1 || st.CacheMisses < 3 {
		t.Errorf("cache counters: hits %d misses %d", st.CacheHits, st.CacheMisses)
	}
	var cached uint64
	for _, ts := range st.Tools {
		cached += ts.Cached
	}
	if cached != 1 {
		t.Errorf("cached calls counted %d, want 1", cached)
	}
}
