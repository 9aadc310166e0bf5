// Command mcplex is the MCPlex gateway: one smart, safe, observable MCP
// endpoint in front of all of a person's MCP servers. See README.md.
//
// With no arguments (a double-click) it starts the desktop app: a tray
// icon and windows over the gateway; mcplex gui [-c FILE] [--show WINDOW]
// does the same with a config file. With any other subcommand or flags it
// is the command line (mcplex serve, mcplex --config FILE, ...).
//
// Built with -tags nogui it has no desktop app and needs no cgo: a
// headless gateway for servers and CI.
package main

import (
	"os"

	"github.com/mcplex/mcplex/app"
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
		os.Exit(runGUI(args))
	}
	os.Exit(app.Main(args))
}
