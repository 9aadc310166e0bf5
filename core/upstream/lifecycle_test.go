// Tests of the life of stdio children (security.md B1): start, failure,
// backoff, stop, orphans. They run badmcp as a real upstream.

package upstream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// B1.1: a child that dies before the handshake is reported as failed, with
// the reason the child gave; calls fail fast; it is retried with growing
// backoff; its neighbours are unaffected.
func TestStartupFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		server config.Server
		want   []string // substrings of Status.Error
	}{
		{"exit-before-init", bad("crashy", "exit-before-init"), []string{"exit status 3"}},
		{"stderr-then-exit", config.Server{
			Name: "shfail", Command: "/bin/sh", TimeoutSeconds: 5,
			Args: []string{"-c", "echo 'fatal: boom-7431' >&2; exit 5"},
		}, []string{"boom-7431", "exit status 5"}},
		{"missing-command", config.Server{Name: "nocmd", Command: "/nonexistent/mcp-server-7431"}, []string{"mcp-server-7431"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			good := bad("good")
			p := newTestPool(t, Options{}, tt.server, good)
			u := mustGet(t, p, tt.server.Name)

			st := waitFailed(t, u, 3*time.Second)
			for _, w := range tt.want {
				if !strings.Contains(st.Error, w) {
					t.Errorf("Status.Error = %q, want it to contain %q", st.Error, w)
				}
			}
			if st.PID != 0 {
				t.Errorf("failed upstream reports PID %d", st.PID)
			}

			// Calls fail fast with ErrUnavailable, naming the server.
			start := time.Now()
			_, err := callText(t.Context(), u, "echo", nil)
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.server.Name) {
				t.Errorf("call to failed upstream: err = %v, want ErrUnavailable naming %q", err, tt.server.Name)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("call to failed upstream took %s, want < 1s", d)
			}

			// The neighbour is unaffected.
			waitReady(t, mustGet(t, p, "good"))
			mustEcho(t, mustGet(t, p, "good"))

			// Retries happen, with growing gaps (no fork storm).
			checkBackoff(t, u)
		})
	}
}

// checkBackoff watches the restart counter of a crash-looping upstream and
// checks that retries happen with exponentially growing gaps.
func checkBackoff(t *testing.T, u *Upstream) {
	t.Helper()
	const n = 5
	var at []time.Time
	last := u.Status().Restarts
	waitFor(t, 10*time.Second, "5 restarts", func() bool {
		if r := u.Status().Restarts; r != last {
			last = r
			at = append(at, time.Now())
		}
		return len(at) >= n
	})
	// Backoffs between the 1st and 5th observed restart are at least
	// backoffMin*(2+4+8) capped at backoffMax each (jitter only adds).
	var minSpan time.Duration
	b := backoffMin
	for range n - 1 {
		b = min(b*2, backoffMax)
		minSpan += b
	}
	minSpan = minSpan / 2 // we may observe the first restart late
	if span := at[n-1].Sub(at[0]); span < minSpan {
		t.Errorf("%d restarts within %s, want at least %s between them (fork storm?)", n, span, minSpan)
	}
	if first, lastGap := at[1].Sub(at[0]), at[n-1].Sub(at[n-2]); lastGap <= first {
		t.Errorf("restart gaps do not grow: first %s, last %s", first, lastGap)
	}
}

