package bridge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// rawGateway answers with hand-written SSE that exercises the corners the
// go-sdk server never produces: CRLF line endings, comments, retry fields
// and JSON split across several data lines. GET is not supported (405).
func rawGateway(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || msg.ID == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		if msg.Method != "initialize" && r.Header.Get("Mcp-Session-Id") != "raw-1" {
			http.Error(w, "missing session", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Mcp-Session-Id", "raw-1")
		fmt.Fprint(w, ": heartbeat\r\nretry: 1000\r\n\r\n")
		w.(http.Flusher).Flush()
		if msg.Method == "tools/call" {
			fmt.Fprint(w, "event: message\r\nid: e1\r\ndata: {\"jsonrpc\":\"2.0\",\r\ndata: \"method\":\"notifications/progress\",\r\n"+
				"data: \"params\":{\"progressToken\":\"p\",\"progress\":1}}\r\n\r\n")
			w.(http.Flusher).Flush()
		}
		fmt.Fprintf(w, "id: e2\ndata: {\"jsonrpc\":\"2.0\",\"id\":%s,\ndata: \"result\":{\"protocolVersion\":\"2025-06-18\",\"text\":\"a\\nb\"}}\n\n", msg.ID)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// rawSession writes requests to a bridge's stdin and checks the lines it
// writes to stdout.
func rawSession(t *testing.T, stdin io.Writer, stdout io.Reader) {
	t.Helper()
	lines := make(chan string, 8)
	go func() {
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- strings.TrimSpace(line)
		}
	}()
	write := func(s string) {
		if _, err := io.WriteString(stdin, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	wantJSON(t, receive(t, lines, "initialize response"), `{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","text":"a\nb"}}`)
	write(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	write(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":"p"}}}`)
	wantJSON(t, receive(t, lines, "progress"), `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}`)
	wantJSON(t, receive(t, lines, "tools/call response"), `{"jsonrpc":"2.0","id":2,"result":{"protocolVersion":"2025-06-18","text":"a\nb"}}`)
}

// wantJSON compares two JSON texts by value.
func wantJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("stdout line %q: %v", got, err)
	}
	_ = json.Unmarshal([]byte(want), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("stdout line = %s\nwant %s", gb, wb)
	}
}

func TestBridgeRawSSE(t *testing.T) {
	srv := rawGateway(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	finished := make(chan error, 1)
	go func() {
		finished <- Run(context.Background(), inR, outW, Options{URL: srv.URL, Logger: testLogger(t)})
		outW.Close()
	}()
	rawSession(t, inW, outR)
	inW.Close()
	if err := receive(t, finished, "Run to return"); err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestNodeBridgeRawSSE(t *testing.T) {
	node, script := nodeScript(t)
	srv := rawGateway(t)
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "MCPLEX_GATEWAY="+srv.URL)
	stderr := &testLogWriter{t: t}
	t.Cleanup(stderr.stop)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rawSession(t, stdin, stdout)
	stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := receive(t, exited, "node to exit"); err != nil {
		t.Errorf("bridge.mjs exit: %v", err)
	}
}
