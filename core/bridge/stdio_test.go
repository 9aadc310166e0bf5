package bridge

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// TestBridgeStdioRobustness feeds raw lines to Run: a malformed line must
// neither stop the bridge nor go unanswered if it carries an id, and CRLF
// line endings are accepted.
func TestBridgeStdioRobustness(t *testing.T) {
	g := newTestGateway(t, gatewayOptions{})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	finished := make(chan error, 1)
	go func() {
		finished <- Run(context.Background(), inR, outW, Options{URL: g.URL, Logger: testLogger(t)})
		outW.Close()
	}()
	responses := make(chan *jsonrpc.Response, 8)
	go func() {
		br := bufio.NewReader(outR)
		for {
			line, err := br.ReadBytes('\n')
			if err != nil {
				close(responses)
				return
			}
			if msg, err := jsonrpc.DecodeMessage(line); err == nil {
				if resp, ok := msg.(*jsonrpc.Response); ok {
					responses <- resp
				}
			}
		}
	}()

	input := "not json at all\n" +
		`{"jsonrpc":"2.0","id":7,"method":5}` + "\n" +
		"\n" +
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}` + "\n" +
		`{"jsonrpc":"2.0","id":8,"method":"ping"}` + "\r\n"
	if _, err := io.WriteString(inW, input); err != nil {
		t.Fatal(err)
	}
	got := map[any]*jsonrpc.Response{}
	for range 2 {
		resp := receive(t, responses, "a response")
		got[resp.ID.Raw()] = resp
	}
	if r := got[int64(7)]; r == nil || r.Error == nil || !strings.Contains(r.Error.Error(), "invalid JSON-RPC request") {
		t.Errorf("response to the malformed request = %+v, want an invalid-request error", r)
	}
	if r := got[int64(8)]; r == nil || r.Error != nil {
		t.Errorf("response to ping = %+v, want a result", r)
	}
	inW.Close()
	if err := receive(t, finished, "Run to return"); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if r, ok := <-responses; ok {
		t.Errorf("unexpected extra response %+v", r)
	}
}