// B1.2: a child that never answers initialize times out, is killed, and
// does not hold up the rest of the pool.
func TestNoInitResponse(t *testing.T) {
	t.Parallel()
	s := bad("mute", "no-init-response")
	good := bad("good")
	start := time.Now()
	p := newTestPool(t, Options{}, s, good)
	u := mustGet(t, p, "mute")

	var firstPID int
	waitFor(t, 5*time.Second, "the child to be spawned", func() bool {
		if pids := markerPIDs(t, markerOf(s)); len(pids) == 1 {
			firstPID = pids[0]
		}
		return firstPID != 0
	})

	// The other upstream is served while this one hangs.
	waitReady(t, mustGet(t, p, "good"))
	if u.Status().State != StateStarting {
		t.Fatalf("state = %s before the init timeout, want starting", u.Status().State)
	}
	cstart := time.Now()
	cats := p.Catalogs()
	if d := time.Since(cstart); d > 100*time.Millisecond {
		t.Errorf("Catalogs took %s while an upstream was starting", d)
	}
	if len(cats) != 2 || len(cats[1].Tools) == 0 || len(cats[0].Tools) != 0 {
		t.Errorf("Catalogs: want an empty catalog for mute and tools for good, got %d/%d tools", len(cats[0].Tools), len(cats[1].Tools))
	}

	// A call made while it starts waits, then fails at the init timeout.
	_, err := callText(t.Context(), u, "echo", nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("call while the handshake hangs: err = %v, want ErrUnavailable", err)
	}
	st := waitFailed(t, u, initTimeout+3*time.Second)
	if d := time.Since(start); d < initTimeout-100*time.Millisecond {
		t.Errorf("failed after %s, before the init timeout %s", d, initTimeout)
	}
	if !strings.Contains(st.Error, "handshake") {
		t.Errorf("Status.Error = %q, want a handshake error", st.Error)
	}
	waitGone(t, 3*time.Second, "", firstPID)
}

