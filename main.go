// Command mcplex is the MCPlex gateway: one smart, safe, observable MCP
// endpoint in front of all of a person's MCP servers. See README.md.
package main

import (
	"os"

	"github.com/mcplex/mcplex/app"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	app.Version = version
	os.Exit(app.Main(os.Args[1:]))
}
