package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// MCP method names the bridge has to recognise.
const (
	methodInitialize        = "initialize"
	notificationInitialized = "notifications/initialized"
)

// bridge is the state of one Run.
type bridge struct {
	url          string
	opts         Options
	log          *slog.Logger
	client       *http.Client
	out          *outbox
	startupUntil time.Time // refused dials are retried until then, before the gateway was reached
	startupWait  time.Duration
	reached      atomic.Bool // the gateway has answered at least once
	inflight     sync.WaitGroup

	mu sync.Mutex
	// Guarded by mu:
	sess       session         // the gateway session requests go to
	initParams json.RawMessage // the client's initialize params, replayed after session loss
	clientName string          // clientInfo.name from the client's initialize
	told       listChanged     // list_changed support the client was told about
	recovering *recovery       // non-nil while a lost session is being re-initialized
	reinits    int             // number of re-initializations, for request ids
	listening  bool            // the GET stream loop has been started
	kick       context.CancelFunc
	token      string // API key sent as Bearer token
}

// Run pumps JSON-RPC messages between newline-delimited JSON on stdin and
// stdout and the MCP Streamable HTTP endpoint opts.URL, until stdin reaches
// EOF or ctx is cancelled.
//
// Each message from stdin is POSTed as soon as it is read, concurrently with
// the others. Every request gets exactly one response on stdout: the
// gateway's, or a JSON-RPC error with the same id explaining what failed.
// Only JSON-RPC messages are written to stdout, one per Write call.
//
// When Run returns, in-flight HTTP requests have been cancelled and the
// gateway session, if any, has been deleted on a best-effort basis (at most
// 2s). Run returns nil on stdin EOF or when ctx is cancelled; it returns an
// error if opts are invalid or stdin or stdout fail. The goroutine reading
// stdin may outlive Run until the next read from stdin returns, since a
// blocked read cannot be interrupted portably.
func Run(ctx context.Context, stdin io.Reader, stdout io.Writer, opts Options) error {
	b, err := newBridge(opts, stdout)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	err = b.pump(runCtx, stdin)
	cancel()
	b.inflight.Wait()
	b.endSession()
	return err
}

// newBridge validates opts and prepares a bridge writing to stdout.
func newBridge(opts Options, stdout io.Writer) (*bridge, error) {
	u, err := checkURL(opts.URL, opts.AllowRemote)
	if err != nil {
		return nil, err
	}
	b := &bridge{
		url:         u.String(),
		opts:        opts,
		log:         opts.logger(),
		client:      newHTTPClient(),
		out:         newOutbox(stdout, opts.logger()),
		startupWait: opts.startupWait(),
		token:       opts.APIKey,
	}
	b.startupUntil = time.Now().Add(b.startupWait)
	if b.token == "" && opts.TokenFile != "" {
		if b.token, err = readToken(opts.TokenFile); err != nil {
			b.log.Warn("token file not readable yet; sending requests without a key", "file", opts.TokenFile, "err", err)
		}
	}
	return b, nil
}

// pump reads stdin and dispatches each message until EOF, cancellation, or
// a failure of stdin or stdout.
func (b *bridge) pump(ctx context.Context, stdin io.Reader) error {
	lines := make(chan []byte)
	readErr := make(chan error, 1)
	go readLines(stdin, lines, readErr, ctx.Done())
	for {
		select {
		case line := <-lines:
			b.handleLine(ctx, line)
		case err := <-readErr:
			if errors.Is(err, io.EOF) {
				b.log.Debug("stdin closed; shutting down")
				return nil
			}
			return fmt.Errorf("bridge: reading stdin: %w", err)
		case err := <-b.out.failed:
			return err
		case <-ctx.Done():
			return nil
		}
	}
}

// dispatch forwards msg to the gateway in its own goroutine.
func (b *bridge) dispatch(ctx context.Context, msg jsonrpc.Message) {
	if req, ok := msg.(*jsonrpc.Request); ok && req.IsCall() && req.Method == methodInitialize {
		b.rememberInitialize(req)
	}
	b.inflight.Go(func() { b.forward(ctx, msg) })
}

// forward delivers one client message and answers a request whose delivery
// failed. Nothing is written once ctx is done: the client has gone away.
func (b *bridge) forward(ctx context.Context, msg jsonrpc.Message) {
	ex := b.clientExchange(msg)
	err := b.deliver(ctx, ex)
	if err == nil || ctx.Err() != nil {
		return
	}
	if ex.call != nil && !ex.answered {
		b.log.Warn("answering request with an error", "method", ex.call.Method, "err", err)
		b.out.send(errorResponse(ex.call.ID, err))
		return
	}
	b.log.Warn("could not deliver message to the gateway", "err", err)
}

// deliver sends ex to the gateway. If the gateway has lost the session, it
// re-initializes and retries once; the goroutine that led the
// re-initialization then tells the client that its lists may have changed.
func (b *bridge) deliver(ctx context.Context, ex *exchange) error {
	s, err := b.sessionFor(ctx, ex)
	if err != nil {
		return err
	}
	err = b.roundTrip(ctx, ex, s)
	if errors.Is(err, errSessionLost) {
		var leader bool
		if leader, err = b.renewSession(ctx, s.id); err != nil {
			return err
		}
		if s, err = b.sessionFor(ctx, ex); err != nil {
			return err
		}
		err = b.roundTrip(ctx, ex, s)
		if leader {
			b.announceListChanged()
		}
	}
	if isNotification(ex.msg, notificationInitialized) {
		b.startListening(ctx) // even after a failed POST: the stream finds its own way
	}
	return err
}

// clientExchange wraps a message from stdin. The gateway's response to a
// client request goes straight to stdout; the response to initialize also
// establishes the session.
func (b *bridge) clientExchange(msg jsonrpc.Message) *exchange {
	ex := &exchange{msg: msg}
	req, ok := msg.(*jsonrpc.Request)
	if !ok || !req.IsCall() {
		return ex
	}
	ex.call = req
	ex.reply = func(resp *jsonrpc.Response) {
		if req.Method == methodInitialize && resp.Error == nil {
			b.adoptInitialize(resp.Result, ex.sessionID, true)
		}
		b.out.send(resp)
	}
	return ex
}

// isNotification reports whether msg is a notification with the given method.
func isNotification(msg jsonrpc.Message, method string) bool {
	req, ok := msg.(*jsonrpc.Request)
	return ok && !req.IsCall() && req.Method == method
}
