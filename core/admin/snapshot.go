package admin

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/upstream"
)

// Snapshot returns the current state. It does no I/O beyond a stat of the
// config file at most once a second (and a parse when the file changed),
// so the shell may poll it.
func (h *Host) Snapshot() Snapshot {
	h.mu.Lock()
	r, lastErr := h.run, h.lastErr
	if r != nil && r.stopping {
		// Shutting down (in-flight calls draining): no longer serving,
		// so the shell offers Start (which waits for the shutdown).
		r = nil
	}
	h.mu.Unlock()
	s := Snapshot{
		State: StateStopped, Error: lastErr, ConfigPath: h.path,
		Mode: h.opts.Mode, Version: h.opts.Version, Time: time.Now(),
	}
	disk, diskErr := h.disk.current()
	if diskErr != nil {
		s.ConfigErr = diskErr.Error()
	}
	if r == nil {
		s.Servers = servers(disk, nil, false)
		return s
	}
	st := r.gw.Stats()
	cfg := r.gw.Config()
	s.State = stateOf(st.Health.Status)
	s.Endpoint = endpoint(r.addr)
	if cfg.Gateway.Dashboard != "" {
		s.Dashboard = "http://" + reachable(cfg.Gateway.Dashboard) + "/"
	}
	s.Servers = servers(cfg, st.Health.Servers, true)
	s.ToolCount = st.Health.Tools
	s.Metrics = st.Metrics
	s.Tokens = st.Tokens
	if s.Tokens == nil {
		r.countTokens()
	}
	return s
}

// countTokens measures the token cost of the catalog in the background (it
// takes milliseconds on a large catalog); the gateway caches the result
// until the catalog changes, and later snapshots report it.
func (r *run) countTokens() {
	if !r.tokens.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer r.tokens.Store(false)
		r.gw.TokenStats(nil)
	}()
}

func stateOf(health string) State {
	switch health {
	case "starting":
		return StateStarting
	case "degraded":
		return StateDegraded
	default:
		return StateRunning
	}
}

// servers lists every server of cfg in config order with its live status,
// when live; otherwise as stopped. Disabled servers are "disabled".
func servers(cfg *config.Config, statuses []upstream.Status, live bool) []Server {
	out := []Server{}
	if cfg == nil {
		return out
	}
	byName := make(map[string]upstream.Status, len(statuses))
	for _, st := range statuses {
		byName[st.Name] = st
	}
	for _, c := range cfg.Servers {
		s := Server{Name: c.Name, Transport: "http", Enabled: c.IsEnabled(), State: string(upstream.StateStopped)}
		if c.IsStdio() {
			s.Transport = "stdio"
		}
		st, ok := byName[c.Name]
		switch {
		case !s.Enabled:
			s.State = "disabled"
		case !live:
		case !ok: // configured a moment ago, not applied yet
			s.State = string(upstream.StateStarting)
		default:
			s.State, s.Error, s.Since = string(st.State), st.Error, st.Since
			s.Tools, s.Prompts, s.Resources, s.Restarts = st.Tools, st.Prompts, st.Resources, st.Restarts
		}
		out = append(out, s)
	}
	return out
}

// loadConfig loads the file at path as `mcplex serve` does: a config whose
// roles or keys the policy engine refuses does not load either.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return nil, errors.New("no config file was given")
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if _, err := policy.New(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// diskConfig is what loading the config file gives, for Snapshot: the file
// is checked at most once a second and parsed again only when its size or
// modification time changed. Its config is only read (server list).
type diskConfig struct {
	path string

	mu      sync.Mutex // guards the fields below
	checked time.Time  // last stat; zero forces the next one
	stamp   fileStamp  // the file when it was last parsed
	cfg     *config.Config
	err     error
}

type fileStamp struct {
	mod  time.Time
	size int64
	ok   bool
}

// current returns the config the file last loaded to (nil if it never
// did), and why the file does not load now (nil if it does).
func (d *diskConfig) current() (*config.Config, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.checked.IsZero() && time.Since(d.checked) < time.Second {
		return d.cfg, d.err
	}
	d.checked = time.Now()
	stamp := fileStamp{}
	if fi, err := os.Stat(d.path); err == nil {
		stamp = fileStamp{mod: fi.ModTime(), size: fi.Size(), ok: true}
	}
	if stamp.ok && stamp == d.stamp {
		return d.cfg, d.err
	}
	d.stamp = stamp
	cfg, err := loadConfig(d.path)
	if err == nil {
		d.cfg = cfg
	}
	d.err = err
	return d.cfg, d.err
}

// invalidate makes the next current check the file at once.
func (d *diskConfig) invalidate() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checked = time.Time{}
	d.stamp = fileStamp{}
}
