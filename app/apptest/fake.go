// Package apptest has a fake app.Controller for testing the desktop shell
// without a gateway: an in-memory config, a scripted snapshot and catalog,
// and a record of every call made to it.
package apptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/core/config"
)

// Fake is an app.Controller whose state the test sets. Its zero value is
// not usable: use New.
type Fake struct {
	mu       sync.Mutex
	snap     app.Snapshot
	cfg      *app.Config
	tools    []app.Tool
	events   []app.Event
	subs     []chan app.Event
	calls    []string // method names, in order
	writes   int
	startErr error
	testRes  map[string]app.TestResult // by server name
	callRes  map[string]app.CallResult // by tool name
	block    chan struct{}             // when set, TestServer and Call wait on it
}

var _ app.Controller = (*Fake)(nil)

// New returns a stopped fake with the default config and no tools.
func New() *Fake {
	cfg := config.Default()
	cfg.Path = "/home/user/.config/mcplex/mcplex.toml"
	f := &Fake{cfg: cfg, testRes: map[string]app.TestResult{}, callRes: map[string]app.CallResult{}}
	f.snap = app.Snapshot{State: app.StateStopped, Mode: "in-process", Version: "test", ConfigPath: cfg.Path}
	return f
}

// SetSnapshot replaces what Snapshot returns.
func (f *Fake) SetSnapshot(s app.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = s
}

// SetConfig replaces the "file on disk" (a hand edit, as the shell sees it).
func (f *Fake) SetConfig(c *app.Config) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = c
}

// SetTools replaces the catalog.
func (f *Fake) SetTools(t []app.Tool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tools = t
}

// SetStartError makes Start fail with err.
func (f *Fake) SetStartError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startErr = err
}

// SetTestResult scripts TestServer for the server called name.
func (f *Fake) SetTestResult(name string, r app.TestResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.testRes[name] = r
}

// SetCallResult scripts Call for the tool called name.
func (f *Fake) SetCallResult(name string, r app.CallResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.callRes[name] = r
}

// Block makes TestServer and Call wait until the returned func is called
// (or their context ends), to test progress and cancellation.
func (f *Fake) Block() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{})
	f.block = ch
	return sync.OnceFunc(func() { close(ch) })
}

// Emit publishes an event to every Events subscriber (and later ones).
func (f *Fake) Emit(e app.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e.Seq = uint64(len(f.events) + 1)
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	f.events = append(f.events, e)
	for _, ch := range f.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// Calls returns the controller methods called so far, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Writes counts successful UpdateConfig calls (config files written).
func (f *Fake) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

func (f *Fake) record(name string) {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.mu.Unlock()
}

// Start implements app.Controller.
func (f *Fake) Start(ctx context.Context) error {
	f.record("Start")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		f.snap.State, f.snap.Error = app.StateStopped, f.startErr.Error()
		return f.startErr
	}
	f.snap.State, f.snap.Error = app.StateRunning, ""
	f.snap.Endpoint = "http://" + f.cfg.Gateway.Listen + "/mcp"
	return nil
}

// Stop implements app.Controller.
func (f *Fake) Stop(ctx context.Context) error {
	f.record("Stop")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap.State, f.snap.Endpoint = app.StateStopped, ""
	return nil
}

// Snapshot implements app.Controller.
func (f *Fake) Snapshot() app.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.snap
	s.Servers = slices.Clone(s.Servers)
	return s
}

// Events implements app.Controller.
func (f *Fake) Events(ctx context.Context) <-chan app.Event {
	f.record("Events")
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan app.Event, 256)
	for _, e := range f.events {
		ch <- e
	}
	f.subs = append(f.subs, ch)
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.subs = slices.DeleteFunc(f.subs, func(c chan app.Event) bool { return c == ch })
	}()
	return ch
}

// Config implements app.Controller: a deep copy of the in-memory file.
func (f *Fake) Config(ctx context.Context) (*app.Config, error) {
	f.record("Config")
	f.mu.Lock()
	defer f.mu.Unlock()
	return clone(f.cfg)
}

// UpdateConfig implements app.Controller: edit a copy, validate it, keep it
// only if valid.
func (f *Fake) UpdateConfig(ctx context.Context, edit func(*app.Config) error) error {
	f.record("UpdateConfig")
	f.mu.Lock()
	cur := f.cfg
	f.mu.Unlock()
	c, err := clone(cur)
	if err != nil {
		return err
	}
	if err := edit(c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = c
	f.writes++
	return nil
}

func (f *Fake) wait(ctx context.Context) error {
	f.mu.Lock()
	b := f.block
	f.mu.Unlock()
	if b == nil {
		return nil
	}
	select {
	case <-b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestServer implements app.Controller with the scripted result.
func (f *Fake) TestServer(ctx context.Context, s app.ServerConfig) (app.TestResult, error) {
	f.record("TestServer")
	if err := f.wait(ctx); err != nil {
		return app.TestResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.testRes[s.Name]
	if !ok {
		return app.TestResult{Error: fmt.Sprintf("no scripted result for %q", s.Name)}, nil
	}
	return r, nil
}

// Tools implements app.Controller.
func (f *Fake) Tools(ctx context.Context) ([]app.Tool, error) {
	f.record("Tools")
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.tools), nil
}

// Find implements app.Controller: tools whose name or description contain
// a word of the query, scored by the share of words found.
func (f *Fake) Find(ctx context.Context, query, strategy string, topK int) ([]app.Match, error) {
	f.record("Find")
	f.mu.Lock()
	defer f.mu.Unlock()
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil, errors.New("empty query")
	}
	var out []app.Match
	for _, t := range f.tools {
		text := strings.ToLower(t.Name + " " + t.Description)
		n := 0
		for _, w := range words {
			if strings.Contains(text, w) {
				n++
			}
		}
		if n > 0 {
			out = append(out, app.Match{Tool: t, Score: float64(n) / float64(len(words))})
		}
	}
	slices.SortStableFunc(out, func(a, b app.Match) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	if topK <= 0 {
		topK = 5
	}
	if len(out) > topK {
		out = out[:topK]
	}
	return out, nil
}

// Call implements app.Controller with the scripted result (or an echo of
// the arguments).
func (f *Fake) Call(ctx context.Context, name string, args map[string]any) (app.CallResult, error) {
	f.record("Call " + name)
	if err := f.wait(ctx); err != nil {
		return app.CallResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.callRes[name]; ok {
		return r, nil
	}
	b, _ := json.Marshal(args)
	return app.CallResult{Text: string(b), Raw: string(b), Latency: 12 * time.Millisecond}, nil
}

// clone deep-copies a config through its TOML encoding, as a real
// controller reads the file back.
func clone(c *app.Config) (*app.Config, error) {
	b, err := config.Encode(c)
	if err != nil {
		return nil, err
	}
	out, err := config.Parse(b, c.Path)
	if err != nil {
		return nil, err
	}
	out.Path = c.Path
	return out, nil
}
