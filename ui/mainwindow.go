package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// MainWindow returns the main window, building it the first time; it is
// not shown. Closing it hides it (the tray brings it back); with no tray,
// closing it quits.
func (s *Shell) MainWindow() fyne.Window {
	return s.window("main", "MCPlex", func(fyne.Window) fyne.CanvasObject {
		v := newMainView(s)
		s.mu.Lock()
		s.mainv = v
		s.mu.Unlock()
		s.OnSnapshot(v.setSnapshot)
		s.onGatewayOp(v.setOp)
		return v.content
	})
}

// mainView returns the main window's view, once MainWindow built it.
func (s *Shell) mainView() *mainView {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mainv
}

// mainView is the main window: the gateway's state and address, Start and
// Stop, the servers at a glance and the way to every other window.
type mainView struct {
	content fyne.CanvasObject

	banner     *fyne.Container
	bannerText *widget.Label

	icon       *widget.Icon
	title      *widget.Label
	summary    *widget.Label
	errText    *widget.Label
	configErr  *widget.Label
	startStop  *widget.Button
	progress   *widget.ProgressBarInfinite
	opText     *widget.Label
	endpoint   *widget.Label
	copyURL    *widget.Button
	dashboard  *widget.Label
	configPath *widget.Label
	mode       *widget.Label
	version    *widget.Label

	list    *widget.List
	empty   *widget.Label
	servers []app.ServerStatus

	snap app.Snapshot
	op   gatewayOp
	// Buttons of the other windows, for tests.
	openServers, openRoles, openPlay, openMetrics, openSettings *widget.Button
}

func newMainView(s *Shell) *mainView {
	v := &mainView{
		bannerText: widget.NewLabel(""),
		icon:       widget.NewIcon(stateGlyph(app.StateStopped)),
		title:      widget.NewLabelWithStyle("Stopped", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		summary:    widget.NewLabel(""),
		errText:    newFieldError(),
		configErr:  widget.NewLabel(""),
		progress:   widget.NewProgressBarInfinite(),
		opText:     widget.NewLabel(""),
		endpoint:   widget.NewLabel("—"),
		dashboard:  widget.NewLabel("off"),
		configPath: widget.NewLabel(""),
		mode:       widget.NewLabel(""),
		version:    widget.NewLabel(""),
		empty:      widget.NewLabel("No servers yet. Add one in Servers…"),
	}
	v.title.SizeName = theme.SizeNameHeadingText
	v.bannerText.Wrapping = fyne.TextWrapWord
	v.bannerText.Importance = widget.WarningImportance
	v.banner = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, v.bannerText)
	v.banner.Hide()
	v.configErr.Wrapping = fyne.TextWrapWord
	v.configErr.Importance = widget.WarningImportance
	v.configErr.Hide()
	v.progress.Stop()
	v.progress.Hide()
	v.opText.Hide()
	v.configPath.Truncation = fyne.TextTruncateEllipsis

	v.startStop = widget.NewButtonWithIcon("Start gateway", theme.MediaPlayIcon(), func() {
		if gatewayServing(v.snap.State) {
			s.StopGateway()
		} else {
			s.StartGateway()
		}
	})
	v.copyURL = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), s.copyEndpoint)
	v.copyURL.Disable()

	v.list = widget.NewList(func() int { return len(v.servers) }, newServerRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { setServerRow(o, v.servers[i]) })
	v.list.OnSelected = func(i widget.ListItemID) {
		v.list.UnselectAll()
		s.showServer(v.servers[i].Name)
	}

	v.openServers = widget.NewButtonWithIcon("Servers…", theme.StorageIcon(), s.ShowServers)
	v.openRoles = widget.NewButtonWithIcon("Roles & keys…", theme.AccountIcon(), s.ShowRoles)
	v.openPlay = widget.NewButtonWithIcon("Playground…", theme.SearchIcon(), s.ShowPlayground)
	v.openMetrics = widget.NewButtonWithIcon("Metrics…", theme.GridIcon(), s.ShowMetrics)
	v.openSettings = widget.NewButtonWithIcon("Settings…", theme.SettingsIcon(), s.ShowSettings)

	v.content = v.layout()
	return v
}

