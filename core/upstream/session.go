package upstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// runOnce connects, serves until the session ends, and returns why it ended.
// ctx is the lifetime of the upstream.
func (u *Upstream) runOnce(ctx context.Context) error {
	// initTimeout bounds the handshake and the first listing together: a
	// server that answers initialize but never tools/list must not stay
	// "starting" forever.
	ictx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()
	kick := make(chan struct{}, 1)
	sess, conn, proc, err := u.connect(ictx, ctx, kick)
	if err != nil {
		u.setState(StateFailed, u.explain(err, proc), nil)
		return err
	}
	u.mu.Lock()
	u.pid = proc.pid()
	u.mu.Unlock()
	cat, err := u.list(ictx, sess, true)
	if err == nil {
		u.restoreLogLevel(ictx, sess)
		err = ictx.Err()
	}
	cancel()
	if err != nil {
		u.closeSession(sess, conn, proc)
		u.setState(StateFailed, u.explain(err, proc), nil)
		return err
	}
	u.mu.Lock()
	u.cat = cat
	u.mu.Unlock()
	u.log.Info("upstream ready", "pid", proc.pid(), "tools", len(cat.Tools))
	u.transition(nil, StateReady, "", sess, conn)
	return u.serve(ctx, sess, conn, proc, kick)
}

// connect starts the transport and performs the handshake within ictx.
// Server->client requests are served within life.
func (u *Upstream) connect(ictx, life context.Context, kick chan<- struct{}) (*mcp.ClientSession, *tapConn, *process, error) {
	u.stderr.Reset()
	tr, proc, err := u.transport()
	if err != nil {
		return nil, nil, nil, err
	}
	tap := &tapTransport{inner: tr, tap: u.tap, life: life, lost: u.connLost, notes: u.notes}
	// Upstream sessions are shared by many downstream sessions, so they use
	// the last protocol version whose server->client requests (sampling,
	// elicitation, roots) may be sent while a call is in progress.
	sess, err := u.newClient(life, kick).Connect(ictx, tap, &mcp.ClientSessionOptions{ProtocolVersion: upstreamProtocolVersion})
	if err != nil {
		// The SDK closes the connection of a failed handshake, which stops
		// the child; this covers a failure before it had a session to close.
		if tap.conn != nil {
			_ = tap.conn.Close()
		}
		return nil, nil, proc, fmt.Errorf("handshake: %w", err)
	}
	return sess, tap.conn, proc, nil
}

// serve waits until the session ends, or until ctx ends and it has closed
// the session. It refreshes the catalog when the server says it changed.
func (u *Upstream) serve(ctx context.Context, sess *mcp.ClientSession, conn *tapConn, proc *process, kick <-chan struct{}) error {
	rctx, rcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { u.refreshOnNotice(rctx, sess, kick) })
	defer wg.Wait()
	defer rcancel()

	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	var werr error
	select {
	case werr = <-ended:
	case <-ctx.Done():
		u.closeSession(sess, conn, proc)
		return ctx.Err()
	}
	reason := proc.exitReason()
	switch {
	case reason != "":
	case werr != nil:
		reason = werr.Error()
	default:
		reason = "connection closed"
	}
	u.setState(StateRestarting, u.explain(errors.New("server exited: "+reason), proc), nil)
	return fmt.Errorf("session ended: %s", reason)
}

// closeSession closes sess within about 2*stopGrace + killGrace + 1s.
//
// The SDK's Close first waits for every call in flight, in both directions
// (see GoNavi#1171), and only then closes the connection. Calls in flight
// get stopGrace to finish; then the connection is closed under them, which
// stops the child (stdin EOF, SIGTERM, SIGKILL) and fails those calls with
// ErrUnavailable. Server->client handlers see their context end when the
// upstream stops; one that ignores it cannot hold up the gateway: after the
// bound the child is killed and the session abandoned.
func (u *Upstream) closeSession(sess *mcp.ClientSession, conn *tapConn, proc *process) {
	done := make(chan struct{})
	go func() {
		_ = sess.Close()
		close(done)
	}()
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-done:
			return true
		case <-t.C:
			return false
		}
	}
	if wait(stopGrace) {
		return
	}
	_ = conn.Close()
	if wait(2*killGrace + drainWait) {
		return
	}
	u.log.Error("upstream session did not close; killing the server and abandoning the session")
	if proc != nil {
		_ = proc.kill()
	}
}

// connLost is called by the connection of a session whose read side ended
// (the child exited, the stream broke). Marking the upstream restarting at
// once, before the SDK fails the calls in flight, makes calls that follow
// wait for the next session instead of finding the dead one.
func (u *Upstream) connLost(c *tapConn, err error) {
	u.transition(func() bool { return u.live == c && u.state == StateReady },
		StateRestarting, "connection lost: "+err.Error(), nil, nil)
}

// refreshOnNotice lists the catalog of sess again each time a list_changed
// notification kicks it, until ctx ends. Notifications that arrive during
// a listing coalesce into one more listing.
func (u *Upstream) refreshOnNotice(ctx context.Context, sess *mcp.ClientSession, kick <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		}
		lctx, cancel := context.WithTimeout(ctx, initTimeout)
		cat, err := u.list(lctx, sess, false)
		cancel()
		if err != nil {
			u.log.Warn("refreshing catalog after list_changed", "error", err)
			continue
		}
		u.mu.Lock()
		current := u.session == sess
		if current {
			u.cat = cat
		}
		u.mu.Unlock()
		if current {
			u.hooks.changed(u.cfg.Name)
		}
	}
}
