package ui

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// ShowSettings opens the settings window, reloading the form from the
// config file so that a hand edit shows up, unless the form holds unsaved
// input: that is kept, with a note when the file changed.
func (s *Shell) ShowSettings() {
	w := s.window("settings", "MCPlex settings", func(w fyne.Window) fyne.CanvasObject {
		v := newSettingsView(s.ctrl)
		if s.desk != nil {
			v.attachDesktop(s.desk, w, s.ShowClients)
		}
		return newViewPane(v, v.content)
	})
	if v, ok := paneView[*settingsView](w); ok {
		v.reopen()
	}
	w.Show()
}

// settingsView is the form over [gateway], [router], [security] and [cache].
type settingsView struct {
	ctrl    app.Controller
	jobs    viewJobs
	content fyne.CanvasObject

	listen, dashboard, name, rateLimit, maxRequestBytes *widget.Entry
	idleTimeout, maxSessions, shutdownGrace, hosts      *widget.Entry
	hotReload                                           *widget.Check

	mode, strategy   *widget.Select
	topK, similarity *widget.Entry
	cacheEmbeddings  *widget.Check

	rbac, auditLog, auditArgs *widget.Check
	auditPath, maxLogMB       *widget.Entry
	toolChanges               *widget.Select

	cacheOn                        *widget.Check
	ttl, maxEntries, cachePatterns *widget.Entry

	// The Desktop card: "Start MCPlex at login", the service and the
	// clients; disabled without an app.Desktop (see settingsdesktop.go).
	autostart  *widget.Check
	desktopBox *fyne.Container
	desk       *settingsDesktop

	save, revert *widget.Button
	status       *widget.Label
	errText      *widget.Label

	loaded  *app.Config // the file as the form was filled from it; nil until it loads
	filling bool        // the form is being filled, not edited
	dirty   bool        // edited since it was last filled
	edits   int         // counts edits, to notice one made while a save runs
}

func newSettingsView(ctrl app.Controller) *settingsView {
	v := &settingsView{ctrl: ctrl, status: widget.NewLabel(""), errText: newViewErrorText()}
	v.save = widget.NewButton("Save", v.doSave)
	v.save.Importance = widget.HighImportance
	v.revert = widget.NewButton("Revert to file", v.reload)
	v.autostart = widget.NewCheck("Start MCPlex at login", nil)
	v.autostart.Disable()
	v.desktopBox = container.NewVBox(v.autostart, widget.NewLabel("not available: this session has no OS integration"))

	cards := container.NewVBox(v.gatewayCard(), v.routerCard(), v.securityCard(), v.cacheCard(),
		widget.NewSeparator(), widget.NewCard("Desktop", "", v.desktopBox))
	bar := container.NewVBox(v.errText, container.NewHBox(v.save, v.revert, v.status))
	v.content = container.NewBorder(nil, bar, nil, nil, container.NewVScroll(cards))
	v.watchEdits()
	return v
}

// watchEdits marks the form dirty when the user changes any field.
func (v *settingsView) watchEdits() {
	for _, e := range []*widget.Entry{v.listen, v.dashboard, v.name, v.rateLimit, v.maxRequestBytes, v.idleTimeout,
		v.maxSessions, v.shutdownGrace, v.hosts, v.topK, v.similarity, v.auditPath, v.maxLogMB, v.ttl, v.maxEntries,
		v.cachePatterns} {
		e.OnChanged = func(string) { v.edited() }
	}
	for _, c := range []*widget.Check{v.hotReload, v.cacheEmbeddings, v.rbac, v.auditLog, v.auditArgs, v.cacheOn} {
		c.OnChanged = func(bool) { v.edited() }
	}
	for _, s := range []*widget.Select{v.mode, v.strategy, v.toolChanges} {
		s.OnChanged = func(string) { v.edited() }
	}
}

func (v *settingsView) edited() {
	if !v.filling {
		v.dirty = true
		v.edits++
	}
}

