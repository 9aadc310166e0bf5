package apptest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/mcplex/mcplex/app"
)

// Desktop is an app.Desktop whose OS the test scripts: a service that
// moves between states as it is installed, started and stopped, clients
// that connect and disconnect, import plans, and a binary that may run
// from a temporary place until InstallBinary is called. Every call is
// recorded. Use NewDesktop.
type Desktop struct {
	mu        sync.Mutex
	service   app.ServiceInfo
	statusErr error
	errs      map[string]error // by method name (or "Method client"), returned once set
	autostart bool
	clients   []app.ClientStatus
	plans     map[string]*app.ImportPreview
	exe       string                    // StableExecutable's path
	transient *app.TransientBinaryError // when set, StableExecutable fails with it
	installed string                    // what InstallBinary returns
	calls     []string
}

var _ app.Desktop = (*Desktop)(nil)

// NewDesktop returns a machine with no service installed, start at login
// off, no clients and the binary at a stable /opt/mcplex/bin/mcplex.
func NewDesktop() *Desktop {
	return &Desktop{
		errs: map[string]error{}, plans: map[string]*app.ImportPreview{},
		exe: "/opt/mcplex/bin/mcplex", installed: "/home/user/.local/bin/mcplex",
	}
}

// SetService replaces the service's state.
func (d *Desktop) SetService(st app.ServiceInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.service = st
}

// SetStatusError makes ServiceStatus fail with err.
func (d *Desktop) SetStatusError(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.statusErr = err
}

// SetError makes method fail with err; method is a name ("SetAutostart",
// "ServiceStart", "InstallBinary") or a name and a client
// ("ConnectClient cursor").
func (d *Desktop) SetError(method string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.errs[method] = err
}

// SetAutostartEnabled sets what AutostartEnabled reports.
func (d *Desktop) SetAutostartEnabled(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.autostart = on
}

// SetClients replaces the clients.
func (d *Desktop) SetClients(cs []app.ClientStatus) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clients = slices.Clone(cs)
}

// SetImportPlan scripts PlanImport and ImportClient for a client.
func (d *Desktop) SetImportPlan(p *app.ImportPreview) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.plans[p.Client] = p
}

// SetTransient makes the binary run from a temporary place: StableExecutable
// fails with reason and dir until InstallBinary succeeds.
func (d *Desktop) SetTransient(reason, dir string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.transient = &app.TransientBinaryError{Exe: "/tmp/mcplex", Reason: reason, StableDir: dir}
}

// Calls returns the calls made so far, in order: "ConnectClient cursor",
// "ConnectClient claude-desktop /home/user/.local/bin/mcplex" (with the
// exe given), "SetAutostart true /opt/mcplex/bin/mcplex"...
func (d *Desktop) Calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

// record notes a call and returns the error scripted for it.
func (d *Desktop) record(call string, keys ...string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, call)
	for _, k := range keys {
		if err := d.errs[k]; err != nil {
			return err
		}
	}
	return nil
}

func withExe(call, exe string) string {
	if exe != "" {
		return call + " " + exe
	}
	return call
}

// ServiceStatus implements app.Desktop.
func (d *Desktop) ServiceStatus(context.Context) (app.ServiceInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, "ServiceStatus")
	return d.service, d.statusErr
}

