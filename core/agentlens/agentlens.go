package agentlens

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/mcplex/mcplex/core/events"
)

// Options configure a Forwarder.
type Options struct {
	URL         string
	SessionName string
	QueueSize   int           // default 1024
	BatchSize   int           // default 64
	Timeout     time.Duration // per POST, default 2s
	Client      *http.Client
	Logger      *slog.Logger
}

// Forwarder posts events to AgentLens.
type Forwarder struct {
	opts    Options
	sent    atomic.Uint64
	dropped atomic.Uint64
	failed  atomic.Uint64
}

// Stats counts what the forwarder did.
type Stats struct {
	Sent, Dropped, Failed uint64
}

// Stats returns the counters.
func (f *Forwarder) Stats() Stats {
	return Stats{Sent: f.sent.Load(), Dropped: f.dropped.Load(), Failed: f.failed.Load()}
}

// Start subscribes to bus and forwards until ctx ends. It returns at once.
func Start(ctx context.Context, bus *events.Bus, opts Options) *Forwarder {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 64
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	f := &Forwarder{opts: opts}
	ch, cancel := bus.Subscribe(opts.QueueSize)
	go func() {
		defer cancel()
		f.loop(ctx, ch, bus)
	}()
	return f
}

func (f *Forwarder) loop(ctx context.Context, ch <-chan events.Event, bus *events.Bus) {
	base := bus.Dropped()
	for {
		var batch []events.Event
		select {
		case <-ctx.Done():
			return
		case e := <-ch:
			batch = append(batch, e)
		}
	fill:
		for len(batch) < f.opts.BatchSize {
			select {
			case e := <-ch:
				batch = append(batch, e)
			default:
				break fill
			}
		}
		if err := f.post(ctx, batch); err != nil {
			f.failed.Add(uint64(len(batch)))
			f.opts.Logger.Debug("agentlens: post failed; events dropped", "events", len(batch), "error", err)
		} else {
			f.sent.Add(uint64(len(batch)))
		}
		// The bus drops for every slow subscriber; attribute the growth to us
		// only approximately (it is a shared counter).
		if d := bus.Dropped(); d > base {
			f.dropped.Add(d - base)
			base = d
		}
	}
}

type payload struct {
	Source  string         `json:"source"`
	Session string         `json:"session_name"`
	Events  []events.Event `json:"events"`
}

func (f *Forwarder) post(ctx context.Context, batch []events.Event) error {
	body, err := json.Marshal(payload{Source: "mcplex", Session: f.opts.SessionName, Events: batch})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.opts.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.opts.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("agentlens answered %s", resp.Status)
	}
	return nil
}
