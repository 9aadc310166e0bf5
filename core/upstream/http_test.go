package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// headerLog records a header of every request an HTTP upstream receives.
type headerLog struct {
	mu   sync.Mutex
	seen []string
	n    atomic.Int64
}

func (h *headerLog) wrap(name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.n.Add(1)
		h.mu.Lock()
		h.seen = append(h.seen, r.Method+" "+r.Header.Get(name))
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (h *headerLog) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

func newHTTPUpstream(t *testing.T, log *headerLog) *httptest.Server {
	t.Helper()
	server := memServer()
	server.AddTool(&mcp.Tool{Name: "echo", InputSchema: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}}}`)},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var args struct{ Text string }
			if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
				return nil, err
			}
			return textResult(args.Text), nil
		})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	ts := httptest.NewServer(log.wrap("X-Upstream-Token", h))
	t.Cleanup(ts.Close)
	return ts
}

// An HTTP upstream gets the configured headers on every request.
func TestHTTPUpstream(t *testing.T) {
	t.Parallel()
	log := &headerLog{}
	ts := newHTTPUpstream(t, log)
	s := config.Server{Name: "web", URL: ts.URL, Headers: map[string]string{"X-Upstream-Token": "tok-4711"}, TimeoutSeconds: 5}
	p := newTestPool(t, Options{}, s)
	u := mustGet(t, p, "web")
	st := waitReady(t, u)
	if st.Transport != "http" || st.PID != 0 || st.Tools != 1 {
		t.Errorf("status = %+v, want an http upstream with 1 tool and no PID", st)
	}
	mustEcho(t, u)
	seen := log.all()
	if len(seen) < 3 {
		t.Fatalf("upstream saw %d requests, want initialize, initialized, tools/list, call", len(seen))
	}
	for _, s := range seen {
		if !strings.HasSuffix(s, " tok-4711") {
			t.Errorf("request without the configured header: %q", s)
		}
	}
}

// Redirects are not followed: an upstream cannot steer the gateway to
// another address (security.md A9.4).
func TestHTTPRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	target := &headerLog{}
	real := newHTTPUpstream(t, target)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, real.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	p := newTestPool(t, Options{}, config.Server{Name: "redir", URL: redirector.URL})
	u := mustGet(t, p, "redir")
	waitFailed(t, u, 5*time.Second)
	if n := target.n.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests", n)
	}
}

// B3.1: connection refused fails fast with a clear error.
func TestHTTPConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	p := newTestPool(t, Options{}, config.Server{Name: "gone", URL: "http://" + addr + "/mcp"})
	u := mustGet(t, p, "gone")
	st := waitFailed(t, u, 5*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("failed after %s, want a fast failure", d)
	}
	if !strings.Contains(st.Error, "connection refused") {
		t.Errorf("Status.Error = %q, want it to say connection refused", st.Error)
	}
	if _, err := callText(t.Context(), u, "echo", nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("call: err = %v, want ErrUnavailable", err)
	}
}

// B3.2: an upstream that accepts the connection and never answers fails at
// the init timeout instead of staying "starting".
func TestHTTPNoResponse(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var cancels atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, _ := io.ReadAll(r.Body); strings.Contains(string(body), "notifications/cancelled") {
			cancels.Add(1)
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(release) })
	start := time.Now()
	p := newTestPool(t, Options{}, config.Server{Name: "silent", URL: ts.URL})
	u := mustGet(t, p, "silent")
	st := waitFailed(t, u, initTimeout+3*time.Second)
	if d := time.Since(start); d < initTimeout-100*time.Millisecond {
		t.Errorf("failed after %s, before the init timeout", d)
	}
	if !strings.Contains(st.Error, "handshake") {
		t.Errorf("Status.Error = %q, want a handshake error", st.Error)
	}
	// Clients must not cancel initialize (and the SDK's Close would wait
	// for that notification to be answered).
	if n := cancels.Load(); n != 0 {
		t.Errorf("the server got %d notifications/cancelled", n)
	}
}
