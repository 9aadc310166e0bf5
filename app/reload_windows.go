package app

import (
	"context"

	"github.com/mcplex/mcplex/core/gateway"
)

// reloadOnSIGHUP does nothing on Windows, which has no SIGHUP; the config
// file watcher still reloads on change.
func reloadOnSIGHUP(context.Context, *gateway.Gateway) {}