func (v *mainView) layout() fyne.CanvasObject {
	head := container.NewBorder(nil, nil,
		container.NewGridWrap(fyne.NewSquareSize(56), v.icon),
		container.NewCenter(v.startStop),
		container.NewVBox(v.title, v.summary))
	info := container.New(layout.NewFormLayout(),
		mainInfoLabel("Endpoint"), container.NewBorder(nil, nil, nil, v.copyURL, v.endpoint),
		mainInfoLabel("Dashboard"), v.dashboard,
		mainInfoLabel("Config file"), v.configPath,
		mainInfoLabel("Mode"), v.mode,
		mainInfoLabel("Version"), v.version)
	top := container.NewVBox(v.banner, head, v.errText, v.configErr,
		container.NewBorder(nil, nil, nil, v.opText, v.progress),
		widget.NewSeparator(), info, widget.NewSeparator(),
		widget.NewLabelWithStyle("Servers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	buttons := container.NewHBox(v.openServers, v.openRoles, v.openPlay, v.openMetrics, v.openSettings)
	return container.NewPadded(container.NewBorder(top, container.NewVBox(widget.NewSeparator(), buttons), nil, nil,
		container.NewStack(v.list, container.NewVBox(v.empty))))
}

func mainInfoLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
}

// setBanner shows why MCPlex is not in the tray.
func (v *mainView) setBanner(msg string) {
	v.bannerText.SetText(msg)
	v.banner.Hidden = msg == ""
	v.content.Refresh()
}

// setSnapshot draws snap (UI goroutine).
func (v *mainView) setSnapshot(snap app.Snapshot) {
	v.snap = snap
	st := snap.State
	if st == "" {
		st = app.StateStopped
	}
	v.icon.SetResource(stateGlyph(st))
	v.title.SetText(stateTitle(st))
	v.summary.SetText(mainSummary(snap))
	if snap.Endpoint != "" {
		v.endpoint.SetText(snap.Endpoint)
		v.copyURL.Enable()
	} else {
		v.endpoint.SetText("— (not serving)")
		v.copyURL.Disable()
	}
	v.dashboard.SetText(textOr(snap.Dashboard, "off"))
	v.configPath.SetText(snap.ConfigPath)
	v.mode.SetText(mainModeText(snap.Mode))
	v.version.SetText(snap.Version)
	if snap.ConfigErr != "" {
		v.configErr.SetText("The config file has errors; the last good config keeps running: " + snap.ConfigErr)
		v.configErr.Show()
	} else {
		v.configErr.Hide()
	}
	v.servers = snap.Servers
	v.empty.Hidden = len(v.servers) > 0
	v.list.Refresh()
	v.refreshControls()
}

// setOp draws a Start or Stop in flight, or how the last one ended.
func (v *mainView) setOp(op gatewayOp) {
	v.op = op
	v.refreshControls()
}

// refreshControls draws what depends on both the snapshot and the
// operation: the Start/Stop button, the progress and the error.
func (v *mainView) refreshControls() {
	if gatewayServing(v.snap.State) {
		v.startStop.SetText("Stop gateway")
		v.startStop.SetIcon(theme.MediaStopIcon())
		v.startStop.Importance = widget.MediumImportance
	} else {
		v.startStop.SetText("Start gateway")
		v.startStop.SetIcon(theme.MediaPlayIcon())
		v.startStop.Importance = widget.HighImportance
	}
	if v.op.Busy != "" {
		v.startStop.Disable()
		v.opText.SetText(v.op.Busy)
		v.opText.Show()
		v.progress.Show()
		v.progress.Start()
	} else {
		v.startStop.Enable()
		v.progress.Stop()
		v.progress.Hide()
		v.opText.Hide()
	}
	setFieldError(v.errText, mainErrorLine(v.snap, v.op))
	v.content.Refresh()
}

// errorLine is what went wrong, if anything: the last operation's error,
// and why the gateway stopped when that says more.
func mainErrorLine(snap app.Snapshot, op gatewayOp) string {
	var lines []string
	if op.Err != "" && op.Busy == "" {
		lines = append(lines, op.Err)
	}
	if snap.State == app.StateStopped && snap.Error != "" && (op.Err == "" || !strings.HasSuffix(op.Err, snap.Error)) {
		lines = append(lines, "The gateway is stopped: "+snap.Error)
	}
	return strings.Join(lines, "\n")
}

// mainSummary is the line under the state: servers and tools, or what to do.
func mainSummary(snap app.Snapshot) string {
	if !gatewayServing(snap.State) {
		return "Not serving. Start the gateway to give MCP clients one endpoint for all your servers."
	}
	ready, all := countServers(snap.Servers, "ready"), len(snap.Servers)
	if ready == all {
		return nounCount(snap.ToolCount, "tool") + " from " + nounCount(all, "server")
	}
	return fmt.Sprintf("%s from %d of %s (%d not ready)", nounCount(snap.ToolCount, "tool"), ready, nounCount(all, "server"), all-ready)
}

func mainModeText(mode string) string {
	switch mode {
	case modeInProcess:
		return "in-process (the gateway runs inside this app and stops with it)"
	case "service":
		return "service (the installed MCPlex service runs the gateway)"
	}
	return textOr(mode, "—")
}

func textOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// newServerRow is the template of a row in a server list: state icon,
// name, state.
func newServerRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("server", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state := widget.NewLabel("state")
	state.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.MediaStopIcon()), name), nil, state)
}

// setServerRow fills a newServerRow with st.
func setServerRow(o fyne.CanvasObject, st app.ServerStatus) {
	row := o.(*fyne.Container)
	state := row.Objects[0].(*widget.Label)
	left := row.Objects[1].(*fyne.Container)
	left.Objects[0].(*widget.Icon).SetResource(serverStateIcon(st.State))
	left.Objects[1].(*widget.Label).SetText(st.Name)
	text := serverStateText(st)
	if st.Transport != "" {
		text = st.Transport + " · " + text
	}
	state.SetText(text)
}
