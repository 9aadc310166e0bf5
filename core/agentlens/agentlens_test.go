package agentlens

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/events"
)

func TestForwardsEvents(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p payload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Session != "test" {
			t.Errorf("bad payload: %v %+v", err, p)
		}
		got.Add(int64(len(p.Events)))
	}))
	defer srv.Close()
	bus := events.New(16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := Start(ctx, bus, Options{URL: srv.URL, SessionName: "test"})
	for i := 0; i < 10; i++ {
		bus.Publish(events.Event{Kind: events.ToolCall})
	}
	deadline := time.Now().Add(5 * time.Second)
	// The receiver counts before the forwarder records the post as sent.
	for (got.Load() < 10 || f.Stats().Sent < 10) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got.Load() != 10 || f.Stats().Sent != 10 {
		t.Fatalf("received %d, stats %+v", got.Load(), f.Stats())
	}
}

// A receiver that never answers must not slow publishing: Publish returns
// at once and the overflow is dropped and counted.
func TestDeadReceiverNeverBlocksPublish(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	bus := events.New(16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := Start(ctx, bus, Options{URL: srv.URL, QueueSize: 8, Timeout: 50 * time.Millisecond})
	for i := 0; i < 10000; i++ { // would deadlock here if Publish blocked
		bus.Publish(events.Event{Kind: events.ToolCall})
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.Stats().Failed == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if bus.Dropped() == 0 || f.Stats().Failed == 0 {
		t.Fatalf("no drops or failures counted: bus %d, %+v", bus.Dropped(), f.Stats())
	}
}
