package ui

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// ShowRoles opens the roles & keys window, reloading the config and the
// catalog so that a hand edit or a new server shows up. Unsaved input in
// the role or key editor is kept, with a note when the file changed.
func (s *Shell) ShowRoles() {
	w := s.window("roles", "MCPlex roles & keys", func(w fyne.Window) fyne.CanvasObject {
		v := newRolesView(s.ctrl, w)
		v.openSettings = s.ShowSettings
		return newViewPane(v, v.content)
	})
	if v, ok := paneView[*rolesView](w); ok {
		v.reload()
	}
	w.Show()
}

// newAPIKey makes the key Generate saves; tests replace it to get a known key.
var newAPIKey = app.NewAPIKey

// noRole is the role choice of a key that has none.
const noRole = "(no role)"

// rolesView edits [roles.NAME] and [api_keys."KEY"]. Every change is one
// UpdateConfig; the view then re-reads the file.
type rolesView struct {
	ctrl         app.Controller
	win          fyne.Window
	jobs         viewJobs
	content      fyne.CanvasObject
	openSettings func() // opens the settings window; nil in tests

	cfg      *app.Config // last loaded; never modified
	tools    []app.Tool
	toolsMsg string // why there is no catalog to preview, "" when loaded
	names    []string
	role     string // the role being edited, "" for none
	syncing  bool   // the list selection is being set from v.role
	filling  bool   // the role editor is being filled, not edited
	dirty    bool   // the role editor was edited since it was filled
	filled   app.Role

	head       *fyne.Container
	changed    *fyne.Container // "the file changed on disk" bar
	loadErr    *widget.Label
	rbacBox    *fyne.Container
	enableRBAC *widget.Button
	tabs       *container.AppTabs

	roleList            *widget.List
	noRoles             *viewEmptyNote // instead of the list while it is empty
	newRole             *widget.Entry
	addRole, deleteRole *widget.Button
	editor, noRoleNote  fyne.CanvasObject
	roleTitle           *widget.Label
	allowed, blocked    *widget.Entry
	allowErr, blockErr  *widget.Label
	previewMsg          *widget.Label
	preview             []previewRow
	previewList         *widget.List
	saveRole            *widget.Button
	roleMsg, roleErr    *widget.Label
	roleBar             *fyne.Container

	keys *keysPanel

	confirm *viewConfirm // the last confirmation asked, for tests
}

func newRolesView(ctrl app.Controller, w fyne.Window) *rolesView {
	v := &rolesView{ctrl: ctrl, win: w, toolsMsg: "Loading the catalog…", loadErr: newViewErrorText()}
	v.enableRBAC = widget.NewButton("Turn RBAC on…", v.askEnableRBAC)
	settings := widget.NewButton("Open settings", func() {
		if v.openSettings != nil {
			v.openSettings()
		}
	})
	note := widget.NewLabel("RBAC is off (security.enable_rbac = false): a role's allowed_tools restrict " +
		"nobody until it is on. Its blocked_tools already apply to the keys that have the role.")
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	v.rbacBox = container.NewBorder(nil, nil, nil, container.NewHBox(v.enableRBAC, settings), note)
	v.rbacBox.Hide()
	msg := widget.NewLabel("The config file changed on disk while you were editing: your input is kept.")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.WarningImportance
	v.changed = container.NewBorder(nil, nil, nil, widget.NewButton("Reload (drop my changes)", v.discardAndReload), msg)
	v.changed.Hide()
	v.head = container.NewVBox(v.loadErr, v.changed, v.rbacBox)

	v.keys = newKeysPanel(v)
	v.tabs = container.NewAppTabs(
		container.NewTabItem("Roles", v.buildRolesTab()),
		container.NewTabItem("API keys", v.keys.content))
	v.content = container.NewBorder(v.head, nil, nil, nil, v.tabs)
	return v
}

