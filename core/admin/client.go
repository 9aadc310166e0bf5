package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/core/config"
)

const (
	pollInterval       = time.Second     // how stale Client.Snapshot may be
	snapshotTimeout    = 3 * time.Second // one snapshot request, before the service counts as down
	maxConflictRetries = 3               // UpdateConfig re-reads and re-applies the edit this often
)

// Client is a [Backend] that drives another process's admin API: the
// desktop shell's view of an installed service. It is safe for concurrent
// use. Close it when done.
type Client struct {
	hc       *http.Client
	poll     time.Duration
	discover func() (baseURL, token string, err error) // nil: the endpoint never moves

	life context.Context // ends at Close; the poller and event streams watch it
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	base    string // http://127.0.0.1:PORT
	token   string
	snap    Snapshot
	snapGen uint64 // when the request behind snap started; an older answer never replaces a newer one
	gen     uint64
	closed  bool
}

var _ Backend = (*Client)(nil)

// Dial connects to the admin API at baseURL (http://127.0.0.1:PORT, as the
// discovery file names it) with token, checks that it answers, and starts
// the background poll behind [Client.Snapshot]. baseURL must name a
// loopback address: the token never leaves this machine.
func Dial(ctx context.Context, baseURL, token string) (*Client, error) {
	return dial(ctx, baseURL, token, pollInterval, nil)
}

// DialDir reads the discovery files in dir and dials the service they
// name. When the service stops answering, the client reads the files again
// and follows a restarted service to its new address and token.
func DialDir(ctx context.Context, dir string) (*Client, error) {
	return dialDir(ctx, dir, pollInterval)
}

func dialDir(ctx context.Context, dir string, poll time.Duration) (*Client, error) {
	base, token, err := ReadDiscovery(dir)
	if err != nil {
		return nil, err
	}
	return dial(ctx, base, token, poll, func() (string, string, error) { return ReadDiscovery(dir) })
}

func dial(ctx context.Context, baseURL, token string, poll time.Duration, discover func() (string, string, error)) (*Client, error) {
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		hc: &http.Client{Transport: &http.Transport{
			Proxy:               nil, // the token must never go through a proxy
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		}},
		poll:     poll,
		discover: discover,
		base:     base,
		token:    token,
	}
	var s Snapshot
	ctx, cancel := context.WithTimeout(ctx, snapshotTimeout)
	defer cancel()
	if err := c.do(ctx, http.MethodGet, "snapshot", nil, &s); err != nil {
		c.hc.CloseIdleConnections()
		return nil, err
	}
	c.snap = s
	c.life, c.stop = context.WithCancel(context.Background())
	c.wg.Go(c.pollLoop)
	return c, nil
}

// checkBaseURL returns baseURL without a trailing slash, or why it is not
// the URL of a local admin API.
func checkBaseURL(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("admin API URL: %w", err)
	}
	if u.Scheme != "http" || !loopbackHost(u.Host) || strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("admin API URL %q: want http://127.0.0.1:PORT (loopback only)", baseURL)
	}
	return strings.TrimSuffix(baseURL, "/"), nil
}

// Close stops the background poll and every event stream and waits for
// them. The client must not be used afterwards.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.stop()
	c.wg.Wait()
	c.hc.CloseIdleConnections()
	return nil
}

// Snapshot returns the service's state as of the last poll (at most about
// a second old). It never blocks on the network. While the service does
// not answer, the state is stopped and Error says why.
func (c *Client) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

func (c *Client) pollLoop() {
	t := time.NewTicker(c.poll)
	defer t.Stop()
	for {
		select {
		case <-c.life.Done():
			return
		case <-t.C:
			c.refresh(c.life)
		}
	}
}

// refresh fetches a snapshot into the cache; if the service does not
// answer, it looks for it again in the discovery files and, failing that,
// caches a stopped snapshot saying why.
func (c *Client) refresh(ctx context.Context) {
	err := c.fetchSnapshot(ctx)
	if err != nil && c.rediscover() {
		err = c.fetchSnapshot(ctx)
	}
	if err == nil || ctx.Err() != nil {
		return
	}
	var se *StatusError
	if !errors.As(err, &se) { // transport errors already say the service is not answering
		err = fmt.Errorf("MCPlex service is not answering: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.snap = Snapshot{
		State:      StateStopped,
		Error:      err.Error(),
		ConfigPath: c.snap.ConfigPath,
		Mode:       c.snap.Mode,
		Version:    c.snap.Version,
		Time:       time.Now(),
	}
	c.snapGen = c.gen
}

func (c *Client) fetchSnapshot(ctx context.Context) error {
	c.mu.Lock()
	c.gen++
	gen := c.gen
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, snapshotTimeout)
	defer cancel()
	var s Snapshot
	if err := c.do(ctx, http.MethodGet, "snapshot", nil, &s); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen > c.snapGen {
		c.snap, c.snapGen = s, gen
	}
	return nil
}

