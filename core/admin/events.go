package admin

import "context"

// eventBuffer is how many events a slow Events reader may fall behind
// before the bus drops events for it (the bus never waits for a reader).
const eventBuffer = 256

// Events streams the remembered events, oldest first, then live ones, from
// every gateway this host runs, until ctx ends; then the channel is closed.
func (h *Host) Events(ctx context.Context) <-chan Event {
	live, cancel := h.bus.Subscribe(eventBuffer)
	recent := h.bus.Recent() // after Subscribe, so nothing falls in between
	out := make(chan Event, eventBuffer)
	go func() {
		defer close(out)
		defer cancel()
		var last uint64
		send := func(e Event) bool {
			if e.Seq <= last { // in both Recent and the live channel
				return true
			}
			last = e.Seq
			select {
			case out <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, e := range recent {
			if !send(e) {
				return
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-live:
				if !ok || !send(e) {
					return
				}
			}
		}
	}()
	return out
}
