//go:build !nogui

package main

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mcplex/mcplex/ui"
)

// runGUI runs the desktop app. This is the only file that imports
// fyne/v2/app, which needs cgo and OpenGL.
func runGUI(args []string) int {
	return ui.Main(args, func() fyne.App { return fyneapp.NewWithID(ui.AppID) })
}