func (v *rolesView) buildRolesTab() fyne.CanvasObject {
	v.roleList = widget.NewList(func() int { return len(v.names) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(v.names[id]) })
	v.roleList.OnSelected = func(id widget.ListItemID) {
		if !v.syncing {
			v.selectRole(v.names[id])
		}
	}
	v.newRole = widget.NewEntry()
	v.newRole.SetPlaceHolder("new role name")
	v.addRole = widget.NewButton("Add role", v.doAddRole)
	v.deleteRole = widget.NewButton("Delete role…", v.doDeleteRole)
	v.deleteRole.Disable()
	v.noRoles = newViewEmptyState(v.roleList, "No roles yet. Add one below: a role is a set of allowed/blocked "+
		"tool patterns that API keys are mapped to.")
	v.noRoles.set(false) // until the config has loaded
	left := container.NewBorder(nil, container.NewVBox(v.newRole, container.NewHBox(v.addRole, v.deleteRole)), nil, nil, v.noRoles.box)

	v.roleTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.allowed, v.blocked = newViewLinesEntry(), newViewLinesEntry()
	v.allowed.SetPlaceHolder("github/*\n*/list_*")
	v.blocked.SetPlaceHolder("*/delete_*")
	v.allowed.OnChanged = func(string) { v.roleEdited() }
	v.blocked.OnChanged = func(string) { v.roleEdited() }
	v.allowErr, v.blockErr = newViewErrorText(), newViewErrorText()
	patterns := container.NewVBox(
		widget.NewLabel("allowed_tools (one glob per line; server/tool or tool)"), v.allowed, v.allowErr,
		widget.NewLabel("blocked_tools (block wins over allow)"), v.blocked, v.blockErr)
	v.previewMsg = widget.NewLabel("")
	v.previewList = widget.NewList(func() int { return len(v.preview) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) { v.preview[id].show(o.(*widget.Label)) })
	v.saveRole = widget.NewButton("Save role", v.doSaveRole)
	v.saveRole.Importance = widget.HighImportance
	v.saveRole.Disable()
	v.roleMsg, v.roleErr = widget.NewLabel(""), newViewErrorText()
	v.roleBar = container.NewVBox(v.roleErr, container.NewHBox(v.saveRole, v.roleMsg))
	v.editor = container.NewBorder(v.roleTitle, nil, nil, nil, container.NewGridWithColumns(2,
		container.NewVScroll(patterns), container.NewBorder(v.previewMsg, nil, nil, nil, v.previewList)))
	v.editor.Hide()
	v.noRoleNote = container.NewCenter(newMutedLabel("Select a role, or add one."))
	right := container.NewBorder(nil, v.roleBar, nil, nil, container.NewStack(v.noRoleNote, v.editor))

	split := container.NewHSplit(left, right)
	split.SetOffset(0.22)
	return split
}

// reload re-reads the config (refilling the role editor) and the catalog,
// in one job so that one UI update applies both.
func (v *rolesView) reload() {
	v.jobs.Go(func() {
		ctx, cancel := viewCtrlContext()
		defer cancel()
		c, err := v.ctrl.Config(ctx)
		tools, terr := v.ctrl.Tools(ctx)
		fyne.Do(func() {
			v.tools, v.toolsMsg = tools, ""
			if terr != nil {
				v.toolsMsg = "The catalog is unavailable: " + terr.Error()
			}
			v.configLoaded(c, err, true)
		})
	})
}

// discardAndReload drops the unsaved input and reads the file again.
func (v *rolesView) discardAndReload() {
	v.dirty, v.keys.dirty = false, false
	v.changed.Hide()
	v.reload()
}

func (v *rolesView) roleEdited() {
	if !v.filling {
		v.dirty = true
	}
	v.revalidate()
}

