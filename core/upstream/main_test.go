package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// badmcpPath is the fault-injection stdio server built from testdata/badmcp.
var badmcpPath string

// TestMain shortens the package tunables (every test sees the same values,
// set before any test runs, so parallel tests do not race on them) and builds
// the badmcp fixture once.
func TestMain(m *testing.M) {
	initTimeout = 2 * time.Second
	backoffMin = 50 * time.Millisecond
	backoffMax = 400 * time.Millisecond
	stableAfter = 5 * time.Second
	keepAlive = 2 * time.Second
	stopGrace = 300 * time.Millisecond
	killGrace = 300 * time.Millisecond
	maxMessage = 8 << 20

	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelperGateway())
	}

	dir, err := os.MkdirTemp("", "upstream-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	badmcpPath = filepath.Join(dir, "badmcp")
	build := exec.Command("go", "build", "-o", badmcpPath, ".")
	build.Dir = filepath.Join("testdata", "badmcp")
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building badmcp: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// stopBound is how long closing an upstream may take: the in-flight drain
// and stdin grace, the SIGTERM grace, plus 3 s of slack.
func stopBound() time.Duration { return 2*stopGrace + killGrace + 3*time.Second }

// helperEnv makes the test binary act as a minimal gateway (see
// TestNoOrphansAfterGatewayKilled): it runs one badmcp upstream, given as
// "PATH MODES", prints the child's PID, and waits to be killed.
const helperEnv = "UPSTREAM_TEST_HELPER_GATEWAY"

func runHelperGateway() int {
	path, modes, _ := strings.Cut(os.Getenv(helperEnv), " ")
	p := NewPool(context.Background(), Options{})
	p.Apply([]config.Server{{Name: "child", Command: path, Args: []string{"-mode", modes}}})
	u, _ := p.Get("child")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := u.Session(ctx); err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println(u.Status().PID)
	select {} // until killed
}

// markerSeq makes every badmcp process of a test run findable by a unique
// argument (its serverInfo name), so leak checks never see another test's
// children.
var markerSeq atomic.Int64

// bad returns a stdio server running badmcp with the given fault modes and
// a per-call timeout of 5 s.
func bad(name string, modes ...string) config.Server {
	marker := fmt.Sprintf("mk%d-%d-%s", os.Getpid(), markerSeq.Add(1), name)
	modes = append(modes, "name="+marker)
	return config.Server{
		Name:           name,
		Command:        badmcpPath,
		Args:           []string{"-mode", strings.Join(modes, ",")},
		TimeoutSeconds: 5,
	}
}

// markerOf returns the unique marker of a server made by bad.
func markerOf(s config.Server) string {
	_, m, _ := strings.Cut(s.Args[len(s.Args)-1], "name=")
	return m
}

// newTestPool returns a pool running servers, closed at the end of the test.
func newTestPool(t *testing.T, opts Options, servers ...config.Server) *Pool {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPool(ctx, opts)
	p.Apply(servers)
	t.Cleanup(func() {
		p.Close()
		cancel()
	})
	return p
}

func mustGet(t *testing.T, p *Pool, name string) *Upstream {
	t.Helper()
	u, ok := p.Get(name)
	if !ok {
		t.Fatalf("Get(%q): not found", name)
	}
	return u
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		<-tick.C
	}
}

// waitStatus waits until the status of u satisfies cond and returns it.
func waitStatus(t *testing.T, u *Upstream, d time.Duration, cond func(Status) bool) Status {
	t.Helper()
	var st Status
	waitFor(t, d, "status of "+u.Name(), func() bool {
		st = u.Status()
		return cond(st)
	})
	return st
}

// waitFailed waits until the first attempt to start u has failed. The
// failed state lasts only the backoff (50 ms at first), so it also accepts
// the retry that follows: Status.Error keeps the failure until then.
func waitFailed(t *testing.T, u *Upstream, d time.Duration) Status {
	t.Helper()
	return waitStatus(t, u, d, func(s Status) bool {
		return s.State == StateFailed || (s.Restarts > 0 && s.State == StateRestarting)
	})
}

func waitReady(t *testing.T, u *Upstream) Status {
	t.Helper()
	return waitStatus(t, u, 10*time.Second, func(s Status) bool { return s.State == StateReady })
}

// callText calls tool with args and returns the text of its first content.
func callText(ctx context.Context, u *Upstream, tool string, args map[string]any) (string, error) {
	res, err := u.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", err
	}
	if res.IsError {
		return "", fmt.Errorf("tool error: %v", res.Content)
	}
	if len(res.Content) == 0 {
		return "", errors.New("empty content")
	}
	tc, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		return "", fmt.Errorf("content is %T", res.Content[0])
	}
	return tc.Text, nil
}

// mustEcho checks that the session of u still answers.
func mustEcho(t *testing.T, u *Upstream) {
	t.Helper()
	got, err := callText(t.Context(), u, "echo", map[string]any{"text": "still here"})
	if err != nil || got != "still here" {
		t.Fatalf("echo after fault = %q, %v; want %q", got, err, "still here")
	}
}

// logBuf collects the pool's log output for assertions.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuf) Contains(s string) bool { return strings.Contains(b.String(), s) }

func newLog() (*slog.Logger, *logBuf) {
	b := &logBuf{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}
