package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/upstream"
)

// Modes a Host reports in its snapshots.
const (
	ModeInProcess = "in-process" // the gateway runs inside the desktop app
	ModeService   = "service"    // the gateway runs in the OS service
)

// eventHistory is how many events the Host's bus remembers for new
// subscribers, across every gateway it runs.
const eventHistory = 256

var errStopped = errors.New("the gateway is stopped")

// HostOptions configure a Host. Every field but ConfigPath may be left zero.
type HostOptions struct {
	// ConfigPath is the config file the host runs and edits.
	ConfigPath string
	// Logger receives the gateway's logs; nil discards them.
	Logger *slog.Logger
	// Version is reported in snapshots and to clients ("dev" if empty).
	Version string
	// Mode is what snapshots report: ModeInProcess (default) or ModeService.
	Mode string
	// Dial, if set, replaces how upstream transports are made (tests).
	Dial upstream.Dialer
}

// Host runs a gateway in this process and is its Backend: the desktop
// shell drives it directly in in-process mode, and the admin API serves it
// in a service. A stopped Host can start again; each start loads the config
// afresh and builds a new gateway. The event bus belongs to the Host, so an
// Events subscriber sees every run.
type Host struct {
	opts HostOptions
	path string // absolute ConfigPath
	log  *slog.Logger
	bus  *events.Bus
	disk diskConfig    // the file as it is on disk, for Snapshot
	life chan struct{} // one slot: Start and Stop run one at a time
	edit sync.Mutex    // serializes UpdateConfig

	mu      sync.Mutex // guards the fields below
	run     *run       // the gateway serving; nil while stopped
	lastErr string     // why the last start failed or the last run ended by itself
}

var _ Backend = (*Host)(nil)

// run is one gateway serving, from Start until its Serve returns.
type run struct {
	gw       *gateway.Gateway
	addr     string // the bound listen address
	cancel   context.CancelFunc
	done     chan struct{} // closed once Serve has returned and the host forgot this run
	stopping bool          // Stop asked for it; guarded by Host.mu
	client   localClient   // the session Call uses
	tokens   atomic.Bool   // a token count of the catalog is in progress
}

// NewHost returns a stopped Host for the config file at opts.ConfigPath.
func NewHost(opts HostOptions) *Host {
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.Mode == "" {
		opts.Mode = ModeInProcess
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := opts.ConfigPath
	if abs, err := filepath.Abs(path); err == nil && path != "" {
		path = abs
	}
	return &Host{
		opts: opts,
		path: path,
		log:  log,
		bus:  events.New(eventHistory),
		disk: diskConfig{path: path},
		life: make(chan struct{}, 1),
	}
}

// Start loads the config file, listens on its [gateway] listen address and
// serves there until Stop; upstreams start in the background. It is a
// no-op while serving. ctx bounds only the start itself.
func (h *Host) Start(ctx context.Context) error {
	if err := h.lock(ctx); err != nil {
		return err
	}
	defer h.unlock()
	if r, stopping := h.current(); r != nil {
		if !stopping {
			return nil
		}
		if err := r.wait(ctx); err != nil {
			return err
		}
	}
	err := h.start()
	if err != nil {
		h.mu.Lock()
		h.lastErr = err.Error()
		h.mu.Unlock()
		h.log.Error("MCPlex gateway not started", "error", err)
	}
	return err
}

// start builds and launches one run.
func (h *Host) start() error {
	h.disk.invalidate() // Start reads the file: let Snapshot see it too
	cfg, err := loadConfig(h.path)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Gateway.Listen)
	if err != nil {
		return listenError(cfg, err)
	}
	gw, err := gateway.New(cfg, &gateway.Options{Logger: h.log, Version: h.opts.Version, Events: h.bus, Dial: h.opts.Dial})
	if err != nil {
		_ = ln.Close()
		return err
	}
	// Start the upstreams before anyone can see the run, so a snapshot
	// never shows it ready with none of them yet (Serve's Start is then a
	// no-op).
	gw.Start()
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{gw: gw, addr: ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
	h.mu.Lock()
	h.run, h.lastErr = r, ""
	h.mu.Unlock()
	go h.serve(ctx, r, ln)
	h.log.Info("MCPlex gateway listening", "url", endpoint(r.addr), "config", cfg.Path, "servers", len(cfg.Servers))
	return nil
}

// serve runs r until its context ends or it fails, then forgets it.
func (h *Host) serve(ctx context.Context, r *run, ln net.Listener) {
	defer close(r.done)
	err := r.gw.Serve(ctx, ln)
	r.client.close()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run != r {
		return
	}
	h.run = nil
	if r.stopping {
		return
	}
	if err == nil {
		err = errors.New("the gateway stopped unexpectedly")
	}
	h.lastErr = err.Error()
	h.log.Error("MCPlex gateway stopped", "error", err)
}

// Stop stops serving: new requests are refused, calls in flight finish
// (up to [gateway] shutdown_grace_seconds) and every upstream stops. If ctx
// ends first Stop returns its error, and the shutdown goes on.
func (h *Host) Stop(ctx context.Context) error {
	if err := h.lock(ctx); err != nil {
		return err
	}
	defer h.unlock()
	h.mu.Lock()
	r := h.run
	if r != nil {
		r.stopping = true
	}
	h.lastErr = ""
	h.mu.Unlock()
	if r == nil {
		return nil
	}
	r.cancel()
	if err := r.wait(ctx); err != nil {
		return err
	}
	h.log.Info("MCPlex gateway stopped")
	return nil
}

// wait waits until r has stopped, or ctx ends.
func (r *run) wait(ctx context.Context) error {
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the gateway is still shutting down: %w", ctx.Err())
	}
}

func (h *Host) lock(ctx context.Context) error {
	select {
	case h.life <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Host) unlock() { <-h.life }

// current returns the run serving now, and whether it is being stopped.
func (h *Host) current() (r *run, stopping bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run == nil {
		return nil, false
	}
	return h.run, h.run.stopping
}

// serving returns the gateway serving now, or errStopped.
// Reload applies the config file now, as on SIGHUP; a stopped host has
// nothing to apply (Start reads the file anyway). The gateway logs,
// publishes and audits the outcome.
func (h *Host) Reload() error {
	r, err := h.serving()
	if err != nil {
		return nil
	}
	h.disk.invalidate()
	_, err = r.gw.ReloadFile()
	return err
}

func (h *Host) serving() (*run, error) {
	r, stopping := h.current()
	if r == nil || stopping {
		return nil, errStopped
	}
	return r, nil
}

// listenError explains a listen failure in terms of the config.
func listenError(cfg *config.Config, err error) error {
	addr := cfg.Gateway.Listen
	if addrInUse(err) {
		return fmt.Errorf("cannot listen on %s: the address is in use, perhaps by another MCPlex; "+
			"stop it, or change [gateway] listen in %s (%w)", addr, cfg.Path, err)
	}
	return fmt.Errorf("cannot listen on %s: change [gateway] listen in %s (%w)", addr, cfg.Path, err)
}

// endpoint is the MCP URL of a gateway listening on addr, with an
// unspecified host (0.0.0.0, [::]) replaced by loopback.
func endpoint(addr string) string { return "http://" + reachable(addr) + "/mcp" }

func reachable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
