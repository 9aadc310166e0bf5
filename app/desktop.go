package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mcplex/mcplex/app/clients"
	"github.com/mcplex/mcplex/app/osint"
	"github.com/mcplex/mcplex/core/config"
)

// Desktop is the OS integration the desktop shell drives: the gateway
// service, starting the tray at login, the MCP clients' config files and
// the place the binary lives. [OSDesktop] is the real one; tests use a
// fake (app/apptest).
//
// Every method may run a service manager command or read and write files:
// call them off the UI goroutine. They are safe for concurrent use, but
// two calls for the same client should not overlap.
type Desktop interface {
	// ServiceStatus reports the gateway service's state. A system without
	// user services is ServiceUnsupported with a Reason, not an error.
	ServiceStatus(ctx context.Context) (ServiceInfo, error)
	// ServiceInstall installs (without starting) the service that runs exe
	// (from StableExecutable or InstallBinary) with the desktop's config
	// file, and returns its unit or plist path.
	ServiceInstall(ctx context.Context, exe string) (string, error)
	// ServiceUninstall stops and removes the service.
	ServiceUninstall(ctx context.Context) error
	// ServiceStart starts the installed service.
	ServiceStart(ctx context.Context) error
	// ServiceStop stops the service until the next start or login.
	ServiceStop(ctx context.Context) error

	// AutostartEnabled reports whether the tray starts at login.
	AutostartEnabled(ctx context.Context) (bool, error)
	// SetAutostart makes the tray start at login by running exe (from
	// StableExecutable or InstallBinary), or stops that (exe unused).
	SetAutostart(ctx context.Context, on bool, exe string) error

	// Clients reports every known MCP client, in the order to list them
	// (Claude Desktop first). A client whose file cannot be read is one
	// with State ClientError.
	Clients(ctx context.Context) []ClientStatus
	// ConnectClient writes the MCPlex entry into the client's config and
	// returns what was done, with the client's restart hint. exe is the
	// stable binary a bridge client (ClientStatus.Bridge) runs; "" means
	// the one StableExecutable reports.
	ConnectClient(ctx context.Context, name, exe string) (string, error)
	// DisconnectClient undoes ConnectClient and returns what was done.
	DisconnectClient(ctx context.Context, name string) (string, error)
	// PlanImport reads the servers the client has that can move into the
	// MCPlex config. Nothing is written.
	PlanImport(ctx context.Context, name string) (*ImportPreview, error)
	// ImportClient adds the client's servers to the config through update
	// (the shell passes Controller.UpdateConfig) and, with replace, swaps
	// them in the client for the MCPlex entry (a bridge client runs exe, as
	// for ConnectClient). It plans again: what is imported is what the
	// client's file holds now. It returns a summary for the user.
	ImportClient(ctx context.Context, name string, replace bool, exe string,
		update func(edit func(*Config) error) error) (string, error)

	// StableExecutable returns the binary's stable path, or an error
	// matching ErrTransientBinary (a *TransientBinaryError says why and
	// where InstallBinary puts it). It is fast and does no writes.
	StableExecutable() (string, error)
	// InstallBinary copies this program to the per-user stable location
	// and returns the new path, which later calls then use.
	InstallBinary(ctx context.Context) (string, error)
}

// ClientState is whether a client is connected to this MCPlex.
type ClientState string

// The client states.
const (
	ClientNotConnected ClientState = "not connected"
	ClientConnected    ClientState = "connected"
	// ClientElsewhere: an "mcplex" entry points at another binary or URL
	// (ClientStatus.Points); connecting would not replace it.
	ClientElsewhere ClientState = "points elsewhere"
	// ClientError: the client's config cannot be read (ClientStatus.Err).
	ClientError ClientState = "error"
)

// ClientStatus is one MCP client on this machine.
type ClientStatus struct {
	Name    string // the slug, e.g. "claude-desktop"
	Display string // e.g. "Claude Desktop"
	// Installed: the client's config folder exists (or its command is on
	// PATH, for Claude Code).
	Installed bool
	State     ClientState
	// Path is the config file the client uses.
	Path string
	// Points is where an existing "mcplex" entry points.
	Points string
	// Err is why the file could not be read (State is ClientError).
	Err error
	// Bridge: the client runs this binary as its stdio bridge, so
	// connecting it needs a stable executable.
	Bridge bool
	// Servers counts the client's servers an import would bring over.
	Servers int
}

// TransientBinaryError is StableExecutable's error for a binary that runs
// from a temporary place: Exe, Reason and StableDir (where to install it).
type TransientBinaryError = osint.TransientError

