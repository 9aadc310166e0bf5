//go:build linux

// Helpers for the end-to-end tests in e2e_test.go: build the real mcplex binary once, start it with
// a generated config, spawn the pinned npm MCP servers (.ci/e2e/node_modules), drive the gateway with
// the go-sdk client and with the TypeScript SDK client (.ci/e2e/client.mjs), and find child processes
// by a unique marker argument in /proc.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var (
	e2eTmp      string // removed by TestMain
	e2eBin      string // the built mcplex binary
	e2eBuildErr error
	e2eBuild    sync.Once
	e2eBuildOut []byte
	markerSeq   atomic.Int64
)

func TestMain(m *testing.M) {
	var err error
	e2eTmp, err = os.MkdirTemp("", "mcplex-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(e2eTmp)
	os.Exit(code)
}

// mcplexBin builds the gateway binary once per test run (with -race when MCPLEX_E2E_RACE=1)
// and returns its path. A build failure fails every e2e test that needs it.
func mcplexBin(t *testing.T) string {
	t.Helper()
	e2eBuild.Do(func() {
		e2eBin = filepath.Join(e2eTmp, "mcplex")
		args := []string{"build", "-o", e2eBin}
		if os.Getenv("MCPLEX_E2E_RACE") == "1" {
			args = append(args, "-race")
		}
		args = append(args, ".")
		cmd := exec.Command("go", args...)
		e2eBuildOut, e2eBuildErr = cmd.CombinedOutput()
	})
	if e2eBuildErr != nil {
		t.Fatalf("building mcplex (go build -o BIN .) failed: %v\n%s", e2eBuildErr, e2eBuildOut)
	}
	return e2eBin
}

func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// nodeEnv locates node and the pinned npm packages.
type nodeEnv struct {
	node       string
	dir        string // .ci/e2e
	everything string // server-everything dist/index.js
	memory     string
	filesystem string
	client     string // client.mjs
}

// needNode returns the Node environment. Without node it skips, unless CI is set (then it fails);
// missing node_modules always fail with the command that installs them.
func needNode(t *testing.T) *nodeEnv {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if inCI() {
			t.Fatalf("node not found on PATH (CI=%s): the e2e tests need Node 20+", os.Getenv("CI"))
		}
		t.Skip("node not found on PATH: skipping e2e test (install Node 20+ and run `make e2e-deps`)")
	}
	dir, err := filepath.Abs(filepath.Join(".ci", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	mods := filepath.Join(dir, "node_modules", "@modelcontextprotocol")
	e := &nodeEnv{
		node:       node,
		dir:        dir,
		everything: filepath.Join(mods, "server-everything", "dist", "index.js"),
		memory:     filepath.Join(mods, "server-memory", "dist", "index.js"),
		filesystem: filepath.Join(mods, "server-filesystem", "dist", "index.js"),
		client:     filepath.Join(dir, "client.mjs"),
	}
	for _, f := range []string{e.everything, e.memory, e.filesystem, filepath.Join(mods, "sdk", "package.json"), e.client} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("e2e npm packages missing (%v): run `make e2e-deps` (npm ci in .ci/e2e)", err)
		}
	}
	return e
}

// newMarker returns a unique argument to put on a child's command line, so that the test can find
// exactly the processes it caused (via /proc), however the gateway spawns them.
func newMarker(t *testing.T, what string) string {
	name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")
	return fmt.Sprintf("--mcplex-e2e-marker=%s-%s-%d-%d", name, what, os.Getpid(), markerSeq.Add(1))
}

// procsWith returns the PIDs of live (non-zombie) processes with an argument containing marker.
func procsWith(marker string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(b) == 0 {
			continue // gone, or a zombie
		}
		if !bytes.Contains(b, []byte(marker)) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
				continue
			}
		}
		pids = append(pids, pid)
	}
	return pids
}

// waitProcs polls until the number of processes with marker satisfies ok, and returns them.
func waitProcs(t *testing.T, marker string, timeout time.Duration, ok func(n int) bool) []int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := procsWith(marker)
		if ok(len(p)) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes with %s: got %d (%v) after %v", marker, len(p), p, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killLeftovers SIGKILLs every process that still carries one of the markers (test hygiene only:
