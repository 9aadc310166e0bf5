package bridge

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Options configures [Run]. Only URL is required.
type Options struct {
	// URL is the gateway's Streamable HTTP endpoint, for example
	// http://127.0.0.1:3100/mcp.
	URL string

	// APIKey is sent as "Authorization: Bearer <APIKey>". It takes precedence
	// over TokenFile.
	APIKey string

	// TokenFile names a file (normally mode 0600) holding the API key;
	// surrounding white space is ignored. It is read when Run starts and read
	// again once when the gateway answers 401, because the MCPlex tray may
	// rotate the key while the bridge runs. A missing file is not an error:
	// requests go out without Authorization until the file appears.
	TokenFile string

	// Headers are added to every HTTP request. Authorization, session and
	// protocol headers set by the bridge take precedence.
	Headers map[string]string

	// AllowRemote permits a gateway host that is not a loopback address.
	// Such a host must be reached over https://, so the key never crosses
	// the network in clear text.
	AllowRemote bool

	// ClientName is sent in the X-MCPlex-Client header so the gateway's audit
	// log can tell clients apart (for example "claude-desktop"). If empty,
	// clientInfo.name from the client's initialize request is used.
	ClientName string

	// Logger receives diagnostics. nil discards them. Tokens are never logged.
	Logger *slog.Logger

	// StartupWait bounds how long requests wait, with backoff, for a gateway
	// that does not accept connections yet, counted from the start of Run.
	// Later in a session, refused connections are retried for at most 5s.
	// Zero means 20s; a negative value disables waiting.
	StartupWait time.Duration
}

const (
	defaultStartupWait = 20 * time.Second
	// redialWindow bounds retries of refused connections once the gateway
	// has been reached: the tray restarts the gateway on some config
	// changes, and a refused dial means the request surely did not arrive.
	redialWindow = 5 * time.Second
)

// checkURL validates the gateway URL against the transport safety rule: any
// scheme may reach a loopback host, anything else needs AllowRemote and TLS.
func checkURL(raw string, allowRemote bool) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("bridge: gateway URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bridge: parsing gateway URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("bridge: gateway URL %q: scheme must be http or https", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("bridge: gateway URL %q has no host", raw)
	}
	if isLoopback(u.Hostname()) {
		return u, nil
	}
	if !allowRemote {
		return nil, fmt.Errorf("bridge: gateway host %q is not a loopback address; allow remote gateways explicitly (--allow-remote)", u.Hostname())
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("bridge: remote gateway %q must use https://", u.Hostname())
	}
	return u, nil
}

// isLoopback reports whether host names this machine without a DNS lookup.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readToken returns the trimmed contents of path.
func readToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// startupWait resolves Options.StartupWait to a non-negative duration.
func (o Options) startupWait() time.Duration {
	switch {
	case o.StartupWait == 0:
		return defaultStartupWait
	case o.StartupWait < 0:
		return 0
	}
	return o.StartupWait
}

// logger returns o.Logger or a logger that discards everything.
func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}
