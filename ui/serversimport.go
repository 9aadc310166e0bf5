package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// The servers window's "Import from…": pick a client that has servers,
// see what would be imported, confirm, and the servers are added to the
// config file through the controller (optionally replaced in the client
// by the MCPlex entry). Nothing is written before the confirmation.

// enableImport adds the Import from… button (UI goroutine, before the
// window shows).
func (v *serversView) enableImport(ops *desktopOps) {
	v.desk = ops
	v.importBtn = widget.NewButtonWithIcon("Import from…", theme.DownloadIcon(), v.showImportMenu)
	v.header.Add(v.importBtn)
}

// showImportMenu reads the clients again and offers those with servers.
func (v *serversView) showImportMenu() {
	v.importBtn.Disable()
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		cs := v.desk.d.Clients(ctx)
		fyne.Do(func() {
			v.importBtn.Enable()
			v.offerImport(cs)
		})
	})
}

// offerImport pops up the clients that have servers, Claude Desktop first.
func (v *serversView) offerImport(cs []app.ClientStatus) {
	cs = importSources(cs)
	if len(cs) == 0 {
		dialog.ShowInformation("Import servers", "No MCP client on this computer has servers to import.", v.win)
		return
	}
	items := make([]*fyne.MenuItem, 0, len(cs))
	for _, c := range cs {
		items = append(items, fyne.NewMenuItem(fmt.Sprintf("%s (%s)", c.Display, nounCount(c.Servers, "server")),
			func() { v.planImport(c) }))
	}
	v.importMenu = fyne.NewMenu("", items...)
	widget.ShowPopUpMenuAtRelativePosition(v.importMenu, v.win.Canvas(), fyne.NewPos(0, v.importBtn.Size().Height), v.importBtn)
}

// importSources are the clients with servers to import, Claude Desktop
// first and the others in their usual order.
func importSources(cs []app.ClientStatus) []app.ClientStatus {
	cs = slices.DeleteFunc(slices.Clone(cs), func(c app.ClientStatus) bool { return c.Servers == 0 })
	slices.SortStableFunc(cs, func(a, b app.ClientStatus) int {
		switch {
		case a.Name == "claude-desktop" && b.Name != "claude-desktop":
			return -1
		case b.Name == "claude-desktop" && a.Name != "claude-desktop":
			return 1
		}
		return 0
	})
	return cs
}

// planImport reads what importing from c would do, then asks.
func (v *serversView) planImport(c app.ClientStatus) {
	v.setBusy("Reading " + c.Display + "'s servers…")
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		p, err := v.desk.d.PlanImport(ctx, c.Name)
		fyne.Do(func() {
			v.doneBusy()
			v.setStatus("", false)
			if err != nil {
				dialog.ShowError(err, v.win)
				return
			}
			v.confirmImport(p)
		})
	})
}

// confirmImport shows the plan: the servers to add, their warnings, the
// entries skipped, and whether to replace them in the client.
func (v *serversView) confirmImport(p *app.ImportPreview) {
	plan := widget.NewLabel(importPlanText(p))
	plan.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(plan)
	scroll.SetMinSize(fyne.NewSize(620, 220))
	title := "Import servers from " + p.Display
	if len(p.Servers) == 0 {
		dialog.ShowCustom(title, "Close", container.NewVBox(widget.NewLabel("Nothing to import from "+p.Path+"."), scroll), v.win)
		return
	}
	replace := widget.NewCheck("Replace them in "+p.Display+" with MCPlex", nil)
	note := widget.NewLabel("Unticked, " + p.Display + " keeps its servers too. Either way its file is backed up, and Disconnect undoes a replacement.")
	if p.NoReplace != "" {
		replace.Disable()
		note.SetText(p.NoReplace)
	}
	note.Wrapping = fyne.TextWrapWord
	note.TextStyle = fyne.TextStyle{Italic: true} // muted but readable (see newMutedLabel)
	from := widget.NewLabel("From " + p.Path + " into the MCPlex config file:")
	from.Truncation = fyne.TextTruncateEllipsis
	body := container.NewBorder(from, container.NewVBox(replace, note), nil, nil, scroll)
	d := dialog.NewCustomConfirm(title, "Import", "Cancel", body, func(ok bool) {
		if ok {
			v.startImport(p, replace.Checked)
		}
	}, v.win)
	d.Resize(fyne.NewSize(680, 460))
	d.Show()
}

// importPlanText lists the plan: "+ name — command" per server, "! name:
// warning", "– name: skipped, reason".
func importPlanText(p *app.ImportPreview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Servers to add (%d):\n", len(p.Servers))
	for _, s := range p.Servers {
		fmt.Fprintf(&b, "+ %s — %s\n", s.From, importTarget(s.Server))
	}
	for _, s := range p.Servers {
		for _, w := range s.Warnings {
			fmt.Fprintf(&b, "! %s: %s\n", s.From, w)
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(&b, "\nSkipped (%d):\n", len(p.Skipped))
		for _, s := range p.Skipped {
			fmt.Fprintf(&b, "– %s: %s\n", s.Name, s.Reason)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// importTarget is what a server runs or reaches, with its env var names
// (never their values, which are often secrets).
func importTarget(s app.ServerConfig) string {
	t := s.URL
	if t == "" {
		t = strings.Join(append([]string{s.Command}, s.Args...), " ")
	}
	t = clipText(t, 90)
	if len(s.Env) > 0 {
		t += " (env: " + strings.Join(slices.Sorted(maps.Keys(s.Env)), ", ") + ")"
	}
	return t
}

// startImport imports after the confirmation; replacing the servers in a
// client that runs this binary needs it in a stable place first.
func (v *serversView) startImport(p *app.ImportPreview, replace bool) {
	if replace && p.Bridge {
		v.desk.withStableExe(func() fyne.Window { return v.win }, func(exe string) { v.doImport(p, true, exe) }, nil)
		return
	}
	v.doImport(p, replace, "")
}

// doImport adds the servers through the controller, so the gateway
// reloads them as for any edit. Replacing them in the client writes its
// config: that runs with the client marked busy, as Connect does, so the
// two never write it at once.
func (v *serversView) doImport(p *app.ImportPreview, replace bool, exe string) {
	if replace && !v.desk.setBusy(p.Client, "importing…") {
		v.setStatus(p.Display+" is busy with another action: import again once it ends.", true)
		return
	}
	v.setBusy("Importing from " + p.Display + "…")
	v.jobs.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serversCallTimeout)
		defer cancel()
		text, err := v.desk.d.ImportClient(ctx, p.Client, replace, exe, func(edit func(*app.Config) error) error {
			return v.ctrl.UpdateConfig(ctx, edit)
		})
		if replace {
			v.desk.clearBusy(p.Client)
		}
		v.desk.fetch() // the client's state may have changed (replace)
		fyne.Do(func() {
			v.doneBusy()
			if err != nil {
				v.setStatus("Not imported: "+err.Error(), true)
				dialog.ShowError(err, v.win)
				return
			}
			v.setStatus("Imported the servers of "+p.Display+".", false)
			dialog.ShowInformation("Imported from "+p.Display, text, v.win)
			v.reload("")
		})
	})
}
