package admin

// The event stream, both ends: the handler that serves Backend.Events as
// Server-Sent Events, and the Client's reader that follows it across
// reconnects.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// keepAliveInterval is how often an idle stream gets a comment line,
	// so that a dead connection is noticed and no proxy or OS times it out.
	keepAliveInterval = 15 * time.Second
	// streamIdle ends a stream that got nothing, not even a keep-alive,
	// for this long: the service went away without a goodbye.
	streamIdle = 3*keepAliveInterval + 5*time.Second
	minBackoff = 250 * time.Millisecond // the first reconnect waits this long
	maxBackoff = 5 * time.Second        // and the wait doubles up to this
)

// events streams b.Events as Server-Sent Events until the client goes or
// the backend ends the stream. Each event's id is "BOOT.SEQ": a client
// that reconnects sends it back as Last-Event-ID, and the replay of recent
// events then skips the ones it has already seen. BOOT names this handler,
// so after a service restart (a new handler, sequence numbers from 1 again)
// nothing is skipped.
func (a *api) events(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives any server write timeout; not every writer supports it
	ch := a.b.Events(ctx)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return nil
	}
	skip := a.seenUpTo(r.Header.Get("Last-Event-ID"))
	tick := time.NewTicker(a.keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return nil
			}
		case e, ok := <-ch:
			if !ok {
				return nil
			}
			if e.Seq != 0 && e.Seq <= skip {
				continue
			}
			skip = 0 // the replay is over once one new event shows up
			data, err := json.Marshal(e)
			if err != nil {
				continue // an event is informational; a bad field must not end the stream
			}
			if _, err := fmt.Fprintf(w, "id: %s.%d\ndata: %s\n\n", a.boot, e.Seq, data); err != nil || rc.Flush() != nil {
				return nil
			}
		}
	}
}

// seenUpTo returns the sequence number a Last-Event-ID from this handler
// names, or 0.
func (a *api) seenUpTo(lastID string) uint64 {
	boot, seq, ok := strings.Cut(lastID, ".")
	if !ok || boot != a.boot {
		return 0
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// randomID returns 8 random bytes in hex.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// Events streams the service's events until ctx ends or the client is
// closed. When the connection drops it reconnects with backoff, and the
// service replays only the events missed meanwhile (all of them after a
// service restart).
func (c *Client) Events(ctx context.Context) <-chan Event {
	out := make(chan Event, 64)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		close(out)
		return out
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(c.life, cancel)
	c.wg.Go(func() {
		defer close(out)
		defer cancel()
		defer stop()
		c.follow(ctx, out)
	})
	return out
}

// follow reads event streams into out, one after another, until ctx ends.
func (c *Client) follow(ctx context.Context, out chan<- Event) {
	lastID := ""
	backoff := minBackoff
	for {
		if c.stream(ctx, &lastID, out) {
			backoff = minBackoff
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// stream reads one event stream into out and reports whether it
// connected. It updates lastID as events arrive.
func (c *Client) stream(ctx context.Context, lastID *string, out chan<- Event) (connected bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := c.request(ctx, http.MethodGet, "events", nil)
	if err != nil {
		return false
	}
	req.Header.Set("Accept", "text/event-stream")
	if *lastID != "" {
		req.Header.Set("Last-Event-ID", *lastID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	idle := time.AfterFunc(streamIdle, cancel)
	defer idle.Stop()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), maxBodyBytes)
	var data []string
	id := "" // committed to lastID with its event, so an event cut off mid-way is asked for again
	for sc.Scan() {
		idle.Reset(streamIdle)
		line := sc.Text()
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "" && len(data) > 0:
			var e Event
			if json.Unmarshal([]byte(strings.Join(data, "\n")), &e) == nil {
				select {
				case out <- e:
				case <-ctx.Done():
					return true
				}
			}
			if id != "" {
				*lastID = id
			}
			data = data[:0]
		case field == "data":
			data = append(data, value)
		case field == "id":
			id = value
		}
	}
	return true
}