// the assertions about leftovers are made before this runs).
func killLeftovers(markers ...string) {
	for _, m := range markers {
		for _, pid := range procsWith(m) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, addr string, timeout time.Duration, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("process serving %s exited before listening", addr)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after %v", addr, timeout)
}

// logBuffer collects a child's output, bounded, for failure reports.
type logBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	if len(l.b) > 1<<20 {
		l.b = append([]byte(nil), l.b[len(l.b)-(512<<10):]...)
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

func (l *logBuffer) tail(n int) string {
	s := l.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// checkRaces fails the test when a race-enabled mcplex (MCPLEX_E2E_RACE=1) reported a data race.
func checkRaces(t *testing.T, what string, out *logBuffer) {
	t.Helper()
	log := out.String()
	i := strings.Index(log, "WARNING: DATA RACE")
	if i < 0 {
		return
	}
	end := strings.Index(log[i:], "==================")
	if end < 0 || end > 20000 {
		end = min(len(log)-i, 20000)
	}
	t.Errorf("%s reported a data race:\n%s", what, log[i:i+end])
}

// upstream is one [[servers]] entry of a generated config.
type upstream struct {
	Name    string
	Command string
	Args    []string
	Env     map[string]string
	URL     string
	Extra   string // raw TOML lines appended to the entry
}

// gatewayConfig renders a passthrough config over the given upstreams.
func gatewayConfig(gatewayExtra string, ups ...upstream) string {
	var b strings.Builder
	b.WriteString("[gateway]\nname = \"mcplex-e2e\"\nshutdown_grace_seconds = 3\n")
	b.WriteString(gatewayExtra)
	b.WriteString("\n[router]\nmode = \"passthrough\"\n")
	for _, u := range ups {
		fmt.Fprintf(&b, "\n[[servers]]\nname = %s\n", tomlString(u.Name))
		if u.Command != "" {
			fmt.Fprintf(&b, "command = %s\n", tomlString(u.Command))
			qs := make([]string, len(u.Args))
			for i, a := range u.Args {
				qs[i] = tomlString(a)
			}
			fmt.Fprintf(&b, "args = [%s]\n", strings.Join(qs, ", "))
		}
		if u.URL != "" {
			fmt.Fprintf(&b, "url = %s\n", tomlString(u.URL))
		}
		b.WriteString(u.Extra)
		if len(u.Env) > 0 {
			b.WriteString("[servers.env]\n")
			keys := make([]string, 0, len(u.Env))
			for k := range u.Env {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "%s = %s\n", k, tomlString(u.Env[k]))
			}
		}
	}
	return b.String()
}

func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mcplex.toml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// gateway is a running `mcplex serve`.
type gateway struct {
	t       *testing.T
	cmd     *exec.Cmd
	addr    string
	url     string
	cfgPath string
	out     *logBuffer
	done    chan struct{}
	waitErr error
	stopped bool
	dumped  bool // a goroutine dump was requested: print more of the log
}

// startGateway writes cfg, starts `mcplex serve -c CFG --listen 127.0.0.1:PORT -v` and waits for
// /health. It is stopped (SIGTERM, then SIGKILL) when the test ends; its log is printed on failure.
func startGateway(t *testing.T, cfg string) *gateway {
	t.Helper()
	bin := mcplexBin(t)
	g := &gateway{t: t, cfgPath: writeConfig(t, cfg), out: &logBuffer{}, done: make(chan struct{})}
	g.addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	g.url = "http://" + g.addr + "/mcp"
	g.cmd = exec.Command(bin, "serve", "-c", g.cfgPath, "--listen", g.addr, "-v")
	g.cmd.Stdout = g.out
	g.cmd.Stderr = g.out
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("starting mcplex serve: %v", err)
	}
	go func() {
		g.waitErr = g.cmd.Wait()
		close(g.done)
	}()
	t.Cleanup(func() {
		g.stop(15 * time.Second)
		checkRaces(t, "mcplex serve", g.out)
		if t.Failed() {
			n := 12000
			if g.dumped {
				n = 200000
			}
			t.Logf("mcplex serve log (config %s):\n%s\n--- config ---\n%s", g.cfgPath, g.out.tail(n), cfg)
		}
	})
	g.waitHealthy(60 * time.Second)
	return g
}

// health fetches /health; ok is false when it does not answer 200.
func (g *gateway) health() (body string, ok bool) {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + g.addr + "/health")
	if err != nil {
		return err.Error(), false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), resp.StatusCode == http.StatusOK
}

