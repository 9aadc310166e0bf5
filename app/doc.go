// Package app is MCPlex's composition root: it parses the command line,
// loads the config, and wires core packages into runnable commands (serve,
// check, stdio, bridge, demo-server, route). It never imports Fyne; the
// desktop shell in ui/ drives the gateway through this package.
package app
