// Tests of calls to a running stdio upstream (security.md B1, B2): faults
// mid-call, malformed output, timeouts, cancellation, server->client traffic.

package upstream

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// B1.4: when the child dies with calls in flight, every caller gets
// ErrUnavailable at once, and the upstream comes back. A grandchild that
// holds the child's stdout open must not delay this.
func TestCrashMidRequest(t *testing.T) {
	t.Parallel()
	grandchild := fmt.Sprintf("mkG%d-%d", os.Getpid(), markerSeq.Add(1))
	tests := []struct {
		name       string
		server     config.Server
		grandchild string
	}{
		{"child", bad("crashy"), ""},
		{"child with grandchild", config.Server{
			Name: "crashy", Command: "/bin/sh", TimeoutSeconds: 5,
			Args: []string{"-c", `"$0" -mode ignore-term,name=` + grandchild + ` & exec "$0"`, badmcpPath},
		}, grandchild},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testCrash(t, tt.server, tt.grandchild)
		})
	}
}

func testCrash(t *testing.T, s config.Server, grandchild string) {
	var (
		mu     sync.Mutex
		tokens = map[any]bool{}
	)
	hooks := &Hooks{Progress: func(_ string, p *mcp.ProgressNotificationParams) {
		mu.Lock()
		tokens[p.ProgressToken] = true
		mu.Unlock()
	}}
	p := newTestPool(t, Options{Hooks: hooks}, s)
	u := mustGet(t, p, "crashy")
	old := waitReady(t, u)
	var gpids []int // the first child's grandchild (each restart makes another)
	if grandchild != "" {
		waitFor(t, 2*time.Second, "the grandchild", func() bool {
			gpids = markerPIDs(t, grandchild)
			return len(gpids) == 1
		})
	}

	type result struct {
		err   error
		at    time.Time
		state State // of the upstream when the call returned
	}
	results := make(chan result, 6)
	for i := range 5 {
		go func() {
			params := &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 3000}}
			params.SetProgressToken(fmt.Sprintf("slow-%d", i))
			_, err := u.CallTool(t.Context(), params)
			results <- result{err, time.Now(), u.Status().State}
		}()
	}
	waitFor(t, 3*time.Second, "5 calls in flight", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(tokens) == 5
	})
	crashAt := time.Now()
	go func() {
		_, err := callText(t.Context(), u, "crash", map[string]any{"code": 9})
		results <- result{err, time.Now(), u.Status().State}
	}()
	for range 6 {
		r := <-results
		if !errors.Is(r.err, ErrUnavailable) {
			t.Errorf("in-flight call: err = %v, want ErrUnavailable", r.err)
		}
		if d := r.at.Sub(crashAt); d > time.Second {
			t.Errorf("in-flight call failed %s after the crash, want < 1s", d)
		}
		// The upstream is marked down before its callers learn of the crash,
		// so that the calls they make next wait for the new child.
		if r.state == StateReady {
			t.Errorf("a failed call found the upstream still ready")
		}
	}

	mustEcho(t, u) // waits for the restart
	st := u.Status()
	if st.Restarts < 1 || st.PID == old.PID {
		t.Errorf("after crash: restarts %d, PID %d (old %d); want a new child", st.Restarts, st.PID, old.PID)
	}
	waitGone(t, 2*time.Second, "", append(gpids, old.PID)...) // reaped, not a zombie; group killed
}

// B2.1: a call that the server never answers fails at the per-server
// timeout with an error naming the server; the session survives.
func TestHangTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tool string
		args map[string]any
	}{
		{"hang", nil},
		// slow stops when cancelled and says so on stderr: the timeout
		// reached the server as notifications/cancelled.
		{"slow", map[string]any{"ms": 10000}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			t.Parallel()
			s := bad("stuck")
			s.TimeoutSeconds = 1
			p := newTestPool(t, Options{}, s)
			u := mustGet(t, p, "stuck")
			waitReady(t, u)

			start := time.Now()
			_, err := callText(t.Context(), u, tt.tool, tt.args)
			d := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), `"stuck"`) || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: err = %v, want a deadline error naming \"stuck\"", tt.tool, err)
			}
			if d < 900*time.Millisecond || d > 2500*time.Millisecond {
				t.Errorf("%s returned after %s, want about 1s", tt.tool, d)
			}
			if tt.tool == "slow" {
				waitFor(t, 2*time.Second, "badmcp to log the cancellation", func() bool {
					return slices.ContainsFunc(u.stderr.Tail(), func(l string) bool { return strings.Contains(l, "cancelled") })
				})
			}
			mustEcho(t, u)
			if r := u.Status().Restarts; r != 0 {
				t.Errorf("Restarts = %d after a timeout, want 0", r)
			}
		})
	}
}

