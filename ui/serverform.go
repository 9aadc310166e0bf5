package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// The transport choices of the server form.
const (
	transportStdio = "stdio (command)"
	transportHTTP  = "HTTP (URL)"
)

// The server form's fields, as keys of its error notes.
const (
	srvFieldName    = "name"
	srvFieldCommand = "command"
	srvFieldEnv     = "env"
	srvFieldURL     = "url"
	srvFieldHeaders = "headers"
	srvFieldAllowed = "allowed_tools"
	srvFieldBlocked = "blocked_tools"
	srvFieldTimeout = "timeout_seconds"
)

// serverInput is what the form holds, read on the UI goroutine.
type serverInput struct {
	name, description string
	enabled           bool
	stdio             bool
	command, cwd      string
	args              []string
	env               map[string]string
	url               string
	headers           map[string]string
	allowed, blocked  []string
	timeout           int
}

// applyTo writes in over s, keeping the keys the form does not show
// (allowed_roles) and the other transport's keys cleared.
func (in serverInput) applyTo(s *app.ServerConfig) {
	s.Name, s.Description = in.name, in.description
	if in.stdio {
		s.Command, s.Args, s.Env, s.Cwd = in.command, in.args, in.env, in.cwd
		s.URL, s.Headers = "", nil
	} else {
		s.URL, s.Headers = in.url, in.headers
		s.Command, s.Args, s.Env, s.Cwd = "", nil, nil, ""
	}
	s.AllowedTools, s.BlockedTools, s.TimeoutSeconds = in.allowed, in.blocked, in.timeout
	if in.enabled != s.IsEnabled() {
		on := in.enabled
		s.Enabled = &on
	}
}

// serverForm is the right side of the servers window.
type serverForm struct {
	content fyne.CanvasObject

	title                   *widget.Label
	live                    *widget.Label // the server's state in the gateway
	name, command, cwd, url *widget.Entry
	args, allowed, blocked  *widget.Entry
	timeout, description    *widget.Entry
	enabled                 *widget.Check
	transport               *widget.RadioGroup
	env, headers            *kvEditor
	errs                    map[string]*widget.Label // error notes by field
	stdioRows, httpRows     []fyne.CanvasObject
	filling                 bool // the form is being filled, not edited
	dirty                   bool // edited since it was last filled
	onDirty                 func()
}

