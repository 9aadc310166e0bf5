package upstream

import "time"

// State is the lifecycle state of an upstream.
type State string

// Upstream states.
const (
	StateStarting   State = "starting"   // first connection in progress
	StateReady      State = "ready"      // handshake done, catalog listed
	StateRestarting State = "restarting" // lost, reconnecting after backoff
	StateFailed     State = "failed"     // last attempt failed; retrying after backoff
	StateStopped    State = "stopped"    // stopped by the gateway
)

// Status is a snapshot of one upstream, for health checks and the GUI.
type Status struct {
	Name      string    `json:"name"`
	Transport string    `json:"transport"` // "stdio" or "http"
	State     State     `json:"state"`
	Error     string    `json:"error,omitempty"`
	PID       int       `json:"pid,omitempty"`
	Tools     int       `json:"tools"`
	Prompts   int       `json:"prompts"`
	Resources int       `json:"resources"`
	Restarts  int       `json:"restarts"`
	Since     time.Time `json:"since"`
}
