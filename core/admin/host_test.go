package admin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/demo"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/metrics"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// serveUpstream serves srv over Streamable HTTP until the test ends and
// returns its MCP URL. Create upstreams before the host: cleanups run in
// reverse, so the host stops (ending its sessions) before they close.
func serveUpstream(t *testing.T, srv *mcp.Server) string {
	t.Helper()
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(ts.Close)
	return ts.URL + "/mcp"
}

// pingServer is an upstream with one tool, "ping".
func pingServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "extra"}, nil)
	s.AddTool(&mcp.Tool{Name: "ping", Description: "answers pong", InputSchema: map[string]any{"type": "object"}},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "pong"}}}, nil
		})
	return s
}

const hostConfig = `[gateway]
listen = %q
shutdown_grace_seconds = 1

[[servers]]
name = "demo"
url = %q

[[servers]]
name = "off"
command = "mcplex-never-started"
enabled = false
`

// newTestHost writes a config whose one enabled upstream is the demo
// server (over HTTP) and returns a host for it, stopped after the test.
func newTestHost(t *testing.T, listen string) (*Host, string) {
	t.Helper()
	url := serveUpstream(t, demo.NewServer("test"))
	path := filepath.Join(t.TempDir(), "mcplex.toml")
	writeFile(t, path, fmt.Sprintf(hostConfig, listen, url))
	h := NewHost(HostOptions{ConfigPath: path, Version: "test"})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return h, path
}

// startRunning starts h and waits until every upstream is ready.
func startRunning(t *testing.T, h *Host) Snapshot {
	t.Helper()
	if err := h.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	// The catalog is rebuilt just after the upstreams turn ready: wait for
	// it to hold every ready server's tools too.
	return waitSnapshot(t, h, "running", func(s Snapshot) bool {
		want := 0
		for _, srv := range s.Servers {
			want += srv.Tools
		}
		return s.State == StateRunning && s.ToolCount >= want
	})
}

// waitSnapshot polls h until ok accepts its snapshot, for at most 5s.
func waitSnapshot(t *testing.T, h *Host, what string, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s := h.Snapshot()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s; last snapshot: %+v", what, s)
		}
		<-tick.C
	}
}

// waitEvent reads ch until an event matches, for at most 5s.
func waitEvent(t *testing.T, ch <-chan Event, what string, match func(Event) bool) Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("event stream closed while waiting for %s", what)
			}
			if match(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event", what)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func serverNamed(s Snapshot, name string) (Server, bool) {
	i := slices.IndexFunc(s.Servers, func(v Server) bool { return v.Name == name })
	if i < 0 {
		return Server{}, false
	}
	return s.Servers[i], true
}

func toolIDs(tools []Tool) []string {
	var ids []string
	for _, t := range tools {
		ids = append(ids, t.ID)
	}
	return ids
}