// B1.3: calls made while a slow child starts wait for it and are served by
// that one child.
func TestSlowStart(t *testing.T) {
	t.Parallel()
	s := bad("sloth", "slow-start=800")
	start := time.Now()
	p := newTestPool(t, Options{}, s)
	u := mustGet(t, p, "sloth")

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			var got string
			got, errs[i] = callText(t.Context(), u, "echo", map[string]any{"text": fmt.Sprint(i)})
			if errs[i] == nil && got != fmt.Sprint(i) {
				errs[i] = fmt.Errorf("got %q", got)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if d := time.Since(start); d < 700*time.Millisecond {
		t.Errorf("calls returned after %s, before the child could answer", d)
	}
	st := u.Status()
	if st.Restarts != 0 {
		t.Errorf("Restarts = %d, want 0", st.Restarts)
	}
	if pids := markerPIDs(t, markerOf(s)); len(pids) != 1 || pids[0] != st.PID {
		t.Errorf("children = %v, want exactly the one with PID %d", pids, st.PID)
	}
}

// A server->client request whose hook never returns must not hold up
// Pool.Close (GoNavi#1171: Close waits for running handlers).
func TestCloseWithBlockedHook(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	returned := make(chan time.Time, 1)
	hooks := &Hooks{CreateMessage: func(ctx context.Context, _ string, _ *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error) {
		close(entered)
		<-ctx.Done() // a well-behaved hook: it gives up when its context ends
		returned <- time.Now()
		return nil, ctx.Err()
	}}
	s := bad("sampler")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := NewPool(ctx, Options{Hooks: hooks})
	p.Apply([]config.Server{s})
	u := mustGet(t, p, "sampler")
	waitReady(t, u)
	pid := u.Status().PID
	go callText(context.Background(), u, "sample", nil) //nolint:errcheck // fails when the pool closes
	<-entered
	start := time.Now()
	p.Close()
	if d := time.Since(start); d > stopBound() {
		t.Errorf("Close took %s with a blocked hook, want < %s", d, stopBound())
	}
	// The hook's context ends as soon as the upstream stops, not only when
	// the connection is torn down after the drain grace.
	select {
	case at := <-returned:
		if d := at.Sub(start); d >= stopGrace {
			t.Errorf("the hook's context ended %s after Close began, want < stopGrace (%s)", d, stopGrace)
		}
	default:
		t.Errorf("the hook's context did not end when the upstream stopped")
	}
	waitGone(t, 2*time.Second, markerOf(s), pid)
}

// B1.6: a child ignoring stdin EOF and SIGTERM is SIGKILLed with its whole
// process group, and Close is bounded.
func TestCloseEscalatesToKill(t *testing.T) {
	t.Parallel()
	leader := fmt.Sprintf("mkL%d-%d", markerSeq.Add(1), time.Now().UnixNano())
	grandchild := fmt.Sprintf("mkG%d-%d", markerSeq.Add(1), time.Now().UnixNano())
	s := config.Server{
		Name: "stubborn", Command: "/bin/sh",
		Args: []string{"-c",
			`"$0" -mode ignore-term,name=` + grandchild + ` & exec "$0" -mode ignore-term,name=` + leader,
			badmcpPath},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := NewPool(ctx, Options{})
	p.Apply([]config.Server{s})
	u := mustGet(t, p, "stubborn")
	st := waitReady(t, u)
	waitFor(t, 2*time.Second, "the grandchild", func() bool { return len(markerPIDs(t, grandchild)) == 1 })

	start := time.Now()
	p.Close()
	if d := time.Since(start); d > stopBound() {
		t.Errorf("Close took %s, want < %s", d, stopBound())
	}
	waitGone(t, time.Second, leader, st.PID)
	waitGone(t, time.Second, grandchild)
	if got := u.Status().State; got != StateStopped {
		t.Errorf("state after Close = %s, want stopped", got)
	}
}

// B1.7, B1.8: after Close no child is left, whatever state it was in.
func TestNoOrphansAfterClose(t *testing.T) {
	t.Parallel()
	servers := []config.Server{
		bad("ready"),
		bad("starting", "slow-start=5000"),
		bad("mute", "no-init-response"),
		bad("looping", "exit-before-init"),
		bad("busy"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := NewPool(ctx, Options{})
	p.Apply(servers)
	waitReady(t, mustGet(t, p, "ready"))
	busy := mustGet(t, p, "busy")
	waitReady(t, busy)
	go callText(context.Background(), busy, "hang", nil) //nolint:errcheck // ends with the pool
	for _, s := range servers[1:3] {
		waitFor(t, 2*time.Second, s.Name+" spawned", func() bool { return len(markerPIDs(t, markerOf(s))) > 0 })
	}
	var pids []int
	for _, st := range p.Statuses() {
		pids = append(pids, st.PID)
	}

	start := time.Now()
	p.Close()
	if d := time.Since(start); d > stopBound() {
		t.Errorf("Close took %s, want < %s", d, stopBound())
	}
	for _, s := range servers {
		waitGone(t, time.Second, markerOf(s), pids...)
	}
	if st := p.Statuses(); len(st) != 0 {
		t.Errorf("Statuses after Close = %v", st)
	}
}

// B1.2, B1.6: a child that never answers initialize is stopped at the init
// timeout by the escalation stdin EOF → SIGTERM → SIGKILL, each step only
// when the previous one did not end it.
func TestStopSequence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		server config.Server
		want   string        // how the child ended, in Status.Error
		extra  time.Duration // stop time after the init timeout
	}{
		{"exits on stdin EOF", bad("eof", "no-init-response"), "exit status 0", 0},
		{"exits on SIGTERM", config.Server{Name: "term", Command: "/bin/sh", Args: []string{"-c", "exec sleep 30"}},
			"signal: terminated", stopGrace},
		{"ignores SIGTERM", config.Server{Name: "kill", Command: "/bin/sh", Args: []string{"-c", `trap "" TERM; exec sleep 30`}},
			"signal: killed", stopGrace + killGrace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			p := newTestPool(t, Options{}, tt.server)
			u := mustGet(t, p, tt.server.Name)
			st := waitFailed(t, u, initTimeout+stopBound())
			d := time.Since(start)
			if !strings.Contains(st.Error, tt.want) {
				t.Errorf("Status.Error = %q, want it to contain %q", st.Error, tt.want)
			}
			if min := initTimeout + tt.extra - 100*time.Millisecond; d < min {
				t.Errorf("failed after %s, want at least %s", d, min)
			}
		})
	}
}
