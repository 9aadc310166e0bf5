package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tunables. Variables so tests can shorten them.
var (
	initTimeout    = 30 * time.Second // handshake + first listing
	backoffMin     = 500 * time.Millisecond
	backoffMax     = 30 * time.Second
	stableAfter    = 60 * time.Second // a run this long resets the backoff
	keepAlive      = 30 * time.Second // ping interval, each ping waits keepAlive/2
	keepAliveFails = 2                // consecutive failed pings that restart
	defaultTimeout = 60 * time.Second
	stopGrace      = 2 * time.Second // in-flight drain, then stdin closed → SIGTERM
	killGrace      = 2 * time.Second // SIGTERM → SIGKILL
	maxMessage     = 16 << 20        // longest stdout line of a stdio server
)

// ErrUnavailable is returned (wrapped) for calls to an upstream that is down.
var ErrUnavailable = errors.New("upstream unavailable")

// upstreamProtocolVersion is the protocol version the gateway asks upstreams for.
const upstreamProtocolVersion = "2025-11-25"

// Upstream is one configured server and its live session. Its config is
// fixed: a changed server is a new Upstream.
type Upstream struct {
	cfg    config.Server
	dial   Dialer
	hooks  *Hooks
	log    *slog.Logger
	stderr *stderrLog
	tap    *schemaTap
	notes  *noteCounter
	slots  chan struct{} // one per call in flight, at most MaxInFlight
	httpc  *http.Client  // pooled connections of an HTTP server, kept across reconnections

	mu       sync.Mutex
	state    State
	err      string
	session  *mcp.ClientSession
	live     *tapConn // connection of session, while ready
	pid      int
	restarts int
	since    time.Time
	cat      *catalog.Server
	logLevel mcp.LoggingLevel // most verbose level any downstream asked for
	changed  chan struct{}    // closed and replaced on every state change

	cancel context.CancelFunc
	done   chan struct{}
}

