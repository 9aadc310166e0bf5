package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	devKey   = "sk-dev-0123456789"
	adminKey = "sk-admin-0123456789"
)

// secureFixture is a gateway over HTTP with RBAC, two keys, an audit log and
// upstreams that count every call they receive.
type secureFixture struct {
	url    string
	calls  *atomic.Int64
	audit  string
	server *httptest.Server
	gw     *Gateway
}

func newSecureFixture(t testing.TB, edit func(*config.Config)) *secureFixture {
	t.Helper()
	var calls atomic.Int64
	gh, db := newFake("github"), newFake("database")
	for _, f := range []*fakeServer{gh, db} {
		for _, name := range []string{"create_issue", "delete_repo", "search"} {
			mcp.AddTool(f.srv, &mcp.Tool{Name: name}, func(ctx context.Context, req *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
				calls.Add(1)
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: f.name + ":" + name}}}, nil, nil
			})
		}
		f.srv.AddPrompt(&mcp.Prompt{Name: "review"}, func(context.Context, *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			calls.Add(1)
			return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "p"}}}}, nil
		})
		uri := "test://" + f.name + "/secret"
		f.srv.AddResource(&mcp.Resource{URI: uri, Name: "secret"}, func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			calls.Add(1)
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "s"}}}, nil
		})
	}
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	g, _ := newTestGateway(t, "metatool", []*fakeServer{gh, db}, nil, func(c *config.Config) {
		c.Security.EnableRBAC = true
		c.Security.EnableAuditLog = true
		c.Security.AuditLogPath = auditPath
		c.Roles = map[string]config.Role{
			"developer": {AllowedTools: []string{"github/*"}, BlockedTools: []string{"*/delete_*"}},
			"admin":     {AllowedTools: []string{"*"}},
		}
		c.APIKeys = map[string]config.APIKey{
			devKey:   {Role: "developer", Description: "dev team"},
			adminKey: {Role: "admin", Description: "admins"},
		}
		if edit != nil {
			edit(c)
		}
	})
	srv := httptest.NewServer(g.Handler())
	t.Cleanup(srv.Close)
	return &secureFixture{url: srv.URL + "/mcp", calls: &calls, audit: auditPath, server: srv, gw: g}
}

type rpcReply struct {
	status int
	header http.Header
	body   string
	msg    struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
}

// post sends one JSON-RPC message and decodes a JSON or SSE reply.
func post(t *testing.T, url string, headers map[string]string, body string) *rpcReply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &rpcReply{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	data := raw
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				data = []byte(d)
			}
		}
	}
	_ = json.Unmarshal(data, &r.msg)
	return r
}

// session initializes a session with key and returns its headers.
func (f *secureFixture) session(t *testing.T, key string) map[string]string {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + key}
	r := post(t, f.url, h, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	if r.status != 200 {
		t.Fatalf("initialize: %d %s", r.status, r.body)
	}
	h["Mcp-Session-Id"] = r.header.Get("Mcp-Session-Id")
	h["Mcp-Protocol-Version"] = "2025-11-25"
	post(t, f.url, h, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return h
}

func call(name string, args string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, name, args)
}