// TestHostStartStop: Start serves on the bound address with every
// configured server listed; a second Start changes nothing; Stop lists the
// servers as stopped; the host starts again.
func TestHostStartStop(t *testing.T) {
	t.Parallel()
	h, path := newTestHost(t, "127.0.0.1:0")
	ctx := context.Background()

	s := h.Snapshot()
	if s.State != StateStopped || s.Mode != ModeInProcess || s.Version != "test" || s.ConfigPath != path {
		t.Fatalf("before Start: %+v", s)
	}
	s = startRunning(t, h)
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") || !strings.HasSuffix(s.Endpoint, "/mcp") || s.Error != "" {
		t.Fatalf("Endpoint = %q, Error = %q", s.Endpoint, s.Error)
	}
	if got := []string{s.Servers[0].Name, s.Servers[1].Name}; len(s.Servers) != 2 || !slices.Equal(got, []string{"demo", "off"}) {
		t.Fatalf("Servers = %+v", s.Servers)
	}
	if d := s.Servers[0]; d.State != "ready" || d.Transport != "http" || !d.Enabled || d.Tools == 0 || s.ToolCount != d.Tools {
		t.Errorf("demo = %+v, ToolCount = %d", d, s.ToolCount)
	}
	if off := s.Servers[1]; off.State != "disabled" || off.Enabled || off.Transport != "stdio" {
		t.Errorf("off = %+v", off)
	}
	resp, err := http.Get(strings.TrimSuffix(s.Endpoint, "/mcp") + "/health")
	if err != nil {
		t.Fatalf("the endpoint does not serve: %v", err)
	}
	resp.Body.Close()

	if err := h.Start(ctx); err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if again := h.Snapshot(); again.Endpoint != s.Endpoint {
		t.Errorf("second Start moved the endpoint: %q -> %q", s.Endpoint, again.Endpoint)
	}

	if err := h.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stopped := h.Snapshot()
	if stopped.State != StateStopped || stopped.Endpoint != "" || stopped.Error != "" {
		t.Fatalf("after Stop: %+v", stopped)
	}
	if d, _ := serverNamed(stopped, "demo"); d.State != "stopped" {
		t.Errorf("demo after Stop = %+v", d)
	}
	if off, _ := serverNamed(stopped, "off"); off.State != "disabled" {
		t.Errorf("off after Stop = %+v", off)
	}
	if _, err := h.Tools(ctx); err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Errorf("Tools while stopped: %v", err)
	}
	if err := h.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	startRunning(t, h)
}

// TestHostEventsSurviveRestart: a subscriber from before Stop gets the
// events of the next run.
func TestHostEventsSurviveRestart(t *testing.T) {
	t.Parallel()
	h, _ := newTestHost(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	ch := h.Events(ctx)
	startRunning(t, h)
	waitEvent(t, ch, "server_state ready", func(e Event) bool { return e.Kind == events.ServerState && e.Outcome == "ready" })
	if err := h.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	startRunning(t, h)
	if _, err := h.Find(context.Background(), "after the restart", "keyword", 1); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, "route_query", func(e Event) bool { return e.Kind == events.RouteQuery && e.Message == "after the restart" })

	cancel()
	for range ch { // closed once ctx ends
	}
}

// TestHostUpdateConfigAddsServer: the new server is written (the previous
// file kept as .bak) and served without a restart.
func TestHostUpdateConfigAddsServer(t *testing.T) {
	t.Parallel()
	extra := serveUpstream(t, pingServer())
	h, path := newTestHost(t, "127.0.0.1:0")
	before := startRunning(t, h)
	old := readFile(t, path)

	err := h.UpdateConfig(context.Background(), func(c *config.Config) error {
		c.Servers = append(c.Servers, config.Server{Name: "extra", URL: extra})
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateConfig: %v", err)
	}
	if got := readFile(t, path+".bak"); got != old {
		t.Errorf(".bak = %q, want the previous file %q", got, old)
	}
	// A second edit moves .bak on; .orig keeps the file as first written.
	if err := h.UpdateConfig(context.Background(), func(c *config.Config) error {
		c.Servers[len(c.Servers)-1].Description = "second edit"
		return nil
	}); err != nil {
		t.Fatalf("second UpdateConfig: %v", err)
	}
	if got := readFile(t, path+".orig"); got != old {
		t.Errorf(".orig = %q, want the file before the first edit %q", got, old)
	}
	if got := readFile(t, path+".bak"); got == old {
		t.Errorf(".bak still holds the first version after a second edit")
	}
	disk, err := config.Load(path)
	if err != nil {
		t.Fatalf("the written file does not load: %v", err)
	}
	if n := len(disk.Servers); n != 3 || disk.Servers[2].Name != "extra" || disk.Servers[2].URL != extra {
		t.Fatalf("servers on disk: %+v", disk.Servers)
	}
	s := waitSnapshot(t, h, "extra ready", func(s Snapshot) bool {
		e, ok := serverNamed(s, "extra")
		if !ok || e.State != "ready" || s.State != StateRunning {
			return false
		}
		// The catalog is rebuilt just after the server turns ready.
		tools, err := h.Tools(context.Background())
		return err == nil && slices.ContainsFunc(tools, func(t Tool) bool { return t.ID == "extra/ping" })
	})
	if s.Endpoint != before.Endpoint {
		t.Errorf("the gateway restarted: %q -> %q", before.Endpoint, s.Endpoint)
	}
	tools, err := h.Tools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tools, func(t Tool) bool { return t.ID == "extra/ping" })
	if i < 0 {
		t.Fatalf("extra/ping not in the catalog: %v", toolIDs(tools))
	}
	if p := tools[i]; p.Name != "ping" || p.Server != "extra" || p.Description != "answers pong" || len(p.InputSchema) == 0 {
		t.Errorf("ping = %+v", p)
	}
}

// TestHostUpdateConfigInvalid: an edit that does not validate, or that
// fails, returns the error naming the key and leaves the file as it was.
func TestHostUpdateConfigInvalid(t *testing.T) {
	t.Parallel()
	h, path := newTestHost(t, "127.0.0.1:0")
	orig := readFile(t, path)
	for _, tc := range []struct {
		name string
		edit func(*config.Config) error
		want string
	}{
		{"duplicate name", func(c *config.Config) error {
			c.Servers = append(c.Servers, config.Server{Name: "demo", URL: "http://127.0.0.1:1/mcp"})
			return nil
		}, `servers[2].name: duplicate server name "demo"`},
		{"bad glob", func(c *config.Config) error {
			c.Servers[0].AllowedTools = []string{"[calc"}
			return nil
		}, "servers[0].allowed_tools"},
		{"edit fails", func(c *config.Config) error {
			c.Servers = nil
			return fmt.Errorf("the user cancelled")
		}, "the user cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.UpdateConfig(context.Background(), tc.edit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UpdateConfig error = %v, want it to contain %q", err, tc.want)
			}
			if got := readFile(t, path); got != orig {
				t.Errorf("the file changed:\n%s", got)
			}
			if _, err := os.Stat(path + ".bak"); !os.IsNotExist(err) {
				t.Errorf("a .bak was written (stat: %v)", err)
			}
		})
	}
}

// TestHostHandEdits: an edit by hand shows in Config at once and, by hot
// reload, in the snapshot; a file broken by hand is reported while the
// gateway keeps running, and UpdateConfig refuses to overwrite it.
func TestHostHandEdits(t *testing.T) {
	t.Parallel()
	extra := serveUpstream(t, pingServer())
	h, path := newTestHost(t, "127.0.0.1:0")
	startRunning(t, h)

	edited := readFile(t, path) + fmt.Sprintf("\n[[servers]]\nname = \"extra\"\nurl = %q\n", extra)
	writeFile(t, path, edited)
	cfg, err := h.Config(context.Background())
	if err != nil || len(cfg.Servers) != 3 || cfg.Servers[2].Name != "extra" {
		t.Fatalf("Config after a hand edit: %v, %+v", err, cfg)
	}
	waitSnapshot(t, h, "the hand-added server", func(s Snapshot) bool {
		e, ok := serverNamed(s, "extra")
		return ok && e.State == "ready"
	})

	broken := edited + "\n[gateway\n"
	writeFile(t, path, broken)
	s := waitSnapshot(t, h, "ConfigErr", func(s Snapshot) bool { return s.ConfigErr != "" })
	if s.State != StateRunning || len(s.Servers) != 3 {
		t.Errorf("the running gateway changed with a broken file: %+v", s)
	}
	if !strings.Contains(s.ConfigErr, path) {
		t.Errorf("ConfigErr = %q, want the file named", s.ConfigErr)
	}
	if _, err := h.Config(context.Background()); err == nil {
		t.Error("Config loaded a broken file")
	}
	err = h.UpdateConfig(context.Background(), func(c *config.Config) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "does not load") {
		t.Errorf("UpdateConfig on a broken file: %v", err)
	}
	if got := readFile(t, path); got != broken {
		t.Errorf("UpdateConfig overwrote the broken file:\n%s", got)
	}
	if res, err := h.Call(context.Background(), "ping", nil); err != nil || res.Text != "pong" {
		t.Errorf("the gateway stopped serving: %+v, %v", res, err)
	}
}

