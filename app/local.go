package app

import "github.com/mcplex/mcplex/core/admin"

// NewLocal returns the Controller that runs the gateway in this process:
// an admin.Host for opts.ConfigPath. An empty opts.Version is this build's
// Version.
func NewLocal(opts admin.HostOptions) Controller {
	if opts.Version == "" {
		opts.Version = Version
	}
	return admin.NewHost(opts)
}