// B1.10–B1.12: non-JSON lines on stdout are dropped; the session continues.
func TestMalformedOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		modes []string
		tool  string
		want  string
	}{
		{"banner", []string{"banner"}, "echo", ""},
		{"garbage", nil, "garbage", "after garbage"},
		{"badjson", nil, "badjson", "after badjson"},
		{"crlf", []string{"crlf"}, "echo", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, logs := newLog()
			s := bad(tt.name, tt.modes...)
			p := newTestPool(t, Options{Logger: log}, s)
			u := mustGet(t, p, tt.name)
			st := waitReady(t, u)

			got, err := callText(t.Context(), u, tt.tool, nil)
			if err != nil || got != tt.want {
				t.Fatalf("%s = %q, %v; want %q", tt.tool, got, err, tt.want)
			}
			mustEcho(t, u)
			if now := u.Status(); now.Restarts != 0 || now.PID != st.PID {
				t.Errorf("session was restarted (restarts %d, PID %d→%d)", now.Restarts, st.PID, now.PID)
			}
			if tt.name != "crlf" && !logs.Contains("dropping") {
				t.Errorf("the dropped line was not logged; log:\n%s", logs)
			}
		})
	}
}

// B1.13, B1.9: a 5 MB result arrives intact; 5 MB of stderr does not block
// the child.
func TestLargePayloads(t *testing.T) {
	t.Parallel()
	const size = 5 << 20
	s := bad("large")
	p := newTestPool(t, Options{}, s)
	u := mustGet(t, p, "large")
	waitReady(t, u)

	t.Run("big result", func(t *testing.T) {
		got, err := callText(t.Context(), u, "big", map[string]any{"bytes": size})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != size || strings.Trim(got, "x") != "" {
			t.Errorf("big: got %d bytes (all x: %v), want %d", len(got), strings.Trim(got, "x") == "", size)
		}
	})
	t.Run("over the limit", func(t *testing.T) {
		// maxMessage is 8 MiB in tests: the line is skipped, not buffered,
		// and its caller fails at once instead of at the timeout.
		start := time.Now()
		_, err := callText(t.Context(), u, "big", map[string]any{"bytes": maxMessage + 1<<20})
		if err == nil || !strings.Contains(err.Error(), "too large") {
			t.Errorf("big over the limit: err = %v, want a too-large error", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("big over the limit failed after %s", d)
		}
	})
	t.Run("stderr flood", func(t *testing.T) {
		got, err := callText(t.Context(), u, "stderr", map[string]any{"bytes": size})
		if err != nil || got != "stderr flooded" {
			t.Fatalf("stderr = %q, %v", got, err)
		}
		for _, l := range u.stderr.Tail() {
			if len(l) > maxLineLen+len("…") {
				t.Errorf("stderr tail keeps a %d-byte line", len(l))
			}
		}
	})
	mustEcho(t, u)
	if r := u.Status().Restarts; r != 0 {
		t.Errorf("Restarts = %d, want 0", r)
	}
}

// B1.14, B1.15: responses to unknown ids and duplicate responses are
// dropped without a panic; the session continues.
func TestUnmatchedResponses(t *testing.T) {
	t.Parallel()
	s := bad("odd")
	s.TimeoutSeconds = 1
	p := newTestPool(t, Options{}, s)
	u := mustGet(t, p, "odd")
	waitReady(t, u)

	t.Run("dup", func(t *testing.T) {
		got, err := callText(t.Context(), u, "dup", nil)
		if err != nil || got != "first" {
			t.Errorf("dup = %q, %v; want \"first\"", got, err)
		}
	})
	t.Run("wrongid", func(t *testing.T) {
		_, err := callText(t.Context(), u, "wrongid", nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("wrongid: err = %v, want a timeout", err)
		}
	})
	t.Run("invalid-utf8", func(t *testing.T) {
		// badmcp writes `\xff` inside a Go raw string: the line has an
		// invalid JSON escape, not invalid UTF-8 (TestDecodeLine covers
		// that). The line is dropped; its caller times out.
		_, err := callText(t.Context(), u, "invalid-utf8", nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("invalid-utf8: err = %v, want a timeout", err)
		}
	})
	mustEcho(t, u)
	if r := u.Status().Restarts; r != 0 {
		t.Errorf("Restarts = %d, want 0", r)
	}
}

// B2.2: cancelling the caller's context sends notifications/cancelled to
// the child, which stops the work.
func TestCancelReachesUpstream(t *testing.T) {
	t.Parallel()
	log, logs := newLog()
	progressed := make(chan struct{}, 16)
	hooks := &Hooks{Progress: func(string, *mcp.ProgressNotificationParams) {
		select {
		case progressed <- struct{}{}:
		default:
		}
	}}
	s := bad("cancel")
	p := newTestPool(t, Options{Hooks: hooks, Logger: log}, s)
	u := mustGet(t, p, "cancel")
	waitReady(t, u)

	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		params := &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 5000}}
		params.SetProgressToken("c-1")
		_, err := u.CallTool(ctx, params)
		errc <- err
	}()
	<-progressed // the call is running upstream
	start := time.Now()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("cancelled call returned after %s", d)
	}
	waitFor(t, 3*time.Second, "badmcp to log the cancellation", func() bool {
		for _, l := range u.stderr.Tail() {
			if strings.Contains(l, "cancelled") {
				return true
			}
		}
		return false
	})
	if !logs.Contains("cancelled") {
		t.Errorf("stderr line not logged; log:\n%s", logs)
	}
	mustEcho(t, u)
}