func newUpstream(cfg config.Server, hooks *Hooks, log *slog.Logger) *Upstream {
	if cfg.TimeoutSeconds <= 0 {
		cfg.TimeoutSeconds = int(defaultTimeout / time.Second)
	}
	log = log.With("server", cfg.Name)
	var client *http.Client
	if !cfg.IsStdio() {
		client = newHTTPClient(&cfg)
	}
	return &Upstream{
		httpc:   client,
		cfg:     cfg,
		hooks:   hooks,
		log:     log,
		stderr:  newStderrLog(log),
		tap:     newSchemaTap(),
		notes:   &noteCounter{},
		slots:   make(chan struct{}, MaxInFlight),
		state:   StateStarting,
		since:   time.Now(),
		cat:     &catalog.Server{Name: cfg.Name, Description: cfg.Description},
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// Name returns the configured server name.
func (u *Upstream) Name() string { return u.cfg.Name }

// Config returns the server's configuration.
func (u *Upstream) Config() config.Server { return u.cfg }

// Timeout is the per-call timeout of this server.
func (u *Upstream) Timeout() time.Duration { return time.Duration(u.cfg.TimeoutSeconds) * time.Second }

// start launches the supervision loop. It returns at once.
func (u *Upstream) start(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	u.cancel = cancel
	go func() {
		defer close(u.done)
		u.loop(ctx)
		u.setState(StateStopped, "", nil)
	}()
}

// stop ends the session and the child, and waits for the loop to exit. It
// returns within about 2*stopGrace + killGrace + 1s (see closeSession).
func (u *Upstream) stop() {
	if u.cancel != nil {
		u.cancel()
		<-u.done
	}
	u.setState(StateStopped, "", nil)
	if u.httpc != nil {
		u.httpc.CloseIdleConnections()
	}
}

func (u *Upstream) loop(ctx context.Context) {
	backoff := backoffMin
	for {
		began := time.Now()
		err := u.runOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > stableAfter {
			backoff = backoffMin
		}
		u.mu.Lock()
		u.restarts++
		u.mu.Unlock()
		u.log.Warn("upstream down; restarting", "error", err, "backoff", backoff)
		jitter := time.Duration(rand.Int64N(int64(backoff) / 4))
		t := time.NewTimer(backoff + jitter)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, backoffMax)
		u.setState(StateRestarting, u.lastError(), nil)
	}
}

// explain adds how the child exited and its last stderr lines to err,
// which is often where the real reason is ("npx: not found").
func (u *Upstream) explain(err error, proc *process) string {
	msg := err.Error()
	if r := proc.exitReason(); r != "" && !strings.Contains(msg, r) {
		msg += "; " + r
	}
	if tail := u.stderr.Tail(); len(tail) > 0 {
		last := tail
		if len(last) > 3 {
			last = last[len(last)-3:]
		}
		msg += "; stderr: " + strings.Join(last, " | ")
	}
	return msg
}

func (u *Upstream) lastError() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

func (u *Upstream) setState(s State, errMsg string, sess *mcp.ClientSession) {
	u.transition(nil, s, errMsg, sess, nil)
}

// transition changes the state, unless the upstream is stopped or cond
// (called with u.mu held) says no. conn is the connection of a ready session.
func (u *Upstream) transition(cond func() bool, s State, errMsg string, sess *mcp.ClientSession, conn *tapConn) {
	u.mu.Lock()
	if u.state == StateStopped || (cond != nil && !cond()) {
		u.mu.Unlock()
		return
	}
	prev := u.state
	u.state, u.err, u.session, u.live = s, errMsg, sess, conn
	if s != StateReady {
		u.pid = 0
	}
	u.since = time.Now()
	close(u.changed)
	u.changed = make(chan struct{})
	u.mu.Unlock()
	if prev != s || errMsg != "" {
		u.hooks.changed(u.cfg.Name)
	}
}

// Status returns a snapshot of the upstream.
func (u *Upstream) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	tr := "http"
	if u.cfg.IsStdio() {
		tr = "stdio"
	}
	return Status{
		Name: u.cfg.Name, Transport: tr, State: u.state, Error: u.err, PID: u.pid,
		Tools: len(u.cat.Tools), Prompts: len(u.cat.Prompts), Resources: len(u.cat.Resources),
		Restarts: u.restarts, Since: u.since,
	}
}

// Session returns the live session, waiting while the upstream starts or
// restarts (bounded by ctx). A failed upstream returns ErrUnavailable at once.
func (u *Upstream) Session(ctx context.Context) (*mcp.ClientSession, error) {
	return u.nextSession(ctx, nil)
}

// nextSession is Session, but it also waits while the ready session is
// stale (one a call found closed).
func (u *Upstream) nextSession(ctx context.Context, stale *mcp.ClientSession) (*mcp.ClientSession, error) {
	for {
		u.mu.Lock()
		state, sess, errMsg, changed := u.state, u.session, u.err, u.changed
		u.mu.Unlock()
		switch state {
		case StateReady:
			if sess != stale {
				return sess, nil
			}
		case StateFailed, StateStopped:
			if errMsg == "" {
				errMsg = string(state)
			}
			return nil, fmt.Errorf("%w: %q: %s", ErrUnavailable, u.cfg.Name, errMsg)
		}
		select {
		case <-ctx.Done():
			if state == StateReady { // ready, but with the stale session
				state = StateRestarting
			}
			return nil, fmt.Errorf("%w: %q is still %s", ErrUnavailable, u.cfg.Name, state)
		case <-changed:
		}
	}
}

// catalog returns the last listed catalog of this server.
func (u *Upstream) catalog() *catalog.Server {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.cat
}

// transport returns the transport of a new connection, and for stdio
// servers the child process it will start.
func (u *Upstream) transport() (mcp.Transport, *process, error) {
	if u.dial != nil {
		tr, err := u.dial(&u.cfg)
		return tr, nil, err
	}
	return newTransport(&u.cfg, u.stderr, u.log, u.httpc)
}