// rediscover re-reads the discovery files and reports whether they name a
// different endpoint, which the client then uses.
func (c *Client) rediscover() bool {
	if c.discover == nil {
		return false
	}
	base, token, err := c.discover()
	if err != nil {
		return false
	}
	if base, err = checkBaseURL(base); err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if base == c.base && token == c.token {
		return false
	}
	c.base, c.token = base, token
	return true
}

// Start asks the service to start serving and waits for its answer.
func (c *Client) Start(ctx context.Context) error {
	err := c.do(ctx, http.MethodPost, "start", nil, nil)
	c.refresh(ctx)
	return err
}

// Stop asks the service to stop serving and waits for its answer.
func (c *Client) Stop(ctx context.Context) error {
	err := c.do(ctx, http.MethodPost, "stop", nil, nil)
	c.refresh(ctx)
	return err
}

// Config returns the service's config file as it is on disk now.
func (c *Client) Config(ctx context.Context) (*config.Config, error) {
	cfg, _, err := c.getConfig(ctx)
	return cfg, err
}

func (c *Client) getConfig(ctx context.Context) (*config.Config, string, error) {
	var body configBody
	if err := c.do(ctx, http.MethodGet, "config", nil, &body); err != nil {
		return nil, "", err
	}
	// The service expands ${VAR} with its own environment, which this
	// process may not share: keep the references as they are written.
	cfg, err := config.ParseUnexpanded([]byte(body.TOML), body.Path)
	if err != nil {
		return nil, "", fmt.Errorf("reading the service's config: %w", err)
	}
	return cfg, body.Revision, nil
}

// UpdateConfig reads the config, applies edit and sends the result back.
// If the file changed in between, it starts over with the new file, at
// most three more times, so edit must be safe to run more than once. The
// service validates and writes the file; an invalid result comes back as a
// [*StatusError] with its message.
func (c *Client) UpdateConfig(ctx context.Context, edit func(*config.Config) error) error {
	for attempt := 0; ; attempt++ {
		cfg, revision, err := c.getConfig(ctx)
		if err != nil {
			return err
		}
		if err := edit(cfg); err != nil {
			return err
		}
		text, err := config.Encode(cfg)
		if err != nil {
			return err
		}
		err = c.do(ctx, http.MethodPut, "config", configBody{TOML: string(text), Revision: revision}, nil)
		if errors.Is(err, ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err == nil {
			c.refresh(ctx)
		}
		return err
	}
}

// TestServer asks the service to start s on its own and list its tools.
func (c *Client) TestServer(ctx context.Context, s config.Server) (TestResult, error) {
	var res TestResult
	err := c.do(ctx, http.MethodPost, "test-server", s, &res)
	return res, err
}

// Tools lists the service's merged catalog.
func (c *Client) Tools(ctx context.Context) ([]Tool, error) {
	var tools []Tool
	err := c.do(ctx, http.MethodGet, "tools", nil, &tools)
	return tools, err
}

// Find ranks the service's catalog for query.
func (c *Client) Find(ctx context.Context, query, strategy string, topK int) ([]Match, error) {
	var matches []Match
	err := c.do(ctx, http.MethodPost, "find", findBody{Query: query, Strategy: strategy, TopK: topK}, &matches)
	return matches, err
}

// Call calls a tool through the service's gateway.
func (c *Client) Call(ctx context.Context, name string, args map[string]any) (CallResult, error) {
	var res CallResult
	err := c.do(ctx, http.MethodPost, "call", callBody{Name: name, Arguments: args}, &res)
	return res, err
}

// request builds an authorized request for the endpoint name.
func (c *Client) request(ctx context.Context, method, name string, in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	c.mu.Lock()
	base, token := c.base, c.token
	c.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, method, base+Prefix+name, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// do sends in (if not nil) as JSON and decodes the answer into out (if not
// nil). An error answer becomes a *StatusError; a transport failure says
// the service is not answering.
func (c *Client) do(ctx context.Context, method, name string, in, out any) error {
	req, err := c.request(ctx, method, name, in)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("MCPlex service is not answering: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the service's answer to %s: %w", name, err)
	}
	return nil
}

func readError(resp *http.Response) error {
	var body errorBody
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10)) // a short body still says something
	if json.Unmarshal(data, &body) != nil || body.Error == "" {
		body.Error = fmt.Sprintf("admin API: %s", resp.Status)
	}
	return &StatusError{Status: resp.StatusCode, Msg: body.Error}
}
