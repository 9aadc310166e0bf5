// Package ui is the MCPlex desktop shell: the tray icon and the windows
// (servers, roles & keys, routing playground, metrics, settings). It is the
// only package that imports Fyne, and it talks to the gateway only through
// an app.Controller.
package ui

import (
	"fyne.io/fyne/v2"

	"github.com/mcplex/mcplex/app"
)

// AppID is the reverse-DNS application id (FyneApp.toml [Details] ID).
const AppID = "io.mcplex.desktop"

// Shell is the running desktop shell.
type Shell struct {
	app  fyne.App
	ctrl app.Controller
}

// New builds the shell for a (test or real) Fyne app over ctrl.
func New(a fyne.App, ctrl app.Controller) *Shell {
	return &Shell{app: a, ctrl: ctrl}
}

// Main runs the desktop app with the command-line args after "gui" and
// returns the exit code. newApp makes the real Fyne app (only main imports
// fyne/v2/app, which needs cgo and a display).
func Main(args []string, newApp func() fyne.App) int {
	a := newApp()
	_ = New(a, nil)
	a.Run()
	return 0
}
