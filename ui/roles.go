package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
		v.previewMsg.SetText(fmt.Sprintf("%d of %s allowed, %d blocked", nAllowed, nounCount(len(v.tools), "tool"), nBlocked))
	}
	v.previewList.Refresh()
	if c, ok := v.editor.(*fyne.Container); ok {
		c.Refresh()
	}
}