// loadConfig re-reads the config; refill also resets the role editor to
// the file, unless it holds unsaved input.
func (v *rolesView) loadConfig(refill bool) {
	v.jobs.Go(func() {
		ctx, cancel := viewCtrlContext()
		defer cancel()
		c, err := v.ctrl.Config(ctx)
		fyne.Do(func() { v.configLoaded(c, err, refill) })
	})
}

func (v *rolesView) configLoaded(c *app.Config, err error, refill bool) {
	defer v.content.Refresh() // notes appear and go
	if err != nil {
		showViewError(v.loadErr, "The config file does not load, so roles and keys cannot be edited: "+err.Error())
		v.addRole.Disable()
		v.keys.generate.Disable()
		return
	}
	showViewError(v.loadErr, "")
	v.addRole.Enable()
	v.keys.generate.Enable()
	v.cfg = c
	if c.Security.EnableRBAC {
		v.rbacBox.Hide()
	} else {
		v.rbacBox.Show()
	}
	v.names = slices.Sorted(maps.Keys(c.Roles))
	v.roleList.Refresh()
	v.noRoles.set(len(v.names) == 0)
	if i := slices.Index(v.names, v.role); i >= 0 {
		v.syncing = true
		v.roleList.Select(i)
		v.syncing = false
		switch {
		case !v.dirty && refill:
			v.selectRole(v.role)
		case v.dirty && !sameRole(c.Roles[v.role], v.filled):
			v.changed.Show()
		}
	} else {
		v.roleList.UnselectAll()
		v.selectRole("")
	}
	v.keys.configLoaded(c)
}

// selectRole fills the editor with the role's patterns as in the file.
func (v *rolesView) selectRole(name string) {
	v.role = name
	showViewError(v.roleErr, "")
	v.roleMsg.SetText("")
	r, ok := v.cfg.Roles[name]
	if name == "" || !ok {
		v.role, v.dirty = "", false
		v.editor.Hide()
		v.noRoleNote.Show()
		v.deleteRole.Disable()
		v.saveRole.Disable()
		return
	}
	v.roleTitle.SetText("Role " + name)
	v.filling = true
	v.allowed.SetText(strings.Join(r.AllowedTools, "\n"))
	v.blocked.SetText(strings.Join(r.BlockedTools, "\n"))
	v.filling, v.dirty, v.filled = false, false, r
	v.noRoleNote.Hide()
	v.editor.Show()
	v.deleteRole.Enable()
	v.saveRole.Enable()
	v.revalidate()
}

// revalidate compiles both lists as typed, shows their errors under them
// and recomputes the preview.
func (v *rolesView) revalidate() {
	allow, aerr := compileRoleLines(v.allowed.Text, false)
	block, berr := compileRoleLines(v.blocked.Text, true)
	showViewError(v.allowErr, aerr)
	showViewError(v.blockErr, berr)
	switch {
	case v.toolsMsg != "":
		v.preview = nil
		v.previewMsg.SetText(v.toolsMsg)
	case len(v.tools) == 0:
		v.preview = nil
		v.previewMsg.SetText("The catalog is empty: start the gateway to preview the patterns.")
	default:
		var nAllowed, nBlocked int
		v.preview, nAllowed, nBlocked = previewRole(v.tools, allow, block)
		v.previewMsg.SetText(fmt.Sprintf("%d of %s allowed, %d blocked", nAllowed, viewCount(len(v.tools), "tool"), nBlocked))
	}
	v.previewList.Refresh()
	if c, ok := v.editor.(*fyne.Container); ok {
		c.Refresh()
	}
}

// compileRoleLines compiles one pattern per line with the policy's rules,
// returning the patterns that compile and a message naming the others.
func compileRoleLines(text string, block bool) ([]*app.RolePattern, string) {
	var pats []*app.RolePattern
	var problems []string
	n := 0
	for line := range strings.Lines(text) {
		n++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, err := app.CompileRolePattern(line, block)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d, %q: %v", n, line, err))
			continue
		}
		pats = append(pats, p)
	}
	return pats, strings.Join(problems, "\n")
}

