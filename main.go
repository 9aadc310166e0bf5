// Command mcplex is the MCPlex gateway: one smart, safe, observable MCP
// endpoint in front of all of a person's MCP servers. See README.md.
//
// With no arguments (a double-click) it starts the desktop app: a tray
// icon and windows over the gateway; mcplex gui [-c FILE] [--show WINDOW]
// does the same with a config file. With any other subcommand or flags it
// is the command line (mcplex serve, mcplex --config FILE, ...).
package main

import (
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/ui"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	app.Version = version
	args := os.Args[1:]
	if len(args) == 0 || args[0] == "gui" {
		if len(args) > 0 {
			args = args[1:]
		}
		os.Exit(ui.Main(args, func() fyne.App { return fyneapp.NewWithID(ui.AppID) }))
	}
	os.Exit(app.Main(args))
}
