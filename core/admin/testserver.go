package admin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/upstream"
)

// defaultTestWait bounds TestServer for a server with no timeout_seconds.
const defaultTestWait = 30 * time.Second

// TestServer starts s on its own, not in the gateway, waits until it has
// listed its tools (or failed, or timeout_seconds passed, default 30s),
// and stops it. A server that fails is a TestResult whose Error says why
// (with the end of its stderr); the error return is for an invalid s or
// the end of ctx.
func (h *Host) TestServer(ctx context.Context, s config.Server) (TestResult, error) {
	s.Enabled = nil // tested even while disabled in the config
	if err := checkServer(s); err != nil && !strings.Contains(s.Command+s.URL, "${") {
		return TestResult{}, err
	}
	s, err := h.resolveServer(s)
	if err != nil {
		return TestResult{}, err
	}
	if err := checkServer(s); err != nil {
		return TestResult{}, err
	}
	wait := time.Duration(s.TimeoutSeconds) * time.Second
	if wait <= 0 {
		wait = defaultTestWait
	}
	began := time.Now()
	tools, err := h.probe(ctx, s, wait)
	res := TestResult{Tools: tools, Elapsed: time.Since(began)}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err != nil {
		res.Error = err.Error()
	}
	return res, nil
}

// resolveServer reads s as the gateway would from the config file: ${VAR}
// references expanded, a relative cwd resolved against the file's
// directory. It round-trips s through a one-server config.
func (h *Host) resolveServer(s config.Server) (config.Server, error) {
	s.AllowedRoles = nil // roles are not defined in the probe's config
	c := config.Default()
	c.Servers = []config.Server{s}
	data, err := config.Encode(c)
	if err != nil {
		return s, err
	}
	parsed, err := config.Parse(data, h.path)
	if err != nil {
		return s, err
	}
	return parsed.Servers[0], nil
}

// probe runs s in a pool of its own until it is ready or failed.
func (h *Host) probe(ctx context.Context, s config.Server, wait time.Duration) ([]Tool, error) {
	changed := make(chan struct{}, 1)
	hooks := &upstream.Hooks{Changed: func(string) {
		select {
		case changed <- struct{}{}:
		default:
		}
	}}
	pool := upstream.NewPool(ctx, upstream.Options{Hooks: hooks, Logger: h.log, Dial: h.opts.Dial})
	defer pool.Close()
	pool.Apply([]config.Server{s})
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		st := pool.Statuses()[0]
		switch st.State {
		case upstream.StateReady:
			return serverTools(s.Name, pool), nil
		case upstream.StateFailed, upstream.StateRestarting, upstream.StateStopped:
			return nil, errors.New(cmp.Or(st.Error, "the server "+string(st.State)))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, fmt.Errorf("the server did not list its tools within %s", wait)
		case <-changed:
		}
	}
}

func serverTools(name string, pool *upstream.Pool) []Tool {
	cat := pool.Catalogs()[0]
	out := make([]Tool, 0, len(cat.Tools))
	for _, t := range cat.Tools {
		out = append(out, Tool{
			Name: t.Name, ID: name + "/" + t.Name, Server: name, Title: t.Title,
			Description: t.Description, InputSchema: rawJSON(t.InputSchema),
		})
	}
	return out
}

// checkServer validates s as the config would, naming its keys without
// the servers[i] prefix.
func checkServer(s config.Server) error {
	c := config.Default()
	c.Servers = []config.Server{s}
	err := c.Validate()
	if err == nil {
		return nil
	}
	var probs []error
	for _, e := range unjoin(err) {
		var ce *config.Error
		if errors.As(e, &ce) {
			key := strings.TrimPrefix(strings.TrimPrefix(ce.Key, "servers[0]"), ".")
			e = &config.Error{Key: key, Msg: ce.Msg}
		}
		probs = append(probs, e)
	}
	return fmt.Errorf("invalid server %q: %w", s.Name, errors.Join(probs...))
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
