package upstream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

func TestReadLine(t *testing.T) {
	t.Parallel()
	type line struct {
		Text string
		Long bool
	}
	tests := []struct {
		name  string
		input string
		max   int
		want  []line
	}{
		{"lf", "a\nbc\n", 10, []line{{"a", false}, {"bc", false}}},
		{"crlf", "a\r\nbc\r\n", 10, []line{{"a", false}, {"bc", false}}},
		{"no final newline", "a\nbc", 10, []line{{"a", false}, {"bc", false}}},
		{"empty lines", "\n\na\n", 10, []line{{"", false}, {"", false}, {"a", false}}},
		{"exactly max", "abcd\nx\n", 4, []line{{"abcd", false}, {"x", false}}},
		{"over max is cut and skipped", "abcdefgh\nx\n", 4, []line{{"abcd", true}, {"x", false}}},
		// Longer than the bufio buffer (16 bytes): fragments are joined.
		{"longer than the buffer", strings.Repeat("y", 40) + "\nz\n", 100, []line{{strings.Repeat("y", 40), false}, {"z", false}}},
		{"over max across fragments", strings.Repeat("y", 40) + "\nz\n", 20, []line{{strings.Repeat("y", 20), true}, {"z", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := bufio.NewReaderSize(strings.NewReader(tt.input), 16)
			var got []line
			for {
				l, long, err := readLine(r, tt.max)
				if len(l) > 0 || err == nil {
					got = append(got, line{string(l), long})
				}
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		line    string
		want    int // messages
		wantErr bool
	}{
		{"response", `{"jsonrpc":"2.0","id":1,"result":{}}`, 1, false},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/progress","params":{}}`, 1, false},
		{"padded", "  {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}  ", 1, false},
		{"batch", `[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","method":"x"}]`, 2, false},
		{"invalid utf-8 is repaired", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"t\":\"\xff\xfe\"}}", 1, false},
		{"banner", `badmcp starting up...`, 0, true},
		{"html", `this is not json <html>oops</html>`, 0, true},
		{"truncated", `{"jsonrpc":"2.0","id":`, 0, true},
		{"two values", `{"jsonrpc":"2.0","id":1,"result":{}} {"jsonrpc":"2.0","id":2,"result":{}}`, 0, true},
		{"not json-rpc", `{"hello":"world"}`, 0, true},
		{"wrong version", `{"jsonrpc":"1.0","id":1,"result":{}}`, 0, true},
		{"null id error", `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`, 0, true},
		{"number", `42`, 0, true},
		{"empty batch", `[]`, 0, true},
		{"bad batch element", `[{"jsonrpc":"2.0","id":1,"result":{}},{"x":1}]`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			frames, err := splitLine([]byte(tt.line))
			if (err != nil) != tt.wantErr || len(frames) != tt.want {
				t.Fatalf("splitLine(%q) = %d messages, %v; want %d, error %v", tt.line, len(frames), err, tt.want, tt.wantErr)
			}
			for _, f := range frames {
				if !utf8.Valid(f) || bytes.ContainsAny(f, "\r\n") {
					t.Errorf("frame %q: invalid UTF-8 or a line break", f)
				}
				if _, err := jsonrpc.DecodeMessage(f); err != nil {
					t.Errorf("frame %q: %v", f, err)
				}
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat("x", 64)
	tests := []struct {
		name   string
		head   string
		wantID any // nil: no response synthesized
	}{
		{"go order", `{"jsonrpc":"2.0","id":7,"result":{"content":[{"text":"` + pad, int64(7)},
		{"id first", `{"id":"abc","jsonrpc":"2.0","result":{"t":"` + pad, "abc"},
		{"error response", `{"jsonrpc":"2.0","id":3,"error":{"message":"` + pad, int64(3)},
		{"id after result", `{"jsonrpc":"2.0","result":{"t":"` + pad, nil},
		{"request", `{"jsonrpc":"2.0","id":5,"method":"sampling/createMessage","params":{"t":"` + pad, nil},
		{"not json", pad, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, err := tooLarge([]byte(tt.head), 64)
			if err == nil {
				t.Errorf("tooLarge returned no error to log")
			}
			if tt.wantID == nil {
				if msg != nil {
					t.Errorf("synthesized %v, want nothing", msg)
				}
				return
			}
			r, ok := msg.(*jsonrpc.Response)
			if !ok || r.Error == nil || r.ID.Raw() != tt.wantID {
				t.Errorf("got %#v, want an error response for id %v", msg, tt.wantID)
			}
		})
	}
}

// The filter in front of the SDK's own connection: whatever the child
// writes, the connection yields its JSON-RPC messages, in order, and ends
// only at EOF.
func TestLineFilterFeedsIOTransport(t *testing.T) {
	t.Parallel()
	const max = 200
	big := strings.Repeat("x", max)
	input := strings.Join([]string{
		"badmcp starting up... (not JSON-RPC)",
		`{"jsonrpc":"2.0","id":1,"result":{"a":1}}` + "\r",
		"",
		"   ",
		`{"jsonrpc":"2.0","id":`,
		`{"hello":"world"}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`,
		`[{"jsonrpc":"2.0","id":2,"result":{}},{"jsonrpc":"2.0","method":"notifications/b"}]`,
		`[{"jsonrpc":"2.0","id":99,"result":{}},{"x":1}]`,
		"{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"t\":\"bad \xff\xfe bytes\"}}",
		`{"jsonrpc":"2.0","id":4,"result":{"t":"` + big + `"}}`,                                                         // too large, id first
		`{"jsonrpc":"2.0","method":"notifications/big","params":"` + big + `"}`,                                         // too large, no id
		`{"jsonrpc":"2.0","id":5,"result":{"t":"` + big[:max-len(`{"jsonrpc":"2.0","id":5,"result":{"t":""}}`)] + `"}}`, // exactly max
		`{"jsonrpc":"2.0","method":"notifications/last"}`,                                                               // no final newline
	}, "\n")
	log, logs := newLog()
	conn, err := filteredTransport(strings.NewReader(input), nopWriteCloser{}, max, log).Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got []string
	for {
		msg, err := conn.Read(t.Context())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("Read ended with %v, want io.EOF", err)
			}
			break
		}
		switch m := msg.(type) {
		case *jsonrpc.Request:
			got = append(got, "notify "+m.Method)
		case *jsonrpc.Response:
			s := fmt.Sprintf("response %v: %s", m.ID.Raw(), m.Result)
			if m.Error != nil {
				s = fmt.Sprintf("error %v: %v", m.ID.Raw(), m.Error)
			}
			got = append(got, s)
		}
	}
	want := []string{
		`response 1: {"a":1}`,
		`response 2: {}`,
		"notify notifications/b",
		"response 3: {\"t\":\"bad \uFFFD bytes\"}",
		"error 4: upstream response too large: message exceeds 200 bytes",
		`response 5: {"t":"` + big[:max-len(`{"jsonrpc":"2.0","id":5,"result":{"t":""}}`)] + `"}`,
		"notify notifications/last",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if n := strings.Count(logs.String(), "dropping a stdout line"); n != 7 {
		t.Errorf("logged %d dropped lines, want 7; log:\n%s", n, logs)
	}
}

// A line of exactly maxMessage bytes (the real limit) passes the SDK's
// connection, also after lines that filled the decoder's buffer.
func TestLineFilterMaxLine(t *testing.T) {
	t.Parallel()
	frame := func(id int) string {
		head := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"result":{"t":"`, id)
		return head + strings.Repeat("x", maxMessage-len(head)-len(`"}}`)) + `"}}`
	}
	input := frame(1) + "\n" + `{"jsonrpc":"2.0","method":"m"}` + "\n" + frame(2) + "\n" + frame(3)
	log, _ := newLog()
	conn, err := filteredTransport(strings.NewReader(input), nopWriteCloser{}, maxMessage, log).Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := range 4 {
		msg, err := conn.Read(t.Context())
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if r, ok := msg.(*jsonrpc.Response); ok && len(r.Result) != maxMessage-len(`{"jsonrpc":"2.0","id":1,"result":}`) {
			t.Errorf("message %d: result of %d bytes", i, len(r.Result))
		}
	}
	if _, err := conn.Read(t.Context()); !errors.Is(err, io.EOF) {
		t.Errorf("after the last message: %v, want io.EOF", err)
	}
}

type nopWriteCloser struct{}

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }
