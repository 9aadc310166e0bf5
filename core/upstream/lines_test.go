package upstream

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

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

func TestDecodeLine(t *testing.T) {
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
		{"not json-rpc", `{"hello":"world"}`, 0, true},
		{"null id error", `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`, 0, true},
		{"number", `42`, 0, true},
		{"bad batch element", `[{"jsonrpc":"2.0","id":1,"result":{}},{"x":1}]`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs, err := decodeLine([]byte(tt.line))
			if (err != nil) != tt.wantErr || len(msgs) != tt.want {
				t.Errorf("decodeLine(%q) = %d messages, %v; want %d, error %v", tt.line, len(msgs), err, tt.want, tt.wantErr)
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
			msgs, err := tooLarge([]byte(tt.head))
			if err == nil {
				t.Errorf("tooLarge returned no error to log")
			}
			if tt.wantID == nil {
				if len(msgs) != 0 {
					t.Errorf("synthesized %v, want nothing", msgs)
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("got %d messages, want one error response", len(msgs))
			}
			r, ok := msgs[0].(*jsonrpc.Response)
			if !ok || r.Error == nil || r.ID.Raw() != tt.wantID {
				t.Errorf("got %#v, want an error response for id %v", msgs[0], tt.wantID)
			}
		})
	}
}