// previewRow is one catalog tool as a role sees it.
type previewRow struct {
	id    string
	state int // previewAllowed, previewBlocked or previewDenied
}

const (
	previewAllowed = iota
	previewBlocked
	previewDenied
)

func (r previewRow) show(l *widget.Label) {
	text := [...]string{"✓ ", "✕ ", "· "}[r.state] + r.id +
		[...]string{"", "  (blocked)", "  (not allowed)"}[r.state]
	l.Importance = [...]widget.Importance{widget.SuccessImportance, widget.DangerImportance, widget.MediumImportance}[r.state]
	l.TextStyle.Italic = r.state == previewDenied // muted as newMutedLabel, yet readable
	l.SetText(text)
}

// previewRole decides each tool as the policy does for a role: a blocked
// pattern wins, otherwise an allowed pattern must match.
func previewRole(tools []app.Tool, allow, block []*app.RolePattern) (rows []previewRow, allowed, blocked int) {
	matches := func(ps []*app.RolePattern, server, name string) bool {
		return slices.ContainsFunc(ps, func(p *app.RolePattern) bool { return p.MatchTool(server, name) })
	}
	for _, t := range tools {
		server, name, ok := strings.Cut(t.ID, "/")
		if !ok {
			server, name = t.Server, t.ID
		}
		r := previewRow{id: t.ID, state: previewDenied}
		switch {
		case matches(block, server, name):
			r.state = previewBlocked
			blocked++
		case matches(allow, server, name):
			r.state = previewAllowed
			allowed++
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b previewRow) int {
		if a.state != b.state {
			return a.state - b.state
		}
		return strings.Compare(a.id, b.id)
	})
	return rows, allowed, blocked
}

// update runs edit through UpdateConfig off the UI goroutine, then calls
// done on the UI goroutine with the outcome and re-reads the file.
func (v *rolesView) update(edit func(*app.Config) error, refill bool, done func(error)) {
	v.jobs.Go(func() {
		ctx, cancel := viewCtrlContext()
		defer cancel()
		err := v.ctrl.UpdateConfig(ctx, edit)
		fyne.Do(func() {
			done(err)
			if _, written := savedNotApplied(err); err == nil || written {
				v.loadConfig(refill)
			}
		})
	})
}

// roleStatus shows a problem (red, "" for none) and a message under the editor.
func (v *rolesView) roleStatus(problem, msg string) {
	showViewError(v.roleErr, problem)
	v.roleMsg.SetText(msg)
	v.roleBar.Refresh()
}

func (v *rolesView) roleOutcome(ok string) func(error) {
	return func(err error) {
		notApplied, written := savedNotApplied(err)
		switch {
		case written:
			v.roleStatus(notApplied, "")
		case err != nil:
			v.roleStatus(err.Error(), "Not saved: your input is kept.")
		default:
			v.roleStatus("", ok)
		}
	}
}

// sameRole reports whether a and b hold the same patterns as the editor
// shows them.
func sameRole(a, b app.Role) bool {
	norm := func(l []string) []string { return viewLines(strings.Join(l, "\n")) }
	return slices.Equal(norm(a.AllowedTools), norm(b.AllowedTools)) && slices.Equal(norm(a.BlockedTools), norm(b.BlockedTools))
}

func (v *rolesView) doSaveRole() {
	_, aerr := compileRoleLines(v.allowed.Text, false)
	_, berr := compileRoleLines(v.blocked.Text, true)
	if v.role == "" || aerr != "" || berr != "" {
		v.roleStatus("Fix the patterns marked in red first.", "Not saved: your input is kept.")
		return
	}
	name := v.role
	role := app.Role{AllowedTools: viewLines(v.allowed.Text), BlockedTools: viewLines(v.blocked.Text)}
	v.roleMsg.SetText("Saving…")
	outcome := v.roleOutcome("Saved role " + name + ".")
	v.update(func(c *app.Config) error {
		if c.Roles == nil {
			c.Roles = map[string]app.Role{}
		}
		c.Roles[name] = role
		return nil
	}, false, func(err error) {
		if _, written := savedNotApplied(err); (err == nil || written) && v.role == name {
			// Saved: clean, unless the user typed on while it saved.
			v.filled = role
			v.dirty = !sameRole(role, app.Role{AllowedTools: viewLines(v.allowed.Text), BlockedTools: viewLines(v.blocked.Text)})
		}
		outcome(err)
	})
}

