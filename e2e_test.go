//go:build linux

// End-to-end tests: the real mcplex binary (built once, see e2e_helpers_test.go) in front of the
// pinned reference MCP servers from npm (.ci/e2e/package-lock.json), driven by the go-sdk client and
// by the TypeScript SDK client (.ci/e2e/client.mjs). Run with `make e2e` or `go test -run TestE2E .`;
// `make e2e-deps` installs the npm packages. Without node they skip locally and fail under CI=true.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	longTool  = "trigger-long-running-operation" // server-everything 2026.8.31
	latest    = ""                               // the go-sdk's newest protocol version (2026-07-28 in v1.8.0)
	legacyVer = "2025-11-25"
)

// checkEverything runs initialize-to-prompt checks against a gateway whose only upstream is
// server-everything (names unchanged).
func checkEverything(t *testing.T, c *client) {
	t.Helper()
	c.waitTools(t, "echo", "get-sum", longTool)
	if got := c.call(t, "echo", map[string]any{"message": "hello e2e"}); got != "Echo: hello e2e" {
		t.Errorf("echo: got %q", got)
	}
	if got := c.call(t, "get-sum", map[string]any{"a": 2, "b": 3}); !strings.Contains(got, "5") {
		t.Errorf("get-sum 2+3: got %q", got)
	}
	checkEverythingResources(t, c)
	checkEverythingPrompts(t, c)
}

func checkEverythingResources(t *testing.T, c *client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const doc = "demo://resource/static/document/features.md"
	var uris []string
	for r, err := range c.Resources(ctx, nil) {
		if err != nil {
			t.Fatalf("resources/list: %v", err)
		}
		uris = append(uris, r.URI)
	}
	if !slices.Contains(uris, doc) {
		t.Fatalf("resources/list has no %s: %v", doc, uris)
	}
	rr, err := c.ReadResource(ctx, &mcp.ReadResourceParams{URI: doc})
	if err != nil {
		t.Fatalf("resources/read %s: %v", doc, err)
	}
	if len(rr.Contents) == 0 || rr.Contents[0].URI != doc || !strings.Contains(rr.Contents[0].Text, "Features") {
		t.Errorf("resources/read %s: unexpected contents %+v", doc, rr.Contents)
	}

	const tmpl = "demo://resource/dynamic/text/{resourceId}"
	var tmpls []string
	for rt, err := range c.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatalf("resources/templates/list: %v", err)
		}
		tmpls = append(tmpls, rt.URITemplate)
	}
	if !slices.Contains(tmpls, tmpl) {
		t.Fatalf("resources/templates/list has no %s: %v", tmpl, tmpls)
	}
	rr, err = c.ReadResource(ctx, &mcp.ReadResourceParams{URI: "demo://resource/dynamic/text/7"})
	if err != nil {
		t.Fatalf("resources/read of a templated URI: %v", err)
	}
	if len(rr.Contents) == 0 || !strings.HasPrefix(rr.Contents[0].Text, "Resource 7:") {
		t.Errorf("resources/read demo://resource/dynamic/text/7: unexpected contents %+v", rr.Contents)
	}
}

func checkEverythingPrompts(t *testing.T, c *client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var names []string
	for p, err := range c.Prompts(ctx, nil) {
		if err != nil {
			t.Fatalf("prompts/list: %v", err)
		}
		names = append(names, p.Name)
	}
	for _, want := range []string{"simple-prompt", "args-prompt"} {
		if !slices.Contains(names, want) {
			t.Fatalf("prompts/list has no %s: %v", want, names)
		}
	}
	pr, err := c.GetPrompt(ctx, &mcp.GetPromptParams{Name: "args-prompt", Arguments: map[string]string{"city": "Lisbon"}})
	if err != nil {
		t.Fatalf("prompts/get args-prompt: %v", err)
	}
	if len(pr.Messages) == 0 {
		t.Fatal("prompts/get args-prompt: no messages")
	}
	if tc, ok := pr.Messages[0].Content.(*mcp.TextContent); !ok || !strings.Contains(tc.Text, "Lisbon") {
		t.Errorf("prompts/get args-prompt: got %#v", pr.Messages[0].Content)
	}
}

// checkProgress calls the long-running tool with a progress token and checks that the notifications
// carry the token and arrive while the call runs, not in one burst with the result.
func checkProgress(t *testing.T, c *client, tool string) {
	t.Helper()
	token := fmt.Sprintf("e2e-progress-%d", time.Now().UnixNano())
	params := &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"duration": 2, "steps": 4}}
	params.SetProgressToken(token)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := c.CallTool(ctx, params)
	end := time.Now()
	if err != nil {
		t.Fatalf("tools/call %s with progress: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("tools/call %s: isError: %s", tool, textOf(res))
	}
	if !strings.Contains(textOf(res), "Long running operation completed") {
		t.Errorf("result: %q", textOf(res))
	}
	time.Sleep(100 * time.Millisecond) // a notification sent just before the result may be handled just after it
	ev := c.progressFor(token)
	if len(ev) < 3 {
		t.Fatalf("got %d progress notifications with token %q, want >= 3 (of 4); with any token: %d", len(ev), token, c.progressCount())
	}
	for i, e := range ev {
		if e.params.Total != 4 {
			t.Errorf("progress %d: total = %v, want 4", i, e.params.Total)
		}
		if i > 0 && e.params.Progress <= ev[i-1].params.Progress {
			t.Errorf("progress not increasing: %v then %v", ev[i-1].params.Progress, e.params.Progress)
		}
	}
	if lead := end.Sub(ev[0].at); lead < 700*time.Millisecond {
		t.Errorf("first progress arrived %v before the result (call took %v): progress is not streamed", lead, end.Sub(start))
	}
}

// checkCancel cancels a long call from the client and checks the call returns promptly and the
// gateway keeps answering on the same session.
func checkCancel(t *testing.T, c *client, tool, echo string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"duration": 30, "steps": 30}})
		errc <- err
	}()
	time.Sleep(700 * time.Millisecond)
	cancel()
	at := time.Now()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("canceled call returned no error")
		}
		if d := time.Since(at); d > time.Second {
			t.Errorf("canceled call took %v to return", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("canceled call did not return within 5 s")
	}
	if got := c.call(t, echo, map[string]any{"message": "after cancel"}); got != "Echo: after cancel" {
		t.Errorf("echo after cancel: %q", got)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := c.Ping(ctx2, nil); err != nil {
		t.Errorf("ping after cancel: %v", err)
	}
}

// checkTS drives the gateway with the TypeScript SDK client: basic, progress and cancel scenarios.
func checkTS(t *testing.T, ne *nodeEnv, target []string, basicArgs ...string) {
	t.Helper()
	t.Run("ts-basic", func(t *testing.T) {
		steps := runTS(t, ne, append(append(slices.Clone(target), "basic"), basicArgs...)...)
		findStep(t, steps, "resources/read")
		findStep(t, steps, "prompts/get")
	})
	t.Run("ts-progress", func(t *testing.T) {
		steps := runTS(t, ne, append(slices.Clone(target), "progress", "--min-progress", "3")...)
		if n := findStep(t, steps, "progress").num("progress_count"); n < 3 {
			t.Errorf("progress_count = %v", n)
		}
	})
	t.Run("ts-cancel", func(t *testing.T) {
		steps := runTS(t, ne, append(slices.Clone(target), "cancel")...)
		findStep(t, steps, "after-cancel call")
	})
}

// TestE2EEverything: server-everything as the only upstream, over stdio and over Streamable HTTP,
// driven by the go-sdk client (newest and 2025-11-25 protocol) and by the TypeScript client.
func TestE2EEverything(t *testing.T) {
	ne := needNode(t)
	for _, transport := range []string{"stdio", "http"} {
		t.Run(transport, func(t *testing.T) {
			marker := newMarker(t, "everything")
			t.Cleanup(func() { killLeftovers(marker) })
			up := everythingStdio(ne, "everything", marker)
			if transport == "http" {
				up = upstream{Name: "everything", URL: startEverythingHTTP(t, ne, marker)}
			}
			g := startGateway(t, gatewayConfig("", up))
			for _, v := range []string{latest, legacyVer} {
				name := "go-" + v
				if v == latest {
					name = "go-latest"
				}
				t.Run(name, func(t *testing.T) {
					c := connectHTTP(t, g.url, v)
					checkEverything(t, c)
					t.Run("progress", func(t *testing.T) { checkProgress(t, c, longTool) })
					t.Run("cancel", func(t *testing.T) { checkCancel(t, c, longTool, "echo") })
				})
			}
			checkTS(t, ne, []string{g.url}, "--call", "get-sum", `{"a":1,"b":41}`, "--call", "echo", `{"message":"ts"}`,
				"--resource", "demo://resource/static/document/features.md")
		})
	}
}

// TestE2EMultiServer: four upstreams behind one gateway. The two memory servers have identical tool
// names, so every one of their tools is exposed as server__tool and routed to its own server, whose
// data stays apart; unique names (echo, read_text_file) stay unprefixed.
func TestE2EMultiServer(t *testing.T) {
	ne := needNode(t)
	fleet := newFleet(t, ne, "note.txt", "written by the e2e test\nline 2\n")
	note, fsDir, memA, memB := fleet.file, fleet.fsDir, fleet.memA, fleet.memB
	g := startGateway(t, gatewayConfig("", fleet.upstreams...))
	c := connectHTTP(t, g.url, latest)
	names := c.waitTools(t, "echo", "read_text_file", "memory_a__create_entities", "memory_b__create_entities",
		"memory_a__read_graph", "memory_b__read_graph")
	for _, n := range []string{"create_entities", "read_graph", "memory_a__echo", "everything__echo", "files__read_text_file"} {
		if slices.Contains(names, n) {
			t.Errorf("tools/list exposes %q; want colliding names prefixed and unique names unchanged: %v", n, names)
		}
	}

	t.Run("memory-isolation", func(t *testing.T) {
		c.call(t, "memory_a__create_entities", map[string]any{"entities": []any{
			map[string]any{"name": "alice", "entityType": "person", "observations": []string{"only in a"}}}})
		c.call(t, "memory_b__create_entities", map[string]any{"entities": []any{
			map[string]any{"name": "bob", "entityType": "person", "observations": []string{"only in b"}}}})
		ga, gb := c.call(t, "memory_a__read_graph", map[string]any{}), c.call(t, "memory_b__read_graph", map[string]any{})
		if !strings.Contains(ga, "alice") || strings.Contains(ga, "bob") {
			t.Errorf("memory_a graph: %s", ga)
		}
		if !strings.Contains(gb, "bob") || strings.Contains(gb, "alice") {
			t.Errorf("memory_b graph: %s", gb)
		}
		for file, want := range map[string]string{memA: "alice", memB: "bob"} {
			b, err := os.ReadFile(file)
			if err != nil || !strings.Contains(string(b), want) {
				t.Errorf("%s: want %q in it (err %v): %s", file, want, err, b)
			}
		}
	})
	t.Run("filesystem", func(t *testing.T) {
		if got := c.call(t, "read_text_file", map[string]any{"path": note}); got != "written by the e2e test\nline 2\n" {
			t.Errorf("read_text_file: %q", got)
		}
		if got := c.call(t, "list_directory", map[string]any{"path": fsDir}); !strings.Contains(got, "note.txt") {
			t.Errorf("list_directory: %q", got)
		}
	})
	t.Run("everything", func(t *testing.T) {
		if got := c.call(t, "echo", map[string]any{"message": "multi"}); got != "Echo: multi" {
			t.Errorf("echo: %q", got)
		}
		checkEverythingResources(t, c)
		checkEverythingPrompts(t, c)
		checkProgress(t, c, longTool)
	})
	t.Run("ts-basic", func(t *testing.T) {
		steps := runTS(t, ne, g.url, "basic",
			"--call", "echo", `{"message":"ts multi"}`,
			"--call", "memory_a__read_graph", `{}`,
			"--call", "memory_b__search_nodes", `{"query":"bob"}`,
			"--call", "read_text_file", fmt.Sprintf(`{"path":%q}`, note),
			"--resource", "demo://resource/static/document/features.md")
		if s := findStep(t, steps, "tools/call read_text_file"); !strings.Contains(fmt.Sprint(s["text"]), "written by the e2e test") {
			t.Errorf("ts read_text_file: %v", s)
		}
		if s := findStep(t, steps, "tools/call memory_b__search_nodes"); !strings.Contains(fmt.Sprint(s["text"]), "bob") {
			t.Errorf("ts memory_b__search_nodes: %v", s)
		}
	})
}

// TestE2EKillChild: kill -9 of a stdio upstream in the middle of a call. The in-flight call must fail
// within 1 s, and the gateway must restart the child so that a later call succeeds.
func TestE2EKillChild(t *testing.T) {
	ne := needNode(t)
	marker := newMarker(t, "everything")
	t.Cleanup(func() { killLeftovers(marker) })
	g := startGateway(t, gatewayConfig("", everythingStdio(ne, "everything", marker)))
	c := connectHTTP(t, g.url, latest)
	c.waitTools(t, "echo", longTool)
	old := waitProcs(t, marker, 10*time.Second, func(n int) bool { return n == 1 })
	if pid, ok := healthServer(t, g, "everything")["pid"].(float64); ok && int(pid) != old[0] {
		t.Errorf("/health reports pid %v for everything; the process with its marker is %d", pid, old[0])
	}

	token := "e2e-kill"
	params := &mcp.CallToolParams{Name: longTool, Arguments: map[string]any{"duration": 30, "steps": 60}}
	params.SetProgressToken(token)
	type result struct {
		res *mcp.CallToolResult
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() {
		res, err := c.CallTool(ctx, params)
		done <- result{res, err, time.Now()}
	}()
	// The first progress notification proves the call reached the child.
	deadline := time.Now().Add(10 * time.Second)
	for len(c.progressFor(token)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no progress from the long call within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	killedAt := time.Now()
	if err := syscall.Kill(old[0], syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", old[0], err)
	}
	select {
	case r := <-done:
		if r.err == nil && !r.res.IsError {
			t.Fatalf("in-flight call succeeded after its server was killed: %s", textOf(r.res))
		}
		if d := r.at.Sub(killedAt); d > time.Second {
			t.Errorf("in-flight call failed %v after kill -9, want <= 1 s", d)
		}
		t.Logf("in-flight call after kill -9: err=%v isError=%v (%v)", r.err, r.res != nil && r.res.IsError, r.at.Sub(killedAt))
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight call still pending 10 s after kill -9 of its server")
	}

	// The gateway restarts the child; the next call succeeds (allow for restart backoff).
	deadline = time.Now().Add(30 * time.Second)
	for {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := c.CallTool(cctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "back"}})
		ccancel()
		if err == nil && !res.IsError && textOf(res) == "Echo: back" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful call within 30 s of the kill; last: err=%v res=%v; /health: %s", err, res, firstOf(g.health()))
		}
		time.Sleep(200 * time.Millisecond)
	}
	now := waitProcs(t, marker, 5*time.Second, func(n int) bool { return n == 1 })
	if now[0] == old[0] {
		t.Errorf("child PID unchanged (%d) after kill -9", now[0])
	}
	g.waitHealthy(10 * time.Second)
	srv := healthServer(t, g, "everything")
	if pid, ok := srv["pid"].(float64); ok && int(pid) != now[0] {
		t.Errorf("/health reports pid %v after the restart; the new process is %d", pid, now[0])
	}
	if r, ok := srv["restarts"].(float64); ok && r < 1 {
		t.Errorf("/health reports %v restarts after kill -9: %v", r, srv)
	}
}