// TestHostTestServer: a server that starts lists its tools; one that cannot
// start is a result whose Error names the problem; invalid input is an error.
func TestHostTestServer(t *testing.T) {
	t.Parallel()
	url := serveUpstream(t, demo.NewServer("test"))
	h := NewHost(HostOptions{ConfigPath: filepath.Join(t.TempDir(), "none.toml")})
	ctx := context.Background()

	res, err := h.TestServer(ctx, config.Server{Name: "probe", URL: url, TimeoutSeconds: 5})
	if err != nil || res.Error != "" {
		t.Fatalf("TestServer ok: %v, %+v", err, res)
	}
	i := slices.IndexFunc(res.Tools, func(t Tool) bool { return t.Name == "calculate" })
	if i < 0 || res.Tools[i].ID != "probe/calculate" || res.Tools[i].Server != "probe" || len(res.Tools[i].InputSchema) == 0 {
		t.Errorf("tools = %+v", res.Tools)
	}
	if res.Elapsed <= 0 {
		t.Errorf("Elapsed = %v", res.Elapsed)
	}

	res, err = h.TestServer(ctx, config.Server{Name: "broken", Command: "mcplex-no-such-command", TimeoutSeconds: 5})
	if err != nil {
		t.Fatalf("a failing server is a result, not an error: %v", err)
	}
	if !strings.Contains(res.Error, "mcplex-no-such-command") || len(res.Tools) != 0 {
		t.Errorf("failing server: %+v", res)
	}

	_, err = h.TestServer(ctx, config.Server{Name: "both", Command: "x", URL: url})
	if err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Errorf("command and url: %v", err)
	}
	_, err = h.TestServer(ctx, config.Server{URL: url})
	if err == nil || !strings.Contains(err.Error(), "name: must not be empty") {
		t.Errorf("no name: %v", err)
	}
}

// TestHostCall: a call goes through the gateway's request path: metrics,
// per-tool stats and a tool_call event; an unknown tool is an error.
func TestHostCall(t *testing.T) {
	t.Parallel()
	h, _ := newTestHost(t, "127.0.0.1:0")
	ctx := context.Background()
	if _, err := h.Call(ctx, "calculate", map[string]any{"expression": "2+3"}); err == nil {
		t.Error("Call while stopped succeeded")
	}
	evs := h.Events(t.Context())
	startRunning(t, h)

	res, err := h.Call(ctx, "calculate", map[string]any{"expression": "2+3"})
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if res.IsError || res.Text != "2+3 = 5" || !strings.Contains(res.Raw, `"content"`) || res.Latency <= 0 {
		t.Errorf("result = %+v", res)
	}
	res, err = h.Call(ctx, "calculate", map[string]any{"expression": "1/"})
	if err != nil || !res.IsError || !strings.Contains(res.Text, "cannot evaluate") {
		t.Errorf("tool error: %+v, %v", res, err)
	}
	if _, err := h.Call(ctx, "no_such_tool", nil); err == nil || !strings.Contains(err.Error(), `unknown tool "no_such_tool"`) {
		t.Errorf("unknown tool: %v", err)
	}

	waitEvent(t, evs, "tool_call", func(e Event) bool {
		return e.Kind == events.ToolCall && e.Tool == "demo/calculate" && e.Outcome == "ok" && e.Identity != ""
	})
	m := h.Snapshot().Metrics
	if m.ToolCalls != 2 {
		t.Errorf("ToolCalls = %d, want 2", m.ToolCalls)
	}
	i := slices.IndexFunc(m.Tools, func(s metrics.ToolStats) bool { return s.Server == "demo" && s.Tool == "calculate" })
	if i < 0 || m.Tools[i].Count != 2 || m.Tools[i].Errors != 1 {
		t.Errorf("per-tool stats = %+v", m.Tools)
	}
}