// waitHealthy waits until /health answers 200 with JSON and reports no server still (re)starting.
func (g *gateway) waitHealthy(timeout time.Duration) string {
	g.t.Helper()
	deadline := time.Now().Add(timeout)
	var body string
	for {
		select {
		case <-g.done:
			g.t.Fatalf("mcplex serve exited during startup (%v); log:\n%s", g.waitErr, g.out.tail(8000))
		default:
		}
		var ok bool
		body, ok = g.health()
		if ok && json.Valid([]byte(body)) {
			low := strings.ToLower(body)
			if !strings.Contains(low, `"starting"`) && !strings.Contains(low, `"restarting"`) {
				return body
			}
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("gateway not healthy after %v; last /health: %s", timeout, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signal sends sig to the gateway and waits up to timeout for it to exit; it returns the exit error
// (nil for exit status 0) and how long the exit took.
func (g *gateway) signal(sig syscall.Signal, timeout time.Duration) (error, time.Duration) {
	g.t.Helper()
	start := time.Now()
	if err := g.cmd.Process.Signal(sig); err != nil {
		g.t.Fatalf("signal %v: %v", sig, err)
	}
	select {
	case <-g.done:
		g.stopped = true
		return g.waitErr, time.Since(start)
	case <-time.After(timeout):
		g.quit()
		g.t.Fatalf("mcplex did not exit within %v of %v (goroutine dump in its log below)", timeout, sig)
		return nil, 0
	}
}

// quit asks a hung gateway for a goroutine dump (SIGQUIT), then kills it.
func (g *gateway) quit() {
	g.stopped = true
	g.dumped = true
	g.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-g.done:
	case <-time.After(3 * time.Second):
		g.cmd.Process.Kill()
		<-g.done
	}
}

func (g *gateway) stop(grace time.Duration) {
	if g.stopped {
		return
	}
	g.stopped = true
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(grace):
		g.quit()
		g.t.Errorf("mcplex did not exit within %v of SIGTERM at the end of the test (goroutine dump in its log below)", grace)
	}
}

// client is a go-sdk client session plus every progress notification it received.
type client struct {
	*mcp.ClientSession
	mu       sync.Mutex
	progress []progressEvent
}

type progressEvent struct {
	at     time.Time
	token  string
	params *mcp.ProgressNotificationParams
}

func (c *client) progressCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.progress)
}

func (c *client) progressFor(token string) []progressEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []progressEvent
	for _, e := range c.progress {
		if e.token == token {
			out = append(out, e)
		}
	}
	return out
}

// newClient returns a go-sdk client that records progress notifications into c.
func newClient() (*mcp.Client, *client) {
	c := &client{}
	cl := mcp.NewClient(&mcp.Implementation{Name: "mcplex-e2e-go", Version: "1.0.0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			c.mu.Lock()
			c.progress = append(c.progress, progressEvent{at: time.Now(), token: fmt.Sprint(req.Params.ProgressToken), params: req.Params})
			c.mu.Unlock()
		},
	})
	return cl, c
}

// connectHTTP opens a go-sdk Streamable HTTP session to url; version "" means the SDK's latest.
func connectHTTP(t *testing.T, url, version string) *client {
	t.Helper()
	return connectTransport(t, &mcp.StreamableClientTransport{Endpoint: url, MaxRetries: 2}, version)
}