func (v *rolesView) doAddRole() {
	name := strings.TrimSpace(v.newRole.Text)
	if v.cfg == nil {
		return
	}
	if _, exists := v.cfg.Roles[name]; name == "" || exists {
		msg := "Type a name for the new role."
		if name != "" {
			msg = fmt.Sprintf("Role %q already exists.", name)
		}
		v.roleStatus(msg, "")
		return
	}
	v.update(func(c *app.Config) error {
		if _, ok := c.Roles[name]; ok {
			return fmt.Errorf("role %q already exists in the config file", name)
		}
		if c.Roles == nil {
			c.Roles = map[string]app.Role{}
		}
		c.Roles[name] = app.Role{}
		return nil
	}, true, func(err error) {
		ok := "Added role " + name + ": add its patterns, then Save role."
		if _, written := savedNotApplied(err); err == nil || written {
			v.newRole.SetText("")
			if v.dirty { // the editor keeps the unsaved input of its role
				ok = "Added role " + name + ": select it once role " + v.role + " is saved."
			} else {
				v.role = name
			}
		}
		v.roleOutcome(ok)(err)
	})
}

func (v *rolesView) doDeleteRole() {
	name := v.role
	if name == "" || v.cfg == nil {
		return
	}
	if err := roleInUse(v.cfg, name); err != nil {
		v.roleStatus(err.Error(), "Not deleted.")
		return
	}
	v.confirm = askViewConfirm(v.win, "Delete role", fmt.Sprintf("Delete role %q and its patterns?", name), "Delete", func() {
		v.update(func(c *app.Config) error {
			if err := roleInUse(c, name); err != nil {
				return err
			}
			delete(c.Roles, name)
			return nil
		}, true, v.roleOutcome("Deleted role "+name+"."))
	})
}

// roleInUse says which keys and servers still name role, if any.
func roleInUse(c *app.Config, role string) error {
	var keys, servers []string
	for _, k := range slices.Sorted(maps.Keys(c.APIKeys)) {
		if c.APIKeys[k].Role == role {
			keys = append(keys, keyName(k, c.APIKeys[k]))
		}
	}
	for _, s := range c.Servers {
		if slices.Contains(s.AllowedRoles, role) {
			servers = append(servers, s.Name)
		}
	}
	var uses []string
	if len(keys) > 0 {
		uses = append(uses, fmt.Sprintf("%s (%s)", viewCount(len(keys), "API key"), strings.Join(keys, ", ")))
	}
	if len(servers) > 0 {
		uses = append(uses, "the allowed_roles of "+strings.Join(servers, ", "))
	}
	if len(uses) == 0 {
		return nil
	}
	return fmt.Errorf("role %q is used by %s: give those another role first", role, strings.Join(uses, " and "))
}

func (v *rolesView) askEnableRBAC() {
	v.confirm = askViewConfirm(v.win, "Turn RBAC on",
		"With RBAC on, a request is allowed only by its API key's role: requests without a key, "+
			"or with a key that has no role, are denied.", "Turn RBAC on", func() {
			v.update(func(c *app.Config) error {
				c.Security.EnableRBAC = true
				return nil
			}, false, func(err error) {
				if notApplied, written := savedNotApplied(err); written {
					dialog.ShowError(errors.New(notApplied), v.win)
				} else if err != nil {
					dialog.ShowError(fmt.Errorf("RBAC stays off: %w", err), v.win)
				}
			})
		})
}

