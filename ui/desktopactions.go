package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// The OS integration's actions (connect a client, the service, start at
// login), shared by the tray, the clients window, the settings window and
// the servers window's import. Each runs its app.Desktop call off the UI
// goroutine and shows the outcome in a dialog over a window: the one the
// action came from, or, from the tray, the main window.

const (
	// desktopPollInterval is how often the client and service states are
	// read again (reading them parses every client's config file, so not
	// on every snapshot).
	desktopPollInterval = 10 * time.Second
	// desktopOpTimeout bounds one OS integration call.
	desktopOpTimeout = 2 * time.Minute
	// busyService is the busy key of the service's actions (the others are
	// client names).
	busyService = "\x00service"
)

// errInstallDeclined: the user chose Cancel when offered to install the
// binary; nothing was done.
var errInstallDeclined = errors.New("MCPlex was not installed")

// desktopState is what the shell last learned about the OS integration.
type desktopState struct {
	loaded     bool // false until the first read ends
	clients    []app.ClientStatus
	service    app.ServiceInfo
	serviceErr string            // why the service's state is unknown
	busy       map[string]string // what runs now ("connecting…"), by client name or busyService
}

// desktopOps runs the OS integration for the shell and keeps its state.
type desktopOps struct {
	d     app.Desktop
	tasks *sync.WaitGroup // the shell's background work (WaitIdle)

	// inProcess reports whether the shell runs the gateway itself, and
	// stopGateway stops it: the service needs its port.
	inProcess   func() bool
	stopGateway func(context.Context) error

	mu        sync.Mutex
	st        desktopState
	listeners []func(desktopState)
}

func newDesktopOps(d app.Desktop, tasks *sync.WaitGroup) *desktopOps {
	return &desktopOps{d: d, tasks: tasks, inProcess: func() bool { return false },
		st: desktopState{busy: map[string]string{}}}
}

// onChange registers f to be called, on the UI goroutine, with every new
// state, and at once with the current one.
func (o *desktopOps) onChange(f func(desktopState)) {
	o.mu.Lock()
	o.listeners = append(o.listeners, f)
	st := o.copyLocked()
	o.mu.Unlock()
	f(st)
}

// state returns a copy of the current state.
func (o *desktopOps) state() desktopState {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.copyLocked()
}

func (o *desktopOps) copyLocked() desktopState {
	st := o.st
	st.clients = slices.Clone(st.clients)
	st.busy = maps.Clone(o.st.busy)
	return st
}

// emit hands the state to every listener (UI goroutine).
func (o *desktopOps) emit() {
	o.mu.Lock()
	st, ls := o.copyLocked(), slices.Clone(o.listeners)
	o.mu.Unlock()
	for _, f := range ls {
		f(st)
	}
}

// fetch reads the client and service states and hands them to the
// listeners. It blocks: call it off the UI goroutine.
func (o *desktopOps) fetch() {
	ctx, cancel := context.WithTimeout(context.Background(), desktopOpTimeout)
	defer cancel()
	cs := o.d.Clients(ctx)
	svc, err := o.d.ServiceStatus(ctx)
	o.mu.Lock()
	o.st.loaded, o.st.clients, o.st.service, o.st.serviceErr = true, cs, svc, ""
	if err != nil {
		o.st.serviceErr = err.Error()
	}
	o.mu.Unlock()
	fyne.Do(o.emit)
}

// refresh reads the states again in the background.
func (o *desktopOps) refresh() { o.tasks.Go(o.fetch) }

// poll reads the states at once and then every interval until stop closes.
func (o *desktopOps) poll(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	o.fetch()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			o.fetch()
		}
	}
}

// client returns the last known state of the client called name.
func (o *desktopOps) client(name string) (app.ClientStatus, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	i := slices.IndexFunc(o.st.clients, func(c app.ClientStatus) bool { return c.Name == name })
	if i < 0 {
		return app.ClientStatus{}, false
	}
	return o.st.clients[i], true
}

// setBusy marks key as running what (UI goroutine); false if it already runs.
func (o *desktopOps) setBusy(key, what string) bool {
	o.mu.Lock()
	if o.st.busy[key] != "" {
		o.mu.Unlock()
		return false
	}
	o.st.busy[key] = what
	o.mu.Unlock()
	o.emit()
	return true
}

// clearBusy unmarks key; the next fetch (or emit) tells the listeners.
func (o *desktopOps) clearBusy(key string) {
	o.mu.Lock()
	delete(o.st.busy, key)
	o.mu.Unlock()
}

// run runs job off the UI goroutine with key marked busy, then reads the
// states again and shows job's text (under title) or error over parent.
func (o *desktopOps) run(key, busy, title string, parent func() fyne.Window, job func(context.Context) (string, error)) {
	if !o.setBusy(key, busy) {
		return
	}
	o.tasks.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), desktopOpTimeout)
		defer cancel()
		text, err := job(ctx)
		o.clearBusy(key)
		o.fetch()
		fyne.Do(func() { showOutcome(parent(), title, text, err) })
	})
}

// showOutcome shows text, or err, in a dialog over w.
func showOutcome(w fyne.Window, title, text string, err error) {
	if err != nil {
		dialog.ShowError(err, w)
		return
	}
	dialog.ShowInformation(title, text, w)
}