// connectCommand runs cmd as a stdio MCP server (the gateway's stdio face, or a bridge).
func connectCommand(t *testing.T, cmd *exec.Cmd, version string) (*client, *logBuffer) {
	t.Helper()
	stderr := &logBuffer{}
	cmd.Stderr = stderr
	t.Cleanup(func() {
		checkRaces(t, strings.Join(cmd.Args, " "), stderr)
		if t.Failed() {
			t.Logf("%s stderr:\n%s", strings.Join(cmd.Args, " "), stderr.tail(8000))
		}
	})
	return connectTransport(t, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, version), stderr
}

func connectTransport(t *testing.T, tr mcp.Transport, version string) *client {
	t.Helper()
	cl, c := newClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var opts *mcp.ClientSessionOptions
	if version != "" {
		opts = &mcp.ClientSessionOptions{ProtocolVersion: version}
	}
	cs, err := cl.Connect(ctx, tr, opts)
	if err != nil {
		t.Fatalf("connect (protocol %q): %v", version, err)
	}
	c.ClientSession = cs
	t.Cleanup(func() { cs.Close() })
	return c
}

func textOf(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// call calls a tool and fails the test on a protocol error or an isError result.
func (c *client) call(t *testing.T, name string, args any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("tools/call %s: %v", name, err)
	}
	if res.IsError {
		t.Fatalf("tools/call %s: isError result: %s", name, textOf(res))
	}
	return textOf(res)
}

func (c *client) toolNames(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var names []string
	for tool, err := range c.Tools(ctx, nil) {
		if err != nil {
			t.Fatalf("tools/list: %v", err)
		}
		if tool.Description == "" {
			t.Errorf("tool %s has an empty description", tool.Name)
		}
		names = append(names, tool.Name)
	}
	return names
}

// waitTools polls tools/list until every name in want is exposed (upstreams may still be starting).
func (c *client) waitTools(t *testing.T, want ...string) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		names := c.toolNames(t)
		missing := slices.DeleteFunc(slices.Clone(want), func(w string) bool { return slices.Contains(names, w) })
		if len(missing) == 0 {
			return names
		}
		if time.Now().After(deadline) {
			t.Fatalf("tools %v not exposed after 30 s; tools/list: %v", missing, names)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tsStep is one line printed by client.mjs.
type tsStep map[string]any

// runTS runs the TypeScript SDK client (.ci/e2e/client.mjs) and returns its steps; it fails the test
// on a non-zero exit, printing what the client printed.
func runTS(t *testing.T, ne *nodeEnv, args ...string) []tsStep {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ne.node, append([]string{ne.client}, args...)...)
	cmd.Dir = ne.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if err != nil {
		t.Fatalf("client.mjs %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), tail(stderr.String(), 6000))
	}
	var steps []tsStep
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for sc.Scan() {
		var s tsStep
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("client.mjs printed a non-JSON line %q", sc.Text())
		}
		steps = append(steps, s)
	}
	if len(steps) == 0 || steps[len(steps)-1]["step"] != "done" {
		t.Fatalf("client.mjs did not finish: %s", stdout.String())
	}
	return steps
}

func (s tsStep) num(key string) float64 {
	f, _ := s[key].(float64)
	return f
}

func findStep(t *testing.T, steps []tsStep, name string) tsStep {
	t.Helper()
	for _, s := range steps {
		if s["step"] == name {
			return s
		}
	}
	t.Fatalf("client.mjs printed no step %q", name)
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// everythingStdio is server-everything as a stdio upstream, tagged with a marker argument.
func everythingStdio(ne *nodeEnv, name, marker string) upstream {
	return upstream{Name: name, Command: ne.node, Args: []string{ne.everything, "stdio", marker}}
}

// startEverythingHTTP runs server-everything's Streamable HTTP transport on a free port and returns
// its /mcp URL; it is stopped when the test ends.
func startEverythingHTTP(t *testing.T, ne *nodeEnv, marker string) string {
	t.Helper()
	port := freePort(t)
	out := &logBuffer{}
	cmd := exec.Command(ne.node, ne.everything, "streamableHttp", marker)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server-everything (HTTP) log:\n%s", out.tail(4000))
		}
	})
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second, done)
	return fmt.Sprintf("http://127.0.0.1:%d/mcp", port)
}
