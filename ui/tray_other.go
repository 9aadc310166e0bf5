//go:build !(linux || freebsd || openbsd || netbsd || darwin)

package ui

import (
	"fyne.io/fyne/v2"

	"github.com/mcplex/mcplex/app"
)

// trayIcon is the notification area icon of a gateway state.
func trayIcon(st app.State) fyne.Resource { return colorTrayIcon(st) }

// missingTrayHost is always "": Windows always has a notification area.
func missingTrayHost() string { return "" }
