//go:build !linux && !darwin && !windows

package osint

import (
	"errors"

	kardianos "github.com/kardianos/service"
)

func supported() error {
	return &UnsupportedError{Reason: "User services are supported on macOS and on Linux with systemd; " +
		"the MCPlex tray runs the gateway in-process instead."}
}

var errNoService = errors.New("no user service on this OS")

func unitPath() (string, error)                           { return "", errNoService }
func prepareInstall(ServiceSpec, *kardianos.Config) error { return errNoService }
