//go:build !windows

package app

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mcplex/mcplex/core/gateway"
)

// reloadOnSIGHUP reloads the config file on SIGHUP until ctx ends.
func reloadOnSIGHUP(ctx context.Context, gw *gateway.Gateway) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				_, _ = gw.ReloadFile() // the gateway logs, publishes and audits the outcome
			}
		}
	}()
}
