package admin

import (
	"encoding/json"
	"time"

	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/metrics"
)

// State is the gateway's overall state as the desktop shows it.
type State string

// The states of a gateway.
const (
	StateStopped  State = "stopped"  // not serving (never started, stopped, or failed to start)
	StateStarting State = "starting" // serving; some upstream still starting
	StateRunning  State = "running"  // serving; every enabled upstream ready
	StateDegraded State = "degraded" // serving; some upstream failed or restarting
)

// Snapshot is everything a window or the tray needs to draw itself. It is a
// value: nothing in it changes after it is returned.
type Snapshot struct {
	State      State     `json:"state"`
	Error      string    `json:"error,omitempty"`        // why the gateway is stopped, when it failed
	Endpoint   string    `json:"endpoint,omitempty"`     // http://127.0.0.1:3100/mcp while serving
	Dashboard  string    `json:"dashboard,omitempty"`    // dashboard URL, when enabled and serving
	ConfigPath string    `json:"config_path"`            // the config file every edit goes to
	ConfigErr  string    `json:"config_error,omitempty"` // the file on disk does not load (last good config still runs)
	Mode       string    `json:"mode"`                   // "in-process" or "service"
	Version    string    `json:"version"`
	Time       time.Time `json:"time"`

	// Servers has one entry per configured server, in config order,
	// disabled ones included (state "disabled").
	Servers []Server `json:"servers"`
	// ToolCount is the number of tools in the merged catalog.
	ToolCount int                 `json:"tool_count"`
	Metrics   metrics.Stats       `json:"metrics"`
	Tokens    *gateway.TokenStats `json:"tokens,omitempty"`
}

// Server is one upstream server's live state.
type Server struct {
	Name      string    `json:"name"`
	Transport string    `json:"transport"` // "stdio" or "http"
	Enabled   bool      `json:"enabled"`
	State     string    `json:"state"` // starting, ready, restarting, failed, stopped, disabled
	Error     string    `json:"error,omitempty"`
	Tools     int       `json:"tools"`
	Prompts   int       `json:"prompts"`
	Resources int       `json:"resources"`
	Restarts  int       `json:"restarts"`
	Since     time.Time `json:"since,omitzero"`
}

// Tool is one tool of the catalog.
type Tool struct {
	Name        string          `json:"name"`   // the name clients call it by
	ID          string          `json:"id"`     // canonical server/tool, what policies match
	Server      string          `json:"server"` // owning server
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"inputSchema,omitempty"`
}

// Match is a tool ranked for a query.
type Match struct {
	Tool
	Score float64 `json:"score"`
}

// CallResult is the outcome of one tool call made from the desktop.
type CallResult struct {
	IsError bool          `json:"is_error"`
	Text    string        `json:"text"`    // the text content, joined
	Raw     string        `json:"raw"`     // the whole CallToolResult, indented JSON
	Latency time.Duration `json:"latency"` // wall time of the call through the gateway
}

// TestResult is what starting one server on its own found.
type TestResult struct {
	Tools   []Tool        `json:"tools"`
	Error   string        `json:"error,omitempty"` // empty when the server started and listed its tools
	Elapsed time.Duration `json:"elapsed"`
}

// Event is one entry of the live event stream.
type Event = events.Event