// healthServer returns the /health entry {"name": name, ...} from its "servers" list (nil if absent).
func healthServer(t *testing.T, g *gateway, name string) map[string]any {
	t.Helper()
	body, ok := g.health()
	if !ok {
		t.Fatalf("/health: %s", body)
	}
	var h struct {
		Servers []map[string]any `json:"servers"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/health is not JSON: %v: %s", err, body)
	}
	for _, s := range h.Servers {
		if s["name"] == name {
			return s
		}
	}
	t.Errorf("/health lists no server %q: %s", name, body)
	return nil
}

func firstOf(s string, _ bool) string { return s }

// TestE2EShutdown: SIGTERM makes the gateway exit 0 (within its shutdown grace, even with a call in
// flight) and leaves no child process behind, whatever the transport.
func TestE2EShutdown(t *testing.T) {
	ne := needNode(t)
	for _, inflight := range []bool{false, true} {
		t.Run(fmt.Sprintf("inflight=%v", inflight), func(t *testing.T) {
			mEv, mMem := newMarker(t, "everything"), newMarker(t, "memory")
			t.Cleanup(func() { killLeftovers(mEv, mMem) })
			g := startGateway(t, gatewayConfig("",
				everythingStdio(ne, "everything", mEv),
				upstream{Name: "memory", Command: ne.node, Args: []string{ne.memory, mMem},
					Env: map[string]string{"MEMORY_FILE_PATH": filepath.Join(t.TempDir(), "m.jsonl")}},
			))
			c := connectHTTP(t, g.url, latest)
			c.waitTools(t, "echo", "read_graph")
			c.call(t, "echo", map[string]any{"message": "x"})
			waitProcs(t, mEv, 10*time.Second, func(n int) bool { return n >= 1 })
			waitProcs(t, mMem, 10*time.Second, func(n int) bool { return n >= 1 })
			errc := make(chan error, 1)
			if inflight {
				go func() {
					_, err := c.CallTool(context.Background(), &mcp.CallToolParams{Name: longTool, Arguments: map[string]any{"duration": 60, "steps": 60}})
					errc <- err
				}()
				time.Sleep(500 * time.Millisecond)
			}
			err, took := g.signal(syscall.SIGTERM, 20*time.Second) // shutdown_grace_seconds = 3 in the config
			if err != nil {
				t.Errorf("mcplex exit after SIGTERM: %v (want exit status 0)", err)
			}
			t.Logf("exited %v after SIGTERM", took)
			// 10 s is what docker stop and many supervisors give before SIGKILL.
			if took > 10*time.Second {
				t.Errorf("exit took %v after SIGTERM; want <= 10 s with shutdown_grace_seconds = 3", took)
			}
			if inflight {
				select {
				case err := <-errc:
					if err == nil {
						t.Error("in-flight 60 s call returned no error across shutdown")
					}
				case <-time.After(5 * time.Second):
					t.Error("in-flight call still pending 5 s after the gateway exited")
				}
			}
			for _, m := range []string{mEv, mMem} {
				deadline := time.Now().Add(2 * time.Second)
				for len(procsWith(m)) > 0 && time.Now().Before(deadline) {
					time.Sleep(50 * time.Millisecond)
				}
				if p := procsWith(m); len(p) > 0 {
					t.Errorf("after the gateway exited, child processes remain: %v (%s)", p, m)
				}
			}
		})
	}
}

// TestE2EStdio: `mcplex stdio -c FILE` is the gateway over stdin/stdout; closing stdin ends it and
// its children.
func TestE2EStdio(t *testing.T) {
	ne := needNode(t)
	bin := mcplexBin(t)
	marker := newMarker(t, "everything")
	t.Cleanup(func() { killLeftovers(marker) })
	cfg := writeConfig(t, gatewayConfig("", everythingStdio(ne, "everything", marker)))
	t.Run("go", func(t *testing.T) {
		c, _ := connectCommand(t, exec.Command(bin, "stdio", "-c", cfg), latest)
		checkEverything(t, c)
		t.Run("progress", func(t *testing.T) { checkProgress(t, c, longTool) })
		t.Run("cancel", func(t *testing.T) { checkCancel(t, c, longTool, "echo") })
		if err := c.Close(); err != nil {
			t.Logf("close: %v", err)
		}
		waitProcs(t, marker, 10*time.Second, func(n int) bool { return n == 0 })
	})
	// A stdio client lists tools right after initialize, while the upstream may still be starting:
	// the first tools/list must already have them. (client.mjs --wait-tools MS would accept a
	// notifications/tools/list_changed within MS instead.)
	t.Run("ts", func(t *testing.T) {
		checkTS(t, ne, []string{"--stdio", bin, "stdio", "-c", cfg, "--"},
			"--call", "echo", `{"message":"ts over stdio"}`, "--resource", "demo://resource/static/document/features.md")
		waitProcs(t, marker, 10*time.Second, func(n int) bool { return n == 0 })
	})
}

// TestE2EBridge: a stdio client talks to the HTTP gateway through `mcplex bridge --url` and through
// bridge.mjs; progress and cancellation must cross the bridge.
func TestE2EBridge(t *testing.T) {
	ne := needNode(t)
	bin := mcplexBin(t)
	marker := newMarker(t, "everything")
	t.Cleanup(func() { killLeftovers(marker) })
	g := startGateway(t, gatewayConfig("", everythingStdio(ne, "everything", marker)))

	bridges := map[string]func() *exec.Cmd{
		"mcplex-bridge": func() *exec.Cmd { return exec.Command(bin, "bridge", "--url", g.url) },
		"bridge.mjs": func() *exec.Cmd {
			cmd := exec.Command(ne.node, "bridge.mjs")
			cmd.Env = append(os.Environ(), "MCPLEX_GATEWAY="+g.url)
			return cmd
		},
	}
	for _, name := range []string{"mcplex-bridge", "bridge.mjs"} {
		t.Run(name, func(t *testing.T) {
			if name == "bridge.mjs" {
				if _, err := os.Stat("bridge.mjs"); err != nil {
					t.Skip("bridge.mjs is not in the repository yet")
				}
			}
			c, _ := connectCommand(t, bridges[name](), latest)
			checkEverything(t, c)
			t.Run("progress", func(t *testing.T) { checkProgress(t, c, longTool) })
			t.Run("cancel", func(t *testing.T) { checkCancel(t, c, longTool, "echo") })
			t.Run("ts", func(t *testing.T) {
				target := append([]string{"--stdio"}, bridges[name]().Args...)
				if name == "bridge.mjs" {
					abs, _ := filepath.Abs("bridge.mjs")
					target = []string{"--stdio", "env", "MCPLEX_GATEWAY=" + g.url, ne.node, abs}
				}
				checkTS(t, ne, append(target, "--"), "--call", "echo", `{"message":"ts via bridge"}`)
			})
		})
	}
}

// TestE2EDemoServer: the built-in demo upstream (`mcplex demo-server`) works behind the gateway.
func TestE2EDemoServer(t *testing.T) {
	bin := mcplexBin(t)
	g := startGateway(t, gatewayConfig("", upstream{Name: "demo", Command: bin, Args: []string{"demo-server"}}))
	c := connectHTTP(t, g.url, latest)
	deadline := time.Now().Add(20 * time.Second)
	var names []string
	for len(names) == 0 {
		names = c.toolNames(t)
		if len(names) == 0 && time.Now().After(deadline) {
			t.Fatal("the demo server exposes no tools")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("demo-server tools: %v", names)
}

// TestE2ECheck: `mcplex check -c FILE` accepts a valid config and rejects a broken one.
func TestE2ECheck(t *testing.T) {
	bin := mcplexBin(t)
	good := writeConfig(t, gatewayConfig("", upstream{Name: "demo", Command: bin, Args: []string{"demo-server"}}))
	if out, err := exec.Command(bin, "check", "-c", good).CombinedOutput(); err != nil {
		t.Errorf("check of a valid config: %v\n%s", err, out)
	}
	bad := writeConfig(t, "[router]\nmode = \"no-such-mode\"\n[[servers]]\nname = \"x\"\n")
	out, err := exec.Command(bin, "check", "-c", bad).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Errorf("check of an invalid config: want a non-zero exit, got err=%v\n%s", err, out)
	}
	if len(strings.TrimSpace(string(out))) == 0 {
		t.Error("check of an invalid config printed nothing")
	}
}

// TestE2EHealth: /health is JSON and lists each configured server.
func TestE2EHealth(t *testing.T) {
	bin := mcplexBin(t)
	g := startGateway(t, gatewayConfig("", upstream{Name: "demo_one", Command: bin, Args: []string{"demo-server"}}))
	body := g.waitHealthy(10 * time.Second)
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("/health is not JSON: %v: %s", err, body)
	}
	if !strings.Contains(body, "demo_one") {
		t.Errorf("/health does not mention server demo_one: %s", body)
	}
	t.Logf("/health: %s", body)
}

// fleet is four real upstreams: server-everything, two server-memory with
// colliding tool names (data files memA, memB), and server-filesystem on
// fsDir holding one file.
type fleet struct {
	upstreams               []upstream
	fsDir, file, memA, memB string
}

func newFleet(t *testing.T, ne *nodeEnv, fileName, content string) fleet {
	t.Helper()
	dir := t.TempDir()
	mEv, mA, mB := newMarker(t, "everything"), newMarker(t, "memory_a"), newMarker(t, "memory_b")
	f := fleet{fsDir: filepath.Join(dir, strings.TrimPrefix(newMarker(t, "fs"), "--"))}
	if err := os.MkdirAll(f.fsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killLeftovers(mEv, mA, mB, f.fsDir) })
	f.file = filepath.Join(f.fsDir, fileName)
	if err := os.WriteFile(f.file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f.memA, f.memB = filepath.Join(dir, "memory_a.jsonl"), filepath.Join(dir, "memory_b.jsonl")
	f.upstreams = []upstream{
		everythingStdio(ne, "everything", mEv),
		{Name: "memory_a", Command: ne.node, Args: []string{ne.memory, mA}, Env: map[string]string{"MEMORY_FILE_PATH": f.memA}},
		{Name: "memory_b", Command: ne.node, Args: []string{ne.memory, mB}, Env: map[string]string{"MEMORY_FILE_PATH": f.memB}},
		{Name: "files", Command: ne.node, Args: []string{ne.filesystem, f.fsDir}},
	}
	return f
}