func newServerForm() *serverForm {
	f := &serverForm{
		title:       widget.NewLabelWithStyle("New server", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		live:        widget.NewLabel(""),
		name:        widget.NewEntry(),
		command:     widget.NewEntry(),
		cwd:         widget.NewEntry(),
		url:         widget.NewEntry(),
		args:        widget.NewMultiLineEntry(),
		allowed:     widget.NewMultiLineEntry(),
		blocked:     widget.NewMultiLineEntry(),
		timeout:     widget.NewEntry(),
		description: widget.NewEntry(),
		enabled:     widget.NewCheck("Enabled (the gateway runs this server)", nil),
		env:         newKVEditor("NAME", "Add variable"),
		headers:     newKVEditor("Header-Name", "Add header"),
		errs:        map[string]*widget.Label{},
	}
	f.transport = widget.NewRadioGroup([]string{transportStdio, transportHTTP}, func(string) {
		f.showTransport()
		f.edited()
	})
	f.transport.Horizontal = true
	f.transport.Required = true
	f.name.SetPlaceHolder("github (letters, digits, _ . -)")
	f.command.SetPlaceHolder("npx")
	f.args.SetPlaceHolder("one argument per line, no quoting:\n-y\n@modelcontextprotocol/server-github")
	f.args.SetMinRowsVisible(3)
	f.cwd.SetPlaceHolder("working directory (optional)")
	f.url.SetPlaceHolder("https://example.com/mcp")
	f.allowed.SetPlaceHolder("one glob per line; empty = every tool\nsearch_*")
	f.allowed.SetMinRowsVisible(2)
	f.blocked.SetPlaceHolder("one glob per line\ndelete_*")
	f.blocked.SetMinRowsVisible(2)
	f.timeout.SetPlaceHolder("60 (default)")
	f.description.SetPlaceHolder("what this server is for (optional)")
	for _, e := range []*widget.Entry{f.name, f.command, f.cwd, f.url, f.args, f.allowed, f.blocked, f.timeout, f.description} {
		e.OnChanged = func(string) { f.edited() }
	}
	f.enabled.OnChanged = func(bool) { f.edited() }
	f.env.OnChange, f.headers.OnChange = f.edited, f.edited
	f.content = f.layout()
	f.clear()
	return f
}

func (f *serverForm) layout() fyne.CanvasObject {
	field := func(key string, w fyne.CanvasObject) fyne.CanvasObject {
		l := newFieldError()
		f.errs[key] = l
		return container.NewVBox(w, l)
	}
	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	f.stdioRows = []fyne.CanvasObject{
		label("Command"), field(srvFieldCommand, f.command),
		label("Arguments"), f.args,
		label("Directory"), f.cwd,
		label("Environment"), field(srvFieldEnv, f.env),
	}
	f.httpRows = []fyne.CanvasObject{
		label("URL"), field(srvFieldURL, f.url),
		label("Headers"), field(srvFieldHeaders, f.headers),
	}
	rows := []fyne.CanvasObject{
		label("Name"), field(srvFieldName, f.name),
		layout.NewSpacer(), f.enabled,
		label("Transport"), f.transport,
	}
	rows = append(rows, f.stdioRows...)
	rows = append(rows, f.httpRows...)
	rows = append(rows,
		label("Allowed tools"), field(srvFieldAllowed, f.allowed),
		label("Blocked tools"), field(srvFieldBlocked, f.blocked),
		label("Timeout (s)"), field(srvFieldTimeout, f.timeout),
		label("Description"), f.description)
	f.live.Wrapping = fyne.TextWrapWord
	f.live.Hide()
	return container.NewVBox(f.title, f.live, container.New(layout.NewFormLayout(), rows...))
}

// showTransport shows the fields of the chosen transport only.
func (f *serverForm) showTransport() {
	stdio := f.transport.Selected != transportHTTP
	for _, o := range f.stdioRows {
		showIf(o, stdio)
	}
	for _, o := range f.httpRows {
		showIf(o, !stdio)
	}
	f.content.Refresh()
}

func (f *serverForm) edited() {
	if f.filling || f.dirty {
		return
	}
	f.dirty = true
	if f.onDirty != nil {
		f.onDirty()
	}
}

// clear empties the form for a new server.
func (f *serverForm) clear() {
	f.fill(&app.ServerConfig{}, "New server")
}

// fill shows s, dropping any unsaved input.
func (f *serverForm) fill(s *app.ServerConfig, title string) {
	f.filling = true
	defer func() { f.filling = false }()
	f.title.SetText(title)
	f.name.SetText(s.Name)
	f.enabled.SetChecked(s.IsEnabled())
	if s.URL != "" {
		f.transport.SetSelected(transportHTTP)
	} else {
		f.transport.SetSelected(transportStdio)
	}
	f.command.SetText(s.Command)
	f.args.SetText(strings.Join(s.Args, "\n"))
	f.cwd.SetText(s.Cwd)
	f.env.Set(s.Env)
	f.url.SetText(s.URL)
	f.headers.Set(s.Headers)
	f.allowed.SetText(strings.Join(s.AllowedTools, "\n"))
	f.blocked.SetText(strings.Join(s.BlockedTools, "\n"))
	f.timeout.SetText("")
	if s.TimeoutSeconds != 0 {
		f.timeout.SetText(strconv.Itoa(s.TimeoutSeconds))
	}
	f.description.SetText(s.Description)
	f.showErrors(nil)
	f.showTransport()
	f.dirty = false
}

// read returns the form's input and, by field, what is wrong with it.
// taken are the names other servers already use.
func (f *serverForm) read(taken []string) (serverInput, map[string]string) {
	in := serverInput{
		name:        strings.TrimSpace(f.name.Text),
		description: strings.TrimSpace(f.description.Text),
		enabled:     f.enabled.Checked,
		stdio:       f.transport.Selected != transportHTTP,
		command:     strings.TrimSpace(f.command.Text),
		cwd:         strings.TrimSpace(f.cwd.Text),
		args:        viewLines(f.args.Text),
		env:         f.env.Map(),
		url:         strings.TrimSpace(f.url.Text),
		headers:     f.headers.Map(),
		allowed:     viewLines(f.allowed.Text),
		blocked:     viewLines(f.blocked.Text),
	}
	errs := map[string]string{}
	switch {
	case in.name == "":
		errs[srvFieldName] = "A name is required."
	case slices.Contains(taken, in.name):
		errs[srvFieldName] = fmt.Sprintf("Another server is already called %q.", in.name)
	}
	if in.stdio {
		if in.command == "" {
			errs[srvFieldCommand] = "A command is required for a stdio server."
		}
		if p := f.env.Problem(); p != "" {
			errs[srvFieldEnv] = "Environment: " + p + "."
		}
	} else {
		if msg := checkServerURL(in.url); msg != "" {
			errs[srvFieldURL] = msg
		}
		if p := f.headers.Problem(); p != "" {
			errs[srvFieldHeaders] = "Headers: " + p + "."
		}
	}
	if t := strings.TrimSpace(f.timeout.Text); t != "" {
		n, err := strconv.Atoi(t)
		switch {
		case err != nil:
			errs[srvFieldTimeout] = fmt.Sprintf("%q is not a whole number of seconds.", t)
		case n < 0:
			errs[srvFieldTimeout] = "The timeout cannot be negative (0 = the default, 60 s)."
		}
		in.timeout = n
	}
	checkGlobLines(errs, srvFieldAllowed, in.allowed, false)
	checkGlobLines(errs, srvFieldBlocked, in.blocked, true)
	return in, errs
}

// checkServerURL says what is wrong with an HTTP server's URL, or "".
func checkServerURL(s string) string {
	if s == "" {
		return "A URL is required for an HTTP server."
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http:// or https:// URL.", s)
	}
	return ""
}

// checkGlobLines compiles each pattern as the policy does.
func checkGlobLines(errs map[string]string, field string, globs []string, block bool) {
	for _, g := range globs {
		if _, err := app.CompileRolePattern(g, block); err != nil {
			errs[field] = fmt.Sprintf("%q: %v", g, err)
			return
		}
	}
}

// setLive shows the server's state in the gateway under the title; an
// empty text hides it.
func (f *serverForm) setLive(text string, importance widget.Importance) {
	f.live.Importance = importance
	f.live.SetText(text)
	showIf(f.live, text != "")
}

// showErrors puts each message under its field and hides the others.
func (f *serverForm) showErrors(errs map[string]string) {
	for key, l := range f.errs {
		setFieldError(l, errs[key])
	}
	f.content.Refresh()
}