// viewConfirm is a yes/no question whose buttons tests can tap.
type viewConfirm struct {
	dlg        *dialog.CustomDialog
	ok, cancel *widget.Button
}

func askViewConfirm(w fyne.Window, title, message, okText string, onOK func()) *viewConfirm {
	c := &viewConfirm{}
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	c.dlg = dialog.NewCustomWithoutButtons(title, msg, w)
	c.cancel = widget.NewButton("Cancel", c.dlg.Hide)
	c.ok = widget.NewButton(okText, func() {
		c.dlg.Hide()
		onOK()
	})
	c.ok.Importance = widget.DangerImportance
	c.dlg.SetButtons([]fyne.CanvasObject{c.cancel, c.ok})
	c.dlg.Resize(fyne.NewSize(460, 200))
	c.dlg.Show()
	return c
}

// keysPanel is the API keys tab: the [api_keys] table, an editor for the
// selected key, and Generate.
type keysPanel struct {
	v       *rolesView
	content fyne.CanvasObject

	ids   []string // config keys, sorted
	key   string   // the selected config key, "" for none
	table *widget.Table
	empty *viewEmptyNote // instead of the table while there are no keys

	keyTitle       *widget.Label
	keyRole        *widget.Select
	keyDesc        *widget.Entry
	saveKey        *widget.Button
	revoke         *widget.Button
	genRole        *widget.Select
	genDesc        *widget.Entry
	generate       *widget.Button
	msg, errText   *widget.Label
	bar, side      *fyne.Container
	newKey         *newKeyDialog // the last key shown, for tests
	editor, noEdit fyne.CanvasObject

	filling bool       // the key editor is being filled, not edited
	dirty   bool       // the key editor was edited since it was filled
	filled  app.APIKey // the key as the editor was filled from the file
}

func newKeysPanel(v *rolesView) *keysPanel {
	k := &keysPanel{v: v, msg: widget.NewLabel(""), errText: newViewErrorText()}
	k.table = newViewTable([]string{"Key", "Role", "Description"}, []float32{190, 130, 300},
		func() int { return len(k.ids) }, k.cell)
	k.table.OnSelected = func(id widget.TableCellID) {
		if id.Row < len(k.ids) && k.ids[id.Row] != k.key { // another cell of the same row keeps the input
			k.selectKey(id.Row)
		}
	}

	k.keyRole, k.genRole = widget.NewSelect(nil, nil), widget.NewSelect(nil, nil)
	k.keyDesc, k.genDesc = widget.NewEntry(), widget.NewEntry()
	k.keyRole.OnChanged = func(string) { k.edited() }
	k.keyDesc.OnChanged = func(string) { k.edited() }
	k.genDesc.SetPlaceHolder("who or what uses the key")
	k.saveKey = widget.NewButton("Save key", k.doSave)
	k.revoke = widget.NewButton("Revoke…", k.doRevoke)
	k.revoke.Importance = widget.DangerImportance
	k.generate = widget.NewButton("Generate key", k.doGenerate)
	k.generate.Importance = widget.HighImportance
	k.keyTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	k.editor = container.NewVBox(k.keyTitle,
		widget.NewForm(widget.NewFormItem("Role", k.keyRole), widget.NewFormItem("Description", k.keyDesc)),
		container.NewHBox(k.saveKey, k.revoke))
	k.editor.Hide()
	k.noEdit = viewLowLabel("Select a key to change its role or description, or to revoke it.")
	gen := widget.NewCard("New key", "MCPlex stores only a hash: the key is shown once.", container.NewVBox(
		widget.NewForm(widget.NewFormItem("Role", k.genRole), widget.NewFormItem("Description", k.genDesc)),
		container.NewHBox(k.generate)))
	k.bar = container.NewVBox(k.errText, k.msg)
	k.side = container.NewVBox(gen, widget.NewSeparator(), k.noEdit, k.editor)
	right := container.NewBorder(nil, k.bar, nil, nil, k.side)
	k.empty = newViewEmptyState(k.table, "No API keys yet. Generate one on the right: a client sends it "+
		"with each request, and the key's role decides which tools it may call.")
	k.empty.set(false) // until the config has loaded
	split := container.NewHSplit(k.empty.box, right)
	split.SetOffset(0.55)
	k.content = split
	return k
}

