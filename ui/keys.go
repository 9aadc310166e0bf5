package ui

import (
	"cmp"
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

// newAPIKey makes the key Generate saves; tests replace it to get a known key.
var newAPIKey = app.NewAPIKey

// noRole is the role choice of a key that has none.
const noRole = "(no role)"

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