// withStableExe calls cont with the binary's stable path. From a temporary
// place it first offers to install the binary; declined is called when the
// user cancels or the installation fails (after saying why). Call it on
// the UI goroutine.
func (o *desktopOps) withStableExe(parent func() fyne.Window, cont func(exe string), declined func()) {
	if declined == nil {
		declined = func() {}
	}
	o.tasks.Go(func() {
		exe, err := o.d.StableExecutable()
		fyne.Do(func() {
			var t *app.TransientBinaryError
			switch {
			case err == nil:
				cont(exe)
			case errors.As(err, &t):
				o.offerInstall(parent(), t, cont, declined)
			default:
				dialog.ShowError(err, parent())
				declined()
			}
		})
	})
}

// offerInstall asks to install the binary before anything points at it.
func (o *desktopOps) offerInstall(w fyne.Window, t *app.TransientBinaryError, cont func(string), declined func()) {
	dir := t.StableDir
	if dir == "" {
		dir = "a permanent folder"
	}
	msg := widget.NewLabel(fmt.Sprintf("MCPlex is running from a temporary location (%s). Install it to %s first?\n\n"+
		"Client configs, the service and the login item must point at a copy that stays.", t.Reason, dir))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Install MCPlex", "Install", "Cancel", msg, func(ok bool) {
		if !ok {
			declined()
			return
		}
		o.tasks.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), desktopOpTimeout)
			defer cancel()
			exe, err := o.d.InstallBinary(ctx)
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("installing MCPlex: %w", err), w)
					declined()
					return
				}
				cont(exe)
			})
		})
	}, w)
	d.Resize(fyne.NewSize(560, 260))
	d.Show()
}

// connect writes the MCPlex entry into a client's config; a client that
// runs this binary needs it in a stable place first.
func (o *desktopOps) connect(parent func() fyne.Window, name string) {
	c, ok := o.client(name)
	if !ok {
		return
	}
	do := func(exe string) {
		o.run(name, "connecting…", "Connected "+c.Display, parent, func(ctx context.Context) (string, error) {
			return o.d.ConnectClient(ctx, name, exe)
		})
	}
	if !c.Bridge {
		do("")
		return
	}
	o.withStableExe(parent, do, nil)
}

// disconnect takes the MCPlex entry out of a client's config.
func (o *desktopOps) disconnect(parent func() fyne.Window, name string) {
	c, ok := o.client(name)
	if !ok {
		return
	}
	o.run(name, "disconnecting…", "Disconnected "+c.Display, parent, func(ctx context.Context) (string, error) {
		return o.d.DisconnectClient(ctx, name)
	})
}

// installService installs the gateway service for the stable binary.
func (o *desktopOps) installService(parent func() fyne.Window) {
	o.withStableExe(parent, func(exe string) {
		o.run(busyService, "installing…", "Service installed", parent, func(ctx context.Context) (string, error) {
			unit, err := o.d.ServiceInstall(ctx, exe)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Installed the MCPlex gateway service (%s). It starts at login; Start service runs it now.", unit), nil
		})
	}, nil)
}

// startService starts the service. A gateway this app runs is stopped
// first: the service needs its port.
func (o *desktopOps) startService(parent func() fyne.Window) {
	inProcess := o.inProcess()
	o.run(busyService, "starting…", "Service started", parent, func(ctx context.Context) (string, error) {
		if inProcess && o.stopGateway != nil {
			if err := o.stopGateway(ctx); err != nil {
				return "", fmt.Errorf("stopping the gateway this app runs, to free its port: %w", err)
			}
		}
		if err := o.d.ServiceStart(ctx); err != nil {
			return "", err
		}
		msg := "The MCPlex gateway service is running."
		if inProcess {
			msg += " This app stopped its own gateway to free the port; quit and reopen MCPlex to manage the service from here."
		}
		return msg, nil
	})
}

// stopService stops the service until the next login.
func (o *desktopOps) stopService(parent func() fyne.Window) {
	inProcess := o.inProcess()
	o.run(busyService, "stopping…", "Service stopped", parent, func(ctx context.Context) (string, error) {
		if err := o.d.ServiceStop(ctx); err != nil {
			return "", err
		}
		msg := "The MCPlex gateway service is stopped; it starts again at the next login."
		if !inProcess {
			msg += " This app was driving it: quit and reopen MCPlex to run the gateway in the app instead."
		}
		return msg, nil
	})
}

// uninstallService asks, then stops and removes the service.
func (o *desktopOps) uninstallService(parent func() fyne.Window) {
	d := dialog.NewConfirm("Uninstall service", "Stop and remove the MCPlex gateway service? It will no longer start at login.",
		func(ok bool) {
			if !ok {
				return
			}
			o.run(busyService, "uninstalling…", "Service uninstalled", parent, func(ctx context.Context) (string, error) {
				return "The MCPlex gateway service is stopped and removed.", o.d.ServiceUninstall(ctx)
			})
		}, parent())
	d.SetConfirmText("Uninstall")
	d.SetDismissText("Cancel")
	d.Show()
}

// setAutostart turns start at login on (for the stable binary) or off and
// calls done on the UI goroutine; errInstallDeclined means the user did not
// want the binary installed, and nothing changed.
func (o *desktopOps) setAutostart(parent func() fyne.Window, on bool, done func(error)) {
	apply := func(exe string) {
		o.tasks.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), desktopOpTimeout)
			defer cancel()
			err := o.d.SetAutostart(ctx, on, exe)
			fyne.Do(func() { done(err) })
		})
	}
	if !on {
		apply("")
		return
	}
	o.withStableExe(parent, apply, func() { done(errInstallDeclined) })
}
