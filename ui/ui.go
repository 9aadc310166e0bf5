// Package ui is the MCPlex desktop shell: the tray icon and the windows
// (servers, roles & keys, routing playground, metrics, settings, clients).
// It is the only package that imports Fyne; it talks to the gateway only
// through an app.Controller, and to the OS (service, start at login, MCP
// client configs) only through an app.Desktop.
package ui

import (
	"context"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/mcplex/mcplex/app"
)

// AppID is the reverse-DNS application id (FyneApp.toml [Details] ID).
const AppID = "io.mcplex.desktop"

// WindowSize is the size every window opens at.
var WindowSize = fyne.NewSize(1280, 800)

// Shell is the running desktop shell: one Fyne app, one controller, the
// windows opened so far and the snapshot they were last drawn from.
type Shell struct {
	app  fyne.App
	ctrl app.Controller

	tasks    sync.WaitGroup // background gateway and OS integration operations (WaitIdle)
	desk     *desktopOps    // the OS integration; nil without an app.Desktop (set before Run)
	mode     string         // "in-process" or "service", as opened ("" = ask the snapshot)
	atLaunch func()         // opens the window asked for with --show (set before Run)

	// closed is set once the app's event loop has ended: from then on
	// nothing may touch a widget (fyne.Do would run it on the calling
	// goroutine). opCancel cancels the gateway operation in flight,
	// cancelled at quit so that Stop need not wait for a slow Start.
	closed   atomic.Bool
	opCancel context.CancelFunc

	mu          sync.Mutex
	last        app.Snapshot
	listeners   []func(app.Snapshot)
	windows     map[string]fyne.Window
	op          gatewayOp // the Start or Stop in flight, or how the last ended
	opListeners []func(gatewayOp)
	mainv       *mainView    // the main window's view, once built
	serversv    *serversView // the servers window's view, once built
}

// New builds the shell for a (test or real) Fyne app over ctrl.
func New(a fyne.App, ctrl app.Controller) *Shell {
	return &Shell{app: a, ctrl: ctrl, windows: map[string]fyne.Window{}}
}

// SetDesktop gives the shell the OS integration: the tray's client and
// service menus, the clients window, start at login in the settings and
// the servers window's import. Call it before Run or any window is shown.
func (s *Shell) SetDesktop(d app.Desktop) {
	o := newDesktopOps(d, &s.tasks)
	o.inProcess = s.inProcess
	o.stopGateway = func(ctx context.Context) error {
		err := s.ctrl.Stop(ctx)
		s.Refresh()
		return err
	}
	s.desk = o
}

// Controller returns the controller the shell drives.
func (s *Shell) Controller() app.Controller { return s.ctrl }

// OnSnapshot registers f to be called, on the UI goroutine, with every new
// snapshot (and at once with the last one, if any).
func (s *Shell) OnSnapshot(f func(app.Snapshot)) {
	s.mu.Lock()
	s.listeners = append(s.listeners, f)
	last := s.last
	s.mu.Unlock()
	if !last.Time.IsZero() || last.State != "" {
		f(last)
	}
}

// Refresh takes a snapshot now and hands it to every listener. It may be
// called from any goroutine; the listeners run on the UI goroutine.
func (s *Shell) Refresh() {
	if s.closed.Load() {
		return
	}
	snap := s.ctrl.Snapshot()
	s.mu.Lock()
	s.last = snap
	ls := slices.Clone(s.listeners)
	s.mu.Unlock()
	fyne.DoAndWait(func() {
		for _, f := range ls {
			f(snap)
		}
	})
}

// Last returns the last snapshot taken.
func (s *Shell) Last() app.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// poll refreshes at once and then every interval until stop is closed.
func (s *Shell) poll(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	s.Refresh()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.Refresh()
		}
	}
}

// window returns the window called key, building it with build the first
// time. Closing a window hides it; the app keeps running in the tray.
func (s *Shell) window(key, title string, build func(w fyne.Window) fyne.CanvasObject) fyne.Window {
	s.mu.Lock()
	w, ok := s.windows[key]
	s.mu.Unlock()
	if ok {
		return w
	}
	w = s.app.NewWindow(title)
	w.SetContent(build(w))
	w.Resize(WindowSize)
	w.SetCloseIntercept(w.Hide)
	s.mu.Lock()
	s.windows[key] = w
	s.mu.Unlock()
	return w
}

// lookupWindow returns the window called key, if it was built.
func (s *Shell) lookupWindow(key string) (fyne.Window, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.windows[key]
	return w, ok
}

// Main runs the desktop app with the command-line args after "gui" (-c
// FILE, --show WINDOW) and returns the exit code. newApp makes the real Fyne app (only
// main imports fyne/v2/app, which needs cgo and a display).
//
// The controller is a running MCPlex service if one answers, else a
// gateway in this process, started at launch. On Linux with no display it
// runs the headless gateway (mcplex serve) instead, and says so on stderr.
func Main(args []string, newApp func() fyne.App) int {
	return launch(args, newApp, os.Stderr, os.Getenv)
}
