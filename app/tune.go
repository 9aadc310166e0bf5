package app

import (
	"context"
	"os"
	"runtime/debug"
	"time"

	"github.com/mcplex/mcplex/core/gateway"
)

// tuneMemory trades a little memory for CPU on the request path: the MCP
// SDK allocates a fresh decode buffer for every message, so with Go's
// default GOGC=100 a busy gateway spends a quarter of its CPU in garbage
// collection (measured with ../shared/bench: GOGC=400 cut gateway CPU per
// echo call from 533 us to 293 us). A soft memory limit keeps the heap
// bounded. GOGC and GOMEMLIMIT set in the environment win.
func tuneMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}

// releaseStartupMemory returns the garbage of the first catalog listing
// (large tools/list results decode into short-lived buffers) to the OS once
// every upstream has started, so an idle gateway stays small.
func releaseStartupMemory(ctx context.Context, gw *gateway.Gateway) {
	go func() {
		_ = gw.WaitReady(ctx, 2*time.Minute)
		if ctx.Err() == nil {
			debug.FreeOSMemory()
		}
	}()
}
