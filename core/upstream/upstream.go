package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os/exec"
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
	keepAlive      = 30 * time.Second // ping interval; a failed ping restarts
	defaultTimeout = 60 * time.Second
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

	mu       sync.Mutex
	state    State
	err      string
	session  *mcp.ClientSession
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
	return &Upstream{
		cfg:     cfg,
		hooks:   hooks,
		log:     log,
		stderr:  newStderrLog(log),
		tap:     newSchemaTap(),
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
	}()
}

// stop ends the session and the child, and waits for the loop to exit.
func (u *Upstream) stop() {
	if u.cancel != nil {
		u.cancel()
		<-u.done
	}
	u.setState(StateStopped, "", nil)
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
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff + jitter):
		}
		backoff = min(backoff*2, backoffMax)
		u.setState(StateRestarting, u.lastError(), nil)
	}
}

// runOnce connects, serves until the session ends, and returns why it ended.
func (u *Upstream) runOnce(ctx context.Context) error {
	sess, pid, err := u.connect(ctx)
	if err != nil {
		u.setState(StateFailed, u.explain(err), nil)
		return err
	}
	u.mu.Lock()
	u.pid = pid
	u.mu.Unlock()
	if err := u.refresh(ctx, sess, true); err != nil {
		sess.Close()
		killGroup(pid)
		u.setState(StateFailed, u.explain(err), nil)
		return err
	}
	u.restoreLogLevel(ctx, sess)
	u.log.Info("upstream ready", "pid", pid, "tools", len(u.catalog().Tools))
	u.setState(StateReady, "", sess)

	stopWatch := context.AfterFunc(ctx, func() { sess.Close() })
	werr := sess.Wait()
	stopWatch()
	killGroup(pid)
	reason := "connection closed"
	if werr != nil {
		reason = werr.Error()
	}
	if ctx.Err() == nil {
		u.setState(StateRestarting, u.explain(errors.New("server exited: "+reason)), nil)
	}
	return fmt.Errorf("session ended: %s", reason)
}

// connect starts the transport and performs the handshake.
func (u *Upstream) connect(ctx context.Context) (*mcp.ClientSession, int, error) {
	u.stderr.Reset()
	tr, cmd, err := u.transport()
	if err != nil {
		return nil, 0, err
	}
	client := u.newClient()
	cctx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()
	// Upstream sessions are shared by many downstream sessions, so they use
	// the last protocol version whose server->client requests (sampling,
	// elicitation, roots) may be sent while a call is in progress.
	sess, err := client.Connect(cctx, &tapTransport{inner: tr, tap: u.tap}, &mcp.ClientSessionOptions{ProtocolVersion: upstreamProtocolVersion})
	pid := 0
	if cmd != nil && cmd.Process != nil {
		pid = cmd.Process.Pid
	}
	if err != nil {
		killGroup(pid)
		return nil, 0, fmt.Errorf("handshake: %w", err)
	}
	return sess, pid, nil
}

// explain adds the child's last stderr lines to err, which is often where
// the real reason is ("npx: not found").
func (u *Upstream) explain(err error) string {
	msg := err.Error()
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
	u.mu.Lock()
	if u.state == StateStopped {
		u.mu.Unlock()
		return
	}
	prev := u.state
	u.state, u.err, u.session = s, errMsg, sess
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
	for {
		u.mu.Lock()
		state, sess, errMsg, changed := u.state, u.session, u.err, u.changed
		u.mu.Unlock()
		switch state {
		case StateReady:
			return sess, nil
		case StateFailed, StateStopped:
			if errMsg == "" {
				errMsg = string(state)
			}
			return nil, fmt.Errorf("%w: %q: %s", ErrUnavailable, u.cfg.Name, errMsg)
		}
		select {
		case <-ctx.Done():
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

func (u *Upstream) transport() (mcp.Transport, *exec.Cmd, error) {
	if u.dial != nil {
		tr, err := u.dial(&u.cfg)
		return tr, nil, err
	}
	return newTransport(&u.cfg, u.stderr)
}