// The parts of an import plan, under app names.
type (
	// ImportServer is one server an import adds: From (its name in the
	// client), Server (the MCPlex form) and Warnings to check by hand.
	ImportServer = clients.ImportServer
	// ImportSkipped is a client entry an import leaves alone, with why.
	ImportSkipped = clients.Skipped
)

// ImportPreview is what importing from a client would do.
type ImportPreview struct {
	Client  string // the slug
	Display string
	Path    string // the client's config file
	Servers []ImportServer
	Skipped []ImportSkipped
	// Bridge: replacing writes an entry that runs this binary.
	Bridge bool
	// NoReplace says why the servers cannot be replaced in the client with
	// the MCPlex entry ("" when they can).
	NoReplace string
}

// OSDesktop is the Desktop of this machine for the config file at
// configPath ("" = found as mcplex serve finds it): clients are pointed at
// its [gateway] listen address, and the service runs it.
func OSDesktop(configPath string) Desktop {
	return &osDesktop{configPath: configPath, counts: map[string]importCount{}}
}

type osDesktop struct {
	configPath string

	mu     sync.Mutex
	exe    string                 // where InstallBinary put the binary, once it has
	counts map[string]importCount // by client config path
}

// importCount caches how many servers a client's file offers, so the
// periodic Clients call does not parse a large file (~/.claude.json) twice.
type importCount struct {
	size int64
	mod  time.Time
	n    int
}

// config loads the desktop's config file.
func (d *osDesktop) config() (*config.Config, error) {
	path := d.configPath
	if path == "" {
		var err error
		if path, err = findConfig(&Env{Stderr: io.Discard}, &commonFlags{}); err != nil {
			return nil, err
		}
	}
	return config.Load(path)
}

// options are the clients.Options every client call starts from: the
// gateway's URL from the config, and the stable binary if there is one.
func (d *osDesktop) options() (clients.Options, *config.Config, error) {
	o := clients.Options{}
	if exe, err := d.StableExecutable(); err == nil {
		o.Exe = BridgeExecutable(exe)
	}
	cfg, err := d.config()
	if err != nil {
		return o, nil, err
	}
	o.URL = gatewayURL(cfg.Gateway.Listen)
	return o, cfg, nil
}

func (d *osDesktop) ServiceStatus(context.Context) (ServiceInfo, error) { return ServiceStatus() }

func (d *osDesktop) ServiceInstall(_ context.Context, exe string) (string, error) {
	st, err := ServiceStatus()
	switch {
	case err != nil:
		return "", err
	case st.State == ServiceUnsupported:
		return "", &osint.UnsupportedError{Reason: st.Reason}
	case st.State != ServiceNotInstalled:
		return "", fmt.Errorf("%w (%s)", osint.ErrAlreadyInstalled, st.Path)
	}
	cfg, err := d.config()
	if err != nil {
		return "", err
	}
	return ServiceInstall(exe, cfg.Path)
}

func (d *osDesktop) ServiceUninstall(context.Context) error { return ServiceUninstall() }
func (d *osDesktop) ServiceStart(context.Context) error     { return ServiceStart() }
func (d *osDesktop) ServiceStop(context.Context) error      { return ServiceStop() }

func (d *osDesktop) AutostartEnabled(context.Context) (bool, error) { return AutostartEnabled() }

func (d *osDesktop) SetAutostart(_ context.Context, on bool, exe string) error {
	if !on {
		return AutostartDisable()
	}
	if exe == "" {
		var err error
		if exe, err = d.StableExecutable(); err != nil {
			return err
		}
	}
	return AutostartEnable(exe)
}

func (d *osDesktop) Clients(ctx context.Context) []ClientStatus {
	o, _, _ := d.options() // with no config, any entry of ours counts as connected
	var out []ClientStatus
	for _, s := range clients.StatusAll(o) {
		cs := ClientStatus{Name: s.Client.Name, Display: s.Client.Display, Installed: s.Installed,
			Path: s.Path, Points: s.Points, Err: s.Err, Bridge: s.Client.Bridge}
		switch {
		case s.Err != nil:
			cs.State = ClientError
		case s.State == clients.Connected:
			cs.State = ClientConnected
		case s.State == clients.Elsewhere:
			cs.State = ClientElsewhere
		default:
			cs.State = ClientNotConnected
		}
		if s.Exists && s.Err == nil {
			cs.Servers = d.importable(ctx, s.Client, o, s.Path)
		}
		out = append(out, cs)
	}
	return out
}

// importable counts the servers an import from c would add, reusing the
// last count while the file keeps its size and time.
func (d *osDesktop) importable(ctx context.Context, c *clients.Client, o clients.Options, path string) int {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	d.mu.Lock()
	prev, ok := d.counts[path]
	d.mu.Unlock()
	if ok && prev.size == fi.Size() && prev.mod.Equal(fi.ModTime()) {
		return prev.n
	}
	n := 0
	if plan, err := clients.Import(ctx, c, o); err == nil {
		n = len(plan.Servers)
	}
	d.mu.Lock()
	d.counts[path] = importCount{size: fi.Size(), mod: fi.ModTime(), n: n}
	d.mu.Unlock()
	return n
}

