package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// knownMethods are the request methods the front server implements.
var knownMethods = map[string]bool{
	"initialize": true, "ping": true, "server/discover": true,
	"tools/list": true, "tools/call": true,
	"prompts/list": true, "prompts/get": true,
	"resources/list": true, "resources/templates/list": true, "resources/read": true,
	"resources/subscribe": true, "resources/unsubscribe": true, "subscriptions/listen": true,
	"completion/complete": true, "logging/setLevel": true,
}

// sessionlessVersion is the first protocol version without sessions.
const sessionlessVersion = "2026-07-28"

// precheck answers malformed POSTs with the status codes the Streamable HTTP
// spec asks for, before the SDK sees them: 413 for a body over the limit,
// 400 + JSON-RPC -32700 for malformed JSON, 400 for a request without a
// session on a session protocol and for a second initialize on a session,
// and -32601 for an unknown method.
func (g *Gateway) precheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := g.Config().Gateway.MaxRequestBytes
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				g.rejected(r, "body_size", fmt.Sprintf("request body over %d bytes", limit))
				rpcError(w, http.StatusRequestEntityTooLarge, nil, -32600, "request body too large")
				return
			}
			rpcError(w, http.StatusBadRequest, nil, -32700, "reading request body: "+err.Error())
			return
		}
		if bytes.Contains(body, []byte(legacyQueryParam)) {
			body = liftLegacyQuery(body)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if status, id, code, msg := inspect(body, r.Header); status != 0 {
			rpcError(w, status, id, code, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// inspect classifies one POST body; status 0 means "let the SDK handle it".
func inspect(body []byte, h http.Header) (status int, id json.RawMessage, code int, msg string) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return 0, nil, 0, "" // batches: the SDK rejects or handles them per version
	}
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return http.StatusBadRequest, nil, -32700, "parse error: " + err.Error()
	}
	if m.Method == "" || len(m.Method) > 14 && m.Method[:14] == "notifications/" {
		return 0, nil, 0, ""
	}
	session := h.Get("Mcp-Session-Id")
	switch {
	case m.Method == "initialize" && session != "":
		return http.StatusBadRequest, m.ID, -32600, "session already initialized: send initialize without Mcp-Session-Id to start a new session"
	case m.Method != "initialize" && session == "" && h.Get("Mcp-Protocol-Version") < sessionlessVersion:
		return http.StatusBadRequest, m.ID, -32600, "missing Mcp-Session-Id header: initialize a session first"
	case !knownMethods[m.Method] && len(m.ID) > 0:
		return http.StatusOK, m.ID, -32601, "method not found: " + m.Method
	}
	return 0, nil, 0, ""
}

func rpcError(w http.ResponseWriter, status int, id json.RawMessage, code int, msg string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"jsonrpc": "2.0", "id": id,
		"error": map[string]any{"code": code, "message": msg},
	})
}

// legacyQueryParam is the seed's tools/list extension of router mode
// "legacy": params._mcplex_query filters the list by intent.
const legacyQueryParam = "_mcplex_query"

// liftLegacyQuery moves params._mcplex_query of a tools/list request into
// params._meta, where the SDK keeps it (it drops unknown params fields).
// Anything else is returned unchanged.
func liftLegacyQuery(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || string(m["method"]) != `"tools/list"` {
		return body
	}
	var params map[string]json.RawMessage
	if json.Unmarshal(m["params"], &params) != nil || params[legacyQueryParam] == nil {
		return body
	}
	meta := map[string]json.RawMessage{}
	if raw, ok := params["_meta"]; ok && json.Unmarshal(raw, &meta) != nil {
		return body
	}
	meta[legacyQueryParam] = params[legacyQueryParam]
	delete(params, legacyQueryParam)
	var err error
	if params["_meta"], err = json.Marshal(meta); err != nil {
		return body
	}
	if m["params"], err = json.Marshal(params); err != nil {
		return body
	}
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}
