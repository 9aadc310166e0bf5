package audit

import (
	"encoding/json"
	"math"
	"time"
)

// Kind names an audit event type.
type Kind string

// Event kinds. The values are the "event" field of the JSON record and are
// stable: log processors match on them.
const (
	ToolCall       Kind = "tool_call"       // a tools/call was forwarded (or served from cache)
	ToolBlocked    Kind = "tool_blocked"    // policy, blocklist or RBAC refused a call
	AuthFailed     Kind = "auth_failed"     // a request carried a missing or unknown API key
	RateLimited    Kind = "rate_limited"    // a request was refused by a rate limit
	ResourceRead   Kind = "resource_read"   // a resources/read was forwarded
	PromptGet      Kind = "prompt_get"      // a prompts/get was forwarded
	ConfigReloaded Kind = "config_reloaded" // a config reload was applied or rejected
	ServerState    Kind = "server_state"    // an upstream started, stopped, failed or restarted
	ToolChanged    Kind = "tool_changed"    // a tool's definition changed (possible rug pull)
	ToolPoisoning  Kind = "tool_poisoning"  // a tool's metadata looked like prompt injection
	// RequestRejected is a request refused at the transport: a foreign Host
	// or Origin, another identity's session id, an oversized body.
	RequestRejected Kind = "request_rejected"
)

// Suggested Outcome values. Outcome is free text; these keep dashboards and
// log queries consistent.
const (
	OutcomeOK     = "ok"     // the call succeeded
	OutcomeError  = "error"  // the upstream or the gateway returned an error
	OutcomeDenied = "denied" // the gateway refused the request
)

// Event is one audit record. Log sets Timestamp (when zero), Seq and Prev,
// redacts Arguments and computes ArgsDigest from them, and masks credential
// shapes in Identity, Reason and Message; callers fill in the rest. Fields
// are omitted from the JSON when empty, except timestamp and event.
type Event struct {
	// Timestamp is when the event happened, written in UTC as RFC 3339 with
	// nanoseconds. Log sets it to Options.Now() when zero. File order, not
	// timestamp order, is the order of the chain.
	Timestamp time.Time `json:"timestamp"`
	Event     Kind      `json:"event"`
	// ToolName is the canonical "server/tool" name.
	ToolName   string `json:"tool_name,omitempty"`
	ServerName string `json:"server_name,omitempty"`
	// Identity is the API key's description or id. Never the key itself:
	// Log redacts a value that looks like a credential.
	Identity   string  `json:"identity,omitempty"`
	Role       string  `json:"role,omitempty"`
	DurationMS float64 `json:"duration_ms,omitempty"` // see Millis
	Outcome    string  `json:"outcome,omitempty"`
	Cached     bool    `json:"cached,omitempty"`
	TraceID    string  `json:"trace_id,omitempty"`
	// ArgsDigest is the hex SHA-256 of the canonical JSON of the redacted
	// arguments. Log computes it whenever Arguments is set.
	ArgsDigest string `json:"args_digest,omitempty"`
	// Arguments are the call's arguments as received. Log writes them only
	// with Options.LogArguments, and then only after Redact.
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Rule      string          `json:"rule,omitempty"`
	Remote    string          `json:"remote,omitempty"`
	Message   string          `json:"message,omitempty"`
	// Seq and Prev are set by Log; values set by the caller are ignored.
	// Seq counts records from 1 across rotations and restarts; Prev is the
	// hex SHA-256 of the previous line and is absent on the first record.
	Seq  uint64 `json:"seq,omitempty"`
	Prev string `json:"prev,omitempty"`
}

// Millis converts d to milliseconds for Event.DurationMS, rounded to the
// microsecond so records stay short.
func Millis(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}
