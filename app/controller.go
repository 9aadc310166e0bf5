package app

import (
	"context"

	"github.com/mcplex/mcplex/core/admin"
	"github.com/mcplex/mcplex/core/config"
)

// The types the desktop shell works with. They are the core's own types
// under app names, so ui/ imports only app.
type (
	Snapshot     = admin.Snapshot
	State        = admin.State
	ServerStatus = admin.Server
	Tool         = admin.Tool
	Match        = admin.Match
	CallResult   = admin.CallResult
	TestResult   = admin.TestResult
	Event        = admin.Event

	Config       = config.Config
	ServerConfig = config.Server
	Role         = config.Role
	APIKey       = config.APIKey
)

// The gateway states.
const (
	StateStopped  = admin.StateStopped
	StateStarting = admin.StateStarting
	StateRunning  = admin.StateRunning
	StateDegraded = admin.StateDegraded
)

// Controller is everything the desktop shell can ask of a gateway. Two
// implementations exist, and the windows cannot tell them apart: Local runs
// the gateway in this process; Remote drives an installed service through
// its loopback admin API.
//
// Every method is safe to call from any goroutine. Methods that take a
// context may block on I/O (file writes, starting a server, a tool call)
// and must not be called on the UI goroutine.
type Controller interface {
	// Start starts serving (a no-op when already serving).
	Start(ctx context.Context) error
	// Stop stops serving and every upstream (a no-op when stopped).
	Stop(ctx context.Context) error
	// Snapshot returns the current state. It is cheap: the shell polls it.
	Snapshot() Snapshot
	// Events streams recent events and then live ones until ctx ends.
	Events(ctx context.Context) <-chan Event

	// Config returns the config file as it is on disk now (so an edit made
	// by hand shows up), or the error that keeps it from loading.
	Config(ctx context.Context) (*Config, error)
	// UpdateConfig loads the file, applies edit, validates the result and,
	// only if it is valid, writes it atomically (keeping a .bak of the
	// previous file) and applies it. An invalid result returns a
	// *config.Error-style message naming the key; nothing is written.
	UpdateConfig(ctx context.Context, edit func(*Config) error) error

	// TestServer starts s on its own (not added to the gateway), lists its
	// tools and stops it.
	TestServer(ctx context.Context, s ServerConfig) (TestResult, error)
	// Tools lists the whole merged catalog.
	Tools(ctx context.Context) ([]Tool, error)
	// Find ranks the catalog for query with strategy ("" = the configured
	// one) and returns at most topK matches (0 = the configured top_k).
	Find(ctx context.Context, query, strategy string, topK int) ([]Match, error)
	// Call calls a tool by the name clients use, through the gateway's
	// whole request path (policy, cache, metrics, audit).
	Call(ctx context.Context, name string, args map[string]any) (CallResult, error)
}

// The controller is the admin backend's method set, so a Host and a Client
// are Controllers as they are.
var _ Controller = admin.Backend(nil)
var _ admin.Backend = Controller(nil)