func (v *settingsView) gatewayCard() fyne.CanvasObject {
	v.listen, v.dashboard, v.name = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	v.rateLimit, v.maxRequestBytes = widget.NewEntry(), widget.NewEntry()
	v.idleTimeout, v.maxSessions, v.shutdownGrace = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	v.hosts = newViewLinesEntry()
	v.hotReload = widget.NewCheck("Reload the config file when it changes", nil)
	return widget.NewCard("Gateway", "", &widget.Form{Items: []*widget.FormItem{
		{Text: "listen", Widget: v.listen, HintText: "host:port for MCP clients (restart needed)"},
		{Text: "dashboard", Widget: v.dashboard, HintText: "host:port of the web dashboard; empty = off (restart needed)"},
		{Text: "hot_reload", Widget: v.hotReload},
		{Text: "name", Widget: v.name},
		{Text: "rate_limit_rps", Widget: v.rateLimit, HintText: "requests per second per client; 0 = unlimited"},
		{Text: "allowed_hosts", Widget: v.hosts, HintText: "extra Host/Origin values, one per line"},
		{Text: "max_request_bytes", Widget: v.maxRequestBytes},
		{Text: "session_idle_timeout_seconds", Widget: v.idleTimeout, HintText: "0 = never (restart needed)"},
		{Text: "max_sessions_per_client", Widget: v.maxSessions},
		{Text: "shutdown_grace_seconds", Widget: v.shutdownGrace},
	}})
}

func (v *settingsView) routerCard() fyne.CanvasObject {
	v.mode = widget.NewSelect([]string{app.ModeMetatool, app.ModePassthrough, app.ModeLegacy}, nil)
	v.strategy = widget.NewSelect([]string{app.StrategySemantic, app.StrategyKeyword, app.StrategyPassthrough}, nil)
	v.topK, v.similarity = widget.NewEntry(), widget.NewEntry()
	v.cacheEmbeddings = widget.NewCheck("Cache tool embeddings", nil)
	return widget.NewCard("Router", "", &widget.Form{Items: []*widget.FormItem{
		{Text: "mode", Widget: v.mode, HintText: "metatool: 3 meta-tools; passthrough: all tools"},
		{Text: "strategy", Widget: v.strategy},
		{Text: "top_k", Widget: v.topK, HintText: "tools returned per query, at least 1"},
		{Text: "similarity_threshold", Widget: v.similarity, HintText: "minimum relevance, 0 to 1"},
		{Text: "cache_embeddings", Widget: v.cacheEmbeddings},
	}})
}

func (v *settingsView) securityCard() fyne.CanvasObject {
	v.rbac = widget.NewCheck("Enforce roles (RBAC)", nil)
	v.auditLog = widget.NewCheck("Write the audit log", nil)
	v.auditArgs = widget.NewCheck("Include tool arguments (redacted)", nil)
	v.auditPath, v.maxLogMB = widget.NewEntry(), widget.NewEntry()
	v.toolChanges = widget.NewSelect([]string{"warn", "quarantine"}, nil)
	return widget.NewCard("Security", "", &widget.Form{Items: []*widget.FormItem{
		{Text: "enable_rbac", Widget: v.rbac, HintText: "requests without a key's role are denied when on"},
		{Text: "enable_audit_log", Widget: v.auditLog},
		{Text: "audit_log_path", Widget: v.auditPath},
		{Text: "max_log_size_mb", Widget: v.maxLogMB, HintText: "rotate above this size (5 backups)"},
		{Text: "audit_arguments", Widget: v.auditArgs},
		{Text: "tool_changes", Widget: v.toolChanges, HintText: "what a changed tool definition does"},
	}})
}

func (v *settingsView) cacheCard() fyne.CanvasObject {
	v.cacheOn = widget.NewCheck("Cache read-only tool results", nil)
	v.ttl, v.maxEntries = widget.NewEntry(), widget.NewEntry()
	v.cachePatterns = newViewLinesEntry()
	return widget.NewCard("Cache", "", &widget.Form{Items: []*widget.FormItem{
		{Text: "enabled", Widget: v.cacheOn},
		{Text: "ttl_seconds", Widget: v.ttl},
		{Text: "max_entries", Widget: v.maxEntries},
		{Text: "patterns", Widget: v.cachePatterns, HintText: "extra cacheable tools (globs), one per line"},
	}})
}

// reopen reloads the form when it holds no unsaved input. Otherwise it
// keeps the input and only says so if the file changed meanwhile.
func (v *settingsView) reopen() {
	if !v.dirty {
		v.reload()
		return
	}
	v.jobs.Go(func() {
		ctx, cancel := viewCtrlContext()
		defer cancel()
		c, err := v.ctrl.Config(ctx)
		fyne.Do(func() {
			if err == nil && v.dirty && v.loaded != nil && !sameSettings(c, v.loaded) {
				v.status.SetText("The config file changed on disk: your input is kept. Revert to file loads the file.")
			}
		})
		if v.desk != nil {
			v.desk.load()
		}
	})
}

