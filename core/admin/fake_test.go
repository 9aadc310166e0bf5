package admin

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
)

// fakeBackend is a Backend over an in-memory config "file" and a scripted
// catalog, recording what it was asked.
type fakeBackend struct {
	bus *events.Bus

	mu         sync.Mutex
	path       string
	disk       []byte // the config file's text
	snap       Snapshot
	snapCalls  int
	tools      []Tool
	matches    []Match
	testRes    TestResult
	callRes    CallResult
	gotServer  config.Server
	gotFind    findBody
	gotCall    callBody
	updates    int         // UpdateConfig calls
	beforeEdit func(n int) // runs at the start of the n-th UpdateConfig (1-based), outside mu
}

const fakeConfig = `
[router]
top_k = 5

[[servers]]
name = "alpha"
command = "alpha-server"
`

func newFakeBackend(t *testing.T) *fakeBackend {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mcplex.toml")
	return &fakeBackend{
		bus:  events.New(16),
		path: path,
		disk: []byte(fakeConfig),
		snap: Snapshot{State: StateStopped, ConfigPath: path, Mode: "service", Version: "test"},
	}
}

func (f *fakeBackend) Start(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap.State = StateRunning
	f.snap.Endpoint = "http://127.0.0.1:3100/mcp"
	return nil
}

func (f *fakeBackend) Stop(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap.State, f.snap.Endpoint = StateStopped, ""
	return nil
}

func (f *fakeBackend) Snapshot() Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snapCalls++
	return f.snap
}

func (f *fakeBackend) setSnapshot(s Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = s
}

func (f *fakeBackend) snapshotCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snapCalls
}

// Events replays the bus's memory, then follows it, as Host does.
func (f *fakeBackend) Events(ctx context.Context) <-chan Event {
	live, cancel := f.bus.Subscribe(64)
	recent := f.bus.Recent()
	out := make(chan Event)
	go func() {
		defer close(out)
		defer cancel()
		var last uint64
		send := func(e Event) bool {
			if e.Seq <= last {
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
			case e := <-live:
				if !send(e) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (f *fakeBackend) Config(ctx context.Context) (*config.Config, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return config.Parse(f.disk, f.path)
}

// setDisk replaces the file, as a hand edit would.
func (f *fakeBackend) setDisk(text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disk = []byte(text)
}

func (f *fakeBackend) diskText() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.disk)
}

// UpdateConfig follows the Controller contract: load, edit, validate,
// write only if valid.
func (f *fakeBackend) UpdateConfig(ctx context.Context, edit func(*config.Config) error) error {
	f.mu.Lock()
	f.updates++
	n, hook := f.updates, f.beforeEdit
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := config.Parse(f.disk, f.path)
	if err != nil {
		return err
	}
	if err := edit(c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	text, err := config.Encode(c)
	if err != nil {
		return err
	}
	f.disk = text
	return nil
}

func (f *fakeBackend) TestServer(ctx context.Context, s config.Server) (TestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gotServer = s
	if s.Name == "broken" {
		return TestResult{}, errors.New("server broken: cannot start")
	}
	return f.testRes, nil
}

func (f *fakeBackend) Tools(ctx context.Context) ([]Tool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tools, nil
}

func (f *fakeBackend) Find(ctx context.Context, query, strategy string, topK int) ([]Match, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gotFind = findBody{Query: query, Strategy: strategy, TopK: topK}
	return f.matches, nil
}

func (f *fakeBackend) Call(ctx context.Context, name string, args map[string]any) (CallResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gotCall = callBody{Name: name, Arguments: args}
	if name == "missing" {
		return CallResult{}, errors.New(`unknown tool "missing"`)
	}
	return f.callRes, nil
}
