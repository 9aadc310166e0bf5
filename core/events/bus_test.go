package events

import (
	"testing"
)

func TestPublishDeliversAndRemembers(t *testing.T) {
	b := New(3)
	ch, cancel := b.Subscribe(10)
	defer cancel()
	for i := 0; i < 5; i++ {
		b.Publish(Event{Kind: ToolCall, Tool: "s/t"})
	}
	for i := uint64(1); i <= 5; i++ {
		e := <-ch
		if e.Seq != i || e.Time.IsZero() {
			t.Fatalf("event %d: got seq %d time %v", i, e.Seq, e.Time)
		}
	}
	recent := b.Recent()
	if len(recent) != 3 || recent[0].Seq != 3 || recent[2].Seq != 5 {
		t.Fatalf("ring: got %+v", recent)
	}
}

func TestSlowSubscriberDropsWithoutBlocking(t *testing.T) {
	b := New(8)
	_, cancel := b.Subscribe(1) // never read
	defer cancel()
	for i := 0; i < 100; i++ {
		b.Publish(Event{Kind: ToolCall})
	}
	if got := b.Dropped(); got != 99 {
		t.Fatalf("dropped = %d, want 99", got)
	}
}

func TestCancelClosesChannel(t *testing.T) {
	b := New(2)
	ch, cancel := b.Subscribe(1)
	cancel()
	cancel() // idempotent
	if _, ok := <-ch; ok {
		t.Fatal("channel still open after cancel")
	}
	b.Publish(Event{Kind: ServerState}) // must not panic on a closed subscriber
}

// BenchmarkPublishStuckSubscriber measures Publish with a subscriber that
// never reads, next to BenchmarkPublishNoSubscriber: the ratio shows a stuck
// subscriber does not slow the publisher (the request path).
func BenchmarkPublishStuckSubscriber(b *testing.B) {
	bus := New(256)
	_, cancel := bus.Subscribe(1)
	defer cancel()
	for b.Loop() {
		bus.Publish(Event{Kind: ToolCall, Tool: "s/t"})
	}
}

func BenchmarkPublishNoSubscriber(b *testing.B) {
	bus := New(256)
	for b.Loop() {
		bus.Publish(Event{Kind: ToolCall, Tool: "s/t"})
	}
}
