package gateway

import (
	"errors"

	"bytes"
	"context"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestUpstreamHTMLErrorDoesNotLeak: an HTTP upstream whose proxy answers a
// call with an HTML 502 page gives the client a clear JSON-RPC error, not
// the page.
func TestUpstreamHTMLErrorDoesNotLeak(t *testing.T) {
	up := mcp.NewServer(&mcp.Implementation{Name: "web"}, nil)
	mcp.AddTool(up, &mcp.Tool{Name: "fetch"}, func(ctx context.Context, req *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}, nil, nil
	})
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return up }, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"tools/call"`)) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1><p>secret-internal-host</p></body></html>"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sdk.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := config.Default()
	cfg.Router.Mode = "passthrough"
	cfg.Servers = []config.Server{{Name: "web", URL: srv.URL, TimeoutSeconds: 5}}
	g, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	defer g.Close()
	if err := g.WaitReady(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	ct, st := mcp.NewInMemoryTransports()
	if _, err := g.MCPServer().Connect(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, nil).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "fetch", Arguments: map[string]any{"text": "x"}})
	if err == nil {
		t.Fatal("a 502 from the upstream came back as success")
	}
	var w *jsonrpc.Error
	if !errors.As(err, &w) || w.Code != codeUnavailable {
		t.Errorf("want a -32000 error, got %v", err)
	}
	t.Logf("client saw: %v", err)
	if !strings.Contains(err.Error(), `"web"`) || !strings.Contains(err.Error(), "did not go through") {
		t.Errorf("the error does not say which upstream failed and how: %v", err)
	}
	if strings.Contains(err.Error(), "<html") || strings.Contains(err.Error(), "secret-internal-host") {
		t.Errorf("the upstream's HTML leaked to the client: %v", err)
	}
}
