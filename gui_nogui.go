//go:build nogui

package main

import (
	"fmt"
	"os"

	"github.com/mcplex/mcplex/app"
)

// runGUI, in a build without the desktop app, says so and runs the
// headless gateway with the same flags.
func runGUI(args []string) int {
	fmt.Fprintln(os.Stderr, "MCPlex: this build has no desktop app (built with -tags nogui); running the headless gateway (mcplex serve).")
	return app.Main(append([]string{"serve"}, args...))
}
