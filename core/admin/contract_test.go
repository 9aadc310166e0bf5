package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestBackendContract runs the same assertions against a Host in this
// process and against a Host behind Handler, driven through a Client: the
// desktop must not be able to tell the two apart.
func TestBackendContract(t *testing.T) {
	t.Run("host", func(t *testing.T) {
		upstream, path := contractSetup(t)
		h := contractHost(t, path)
		checkContract(t, h, upstream, path)
	})
	t.Run("client", func(t *testing.T) {
		upstream, path := contractSetup(t)
		h := contractHost(t, path)
		srv := httptest.NewServer(Handler(h, testToken))
		t.Cleanup(func() { // runs before the host's Stop
			srv.CloseClientConnections()
			srv.Close()
		})
		c, err := dial(t.Context(), srv.URL, testToken, testPoll, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		checkContract(t, c, upstream, path)
	})
}

// contractSetup serves an upstream with one tool, "echo", and writes a
// config whose one server is it.
func contractSetup(t *testing.T) (upstreamURL, path string) {
	t.Helper()
	up := mcp.NewServer(&mcp.Implementation{Name: "up"}, nil)
	up.AddTool(&mcp.Tool{Name: "echo", Description: "echoes the text back", InputSchema: map[string]any{"type": "object"}},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(req.Params.Arguments)}}}, nil
		})
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return up }, nil))
	t.Cleanup(ts.Close)
	upstreamURL = ts.URL + "/mcp"
	path = filepath.Join(t.TempDir(), "mcplex.toml")
	text := fmt.Sprintf("[gateway]\nlisten = \"127.0.0.1:0\"\nshutdown_grace_seconds = 1\n\n[[servers]]\nname = \"up\"\nurl = %q\n", upstreamURL)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return upstreamURL, path
}

func contractHost(t *testing.T, path string) *Host {
	t.Helper()
	h := NewHost(HostOptions{ConfigPath: path, Version: "test", Mode: ModeService})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return h
}

func checkContract(t *testing.T, b Backend, upstreamURL, path string) {
	ctx := t.Context()
	waitState := func(what string, ok func(Snapshot) bool) Snapshot {
		t.Helper()
		var s Snapshot
		waitFor(t, what, func() bool { s = b.Snapshot(); return ok(s) })
		return s
	}
	if s := b.Snapshot(); s.State != StateStopped || s.ConfigPath != path || s.Mode != ModeService {
		t.Errorf("before Start: %+v", s)
	}
	events := b.Events(ctx)
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s := waitState("running", func(s Snapshot) bool { return s.State == StateRunning })
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") || len(s.Servers) != 1 || s.Servers[0].Tools != 1 {
		t.Errorf("running: %+v", s)
	}

	tools, err := b.Tools(ctx)
	if err != nil || len(tools) != 1 || tools[0].ID != "up/echo" {
		t.Fatalf("Tools = %+v, %v", tools, err)
	}
	matches, err := b.Find(ctx, "echo the text", "", 0)
	if err != nil || len(matches) == 0 || matches[0].ID != "up/echo" {
		t.Errorf("Find = %+v, %v", matches, err)
	}
	res, err := b.Call(ctx, tools[0].Name, map[string]any{"text": "hi"})
	if err != nil || res.IsError || res.Text != `{"text":"hi"}` {
		t.Errorf("Call = %+v, %v", res, err)
	}
	waitEvent(t, events, "tool_call", func(e Event) bool { return e.Kind == "tool_call" && e.Tool == "up/echo" })

	tr, err := b.TestServer(ctx, config.Server{Name: "probe", URL: upstreamURL})
	if err != nil || tr.Error != "" || len(tr.Tools) != 1 || tr.Tools[0].Name != "echo" {
		t.Errorf("TestServer = %+v, %v", tr, err)
	}

	off := false
	err = b.UpdateConfig(ctx, func(c *config.Config) error {
		c.Servers = append(c.Servers, config.Server{Name: "extra", Command: "never-run", Enabled: &off})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Config(ctx)
	if err != nil || len(c.Servers) != 2 || c.Servers[1].Name != "extra" || c.Path != path {
		t.Errorf("Config after the edit: %+v, %v", c, err)
	}
	waitState("the new server listed", func(s Snapshot) bool {
		return slices.ContainsFunc(s.Servers, func(v Server) bool { return v.Name == "extra" && v.State == "disabled" })
	})
	before, _ := os.ReadFile(path)
	err = b.UpdateConfig(ctx, func(c *config.Config) error { c.Router.TopK = -1; return nil })
	if err == nil || !strings.Contains(err.Error(), "router.top_k") {
		t.Errorf("invalid edit: %v, want a message naming router.top_k", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("an invalid edit changed the file")
	}

	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	waitState("stopped", func(s Snapshot) bool { return s.State == StateStopped })
	if _, err := b.Tools(ctx); err == nil {
		t.Error("Tools while stopped succeeded")
	}
}
