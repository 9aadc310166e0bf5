package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/agentlens"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// benchCalls measures one tools/call through the gateway over in-memory
// transports (client -> gateway -> upstream).
func benchCalls(b *testing.B, setup func(g *Gateway)) {
	a := newFake("alpha")
	a.addEcho("echo")
	g, connect := newTestGateway(b, "passthrough", []*fakeServer{a}, nil)
	if setup != nil {
		setup(g)
	}
	cs := connect(nil)
	params := &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hello"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cs.CallTool(context.Background(), params); err != nil {
			b.Fatal(err)
		}
	}
}

// Run side by side: go test -run XXX -bench 'CallTool' ./core/gateway
// The stuck-subscriber and dead-AgentLens variants must cost the same as
// the plain one: publishing never waits for a reader.
func BenchmarkCallTool(b *testing.B) { benchCalls(b, nil) }

func BenchmarkCallToolStuckSubscriber(b *testing.B) {
	benchCalls(b, func(g *Gateway) {
		_, cancel := g.Events().Subscribe(1) // never read
		b.Cleanup(cancel)
	})
}

func BenchmarkCallToolDeadAgentLens(b *testing.B) {
	benchCalls(b, func(g *Gateway) {
		stall := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stall }))
		ctx, cancel := context.WithCancel(context.Background())
		b.Cleanup(func() { cancel(); close(stall); srv.Close() })
		agentlens.Start(ctx, g.Events(), agentlens.Options{URL: srv.URL, Timeout: 5 * time.Second})
	})
}
