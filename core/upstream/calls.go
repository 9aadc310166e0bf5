package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// call runs fn against the live session with the server's call timeout, and
// turns transport failures into errors that name the server: ErrUnavailable
// when the connection was lost, context.DeadlineExceeded at the timeout.
// codeRejected is the go-sdk's own error for a message its transport could
// not deliver (an HTTP error status, a closed stream); it is not an answer
// from the server.
const codeRejected = -32005

// MaxInFlight bounds the calls in flight to one upstream; more fail at once
// instead of queueing without bound behind a slow server.
var MaxInFlight = 256

// noteWait bounds how long a result waits for notifications read before it.
const noteWait = 250 * time.Millisecond

func call[R any](ctx context.Context, u *Upstream, fn func(context.Context, *mcp.ClientSession) (R, error)) (R, error) {
	var zero R
	select {
	case u.slots <- struct{}{}:
		defer func() { <-u.slots }()
	default:
		return zero, fmt.Errorf("%w: %q is overloaded: %d calls already in flight", ErrUnavailable, u.cfg.Name, MaxInFlight)
	}
	ctx, cancel := context.WithTimeout(ctx, u.Timeout())
	defer cancel()
	var stale *mcp.ClientSession
	for {
		sess, err := u.nextSession(ctx, stale)
		if err != nil {
			return zero, err
		}
		res, err := fn(ctx, sess)
		if err == nil {
			u.notes.wait(noteWait) // relay what the server sent before its result first
			return res, nil
		}
		// ErrConnectionClosed means the session had ended before the request
		// was sent (the SDK refuses new calls on a closing connection), so
		// sending it once more, on the next session, cannot run it twice.
		if stale == nil && errors.Is(err, mcp.ErrConnectionClosed) && ctx.Err() == nil {
			stale = sess
			continue
		}
		return zero, u.callError(ctx, err)
	}
}

func (u *Upstream) callError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, mcp.ErrConnectionClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %q: connection lost (the server exited or was restarted)", ErrUnavailable, u.cfg.Name)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return fmt.Errorf("upstream %q did not answer within %s: %w", u.cfg.Name, u.Timeout(), context.DeadlineExceeded)
	}
	var wire *jsonrpc.Error
	switch {
	case errors.As(err, &wire) && wire.Code == codeRejected:
		return fmt.Errorf("%w: %q: the call did not go through (the server answered with an HTTP error or closed the stream)", ErrUnavailable, u.cfg.Name)
	case errors.As(err, &wire):
		return err // the server's own answer: passed on as it is
	}
	return fmt.Errorf("upstream %q: %w", u.cfg.Name, err)
}

// CallTool calls the tool named by the upstream's own name.
func (u *Upstream) CallTool(ctx context.Context, p *mcp.CallToolParams) (*mcp.CallToolResult, error) {
	return call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (*mcp.CallToolResult, error) {
		return s.CallTool(ctx, p)
	})
}

// GetPrompt gets a prompt by the upstream's own name.
func (u *Upstream) GetPrompt(ctx context.Context, p *mcp.GetPromptParams) (*mcp.GetPromptResult, error) {
	return call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (*mcp.GetPromptResult, error) {
		return s.GetPrompt(ctx, p)
	})
}

// ReadResource reads a resource.
func (u *Upstream) ReadResource(ctx context.Context, p *mcp.ReadResourceParams) (*mcp.ReadResourceResult, error) {
	return call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (*mcp.ReadResourceResult, error) {
		return s.ReadResource(ctx, p)
	})
}

// Complete asks for argument completions.
func (u *Upstream) Complete(ctx context.Context, p *mcp.CompleteParams) (*mcp.CompleteResult, error) {
	return call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (*mcp.CompleteResult, error) {
		return s.Complete(ctx, p)
	})
}

// Subscribe subscribes to updates of a resource.
func (u *Upstream) Subscribe(ctx context.Context, p *mcp.SubscribeParams) error {
	_, err := call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (struct{}, error) {
		return struct{}{}, s.Subscribe(ctx, p)
	})
	return err
}

// Unsubscribe cancels a subscription.
func (u *Upstream) Unsubscribe(ctx context.Context, p *mcp.UnsubscribeParams) error {
	_, err := call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (struct{}, error) {
		return struct{}{}, s.Unsubscribe(ctx, p)
	})
	return err
}

// levels orders logging levels from most to least verbose.
var levels = []mcp.LoggingLevel{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}

func levelRank(l mcp.LoggingLevel) int {
	for i, v := range levels {
		if v == l {
			return i
		}
	}
	return len(levels)
}

// LowerLogLevel makes the server send log messages at level or above. The
// session is shared, so the level only ever becomes more verbose; the
// gateway filters messages per downstream session.
func (u *Upstream) LowerLogLevel(ctx context.Context, level mcp.LoggingLevel) error {
	u.mu.Lock()
	if u.logLevel != "" && levelRank(u.logLevel) <= levelRank(level) {
		u.mu.Unlock()
		return nil
	}
	u.logLevel = level
	u.mu.Unlock()
	_, err := call(ctx, u, func(ctx context.Context, s *mcp.ClientSession) (struct{}, error) {
		return struct{}{}, setLevel(ctx, s, level)
	})
	return err
}

func (u *Upstream) restoreLogLevel(ctx context.Context, s *mcp.ClientSession) {
	u.mu.Lock()
	level := u.logLevel
	u.mu.Unlock()
	if level == "" {
		return
	}
	if err := setLevel(ctx, s, level); err != nil {
		u.log.Debug("restoring logging level", "error", err)
	}
}

func setLevel(ctx context.Context, s *mcp.ClientSession, level mcp.LoggingLevel) error {
	if caps := s.InitializeResult().Capabilities; caps == nil || caps.Logging == nil {
		return nil
	}
	return s.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: level})
}