func (k *keysPanel) cell(row, col int) string {
	id := k.ids[row]
	e := k.v.cfg.APIKeys[id]
	switch col {
	case 0:
		return shortKey(id)
	case 1:
		return cmp.Or(e.Role, noRole)
	default:
		return e.Description
	}
}

// plainKeyText stands for a key that is not a hash: none of its characters
// are ever shown (one written as ${VAR} is the secret itself once loaded).
const plainKeyText = "plain key (not hashed)"

// shortKey shows a config key without revealing it: "sha256:ab12…", or
// plainKeyText for any other key.
func shortKey(k string) string {
	if h, ok := strings.CutPrefix(k, "sha256:"); ok {
		return "sha256:" + h[:min(4, len(h))] + "…"
	}
	return plainKeyText
}

// keyName names a key in messages: shortKey, plus the description of a
// plain key, which is all that tells two of them apart.
func keyName(k string, e app.APIKey) string {
	if s := shortKey(k); s != plainKeyText || e.Description == "" {
		return s
	}
	return fmt.Sprintf("%s %q", plainKeyText, e.Description)
}

func (k *keysPanel) edited() {
	if !k.filling {
		k.dirty = true
	}
}

func (k *keysPanel) configLoaded(c *app.Config) {
	k.ids = slices.Sorted(maps.Keys(c.APIKeys))
	opts := append([]string{noRole}, slices.Sorted(maps.Keys(c.Roles))...)
	k.keyRole.SetOptions(opts)
	k.genRole.SetOptions(opts)
	if !slices.Contains(opts, k.genRole.Selected) {
		k.genRole.SetSelected(noRole)
	}
	k.table.Refresh()
	k.empty.set(len(k.ids) == 0)
	if i := slices.Index(k.ids, k.key); i >= 0 {
		k.table.Select(widget.TableCellID{Row: i})
		switch {
		case !k.dirty:
			k.selectKey(i)
		case c.APIKeys[k.key] != k.filled:
			k.v.changed.Show()
		}
	} else {
		k.table.UnselectAll()
		k.selectKey(-1)
	}
}

func (k *keysPanel) selectKey(row int) {
	defer k.side.Refresh() // the editor appears or goes
	if row < 0 || row >= len(k.ids) {
		k.key, k.dirty = "", false
		k.editor.Hide()
		k.noEdit.Show()
		return
	}
	k.key = k.ids[row]
	e := k.v.cfg.APIKeys[k.key]
	k.keyTitle.SetText("Key " + keyName(k.key, e))
	k.filling = true
	k.keyRole.SetSelected(cmp.Or(e.Role, noRole))
	k.keyDesc.SetText(e.Description)
	k.filling, k.dirty, k.filled = false, false, e
	k.noEdit.Hide()
	k.editor.Show()
}

func (k *keysPanel) outcome(ok string) func(error) {
	return func(err error) {
		notApplied, written := savedNotApplied(err)
		switch {
		case written:
			showViewError(k.errText, notApplied)
			k.msg.SetText("")
		case err != nil:
			showViewError(k.errText, err.Error())
			k.msg.SetText("Not saved: your input is kept.")
		default:
			showViewError(k.errText, "")
			k.msg.SetText(ok)
		}
		k.bar.Refresh()
	}
}

func roleChoice(s *widget.Select) string {
	if s.Selected == noRole {
		return ""
	}
	return s.Selected
}