// ServiceInstall implements app.Desktop: the service is then stopped.
func (d *Desktop) ServiceInstall(_ context.Context, exe string) (string, error) {
	if err := d.record(withExe("ServiceInstall", exe), "ServiceInstall"); err != nil {
		return "", err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.service = app.ServiceInfo{State: app.ServiceStopped, Path: "/home/user/.config/systemd/user/mcplex.service"}
	return d.service.Path, nil
}

// ServiceUninstall implements app.Desktop.
func (d *Desktop) ServiceUninstall(context.Context) error {
	return d.setService("ServiceUninstall", app.ServiceNotInstalled)
}

// ServiceStart implements app.Desktop.
func (d *Desktop) ServiceStart(context.Context) error {
	return d.setService("ServiceStart", app.ServiceRunning)
}

// ServiceStop implements app.Desktop.
func (d *Desktop) ServiceStop(context.Context) error {
	return d.setService("ServiceStop", app.ServiceStopped)
}

func (d *Desktop) setService(call string, st app.ServiceState) error {
	if err := d.record(call, call); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.service.State == app.ServiceNotInstalled || d.service.State == app.ServiceUnsupported {
		return app.ErrServiceNotInstalled
	}
	d.service.State = st
	if st == app.ServiceNotInstalled {
		d.service.Path = ""
	}
	return nil
}

// AutostartEnabled implements app.Desktop.
func (d *Desktop) AutostartEnabled(context.Context) (bool, error) {
	err := d.record("AutostartEnabled", "AutostartEnabled")
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.autostart, err
}

// SetAutostart implements app.Desktop.
func (d *Desktop) SetAutostart(_ context.Context, on bool, exe string) error {
	if err := d.record(withExe(fmt.Sprint("SetAutostart ", on), exe), "SetAutostart"); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.autostart = on
	return nil
}

// Clients implements app.Desktop.
func (d *Desktop) Clients(context.Context) []app.ClientStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, "Clients")
	return slices.Clone(d.clients)
}

// ConnectClient implements app.Desktop: the client is then connected, and
// the text ends with a restart hint.
func (d *Desktop) ConnectClient(_ context.Context, name, exe string) (string, error) {
	if err := d.record(withExe("ConnectClient "+name, exe), "ConnectClient", "ConnectClient "+name); err != nil {
		return "", err
	}
	c, err := d.setClient(name, app.ClientConnected)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: added the MCPlex entry to %s\nRestart %s to load the change.", c.Display, c.Path, c.Display), nil
}

// DisconnectClient implements app.Desktop.
func (d *Desktop) DisconnectClient(_ context.Context, name string) (string, error) {
	if err := d.record("DisconnectClient "+name, "DisconnectClient", "DisconnectClient "+name); err != nil {
		return "", err
	}
	c, err := d.setClient(name, app.ClientNotConnected)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: removed the MCPlex entry from %s\nRestart %s to load the change.", c.Display, c.Path, c.Display), nil
}

func (d *Desktop) setClient(name string, st app.ClientState) (app.ClientStatus, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	i := slices.IndexFunc(d.clients, func(c app.ClientStatus) bool { return c.Name == name })
	if i < 0 {
		return app.ClientStatus{}, fmt.Errorf("unknown client %q", name)
	}
	d.clients[i].State = st
	return d.clients[i], nil
}

// PlanImport implements app.Desktop with the scripted plan.
func (d *Desktop) PlanImport(_ context.Context, name string) (*app.ImportPreview, error) {
	if err := d.record("PlanImport "+name, "PlanImport"); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.plans[name]
	if !ok {
		return nil, fmt.Errorf("%s: no config file", name)
	}
	return p, nil
}

// ImportClient implements app.Desktop: the scripted plan's servers are
// appended to the config through update.
func (d *Desktop) ImportClient(_ context.Context, name string, replace bool, exe string,
	update func(edit func(*app.Config) error) error) (string, error) {
	call := withExe(fmt.Sprintf("ImportClient %s replace=%t", name, replace), exe)
	if err := d.record(call, "ImportClient"); err != nil {
		return "", err
	}
	d.mu.Lock()
	p, ok := d.plans[name]
	d.mu.Unlock()
	if !ok || len(p.Servers) == 0 {
		return "", fmt.Errorf("%s: no servers to import", name)
	}
	err := update(func(c *app.Config) error {
		for _, s := range p.Servers {
			c.Servers = append(c.Servers, s.Server)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	text := fmt.Sprintf("added %d servers to %s", len(p.Servers), "the MCPlex config")
	if replace {
		text += fmt.Sprintf("\n%s: replaced them with the MCPlex entry", p.Display)
	}
	return text, nil
}

// StableExecutable implements app.Desktop.
func (d *Desktop) StableExecutable() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, "StableExecutable")
	if d.transient != nil {
		return "", d.transient
	}
	return d.exe, nil
}

// InstallBinary implements app.Desktop: the binary is then stable at the
// installed path.
func (d *Desktop) InstallBinary(context.Context) (string, error) {
	if err := d.record("InstallBinary", "InstallBinary"); err != nil {
		return "", err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.transient, d.exe = nil, d.installed
	return d.installed, nil
}
