package ui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// Seams for tests of the launch: how the controller is opened and how the
// headless gateway runs.
var (
	// openController returns the controller and its mode: a running
	// service if one answers, else an in-process gateway for configPath
	// ("" = found as mcplex serve finds it).
	openController = func(ctx context.Context, configPath string) (app.Controller, string, error) {
		return app.OpenController(ctx, configPath, "")
	}
	runHeadless = app.Main
	// newDesktop is the OS integration for the config file at path.
	newDesktop = app.OSDesktop
)

const (
	// gatewayOpTimeout bounds one Start or Stop from the desktop.
	gatewayOpTimeout = 2 * time.Minute
	// quitTimeout bounds stopping the in-process gateway on Quit.
	quitTimeout = 15 * time.Second
	// pollInterval is how often the shell takes a snapshot.
	pollInterval = time.Second
	// modeInProcess is Snapshot.Mode for a gateway in this process.
	modeInProcess = "in-process"
)

// launchOptions are the desktop app's command-line flags.
type launchOptions struct {
	config string
	show   string // a window to open at launch, besides the main one
}

// launchWindows are the windows --show can open.
var launchWindows = map[string]func(*Shell){
	"servers":    (*Shell).ShowServers,
	"roles":      (*Shell).ShowRoles,
	"playground": (*Shell).ShowPlayground,
	"metrics":    (*Shell).ShowMetrics,
	"settings":   (*Shell).ShowSettings,
	"clients":    (*Shell).ShowClients,
}

// parseLaunchArgs reads the desktop app's flags: -c/--config FILE and
// --show WINDOW.
func parseLaunchArgs(args []string, stderr io.Writer) (launchOptions, error) {
	var o launchOptions
	fs := flag.NewFlagSet("mcplex gui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "config file (default: $MCPLEX_CONFIG, ./mcplex.toml, else the user config dir)")
	fs.StringVar(&o.config, "c", "", "shorthand for --config")
	fs.StringVar(&o.show, "show", "", "also open a window at launch: servers, roles, playground, metrics, settings or clients")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mcplex [gui [-c FILE] [--show WINDOW]]\n\nStarts the MCPlex desktop app (tray icon and windows). Other commands: mcplex help.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (the desktop app takes only -c FILE and --show WINDOW; see mcplex help)", fs.Arg(0))
	}
	if _, ok := launchWindows[o.show]; o.show != "" && !ok {
		return o, fmt.Errorf("--show %s: no such window (servers, roles, playground, metrics, settings or clients)", o.show)
	}
	return o, nil
}

// headlessReason says why there is no display to open windows on, or ""
// when there is one. Only X11/Wayland systems can be without one.
func headlessReason(goos string, getenv func(string) string) string {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return ""
	}
	if getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	return "no graphical display ($DISPLAY and $WAYLAND_DISPLAY are not set)"
}

// launch is Main with its environment passed in.
func launch(args []string, newApp func() fyne.App, stderr io.Writer, getenv func(string) string) int {
	opts, err := parseLaunchArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "mcplex:", err)
		return 2
	}
	if why := headlessReason(runtime.GOOS, getenv); why != "" {
		fmt.Fprintf(stderr, "mcplex: %s, so the desktop app cannot open; running the gateway headless instead (mcplex serve). Stop it with Ctrl+C.\n", why)
		serve := []string{"serve"}
		if opts.config != "" {
			serve = append(serve, "--config", opts.config)
		}
		return runHeadless(serve)
	}
	ctrl, mode, err := openController(context.Background(), opts.config)
	a := newApp()
	a.SetIcon(appIcon)
	if err != nil {
		// Launched from a desktop, stderr is nowhere: say it in a window.
		fmt.Fprintln(stderr, "mcplex:", err)
		showFatal(a, err)
		return 1
	}
	s := New(a, ctrl)
	s.mode = mode
	configPath := opts.config
	if configPath == "" {
		configPath = ctrl.Snapshot().ConfigPath // the file the gateway (or the service) runs
	}
	s.SetDesktop(newDesktop(configPath))
	if open := launchWindows[opts.show]; open != nil {
		s.atLaunch = func() { open(s) }
	}
	s.Run()
	s.shutdown()
	return 0
}