// reload fills the form from the config file, dropping unsaved input.
func (v *settingsView) reload() {
	v.status.SetText("Loading…")
	v.jobs.Go(func() {
		ctx, cancel := viewCtrlContext()
		defer cancel()
		c, err := v.ctrl.Config(ctx)
		fyne.Do(func() {
			if err != nil {
				v.status.SetText("Fix the file, then Revert to file to load it.")
				v.save.Disable() // an edit must start from the file, which does not load
				showViewError(v.errText, "The config file does not load: "+err.Error())
				v.content.Refresh()
				return
			}
			v.fill(c)
			v.save.Enable()
			showViewError(v.errText, "")
			v.status.SetText("Loaded " + c.Path)
			v.content.Refresh()
		})
		if v.desk != nil {
			v.desk.load() // in this job: fyne.Do callbacks of one window never overlap in tests
		}
	})
}

// fill shows c in the form, dropping unsaved input.
func (v *settingsView) fill(c *app.Config) {
	v.filling = true
	defer func() { v.filling = false }()
	v.loaded, v.dirty = c, false
	g := c.Gateway
	v.listen.SetText(g.Listen)
	v.dashboard.SetText(g.Dashboard)
	v.hotReload.SetChecked(g.HotReload)
	v.name.SetText(g.Name)
	v.rateLimit.SetText(strconv.Itoa(g.RateLimitRPS))
	v.hosts.SetText(strings.Join(g.AllowedHosts, "\n"))
	v.maxRequestBytes.SetText(strconv.FormatInt(g.MaxRequestBytes, 10))
	v.idleTimeout.SetText(strconv.Itoa(g.SessionIdleTimeoutSeconds))
	v.maxSessions.SetText(strconv.Itoa(g.MaxSessionsPerClient))
	v.shutdownGrace.SetText(strconv.Itoa(g.ShutdownGraceSeconds))

	r := c.Router
	v.mode.SetSelected(r.Mode)
	v.strategy.SetSelected(r.Strategy)
	v.topK.SetText(strconv.Itoa(r.TopK))
	v.similarity.SetText(strconv.FormatFloat(r.SimilarityThreshold, 'g', -1, 64))
	v.cacheEmbeddings.SetChecked(r.CacheEmbeddings)

	sec := c.Security
	v.rbac.SetChecked(sec.EnableRBAC)
	v.auditLog.SetChecked(sec.EnableAuditLog)
	v.auditPath.SetText(sec.AuditLogPath)
	v.maxLogMB.SetText(strconv.Itoa(sec.MaxLogSizeMB))
	v.auditArgs.SetChecked(sec.AuditArguments)
	v.toolChanges.SetSelected(sec.ToolChanges)

	v.cacheOn.SetChecked(c.Cache.Enabled)
	v.ttl.SetText(strconv.Itoa(c.Cache.TTLSeconds))
	v.maxEntries.SetText(strconv.Itoa(c.Cache.MaxEntries))
	v.cachePatterns.SetText(strings.Join(c.Cache.Patterns, "\n"))
}

// parse reads the form on the UI goroutine into an edit that the save
// goroutine applies. A field that is not a number fails here, before
// anything is written; ranges are left to the config's own validation.
func (v *settingsView) parse() (func(*app.Config), error) {
	var n settingsNumbers
	rps, reqBytes := n.int("gateway.rate_limit_rps", v.rateLimit), n.int64("gateway.max_request_bytes", v.maxRequestBytes)
	idle, sessions := n.int("gateway.session_idle_timeout_seconds", v.idleTimeout), n.int("gateway.max_sessions_per_client", v.maxSessions)
	grace, topK := n.int("gateway.shutdown_grace_seconds", v.shutdownGrace), n.int("router.top_k", v.topK)
	sim := n.float("router.similarity_threshold", v.similarity)
	logMB, ttl := n.int("security.max_log_size_mb", v.maxLogMB), n.int("cache.ttl_seconds", v.ttl)
	entries := n.int("cache.max_entries", v.maxEntries)
	if n.err != nil {
		return nil, n.err
	}
	listen, dash, name := strings.TrimSpace(v.listen.Text), strings.TrimSpace(v.dashboard.Text), strings.TrimSpace(v.name.Text)
	hot, hosts := v.hotReload.Checked, viewLines(v.hosts.Text)
	mode, strategy, embed := v.mode.Selected, v.strategy.Selected, v.cacheEmbeddings.Checked
	rbac, audit, auditPath, auditArgs := v.rbac.Checked, v.auditLog.Checked, strings.TrimSpace(v.auditPath.Text), v.auditArgs.Checked
	changes, cacheOn, patterns := v.toolChanges.Selected, v.cacheOn.Checked, viewLines(v.cachePatterns.Text)
	return func(c *app.Config) {
		g := &c.Gateway
		g.Listen, g.Dashboard, g.HotReload, g.Name, g.RateLimitRPS = listen, dash, hot, name, rps
		g.AllowedHosts, g.MaxRequestBytes, g.SessionIdleTimeoutSeconds = hosts, reqBytes, idle
		g.MaxSessionsPerClient, g.ShutdownGraceSeconds = sessions, grace
		r := &c.Router
		r.Mode, r.Strategy, r.TopK, r.SimilarityThreshold, r.CacheEmbeddings = mode, strategy, topK, sim, embed
		s := &c.Security
		s.EnableRBAC, s.EnableAuditLog, s.AuditLogPath, s.MaxLogSizeMB = rbac, audit, auditPath, logMB
		s.AuditArguments, s.ToolChanges = auditArgs, changes
		c.Cache.Enabled, c.Cache.TTLSeconds, c.Cache.MaxEntries, c.Cache.Patterns = cacheOn, ttl, entries, patterns
	}, nil
}

