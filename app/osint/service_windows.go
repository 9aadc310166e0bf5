package osint

import (
	"errors"

	kardianos "github.com/kardianos/service"
)

// windowsReason is why there is no service on Windows: a Windows service
// runs as LocalSystem in session 0 (no UI, SYSTEM's profile and PATH, and
// every stdio MCP server it starts would run as SYSTEM) and needs an
// administrator to install.
const windowsReason = "On Windows the gateway runs as the tray's child process; " +
	"start MCPlex from the Start menu (and enable Start at login)."

func supported() error { return &UnsupportedError{Reason: windowsReason} }

var errNoService = errors.New("no user service on this OS")

func unitPath() (string, error)                           { return "", errNoService }
func prepareInstall(ServiceSpec, *kardianos.Config) error { return errNoService }