// TestHostFind: the strategy can be chosen per query and is checked.
func TestHostFind(t *testing.T) {
	t.Parallel()
	h, _ := newTestHost(t, "127.0.0.1:0")
	ctx := context.Background()
	startRunning(t, h)
	tools, err := h.Tools(ctx)
	if err != nil {
		t.Fatal(err)
	}

	all, err := h.Find(ctx, "anything", "passthrough", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != tools[0].ID || all[0].Score != 1 {
		t.Errorf("passthrough = %+v, want the first 3 catalog tools in order", all)
	}
	top, err := h.Find(ctx, "evaluate an arithmetic expression", "keyword", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) == 0 || top[0].ID != "demo/calculate" || top[0].Name != "calculate" || len(top[0].InputSchema) == 0 {
		t.Errorf("keyword = %+v", top)
	}
	if len(top) > 5 {
		t.Errorf("topK 0 returned %d matches, want at most the configured 5", len(top))
	}
	if _, err := h.Find(ctx, "x", "fuzzy", 1); err == nil || !strings.Contains(err.Error(), `"fuzzy"`) {
		t.Errorf("unknown strategy: %v", err)
	}
}

// TestHostPortInUse: a taken port is a clear Start error, and the host
// stays stopped with that error.
func TestHostPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	h, _ := newTestHost(t, addr)

	err = h.Start(context.Background())
	if err == nil {
		t.Fatal("Start on a taken port succeeded")
	}
	for _, want := range []string{addr, "another MCPlex", "[gateway] listen"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if s := h.Snapshot(); s.State != StateStopped || s.Error != err.Error() || s.Endpoint != "" {
		t.Errorf("snapshot = %+v", s)
	}
}

// TestHostTestServerExpands: Test reads the server as the gateway will
// once it is saved: ${VAR} references expanded.
func TestHostTestServerExpands(t *testing.T) {
	url := serveUpstream(t, demo.NewServer("test"))
	t.Setenv("MCPLEX_TEST_PROBE_URL", url)
	h := NewHost(HostOptions{ConfigPath: filepath.Join(t.TempDir(), "none.toml")})
	res, err := h.TestServer(context.Background(), config.Server{Name: "probe", URL: "${MCPLEX_TEST_PROBE_URL}", TimeoutSeconds: 5})
	if err != nil || res.Error != "" || len(res.Tools) == 0 {
		t.Fatalf("TestServer with a ${VAR} url: %v, %+v", err, res)
	}
	_, err = h.TestServer(context.Background(), config.Server{Name: "probe", URL: "${MCPLEX_TEST_UNSET_VAR_XYZ}"})
	if err == nil || !strings.Contains(err.Error(), "MCPLEX_TEST_UNSET_VAR_XYZ") {
		t.Errorf("an unset variable: %v", err)
	}
}

// TestHostReload: Reload (SIGHUP in `serve --admin`) applies a hand edit
// even with hot reload off; a stopped host has nothing to apply.
func TestHostReload(t *testing.T) {
	t.Parallel()
	h, path := newTestHost(t, "127.0.0.1:0")
	if err := h.Reload(); err != nil {
		t.Errorf("Reload while stopped: %v", err)
	}
	text := strings.Replace(readFile(t, path), "[gateway]\n", "[gateway]\nhot_reload = false\n", 1)
	writeFile(t, path, text)
	startRunning(t, h)
	writeFile(t, path, strings.Replace(text, "enabled = false", "enabled = false\ndescription = \"x\"\n\n[[servers]]\nname = \"added\"\ncommand = \"mcplex-never-started-either\"\nenabled = false", 1))
	if err := h.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	waitSnapshot(t, h, "the added server", func(s Snapshot) bool {
		_, ok := serverNamed(s, "added")
		return ok
	})
}
