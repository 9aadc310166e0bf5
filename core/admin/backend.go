package admin

import (
	"context"

	"github.com/mcplex/mcplex/core/config"
)

// Backend is what the admin API serves and what a desktop shell drives: a
// Host in this process, or a Client of another process's admin API.
// app.Controller is this same method set.
type Backend interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Snapshot() Snapshot
	Events(ctx context.Context) <-chan Event
	Config(ctx context.Context) (*config.Config, error)
	UpdateConfig(ctx context.Context, edit func(*config.Config) error) error
	TestServer(ctx context.Context, s config.Server) (TestResult, error)
	Tools(ctx context.Context) ([]Tool, error)
	Find(ctx context.Context, query, strategy string, topK int) ([]Match, error)
	Call(ctx context.Context, name string, args map[string]any) (CallResult, error)
}
