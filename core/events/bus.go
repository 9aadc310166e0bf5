package events

import (
	"sync"
	"sync/atomic"
	"time"
)

// Kind names an event type.
type Kind string

// Event kinds.
const (
	ToolCall     Kind = "tool_call"
	ToolBlocked  Kind = "tool_blocked"
	ServerState  Kind = "server_state"
	ConfigReload Kind = "config_reloaded"
	RouteQuery   Kind = "route_query"
	CatalogSync  Kind = "catalog_changed"
	Warning      Kind = "warning"
)

// Event is one thing that happened in the gateway.
type Event struct {
	Seq        uint64         `json:"seq"`
	Time       time.Time      `json:"time"`
	Kind       Kind           `json:"kind"`
	Server     string         `json:"server,omitempty"`
	Tool       string         `json:"tool,omitempty"` // canonical server/tool
	Identity   string         `json:"identity,omitempty"`
	DurationMS float64        `json:"duration_ms,omitempty"`
	Outcome    string         `json:"outcome,omitempty"`
	Message    string         `json:"message,omitempty"`
	Fields     map[string]any `json:"fields,omitempty"`
}

// Bus fans events out to subscribers. The zero value is not usable; use New.
type Bus struct {
	dropped atomic.Uint64

	mu   sync.Mutex
	seq  uint64
	ring []Event
	next int
	full bool
	subs map[*sub]struct{}
}

type sub struct{ ch chan Event }

// New returns a bus that remembers the last ringSize events.
func New(ringSize int) *Bus {
	if ringSize < 1 {
		ringSize = 1
	}
	return &Bus{ring: make([]Event, ringSize), subs: map[*sub]struct{}{}}
}

// Publish stamps e with a sequence number and time and delivers it to every
// subscriber that has room. It never blocks.
func (b *Bus) Publish(e Event) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	e.Seq = b.seq
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	b.ring[b.next] = e
	b.next = (b.next + 1) % len(b.ring)
	if b.next == 0 {
		b.full = true
	}
	for s := range b.subs {
		select {
		case s.ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
}

// Subscribe returns a channel of future events with room for buf of them,
// and a cancel function that closes it.
func (b *Bus) Subscribe(buf int) (<-chan Event, func()) {
	s := &sub{ch: make(chan Event, buf)}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			close(s.ch)
		})
	}
}

// Recent returns the remembered events, oldest first.
func (b *Bus) Recent() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.full {
		return append([]Event(nil), b.ring[:b.next]...)
	}
	out := append([]Event(nil), b.ring[b.next:]...)
	return append(out, b.ring[:b.next]...)
}

// Dropped counts events not delivered to slow subscribers.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }
