package app

import "context"

// reloadOnSIGHUP does nothing on Windows, which has no SIGHUP; the config
// file watcher still reloads on change.
func reloadOnSIGHUP(context.Context, func()) {}
