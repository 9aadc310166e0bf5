package bridge

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestNodeBridge drives bridge.mjs, the Node twin of this package, with the
// same go-sdk client and gateway as the Go tests, over the child's stdio.
func TestNodeBridge(t *testing.T) {
	node, script := nodeScript(t)
	for _, mode := range []struct {
		name string
		json bool
	}{{"SSE responses", false}, {"JSON responses", true}} {
		t.Run(mode.name, func(t *testing.T) {
			g := newTestGateway(t, gatewayOptions{token: "node-key", json: mode.json})
			c := startNodeBridge(t, node, script, g.URL+"/mcp", "node-key")
			exerciseBasics(t, c)
			t.Run("headers", func(t *testing.T) { checkHeaders(t, g, c, "Bearer node-key") })
			t.Run("session loss", func(t *testing.T) { exerciseSessionLoss(t, g, c) })
			t.Run("stdin EOF", func(t *testing.T) {
				id := g.lastPOST().Get("Mcp-Session-Id")
				// Close closes the child's stdin and waits for it to exit; an
				// error means a non-zero exit status or that it was signalled.
				if err := c.Close(); err != nil {
					t.Errorf("bridge.mjs did not exit cleanly on stdin EOF: %v", err)
				}
				if got := receive(t, g.deletes, "DELETE of the session"); got != id || id == "" {
					t.Errorf("DELETE for session %q, want %q", got, id)
				}
			})
		})
	}
}

func TestNodeBridgeGatewayNotRunning(t *testing.T) {
	node, script := nodeScript(t)
	addr := freeAddr(t)
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "MCPLEX_GATEWAY=http://"+addr+"/mcp", "MCPLEX_STARTUP_WAIT_MS=300")
	_, err := connectClient(t, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "MCPlex gateway is not running at http://"+addr) {
		t.Fatalf("connect error = %v, want the gateway-not-running message", err)
	}
}

// nodeScript returns the node binary and the path of bridge.mjs, skipping
// the test if node is not installed.
func nodeScript(t *testing.T) (node, script string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; skipping the bridge.mjs test (CI installs node)")
	}
	script, err = filepath.Abs(filepath.Join("..", "..", "bridge.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	return node, script
}

// startNodeBridge spawns node bridge.mjs and connects a client through it.
func startNodeBridge(t *testing.T, node, script, url, key string) *testClient {
	t.Helper()
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "MCPLEX_GATEWAY="+url, "MCPLEX_API_KEY="+key, "MCPLEX_TOKEN_FILE=", "MCPLEX_CLIENT=")
	stderr := &testLogWriter{t: t}
	t.Cleanup(stderr.stop)
	cmd.Stderr = stderr
	c, err := connectClient(t, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second})
	if err != nil {
		t.Fatalf("connecting through bridge.mjs: %v", err)
	}
	return c
}
