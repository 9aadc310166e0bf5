package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// The servers window's actions: Save, Remove and Test. Each runs its
// controller call off the UI goroutine and draws the outcome with fyne.Do.

// checkedInput reads the form and marks what is wrong; ok is false when
// something is.
func (v *serversView) checkedInput() (serverInput, bool) {
	in, errs := v.form.read(v.takenNames())
	v.form.showErrors(errs)
	if len(errs) > 0 {
		v.setStatus("Fix the marked fields first.", true)
		return in, false
	}
	return in, true
}

func (v *serversView) setStatus(msg string, bad bool) {
	v.status.Importance = widget.MediumImportance
	if bad {
		v.status.Importance = widget.DangerImportance
	}
	v.status.SetText(msg)
}

func (v *serversView) setBusy(msg string) {
	v.setStatus(msg, false)
	v.busy.Show()
	v.busy.Start()
	v.save.Disable()
	v.remove.Disable()
	v.content.Refresh()
}

func (v *serversView) doneBusy() {
	v.busy.Stop()
	v.busy.Hide()
	v.updateButtons()
	v.content.Refresh()
}

// doSave writes the form to the file through the controller. The input
// stays in the form until the write succeeds.
func (v *serversView) doSave() {
	in, ok := v.checkedInput()
	if !ok {
		return
	}
	orig, base := v.editing, v.filled
	v.setBusy("Saving " + in.name + "…")
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		var written app.ServerConfig
		err := v.ctrl.UpdateConfig(ctx, func(c *app.Config) error {
			var err error
			written, err = putServer(c, orig, base, in)
			return err
		})
		fyne.Do(func() { v.saved(in, written, err) })
	})
}

// putServer adds in to c, or replaces the server called orig with it, and
// returns the server as written. base is the server orig as the form was
// filled from it: if the file holds another version now (changed by hand,
// an import or another window), the save is refused rather than losing
// that change.
func putServer(c *app.Config, orig string, base app.ServerConfig, in serverInput) (app.ServerConfig, error) {
	if err := placeServer(c, orig, base, in); err != nil {
		return app.ServerConfig{}, err
	}
	i := slices.IndexFunc(c.Servers, func(s app.ServerConfig) bool { return s.Name == in.name })
	return c.Servers[i], nil
}

func placeServer(c *app.Config, orig string, base app.ServerConfig, in serverInput) error {
	at := func(name string) int {
		return slices.IndexFunc(c.Servers, func(s app.ServerConfig) bool { return s.Name == name })
	}
	if orig == "" {
		if at(in.name) >= 0 {
			return fmt.Errorf("a server called %q is already in the config file", in.name)
		}
		var s app.ServerConfig
		in.applyTo(&s)
		c.Servers = append(c.Servers, s)
		return nil
	}
	i := at(orig)
	if i < 0 {
		return fmt.Errorf("%q is no longer in the config file (was it edited by hand?); reload to see the file", orig)
	}
	if in.name != orig && at(in.name) >= 0 {
		return fmt.Errorf("a server called %q is already in the config file", in.name)
	}
	if !sameServer(c.Servers[i], base) {
		return fmt.Errorf("server %q was changed in the file since this window loaded it; Revert to see it", orig)
	}
	in.applyTo(&c.Servers[i])
	return nil
}

// saved shows a save's outcome. Once saved, the form shows the file again,
// unless the user typed on while it saved: that input stays, unsaved, and
// the next Save compares against the server as written.
func (v *serversView) saved(in serverInput, written app.ServerConfig, err error) {
	v.doneBusy()
	notApplied, ok := savedNotApplied(err)
	if err != nil && !ok {
		v.setStatus("Not saved (your input is kept): "+err.Error(), true)
		return
	}
	v.editing, v.filled = in.name, written
	if now, _ := v.form.read(nil); !reflect.DeepEqual(now, in) {
		v.form.title.SetText("Edit " + in.name)
		msg := cmp.Or(notApplied, "Saved "+in.name+" as it was when you tapped Save.")
		v.setStatus(msg+" Your later input is not saved yet.", ok)
		v.refreshList()
		return
	}
	v.form.dirty = false
	if ok {
		v.setStatus(notApplied, true)
	} else {
		v.setStatus("Saved "+in.name+". The gateway applies it when it reloads the file.", false)
	}
	v.reload(in.name)
}

// refreshList reads the file again for the list only, keeping the form
// (which holds unsaved input) as it is.
func (v *serversView) refreshList() {
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		cfg, err := v.ctrl.Config(ctx)
		fyne.Do(func() {
			if err != nil {
				return // the next reload says why
			}
			v.cfg = cfg
			v.list.Refresh()
			v.selectRow(v.index(v.editing))
			v.updateButtons()
		})
	})
}

// confirmRemove asks, then removes the server in the form from the file.
func (v *serversView) confirmRemove() {
	name := v.editing
	if name == "" {
		return
	}
	d := dialog.NewConfirm("Remove server",
		fmt.Sprintf("Remove %q from the config file? The gateway stops it when it reloads the file.", name),
		func(ok bool) {
			if ok {
				v.doRemove(name)
			}
		}, v.win)
	d.SetConfirmText("Remove")
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (v *serversView) doRemove(name string) {
	v.setBusy("Removing " + name + "…")
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		err := v.ctrl.UpdateConfig(ctx, func(c *app.Config) error {
			n := len(c.Servers)
			c.Servers = slices.DeleteFunc(c.Servers, func(s app.ServerConfig) bool { return s.Name == name })
			if len(c.Servers) == n {
				return fmt.Errorf("%q is no longer in the config file", name)
			}
			return nil
		})
		fyne.Do(func() {
			v.doneBusy()
			notApplied, ok := savedNotApplied(err)
			if err != nil && !ok {
				v.setStatus("Not removed: "+err.Error(), true)
				return
			}
			v.form.dirty = false
			v.editing = ""
			v.setStatus(cmp.Or(notApplied, "Removed "+name+"."), ok)
			v.reload("")
		})
	})
}

// doTest starts the server as the form describes it (saved or not) on its
// own, and lists its tools or shows why it failed. Cancel ends it.
func (v *serversView) doTest() {
	in, ok := v.checkedInput()
	if !ok || v.testCancel != nil {
		return
	}
	var sc app.ServerConfig
	if i := v.index(v.editing); i >= 0 {
		sc = v.cfg.Servers[i] // keep what the form does not show
	}
	in.applyTo(&sc)
	ctx, cancel := context.WithTimeout(context.Background(), serverTestTimeout)
	v.testCancel = cancel
	v.testHeading.SetText("Testing " + in.name + "…")
	v.testHeading.Show()
	v.testOut.Hide()
	v.testBar.Show()
	v.test.Disable()
	v.setStatus("", false)
	v.content.Refresh()
	v.jobs.Go(func() {
		defer cancel()
		res, err := v.ctrl.TestServer(ctx, sc)
		fyne.Do(func() { v.tested(in.name, res, err) })
	})
}

func (v *serversView) doCancelTest() {
	if v.testCancel != nil {
		v.testCancel()
	}
}

func (v *serversView) tested(name string, res app.TestResult, err error) {
	v.testCancel = nil
	v.testBar.Hide()
	v.test.Enable()
	v.testOut.Show()
	switch {
	case errors.Is(err, context.Canceled):
		v.testHeading.SetText("Test of " + name + " cancelled.")
		v.testOut.Importance = widget.MediumImportance
		v.testOut.SetText("The server was stopped.")
	case err != nil || res.Error != "":
		msg := res.Error
		if err != nil {
			msg = err.Error()
		}
		v.testHeading.SetText(name + " failed to start")
		v.testOut.Importance = widget.DangerImportance
		v.testOut.SetText(msg)
	default:
		v.testHeading.SetText(fmt.Sprintf("%s works: %s in %s", name, nounCount(len(res.Tools), "tool"),
			res.Elapsed.Round(10*time.Millisecond)))
		v.testOut.Importance = widget.MediumImportance
		v.testOut.SetText(toolLines(res.Tools))
	}
	v.content.Refresh()
}

// toolLines lists tools one per line: "name — description".
func toolLines(tools []app.Tool) string {
	if len(tools) == 0 {
		return "It has no tools."
	}
	var b strings.Builder
	for _, t := range tools {
		b.WriteString("• " + t.Name)
		if d := strings.TrimSpace(t.Description); d != "" {
			b.WriteString(" — " + clipText(d, 120))
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}