// showFatal runs the app with one window that says why MCPlex cannot start.
func showFatal(a fyne.App, err error) {
	w := a.NewWindow("MCPlex")
	msg := widget.NewLabel("MCPlex cannot start:\n\n" + err.Error())
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil, container.NewHBox(widget.NewButton("Quit", a.Quit)), nil, nil, msg))
	w.Resize(fyne.NewSize(560, 240))
	w.ShowAndRun()
}

// Run shows the shell and runs the Fyne app until Quit: the tray icon (or,
// with no tray, the main window says why it stays open), the main window,
// the snapshot poll and, in-process, the gateway itself.
func (s *Shell) Run() {
	main := s.MainWindow()
	if why := s.setupTray(); why != "" {
		s.noTray(why)
	}
	stop := make(chan struct{})
	s.app.Lifecycle().SetOnStarted(func() {
		go s.poll(pollInterval, stop)
		if s.desk != nil {
			go s.desk.poll(desktopPollInterval, stop)
		}
		if s.inProcess() {
			s.StartGateway()
		}
	})
	main.Show()
	if s.atLaunch != nil {
		s.atLaunch() // after the main window, so that it is in front
	}
	s.app.Run()
	s.closed.Store(true)
	close(stop)
}

// setupTray puts the icon in the system tray, or says why it cannot.
func (s *Shell) setupTray() string {
	desk, ok := s.app.(desktop.App)
	if !ok {
		return "No system tray in this environment; MCPlex stays in this window."
	}
	if why := missingTrayHost(); why != "" {
		return why
	}
	t := &tray{desk: desk, actions: s.trayActions(), icon: trayIcon}
	t.update(s.ctrl.Snapshot())
	s.OnSnapshot(t.update)
	if s.desk != nil {
		s.desk.onChange(t.setDesktop)
	}
	if w, ok := s.lookupWindow("main"); ok {
		desk.SetSystemTrayWindow(w) // a click on the icon shows the main window
	}
	return ""
}

// noTray keeps the app visible without a tray: the main window says why,
// and closing it quits, since nothing else could bring it back.
func (s *Shell) noTray(why string) {
	if v := s.mainView(); v != nil {
		v.setBanner(why)
	}
	if w, ok := s.lookupWindow("main"); ok {
		w.SetCloseIntercept(s.Quit)
	}
}

// trayActions wires the tray menu to the shell.
func (s *Shell) trayActions() trayActions {
	a := s.baseTrayActions()
	if o := s.desk; o != nil {
		a.ConnectClient = func(name string) { o.connect(s.trayParent, name) }
		a.DisconnectClient = func(name string) { o.disconnect(s.trayParent, name) }
		a.ShowClients = s.ShowClients
		a.InstallService = func() { o.installService(s.trayParent) }
		a.StartService = func() { o.startService(s.trayParent) }
		a.StopService = func() { o.stopService(s.trayParent) }
		a.UninstallService = func() { o.uninstallService(s.trayParent) }
	}
	return a
}

// trayParent is the window dialogs of tray actions appear over: the main
// window, brought up.
func (s *Shell) trayParent() fyne.Window {
	w := s.MainWindow()
	w.Show()
	w.RequestFocus()
	return w
}

func (s *Shell) baseTrayActions() trayActions {
	return trayActions{
		Start:        s.StartGateway,
		Stop:         s.StopGateway,
		ShowMain:     func() { s.MainWindow().Show() },
		ShowServers:  s.ShowServers,
		ShowServer:   s.showServer,
		ShowRoles:    s.ShowRoles,
		ShowPlay:     s.ShowPlayground,
		ShowMetrics:  s.ShowMetrics,
		ShowSettings: s.ShowSettings,
		CopyEndpoint: s.copyEndpoint,
		Quit:         s.Quit,
	}
}

