package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/mcplex/mcplex/core/admin"
)

// Remote is the Controller that drives a running MCPlex service (mcplex
// serve --admin) through its loopback admin API. Its Snapshot is a cache
// refreshed every second; Close stops that.
type Remote = admin.Client

// connectTimeout bounds looking for a running service: a stale discovery
// file must not delay the desktop's start.
const connectTimeout = 3 * time.Second

// ConnectRemote connects to the service announced in dir ("" for
// admin.DefaultDir). The result is a *Remote; close it when done. The error
// matches admin.ErrNoService when no service is announced.
func ConnectRemote(ctx context.Context, dir string) (Controller, error) {
	if dir == "" {
		var err error
		if dir, err = admin.DefaultDir(); err != nil {
			return nil, err
		}
	}
	c, err := admin.DialDir(ctx, dir)
	if err != nil {
		return nil, err // not c: a nil *Remote in a Controller is not a nil Controller
	}
	return c, nil
}

// OpenController returns the Controller the desktop should use, and its
// mode: a running service announced in dir, if one answers ("service"; the
// service has its own config file and configPath is not used), else a
// stopped gateway in this process for configPath ("in-process"). An empty
// configPath is found as mcplex serve finds it ($MCPLEX_CONFIG,
// ./mcplex.toml, else the user config dir, where a default is written).
//
// Close the controller when done if it is an io.Closer.
func OpenController(ctx context.Context, configPath, dir string) (Controller, string, error) {
	dialCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c, err := ConnectRemote(dialCtx, dir)
	switch {
	case err == nil:
		return c, admin.ModeService, nil
	case !errors.Is(err, admin.ErrNoService) && !isDialError(err):
		// Something answers where a service is announced, but not as one
		// this app can drive (a wrong token, another program on the port):
		// running a second gateway here would only collide with it.
		return nil, "", fmt.Errorf("an MCPlex service is announced in %s but does not accept this app (%w); "+
			"stop it with `mcplex service stop`, or delete %s if no MCPlex service is running", displayDir(dir), err, admin.DiscoveryFile)
	}
	// No service, or one announced that does not answer (it crashed and
	// left its files): run the gateway here.
	if configPath == "" {
		var err error
		configPath, err = findConfig(&Env{Stderr: io.Discard}, &commonFlags{})
		if err != nil {
			return nil, "", err
		}
	}
	return NewLocal(admin.HostOptions{ConfigPath: configPath, Mode: admin.ModeInProcess}), admin.ModeInProcess, nil
}

// isDialError reports whether err is a failure to connect at all (nothing
// listens where the service was announced).
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func displayDir(dir string) string {
	if dir == "" {
		if d, err := admin.DefaultDir(); err == nil {
			return d
		}
	}
	return dir
}
