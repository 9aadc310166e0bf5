package admin

import (
	"errors"
	"syscall"
)

// wsaeaddrinuse is WSAEADDRINUSE: syscall.EADDRINUSE is a made-up value
// on Windows that a failed bind never returns.
const wsaeaddrinuse = syscall.Errno(10048)

// addrInUse reports whether a listen failed because the port is taken.
func addrInUse(err error) bool { return errors.Is(err, wsaeaddrinuse) }