// Quit ends the app; Main then stops an in-process gateway.
func (s *Shell) Quit() { s.app.Quit() }

// shutdown stops an in-process gateway (its upstream processes with it)
// and closes a controller that holds a connection. A service keeps running.
func (s *Shell) shutdown() {
	s.closed.Store(true)
	s.mu.Lock()
	if s.opCancel != nil {
		s.opCancel() // a Start still in flight gives way to the Stop below
	}
	s.mu.Unlock()
	if s.inProcess() {
		ctx, cancel := context.WithTimeout(context.Background(), quitTimeout)
		defer cancel()
		if err := s.ctrl.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "mcplex: stopping the gateway:", err)
		}
	}
	if c, ok := s.ctrl.(io.Closer); ok {
		_ = c.Close()
	}
}

// inProcess reports whether the gateway runs in this process (and so
// starts and stops with the app), as opposed to an installed service.
func (s *Shell) inProcess() bool {
	if s.mode != "" {
		return s.mode == modeInProcess
	}
	return s.ctrl.Snapshot().Mode == modeInProcess
}

// copyEndpoint puts the MCP endpoint URL on the clipboard.
func (s *Shell) copyEndpoint() {
	if url := s.Last().Endpoint; url != "" {
		s.app.Clipboard().SetContent(url)
	}
}

// gatewayOp is a Start or Stop in flight, or how the last one ended.
type gatewayOp struct {
	Busy string // "Starting the gateway…" while one runs
	Err  string // why the last one failed
}

// onGatewayOp registers f to be called, on the UI goroutine, whenever a
// Start or Stop begins or ends.
func (s *Shell) onGatewayOp(f func(gatewayOp)) {
	s.mu.Lock()
	s.opListeners = append(s.opListeners, f)
	op := s.op
	s.mu.Unlock()
	f(op)
}

// StartGateway starts the gateway in the background; the windows show
// progress, and a failure, without ending the app.
func (s *Shell) StartGateway() {
	s.runGatewayOp("Starting the gateway…", "Start failed: ", s.ctrl.Start)
}

// StopGateway stops the gateway in the background.
func (s *Shell) StopGateway() {
	s.runGatewayOp("Stopping the gateway…", "Stop failed: ", s.ctrl.Stop)
}

// runGatewayOp runs f off the UI goroutine unless an operation is already
// running. Call it on the UI goroutine.
func (s *Shell) runGatewayOp(busy, failed string, f func(context.Context) error) {
	s.mu.Lock()
	if s.op.Busy != "" {
		s.mu.Unlock()
		return
	}
	s.op = gatewayOp{Busy: busy}
	ctx, cancel := context.WithTimeout(context.Background(), gatewayOpTimeout)
	s.opCancel = cancel
	s.mu.Unlock()
	s.emitOp()
	s.tasks.Go(func() {
		defer cancel()
		var op gatewayOp
		if err := f(ctx); err != nil {
			op.Err = failed + err.Error()
		}
		s.mu.Lock()
		s.op = op
		s.mu.Unlock()
		if s.closed.Load() {
			return // the app has quit: no window to tell
		}
		s.Refresh()
		fyne.Do(func() {
			s.emitOp()
			if op.Err != "" {
				s.app.SendNotification(fyne.NewNotification("MCPlex", op.Err))
			}
		})
	})
}

// emitOp hands the current operation to every listener (UI goroutine).
func (s *Shell) emitOp() {
	s.mu.Lock()
	op, ls := s.op, append([]func(gatewayOp){}, s.opListeners...)
	s.mu.Unlock()
	for _, f := range ls {
		f(op)
	}
}

// WaitIdle waits for the background work the shell started (gateway
// operations, OS integration calls) to finish. Tests use it after a tap.
func (s *Shell) WaitIdle() { s.tasks.Wait() }
