package bridge

import (
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url         string
		allowRemote bool
		wantErr     string // "" for success
	}{
		{"http://127.0.0.1:3100/mcp", false, ""},
		{"http://localhost:3100/mcp", false, ""},
		{"http://[::1]:3100/mcp", false, ""},
		{"https://127.0.0.1:3100/mcp", false, ""},
		{"http://10.0.0.5:3100/mcp", false, "not a loopback address"},
		{"https://gw.example.com/mcp", false, "not a loopback address"},
		{"https://gw.example.com/mcp", true, ""},
		{"http://gw.example.com/mcp", true, "must use https"},
		{"ftp://127.0.0.1/mcp", false, "scheme must be http or https"},
		{"", false, "empty"},
		{"http:///mcp", false, "no host"},
	}
	for _, tt := range tests {
		_, err := checkURL(tt.url, tt.allowRemote)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("checkURL(%q, %v) = %v, want nil", tt.url, tt.allowRemote, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("checkURL(%q, %v) = %v, want error containing %q", tt.url, tt.allowRemote, err, tt.wantErr)
		}
	}
}

func TestSetStatelessHeaders(t *testing.T) {
	tests := []struct {
		name   string
		params string
		method string
		want   http.Header
	}{
		{"legacy request", `{"name":"echo"}`, "tools/call", http.Header{}},
		{"2026 tool call", `{"name":"echo","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}`, "tools/call",
			http.Header{"Mcp-Protocol-Version": {"2026-07-28"}, "Mcp-Method": {"tools/call"}, "Mcp-Name": {"echo"}}},
		{"2026 resource read", `{"uri":"file:///a","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}`, "resources/read",
			http.Header{"Mcp-Protocol-Version": {"2026-07-28"}, "Mcp-Method": {"resources/read"}, "Mcp-Name": {"file:///a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, _ := jsonrpc.MakeID(float64(1))
			h := http.Header{}
			setStatelessHeaders(h, &jsonrpc.Request{ID: id, Method: tt.method, Params: []byte(tt.params)})
			for k := range tt.want {
				if h.Get(k) != tt.want.Get(k) {
					t.Errorf("%s = %q, want %q", k, h.Get(k), tt.want.Get(k))
				}
			}
			if len(h) != len(tt.want) {
				t.Errorf("headers = %v, want %v", h, tt.want)
			}
		})
	}
}
