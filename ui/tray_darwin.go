package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/mcplex/mcplex/app"
)

// The macOS menu bar icons are template images: the one-color glyphs as
// themed resources, which Fyne hands to the menu bar as templates so macOS
// tints them for light and dark bars. The state reads from the shape.
var (
	trayTemplateRunning  = theme.NewThemedResource(glyphRunning)
	trayTemplateDegraded = theme.NewThemedResource(glyphDegraded)
	trayTemplateStopped  = theme.NewThemedResource(glyphStopped)
)

// trayIcon is the menu bar icon of a gateway state.
func trayIcon(st app.State) fyne.Resource {
	switch st {
	case app.StateRunning, app.StateStarting:
		return trayTemplateRunning
	case app.StateDegraded:
		return trayTemplateDegraded
	}
	return trayTemplateStopped
}

// missingTrayHost is always "": macOS always has a menu bar.
func missingTrayHost() string { return "" }
