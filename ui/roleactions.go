package ui

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/mcplex/mcplex/app"
)

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
		uses = append(uses, fmt.Sprintf("%s (%s)", nounCount(len(keys), "API key"), strings.Join(keys, ", ")))
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
