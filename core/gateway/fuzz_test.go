package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mcplex/mcplex/core/config"
)

// FuzzHTTPEntry throws arbitrary bodies and credentials at the HTTP front:
// it must never panic, never let an unauthenticated request through, and
// answer only with the statuses the transport defines.
func FuzzHTTPEntry(f *testing.F) {
	for _, seed := range []struct{ body, auth, session string }{
		{`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}`, "Bearer " + devKey, ""},
		{`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":{}}}`, "Bearer " + devKey, "abc"},
		{`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, "", ""},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_mcplex_query":"x"}}`, "Bearer wrong", "s"},
		{`{"id":{},"method":null}`, "Basic abc", ""},
		{"\x00\xff{", "Bearer", ""},
	} {
		f.Add(seed.body, seed.auth, seed.session)
	}
	h := newSecureFixture(f, func(c *config.Config) {}).server.Config.Handler
	f.Fuzz(func(t *testing.T, body, auth, session string) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if auth != "" && !strings.ContainsAny(auth, "\r\n\x00") {
			req.Header.Set("Authorization", auth)
		}
		if session != "" && !strings.ContainsAny(session, "\r\n\x00") {
			req.Header.Set("Mcp-Session-Id", session)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		authorized := auth == "Bearer "+devKey || auth == "Bearer "+adminKey
		if !authorized && rec.Code != http.StatusUnauthorized {
			t.Fatalf("unauthenticated request got %d: %s", rec.Code, rec.Body)
		}
		switch rec.Code {
		case 200, 202, 400, 401, 404, 405, 406, 413, 415, 429:
		default:
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body)
		}
	})
}

func FuzzInspect(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_mcplex_query":"files"}}`), "s", "2025-11-25")
	f.Add([]byte(`{"method":"initialize"}`), "", "")
	f.Add([]byte(`[1,2`), "x", "2026-07-28")
	f.Fuzz(func(t *testing.T, body []byte, session, version string) {
		h := http.Header{}
		h.Set("Mcp-Session-Id", session)
		h.Set("Mcp-Protocol-Version", version)
		inspect(body, h)
		out := liftLegacyQuery(body)
		if len(out) == 0 && len(body) != 0 {
			t.Fatal("lift lost the body")
		}
	})
}