// doSave writes the fields the user changed in the form over the file as
// it is now, so that a change made elsewhere to another field since the
// form was filled stays; a change elsewhere to the same field is refused.
func (v *settingsView) doSave() {
	apply, err := v.parse()
	if err != nil || v.loaded == nil {
		v.saved(nil, nil, 0, cmp.Or(err, errors.New("the config file has not loaded yet")))
		return
	}
	base, want := v.loaded, *v.loaded
	apply(&want)
	gen := v.edits
	v.save.Disable()
	v.status.SetText("Saving…")
	v.jobs.Go(func() {
		var restart []string
		var written *app.Config
		ctx, cancel := viewCtrlContext()
		defer cancel()
		err := v.ctrl.UpdateConfig(ctx, func(c *app.Config) error {
			prev := *c
			if err := mergeSettings(c, base, &want); err != nil {
				return err
			}
			restart = restartNeeded(&prev, c)
			cp := *c
			written = &cp
			return nil
		})
		fyne.Do(func() { v.saved(restart, written, gen, err) })
	})
}

// saved shows a save's outcome. Once saved, the form shows the file as
// written (with the changes made elsewhere), unless the user typed on
// while it saved: that input stays, unsaved.
func (v *settingsView) saved(restart []string, written *app.Config, gen int, err error) {
	defer v.content.Refresh() // the error line may have appeared or gone
	v.save.Enable()
	notApplied, ok := savedNotApplied(err)
	if err != nil && !ok {
		showViewError(v.errText, err.Error())
		v.status.SetText("Not saved: your input is kept.")
		return
	}
	if written != nil {
		if v.edits == gen {
			v.fill(written)
		} else {
			v.loaded = written
		}
	}
	showViewError(v.errText, notApplied)
	if ok {
		v.status.SetText("")
		return
	}
	msg := "Saved."
	if len(restart) > 0 {
		msg += " Restart the gateway for " + strings.Join(restart, ", ") + " to take effect."
	}
	v.status.SetText(msg)
}

// restartNeeded lists the changed keys a running gateway applies only when
// it restarts (core/gateway's reload reports the same ones).
func restartNeeded(a, b *app.Config) []string {
	var out []string
	add := func(changed bool, key string) {
		if changed {
			out = append(out, key)
		}
	}
	add(a.Gateway.Listen != b.Gateway.Listen, "gateway.listen")
	add(a.Gateway.Dashboard != b.Gateway.Dashboard, "gateway.dashboard")
	add(a.Gateway.SessionIdleTimeoutSeconds != b.Gateway.SessionIdleTimeoutSeconds, "gateway.session_idle_timeout_seconds")
	// The file watcher starts with the gateway: switching it off applies at
	// once, switching it on needs a restart.
	add(!a.Gateway.HotReload && b.Gateway.HotReload, "gateway.hot_reload")
	return out
}

// settingsNumbers parses numeric form fields, keeping the first error.
type settingsNumbers struct{ err error }

func (n *settingsNumbers) int64(key string, e *widget.Entry) int64 {
	s := strings.TrimSpace(e.Text)
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil && n.err == nil {
		n.err = fmt.Errorf("%s: %q is not a whole number", key, s)
	}
	return i
}

func (n *settingsNumbers) int(key string, e *widget.Entry) int {
	i := n.int64(key, e)
	if int64(int(i)) != i && n.err == nil {
		n.err = fmt.Errorf("%s: %d is too large", key, i)
	}
	return int(i)
}

func (n *settingsNumbers) float(key string, e *widget.Entry) float64 {
	s := strings.TrimSpace(e.Text)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && n.err == nil {
		n.err = fmt.Errorf("%s: %q is not a number", key, s)
	}
	return f
}
