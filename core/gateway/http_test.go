package gateway

import (
	"net/http"
	"strings"
	"testing"
)

func TestHostAndOriginGuard(t *testing.T) {
	allowed := allowedHosts("127.0.0.1:3100", []string{"mcplex.lan"})
	for _, tc := range []struct {
		host, origin string
		ok           bool
	}{
		{"127.0.0.1:3100", "", true},
		{"localhost:3100", "http://localhost:3100", true},
		{"[::1]:3100", "", true},
		{"mcplex.lan", "https://mcplex.lan", true},
		{"evil.example.com", "", false},
		{"127.0.0.1:3100", "http://evil.example.com", false},
		{"127.0.0.1:3100", "null", false},
		{"127.0.0.1:3100", "http://localhost.evil.com", false},
		{"127.0.0.1:3100", "http://127.0.0.1.nip.io", false},
		{"127.0.0.1:8080@evil", "", false},
		{"LOCALHOST:3100", "", false},
		{"localhost.:3100", "", false},
		{"127.0.0.1:3100", "http://user@localhost", false},
		{"", "", false},
	} {
		got := hostAllowed(tc.host, allowed) && (tc.origin == "" || originAllowed(tc.origin, allowed))
		if got != tc.ok {
			t.Errorf("Host %q Origin %q: allowed=%v, want %v", tc.host, tc.origin, got, tc.ok)
		}
	}
}

func TestInspectPOST(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		body   string
		header http.Header
		status int
		code   int
	}{
		{"initialize", `{"jsonrpc":"2.0","id":1,"method":"initialize"}`, h(), 0, 0},
		{"second initialize", `{"jsonrpc":"2.0","id":1,"method":"initialize"}`, h("Mcp-Session-Id", "s"), 400, -32600},
		{"no session", `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, h(), 400, -32600},
		{"sessionless protocol", `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, h("Mcp-Protocol-Version", "2026-07-28"), 0, 0},
		{"malformed", `{"jsonrpc":"2.0","id":7,`, h("Mcp-Session-Id", "s"), 400, -32700},
		{"unknown method", `{"jsonrpc":"2.0","id":3,"method":"nope/nope"}`, h("Mcp-Session-Id", "s"), 200, -32601},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, h("Mcp-Session-Id", "s"), 0, 0},
		{"response", `{"jsonrpc":"2.0","id":9,"result":{}}`, h("Mcp-Session-Id", "s"), 0, 0},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, h("Mcp-Session-Id", "s"), 0, 0},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			status, _, code, _ := inspect([]byte(tc.body), tc.header)
			if status != tc.status || code != tc.code {
				t.Errorf("got status %d code %d, want %d %d", status, code, tc.status, tc.code)
			}
		})
	}
}

func TestProbesStayOpen(t *testing.T) {
	f := newSecureFixture(t, nil) // keys configured: /mcp needs one, the probes do not
	base := strings.TrimSuffix(f.url, "/mcp")
	for _, path := range []string{"/health", "/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}