// Server->client sampling goes through Hooks.CreateMessage.
func TestSampling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		hook  func(ctx context.Context, server string, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error)
		want  string
		leave bool // the hook blocks until its context ends
	}{
		{"answered", func(_ context.Context, server string, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error) {
			if server != "sampler" || len(p.Messages) != 1 {
				return nil, fmt.Errorf("hook got server %q, %d messages", server, len(p.Messages))
			}
			return &mcp.CreateMessageResult{Model: "m-1", Role: "assistant", Content: &mcp.TextContent{Text: "pong-5150"}}, nil
		}, "pong-5150", false},
		{"no hook", nil, errNoDownstream.Error(), false},
		{"hook error", func(context.Context, string, *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error) {
			return nil, errors.New("downstream refused 5150")
		}, "downstream refused 5150", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := bad("sampler")
			p := newTestPool(t, Options{Hooks: &Hooks{CreateMessage: tt.hook}}, s)
			u := mustGet(t, p, "sampler")
			waitReady(t, u)
			got, err := callText(t.Context(), u, "sample", nil)
			if err != nil || !strings.Contains(got, tt.want) {
				t.Errorf("sample = %q, %v; want it to contain %q", got, err, tt.want)
			}
		})
	}
}

// Progress notifications reach Hooks.Progress during the call.
func TestProgress(t *testing.T) {
	t.Parallel()
	var (
		mu  sync.Mutex
		got []float64
	)
	hooks := &Hooks{Progress: func(server string, p *mcp.ProgressNotificationParams) {
		if server != "prog" || p.ProgressToken != "tok-77" {
			t.Errorf("progress from %q with token %v", server, p.ProgressToken)
		}
		mu.Lock()
		got = append(got, p.Progress)
		mu.Unlock()
	}}
	s := bad("prog")
	p := newTestPool(t, Options{Hooks: hooks}, s)
	u := mustGet(t, p, "prog")
	waitReady(t, u)

	params := &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 500}}
	params.SetProgressToken("tok-77")
	if _, err := u.CallTool(t.Context(), params); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	during := len(got)
	mu.Unlock()
	if during == 0 {
		t.Errorf("no progress notification before the result")
	}
	waitFor(t, time.Second, "10 progress notifications", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 10
	})
}

// A tools/list_changed notification refreshes the catalog and reports it.
func TestListChanged(t *testing.T) {
	t.Parallel()
	changed := make(chan string, 16)
	hooks := &Hooks{Changed: func(name string) {
		select {
		case changed <- name:
		default:
		}
	}}
	s := bad("rug", "rugpull")
	p := newTestPool(t, Options{Hooks: hooks}, s)
	u := mustGet(t, p, "rug")
	waitReady(t, u)
	for len(changed) > 0 { // the start-up changes
		<-changed
	}
	waitFor(t, 3*time.Second, "the catalog to change", func() bool {
		for _, tl := range u.catalog().Tools {
			if tl.Name == "echo" {
				return strings.Contains(tl.Description, "IMPORTANT")
			}
		}
		return false
	})
	select {
	case name := <-changed:
		if name != "rug" {
			t.Errorf("Changed(%q), want rug", name)
		}
	case <-time.After(2 * time.Second):
		t.Errorf("Hooks.Changed was not called after the catalog changed")
	}
	if st := u.Status(); st.State != StateReady || st.Restarts != 0 {
		t.Errorf("status after list_changed: %+v", st)
	}
}

func TestOverloadFailsFast(t *testing.T) {
	old := MaxInFlight
	MaxInFlight = 2
	defer func() { MaxInFlight = old }()
	u := &Upstream{cfg: config.Server{Name: "busy", TimeoutSeconds: 1}, slots: make(chan struct{}, MaxInFlight)}
	u.slots <- struct{}{}
	u.slots <- struct{}{}
	_, err := call(context.Background(), u, func(context.Context, *mcp.ClientSession) (int, error) { return 1, nil })
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "overloaded") {
		t.Fatalf("got %v, want an overload error", err)
	}
}