func (f *secureFixture) auditEvents(t *testing.T) []audit.Event {
	t.Helper()
	data, err := os.ReadFile(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Event
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var e audit.Event
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func (f *secureFixture) countAudit(t *testing.T, kind audit.Kind) int {
	n := 0
	for _, e := range f.auditEvents(t) {
		if e.Event == kind {
			n++
		}
	}
	return n
}

// TestBypassAttemptsAreRefusedAndAudited is the security issue's bypass suite:
// every attempt is refused, audited, and nothing reaches an upstream.
func TestBypassAttemptsAreRefusedAndAudited(t *testing.T) {
	f := newSecureFixture(t, nil)
	dev := f.session(t, devKey)
	unknown := func(r *rpcReply, name string) {
		t.Helper()
		if r.msg.Error == nil || r.msg.Error.Code != -32602 || r.msg.Error.Message != fmt.Sprintf("unknown tool %q", name) {
			t.Errorf("got %d %s, want the unknown-tool error", r.status, r.body)
		}
	}
	t.Run("blocked tool via mcplex_call_tool", func(t *testing.T) {
		unknown(post(t, f.url, dev, call(CallTool, `{"name":"github__delete_repo","arguments":{}}`)), "github__delete_repo")
	})
	t.Run("role claimed in params and meta", func(t *testing.T) {
		body := `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"database__search","arguments":{"_mcplex_role":"admin"},"_mcplex_role":"admin","_meta":{"_mcplex_role":"admin","role":"admin"}}}`
		unknown(post(t, f.url, dev, body), "database__search")
	})
	t.Run("hidden tool called directly by its collision name", func(t *testing.T) {
		unknown(post(t, f.url, dev, call("database__create_issue", `{}`)), "database__create_issue")
	})
	t.Run("resource of a blocked server", func(t *testing.T) {
		r := post(t, f.url, dev, `{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"test://database/secret"}}`)
		if r.msg.Error == nil {
			t.Errorf("resource read allowed: %s", r.body)
		}
	})
	t.Run("prompt of a blocked server", func(t *testing.T) {
		r := post(t, f.url, dev, `{"jsonrpc":"2.0","id":10,"method":"prompts/get","params":{"name":"database__review"}}`)
		if r.msg.Error == nil || !strings.Contains(r.msg.Error.Message, "unknown prompt") {
			t.Errorf("prompt get allowed: %s", r.body)
		}
	})
	t.Run("another key reusing the session", func(t *testing.T) {
		h := map[string]string{"Authorization": "Bearer " + adminKey, "Mcp-Session-Id": dev["Mcp-Session-Id"], "Mcp-Protocol-Version": "2025-11-25"}
		if r := post(t, f.url, h, call("github__search", `{}`)); r.status != http.StatusNotFound {
			t.Errorf("hijacked session: %d %s", r.status, r.body)
		}
	})
	t.Run("no key and wrong key", func(t *testing.T) {
		for _, h := range []map[string]string{{}, {"Authorization": "Bearer nope"}, {"X-API-Key": "nope"}, {"Authorization": "Bearer "}} {
			r := post(t, f.url, h, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" || r.msg.Error == nil {
				t.Errorf("headers %v: got %d %q", h, r.status, r.body)
			}
		}
	})
	t.Run("two different keys", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, f.url, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Add("Authorization", "Bearer "+devKey)
		req.Header.Set("X-API-Key", adminKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("got %d", resp.StatusCode)
		}
	})
	t.Run("key in the query string", func(t *testing.T) {
		if r := post(t, f.url+"?api_key="+devKey, nil, `{}`); r.status != http.StatusUnauthorized {
			t.Errorf("got %d", r.status)
		}
	})
	t.Run("evil host and origin", func(t *testing.T) {
		h := map[string]string{"Authorization": "Bearer " + devKey, "Origin": "http://evil.example.com"}
		if r := post(t, f.url, h, `{}`); r.status != http.StatusForbidden {
			t.Errorf("origin: got %d", r.status)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		big := call("github__search", `{"text":"`+strings.Repeat("x", 5<<20)+`"}`)
		if r := post(t, f.url, dev, big); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("got %d", r.status)
		}
	})
	if n := f.calls.Load(); n != 0 {
		t.Errorf("%d requests reached an upstream", n)
	}
	// The allowed path still works, and everything above is in the audit log.
	if r := post(t, f.url, dev, call("github__search", `{"text":"x"}`)); !strings.Contains(string(r.msg.Result), "github:search") {
		t.Fatalf("allowed call failed: %s", r.body)
	}
	if got := f.countAudit(t, audit.ToolBlocked); got < 3 {
		t.Errorf("tool_blocked records: %d, want >= 3", got)
	}
	if got := f.countAudit(t, audit.AuthFailed); got < 5 {
		t.Errorf("auth_failed records: %d, want >= 5", got)
	}
	rejected := map[string]bool{}
	for _, e := range f.auditEvents(t) {
		if e.Event == audit.RequestRejected {
			rejected[e.Reason] = true
		}
	}
	for _, reason := range []string{"origin", "session", "body_size"} {
		if !rejected[reason] {
			t.Errorf("no request_rejected audit record with reason %q", reason)
		}
	}
	for _, e := range f.auditEvents(t) {
		if strings.Contains(fmt.Sprint(e), devKey) || strings.Contains(fmt.Sprint(e), adminKey) {
			t.Fatalf("an API key leaked into the audit log: %+v", e)
		}
	}
}

func TestRateLimitStopsFloodBeforeUpstream(t *testing.T) {
	f := newSecureFixture(t, func(c *config.Config) { c.Gateway.RateLimitRPS = 50 })
	dev := f.session(t, devKey)
	f.calls.Store(0)
	ok, limited := 0, 0
	for i := 0; i < 1000; i++ {
		r := post(t, f.url, dev, call("github__search", `{"text":"x"}`))
		switch r.status {
		case http.StatusOK:
			if r.msg.Error != nil || !strings.Contains(string(r.msg.Result), "github:search") {
				t.Fatalf("allowed call failed: %s", r.body)
			}
			ok++
		case http.StatusTooManyRequests:
			limited++
			if r.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	}
	if limited < 800 || ok < 90 {
		t.Errorf("ok %d, limited %d: the 2x burst of a 50 rps limit lets through ~100 plus the refill", ok, limited)
	}
	if got := f.calls.Load(); got != int64(ok) {
		t.Errorf("upstream saw %d calls, gateway allowed %d", got, ok)
	}
	if got := f.countAudit(t, audit.RateLimited); got != limited {
		t.Errorf("rate_limited audit records %d, want %d", got, limited)
	}
}

// TestIdleSessionsAreReaped: a session nobody uses is closed after
// session_idle_timeout_seconds; its id then answers 404.
func TestIdleSessionsAreReaped(t *testing.T) {
	f := newSecureFixture(t, func(c *config.Config) { c.Gateway.SessionIdleTimeoutSeconds = 1 })
	dev := f.session(t, devKey)
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(200 * time.Millisecond) // polling: the session must not be touched meanwhile
		if time.Now().After(deadline) {
			t.Fatal("idle session still alive after 10s")
		}
		if _, ok := sessionAlive(f.gw, dev["Mcp-Session-Id"]); !ok {
			break
		}
	}
	if r := post(t, f.url, dev, call("github__search", `{"text":"x"}`)); r.status != http.StatusNotFound {
		t.Errorf("reaped session answered %d", r.status)
	}
}

func sessionAlive(g *Gateway, id string) (*mcp.ServerSession, bool) {
	for ss := range g.server.Sessions() {
		if ss.ID() == id {
			return ss, true
		}
	}
	return nil, false
}

func TestPerToolRateLimit(t *testing.T) {
	f := newSecureFixture(t, func(c *config.Config) {
		c.Gateway.ToolRateLimits = map[string]int{"github/search": 1}
	})
	dev := f.session(t, devKey)
	f.calls.Store(0)
	limited := 0
	for i := 0; i < 10; i++ {
		r := post(t, f.url, dev, call("github__search", `{"text":"x"}`))
		if r.msg.Error != nil && strings.Contains(r.msg.Error.Message, "rate limited") {
			limited++
		}
	}
	// A 1/s limit has a burst of 2: the first two pass, the rest of a quick loop do not.
	if limited < 6 || f.calls.Load() > 4 {
		t.Errorf("limited %d of 10, upstream saw %d", limited, f.calls.Load())
	}
	// Other tools are not limited.
	if r := post(t, f.url, dev, call("github__create_issue", `{"text":"x"}`)); r.msg.Error != nil {
		t.Errorf("unlimited tool refused: %s", r.body)
	}
}

func TestSessionCapPerClient(t *testing.T) {
	f := newSecureFixture(t, func(c *config.Config) { c.Gateway.MaxSessionsPerClient = 3 })
	for i := 0; i < 3; i++ {
		f.session(t, devKey)
	}
	h := map[string]string{"Authorization": "Bearer " + devKey}
	r := post(t, f.url, h, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("4th session: %d %s", r.status, r.body)
	}
	f.session(t, adminKey) // another client is not affected
}

func TestStdioClientActsWithItsKey(t *testing.T) {
	a := newFake("github")
	a.addEcho("search")
	a.addEcho("delete_repo")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil, func(c *config.Config) {
		c.Security.EnableRBAC = true
		c.Roles = map[string]config.Role{"developer": {AllowedTools: []string{"github/*"}, BlockedTools: []string{"*/delete_*"}}}
		c.APIKeys = map[string]config.APIKey{devKey: {Role: "developer"}}
	})
	if names := toolNames(t, connect(nil)); len(names) != 0 {
		t.Fatalf("the local stdio user has no role under RBAC, yet sees %v", names)
	}
	if err := g.UseStdioKey("wrong"); err == nil {
		t.Fatal("an unknown key was accepted")
	}
	if err := g.UseStdioKey(devKey); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"search"}, toolNames(t, connect(nil))); diff != "" {
		t.Errorf("tools with the developer key (-want +got):\n%s", diff)
	}
}
