package bridge

import (
	"context"
	"net/http"
	"time"
)

// listenOutcome says what the GET stream loop does after one connection.
type listenOutcome int

const (
	listenRetry listenOutcome = iota // reconnect after a growing backoff
	listenAgain                      // reconnect promptly: the stream was healthy or was replaced
	listenLost                       // the gateway forgot the session: re-initialize
	listenStop                       // the gateway offers no GET stream (405)
)

// healthyStream is how long a GET stream must have lived to count as
// healthy, so a gateway that closes it at once is not hammered.
const healthyStream = time.Second

// startListening starts the GET stream loop, once per Run.
func (b *bridge) startListening(ctx context.Context) {
	b.mu.Lock()
	started := b.listening
	b.listening = true
	b.mu.Unlock()
	if !started {
		b.inflight.Go(func() { b.listen(ctx) })
	}
}

// listen keeps the standalone GET stream open for server-initiated messages
// (list_changed, logging, requests outside a call) until ctx is done,
// reconnecting with backoff and Last-Event-ID, and following the session
// when it is replaced.
func (b *bridge) listen(ctx context.Context) {
	var last, lastSession string
	delay := minBackoff
	for ctx.Err() == nil {
		s, err := b.sessionFor(ctx, nil)
		if err != nil {
			return
		}
		if s.id != lastSession {
			last, lastSession = "", s.id // event ids belong to a session
		}
		outcome, retry := b.listenOnce(ctx, s, &last)
		switch outcome {
		case listenStop:
			return
		case listenLost:
			if leader, err := b.renewSession(ctx, s.id); err == nil {
				if leader {
					b.announceListChanged()
				}
				continue
			}
		case listenAgain:
			delay = minBackoff
		}
		if err := sleep(ctx, max(delay, retry)); err != nil {
			return
		}
		if outcome != listenAgain {
			delay = min(2*delay, maxBackoff)
		}
	}
}

// listenOnce opens one GET stream in session s and relays it until it ends
// or the session is replaced. *last is the Last-Event-ID to resume after.
func (b *bridge) listenOnce(ctx context.Context, s session, last *string) (listenOutcome, time.Duration) {
	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.mu.Lock()
	b.kick = cancel
	b.mu.Unlock()

	resp, err := b.do(connCtx, func() (*http.Request, error) { return b.newGET(connCtx, s, *last) })
	if err != nil {
		if connCtx.Err() != nil {
			return listenAgain, 0
		}
		b.log.Debug("GET stream not available", "err", err)
		return listenRetry, 0
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusMethodNotAllowed:
		b.log.Info("gateway offers no GET stream; server-initiated messages arrive only during requests")
		return listenStop, 0
	case resp.StatusCode == http.StatusNotFound && s.id != "":
		return listenLost, 0
	case resp.StatusCode == http.StatusBadRequest && *last != "":
		*last = "" // resumption refused (no event store): start afresh
		return listenRetry, 0
	case resp.StatusCode == http.StatusBadRequest && s.id == "":
		return listenStop, 0 // a gateway without sessions has nothing to listen to
	case resp.StatusCode != http.StatusOK || mediaType(resp.Header.Get("Content-Type")) != "text/event-stream":
		b.log.Debug("GET stream refused", "status", resp.StatusCode)
		return listenRetry, 0
	}
	started := time.Now()
	var retry time.Duration
	*last, retry, err = b.readEvents(resp.Body, &exchange{}, *last)
	if connCtx.Err() == nil {
		b.log.Debug("GET stream ended", "err", err)
	}
	if connCtx.Err() != nil || time.Since(started) >= healthyStream {
		return listenAgain, retry
	}
	return listenRetry, retry
}

// kickListener ends the current GET connection so the loop reconnects in
// the current session.
func (b *bridge) kickListener() {
	b.mu.Lock()
	kick := b.kick
	b.mu.Unlock()
	if kick != nil {
		kick()
	}
}
