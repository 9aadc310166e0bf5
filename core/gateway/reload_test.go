package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func serverCfg(names ...string) []config.Server {
	var out []config.Server
	for _, n := range names {
		out = append(out, config.Server{Name: n, Command: "fake-" + n, TimeoutSeconds: 60})
	}
	return out
}

func TestReloadAppliesServerDiff(t *testing.T) {
	a, b, c := newFake("alpha"), newFake("beta"), newFake("gamma")
	a.addEcho("a1")
	b.addEcho("b1")
	c.addEcho("c1")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a, b, c}, nil, func(cfg *config.Config) {
		cfg.Servers = cfg.Servers[:2] // alpha, beta running; gamma known to the dialer only
	})
	alphaBefore, _ := g.upstream("alpha")
	cs := connect(nil)

	next := *g.Config()
	next.Servers = serverCfg("alpha", "gamma") // beta removed, gamma added
	res, err := g.Reload(&next)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"gamma"}, res.Added); diff != "" {
		t.Errorf("added: %s", diff)
	}
	if diff := cmp.Diff([]string{"beta"}, res.Removed); diff != "" {
		t.Errorf("removed: %s", diff)
	}
	if alphaAfter, _ := g.upstream("alpha"); alphaAfter != alphaBefore {
		t.Error("an unchanged server was restarted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := g.WaitReady(ctx, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, ok := g.Catalog().Tool("c1"); return ok })
	if diff := cmp.Diff([]string{"a1", "c1"}, toolNames(t, cs)); diff != "" {
		t.Errorf("tools after reload: %s", diff)
	}
	changed := next
	changed.Servers = serverCfg("alpha", "gamma")
	changed.Servers[1].TimeoutSeconds = 5
	res, err = g.Reload(&changed)
	if err != nil || len(res.Restarted) != 1 || res.Restarted[0] != "gamma" {
		t.Fatalf("changed server: %+v %v", res, err)
	}
}

func TestReloadBrokenFileKeepsRunningConfig(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("a1")
	dir := t.TempDir()
	path := filepath.Join(dir, "mcplex.toml")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil, func(c *config.Config) { c.Path = path })
	evs, cancel := g.Events().Subscribe(16)
	defer cancel()
	if err := os.WriteFile(path, []byte("[gateway]\nlisten = \"nope\"\n[[servers]]\nname = \"alpha\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := g.ReloadFile(); err == nil {
		t.Fatal("a broken file reloaded")
	}
	select {
	case e := <-evs:
		if e.Kind != events.ConfigReload || e.Outcome != "error" {
			t.Errorf("event %+v", e)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no reload event")
	}
	if got := callText(t, connect(nil), "a1", map[string]any{"text": "still"}); got != "alpha:a1:still" {
		t.Errorf("old config not running: %q", got)
	}
}

func TestReloadTightensPolicyForOpenSessions(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("danger")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil)
	callText(t, cs, "danger", map[string]any{"text": "ok"})
	next := *g.Config()
	next.Servers = serverCfg("alpha")
	next.Servers[0].BlockedTools = []string{"danger"}
	if _, err := g.Reload(&next); err != nil {
		t.Fatal(err)
	}
	_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "danger", Arguments: map[string]any{"text": "x"}})
	var wire *jsonrpc.Error
	if !errors.As(err, &wire) || wire.Code != -32602 {
		t.Fatalf("call after tightening: %v", err)
	}
}

func TestCallInFlightSurvivesReload(t *testing.T) {
	a, b := newFake("alpha"), newFake("beta")
	started := make(chan struct{})
	release := make(chan struct{})
	a.srv.AddTool(&mcp.Tool{Name: "slow", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		close(started)
		<-release
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
	})
	b.addEcho("b1")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a, b}, nil)
	cs := connect(nil)
	result := make(chan error, 1)
	go func() {
		_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{}})
		result <- err
	}()
	<-started
	next := *g.Config()
	next.Servers = serverCfg("alpha") // beta removed while alpha's call runs
	next.Router.Mode = "metatool"
	if _, err := g.Reload(&next); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-result; err != nil {
		t.Fatalf("in-flight call failed across reload: %v", err)
	}
}

func TestWatchReloadsOnSave(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("a1")
	dir := t.TempDir()
	path := filepath.Join(dir, "mcplex.toml")
	write := func(mode string) {
		t.Helper()
		body := "[router]\nmode = \"" + mode + "\"\n[[servers]]\nname = \"alpha\"\ncommand = \"fake-alpha\"\n"
		if err := os.WriteFile(path+".tmp", []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil { // editors save by rename
			t.Fatal(err)
		}
	}
	write("passthrough")
	g, _ := newTestGateway(t, "passthrough", []*fakeServer{a}, nil, func(c *config.Config) { c.Path = path })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g.watch(ctx)
	write("metatool")
	waitFor(t, func() bool { return g.Config().Router.Mode == "metatool" })
}
