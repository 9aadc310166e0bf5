package upstream

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/execpath"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// inheritedEnv lists the variables a child inherits from the gateway; every
// other variable (API keys and secrets of the gateway itself) is withheld.
var inheritedEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TERM", "TZ",
	"TMPDIR", "TEMP", "TMP", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA",
	"ProgramFiles", "ProgramFiles(x86)", "SystemRoot", "SystemDrive", "ComSpec", "PATHEXT", "WINDIR",
	"NVM_DIR", "VOLTA_HOME", "PNPM_HOME", "BUN_INSTALL", "UV_CACHE_DIR", "SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
}

var inheritedPrefixes = []string{"LC_", "XDG_", "NPM_CONFIG_", "npm_config_", "NODE_"}

// childEnv builds a child's environment: the allow-listed parent variables,
// PATH extended with the usual tool locations, then the server's own env.
func childEnv(parent []string, own map[string]string) []string {
	var env []string
	for _, kv := range parent {
		k, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if inherited(k) {
			env = append(env, kv)
		}
	}
	env = execpath.AugmentPath(env)
	for k, v := range own {
		env = append(env, k+"="+v)
	}
	return env
}

func inherited(k string) bool {
	for _, n := range inheritedEnv {
		if strings.EqualFold(k, n) {
			return true
		}
	}
	for _, p := range inheritedPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// newCommand prepares the child process of a stdio server. Arguments are
// passed as argv, never through a shell. Its stdio is set up by process.start.
func newCommand(s *config.Server) (*exec.Cmd, error) {
	env := childEnv(os.Environ(), s.Env)
	path, err := execpath.LookPath(s.Command, env)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, s.Args...)
	cmd.Env = env
	cmd.Dir = s.Cwd
	setProcAttr(cmd)
	return cmd, nil
}

// headerTransport adds the configured headers to every upstream request.
type headerTransport struct {
	base    http.RoundTripper
	headers map[string]string
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach base.
func (h *headerTransport) CloseIdleConnections() {
	if c, ok := h.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (h *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.headers {
		r.Header.Set(k, v)
	}
	return h.base.RoundTrip(r)
}

// newHTTPClient returns the pooled client of one HTTP upstream. Redirects are
// not followed: an upstream must not steer the gateway elsewhere.
func newHTTPClient(s *config.Server) *http.Client {
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: time.Duration(s.TimeoutSeconds+5) * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: &headerTransport{base: base, headers: s.Headers},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// newTransport returns the transport for s, and the child process (not yet
// started) for stdio servers. HTTP servers use client, which the upstream
// keeps across reconnections.
func newTransport(s *config.Server, stderr *stderrLog, log *slog.Logger, client *http.Client) (mcp.Transport, *process, error) {
	if s.IsStdio() {
		cmd, err := newCommand(s)
		if err != nil {
			return nil, nil, err
		}
		proc := newProcess(cmd, stderr)
		return &stdioTransport{proc: proc, log: log}, proc, nil
	}
	if s.URL == "" {
		return nil, nil, fmt.Errorf("server %q has neither command nor url", s.Name)
	}
	return &mcp.StreamableClientTransport{Endpoint: s.URL, HTTPClient: client, MaxRetries: 2}, nil, nil
}