func (d *osDesktop) ConnectClient(ctx context.Context, name, exe string) (string, error) {
	c, err := clients.Lookup(name)
	if err != nil {
		return "", err
	}
	o, cfg, err := d.options()
	if err != nil {
		return "", err
	}
	if exe != "" {
		o.Exe = BridgeExecutable(exe)
	}
	res, err := clients.Connect(ctx, c, o)
	if err != nil {
		return "", err
	}
	text := resultText(res)
	if cfg.Gateway.APIKey != "" || len(cfg.APIKeys) > 0 {
		text += fmt.Sprintf("\nThis gateway requires an API key, and %s was connected without one: make a key in Roles & keys, then run mcplex clients connect %s --key KEY.", c.Display, c.Name)
	}
	return text, nil
}

func (d *osDesktop) DisconnectClient(ctx context.Context, name string) (string, error) {
	c, err := clients.Lookup(name)
	if err != nil {
		return "", err
	}
	o, _, _ := d.options() // with no config, entries are recognized by what MCPlex wrote
	res, err := clients.Disconnect(ctx, c, o)
	if err != nil {
		return "", err
	}
	return resultText(res), nil
}

func (d *osDesktop) PlanImport(ctx context.Context, name string) (*ImportPreview, error) {
	c, err := clients.Lookup(name)
	if err != nil {
		return nil, err
	}
	o, _, _ := d.options() // reading needs no URL
	plan, err := clients.Import(ctx, c, o)
	if err != nil {
		return nil, err
	}
	p := &ImportPreview{Client: c.Name, Display: c.Display, Path: plan.Path, Servers: plan.Servers,
		Skipped: plan.Skipped, Bridge: c.Bridge}
	if c.Format == clients.TOML {
		p.NoReplace = "MCPlex cannot yet take servers out of " + c.Display + "'s TOML file; they stay there too."
	}
	return p, nil
}

func (d *osDesktop) ImportClient(ctx context.Context, name string, replace bool, exe string,
	update func(edit func(*Config) error) error) (string, error) {
	c, err := clients.Lookup(name)
	if err != nil {
		return "", err
	}
	o, cfg, err := d.options()
	if err != nil {
		return "", err
	}
	o.Replace = replace
	if exe != "" {
		o.Exe = BridgeExecutable(exe)
	}
	plan, err := clients.Import(ctx, c, o)
	if err != nil {
		return "", err
	}
	res, err := plan.Apply(update)
	var b bytes.Buffer
	env := &Env{Stdout: &b, Stderr: io.Discard}
	printImport(env, plan, res, cfg.Path, false)
	if res != nil && res.Client != nil {
		printResult(env, res.Client)
	}
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, strings.TrimSpace(b.String()))
	}
	return strings.TrimSpace(b.String()), nil
}

// BridgeExecutable returns the binary a bridge entry runs, given this
// program's stable path exe. On Windows the tray is the GUI-subsystem build
// mcplexw.exe, which has no usable stdio for a client to speak MCP over, so
// bridge entries name the console mcplex.exe the installer puts next to it
// (the reverse of osint.TrayExecutable).
func BridgeExecutable(exe string) string { return bridgeExecutable(runtime.GOOS, exe) }

func bridgeExecutable(goos, exe string) string {
	if goos != "windows" {
		return exe
	}
	dir := strings.LastIndexAny(exe, `\/`) + 1
	if !strings.EqualFold(exe[dir:], osint.TrayExeName) {
		return exe
	}
	return exe[:dir] + osint.ConsoleExeName
}

func (d *osDesktop) StableExecutable() (string, error) {
	d.mu.Lock()
	exe := d.exe
	d.mu.Unlock()
	if exe != "" {
		return exe, nil
	}
	return clientExe()
}

func (d *osDesktop) InstallBinary(context.Context) (string, error) {
	exe, err := InstallBinary()
	if err != nil {
		return "", err
	}
	if bad, why := osint.IsTransient(exe); bad {
		return "", fmt.Errorf("installed %s, but that place will not last either (%s)", exe, why)
	}
	d.mu.Lock()
	d.exe = exe
	d.mu.Unlock()
	return exe, nil
}

// resultText is what the CLI prints for a client change, for a dialog.
func resultText(r *clients.Result) string {
	var b bytes.Buffer
	printResult(&Env{Stdout: &b, Stderr: io.Discard}, r)
	return strings.TrimSpace(b.String())
}