func (k *keysPanel) doGenerate() {
	role, desc := roleChoice(k.genRole), strings.TrimSpace(k.genDesc.Text)
	k.generate.Disable()
	k.msg.SetText("Generating…")
	k.v.jobs.Go(func() {
		key, configKey, err := newAPIKey()
		if err == nil {
			ctx, cancel := viewCtrlContext()
			defer cancel()
			err = k.v.ctrl.UpdateConfig(ctx, func(c *app.Config) error {
				if c.APIKeys == nil {
					c.APIKeys = map[string]app.APIKey{}
				}
				c.APIKeys[configKey] = app.APIKey{Role: role, Description: desc}
				return nil
			})
		}
		fyne.Do(func() {
			k.generate.Enable()
			k.outcome("Generated key " + shortKey(configKey))(err)
			if _, written := savedNotApplied(err); err == nil || written { // the hash is in the file: show the key
				k.genDesc.SetText("")
				k.newKey = showNewKey(k.v.win, key, configKey)
				k.v.loadConfig(false)
			}
		})
	})
}

func (k *keysPanel) doSave() {
	id, role, desc := k.key, roleChoice(k.keyRole), strings.TrimSpace(k.keyDesc.Text)
	if id == "" {
		return
	}
	k.msg.SetText("Saving…")
	name := keyName(id, k.filled)
	outcome := k.outcome("Saved key " + name)
	k.v.update(func(c *app.Config) error {
		e, ok := c.APIKeys[id]
		if !ok {
			return fmt.Errorf("key %s is no longer in the config file", name)
		}
		e.Role, e.Description = role, desc
		c.APIKeys[id] = e
		return nil
	}, false, func(err error) {
		if _, written := savedNotApplied(err); (err == nil || written) && k.key == id {
			// Saved: clean, unless the user typed on while it saved.
			k.filled = app.APIKey{Role: role, Description: desc}
			k.dirty = roleChoice(k.keyRole) != role || strings.TrimSpace(k.keyDesc.Text) != desc
		}
		outcome(err)
	})
}

func (k *keysPanel) doRevoke() {
	id := k.key
	if id == "" {
		return
	}
	name := keyName(id, k.filled)
	k.v.confirm = askViewConfirm(k.v.win, "Revoke key",
		fmt.Sprintf("Revoke key %s? Clients using it are refused from the next request.", name), "Revoke", func() {
			k.v.update(func(c *app.Config) error {
				delete(c.APIKeys, id)
				return nil
			}, false, k.outcome("Revoked key "+name))
		})
}

// newKeyDialog shows a generated key the only time it exists outside the
// client that will use it.
type newKeyDialog struct {
	dlg        *dialog.CustomDialog
	text       *widget.Label
	copy, done *widget.Button
}

func showNewKey(w fyne.Window, key, configKey string) *newKeyDialog {
	d := &newKeyDialog{text: widget.NewLabelWithStyle(key, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})}
	d.text.Selectable = true
	note := widget.NewLabel("Copy this key now: it is not shown again. The config keeps only its hash, " + shortKey(configKey))
	note.Wrapping = fyne.TextWrapWord
	d.dlg = dialog.NewCustomWithoutButtons("New API key", container.NewVBox(note, d.text), w)
	d.copy = widget.NewButton("Copy", func() {
		fyne.CurrentApp().Clipboard().SetContent(key)
		d.copy.SetText("Copied")
	})
	d.copy.Importance = widget.HighImportance
	d.done = widget.NewButton("Done", func() {
		d.dlg.Hide()
		d.text.SetText("") // the key lives on only in the clipboard, if copied
		d.copy.OnTapped = nil
	})
	d.dlg.SetButtons([]fyne.CanvasObject{d.copy, d.done})
	d.dlg.Resize(fyne.NewSize(560, 220))
	d.dlg.Show()
	return d
}
