package demo

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// connect runs NewServer over in-memory transports and returns a connected
// go-sdk client session; both ends are closed when the test ends.
func connect(t *testing.T, s *mcp.Server, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "demo-test", Version: "v0"}, opts).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	t.Cleanup(func() {
		if err := cs.Close(); err != nil {
			t.Errorf("client close: %v", err)
		}
		_ = ss.Wait() // the session ends when the client hangs up; its error is not the subject
	})
	return cs
}

// call calls a tool and fails the test on a protocol error.
func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("CallTool(%s, %v): protocol error: %v", name, args, err)
	}
	return res
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// structured decodes a result's structured content into a map.
func structured(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatalf("marshal structured content: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("structured content %s is not an object: %v", b, err)
	}
	return m
}

var allTools = []string{
	"get_current_time", "calculate", "convert_units", "generate_uuid",
	"hash_text", "encode_text", "json_format", "count_text", "wait",
}

func TestListTools(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer("v1.2.3"), nil)
	if got := cs.InitializeResult().ServerInfo; got.Name != serverName || got.Version != "v1.2.3" {
		t.Errorf("server info = %+v, want %s v1.2.3", got, serverName)
	}
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		byName[tool.Name] = tool
	}
	if len(byName) != len(allTools) {
		t.Errorf("got %d tools, want %d", len(byName), len(allTools))
	}
	for _, name := range allTools {
		tool := byName[name]
		switch {
		case tool == nil:
			t.Errorf("tool %s missing", name)
		case tool.Title == "" || len(tool.Description) < 40:
			t.Errorf("tool %s: title %q, description %q: want both, and a real description", name, tool.Title, tool.Description)
		case tool.Annotations == nil || !tool.Annotations.ReadOnlyHint:
			t.Errorf("tool %s: annotations %+v, want readOnlyHint", name, tool.Annotations)
		case tool.Annotations.OpenWorldHint == nil || *tool.Annotations.OpenWorldHint:
			t.Errorf("tool %s: want openWorldHint false", name)
		case tool.OutputSchema == nil:
			t.Errorf("tool %s: no output schema", name)
		}
	}
}

func TestDefaultVersion(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer(""), nil)
	if got := cs.InitializeResult().ServerInfo.Version; got != "dev" {
		t.Errorf("version = %q, want dev", got)
	}
}

// TestTools calls every tool with good and bad input. Bad input must come back
// as a CallToolResult with IsError set, never as a protocol error or a panic.
func TestTools(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer("test"), nil)
	tests := []struct {
		name    string
		tool    string
		args    map[string]any
		wantErr bool
		want    string         // regexp the text content must match
		wantOut map[string]any // entries the structured content must contain
	}{
		{name: "time utc", tool: "get_current_time", args: map[string]any{"timezone": "UTC"},
			want: `\(UTC, UTC, UTC\+00:00\)`, wantOut: map[string]any{"timezone": "UTC", "utc_offset": "+00:00"}},
		{name: "time fixed offset zone", tool: "get_current_time", args: map[string]any{"timezone": "Asia/Kolkata"},
			want: `^\w+day \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Asia/Kolkata, IST, UTC\+05:30\)$`, wantOut: map[string]any{"dst": false}},
		{name: "time local", tool: "get_current_time", args: map[string]any{}, want: `\d\d:\d\d:\d\d`},
		{name: "time bad zone", tool: "get_current_time", args: map[string]any{"timezone": "Mars/Olympus"}, wantErr: true, want: `unknown time zone "Mars/Olympus"`},
		{name: "time path traversal", tool: "get_current_time", args: map[string]any{"timezone": "../../etc/passwd"}, wantErr: true, want: "unknown time zone"},
		{name: "time wrong type", tool: "get_current_time", args: map[string]any{"timezone": 5}, wantErr: true},

		{name: "calculate", tool: "calculate", args: map[string]any{"expression": "2 + 3 * 4"}, want: `^2 \+ 3 \* 4 = 14$`, wantOut: map[string]any{"result": 14.0}},
		{name: "calculate rounding", tool: "calculate", args: map[string]any{"expression": "0.1+0.2"}, want: `= 0\.3$`, wantOut: map[string]any{"result": 0.3}},
		{name: "calculate division by zero", tool: "calculate", args: map[string]any{"expression": "1/0"}, wantErr: true, want: "division by zero"},
		{name: "calculate syntax", tool: "calculate", args: map[string]any{"expression": "2 +"}, wantErr: true, want: "syntax error at position"},
		{name: "calculate missing", tool: "calculate", args: map[string]any{}, wantErr: true, want: "expression"},

		{name: "convert length", tool: "convert_units", args: map[string]any{"value": 10, "from": "km", "to": "miles"},
			want: `^10 km = 6\.21371192237334 mi$`, wantOut: map[string]any{"category": "length", "to": "mi"}},
		{name: "convert temperature", tool: "convert_units", args: map[string]any{"value": 100, "from": "celsius", "to": "F"},
			want: `^100 C = 212 F$`, wantOut: map[string]any{"result": 212.0}},
		{name: "convert data", tool: "convert_units", args: map[string]any{"value": 1, "from": "GiB", "to": "MB"}, want: `= 1073\.741824 MB$`},
		{name: "convert mismatch", tool: "convert_units", args: map[string]any{"value": 1, "from": "kg", "to": "m"}, wantErr: true, want: `cannot convert kg \(mass\) to m \(length\)`},
		{name: "convert unknown", tool: "convert_units", args: map[string]any{"value": 1, "from": "parsec", "to": "m"}, wantErr: true, want: `unknown unit "parsec"`},
		{name: "convert absolute zero", tool: "convert_units", args: map[string]any{"value": -300, "from": "C", "to": "K"}, wantErr: true, want: "below absolute zero"},

		{name: "uuid one", tool: "generate_uuid", args: map[string]any{},
			want: `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{name: "uuid three", tool: "generate_uuid", args: map[string]any{"count": 3}, want: `^(?:[-0-9a-f]{36}\n){2}[-0-9a-f]{36}$`},
		{name: "uuid too many", tool: "generate_uuid", args: map[string]any{"count": 1000}, wantErr: true},
		{name: "uuid zero", tool: "generate_uuid", args: map[string]any{"count": -1}, wantErr: true},

		{name: "hash default", tool: "hash_text", args: map[string]any{"text": "abc"},
			want: `^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad$`, wantOut: map[string]any{"algorithm": "sha256"}},
		{name: "hash md5", tool: "hash_text", args: map[string]any{"text": "abc", "algorithm": "md5"}, want: `^900150983cd24fb0d6963f7d28e17f72$`},
		{name: "hash sha1", tool: "hash_text", args: map[string]any{"text": "abc", "algorithm": "sha1"}, want: `^a9993e364706816aba3e25717850c26c9cd0d89d$`},
		{name: "hash unknown", tool: "hash_text", args: map[string]any{"text": "abc", "algorithm": "crc32"}, wantErr: true},

		{name: "base64 encode", tool: "encode_text", args: map[string]any{"text": "héllo?", "encoding": "base64"}, want: `^aMOpbGxvPw==$`},
		{name: "base64 decode", tool: "encode_text", args: map[string]any{"text": "aMOpbGxvPw==", "encoding": "base64", "direction": "decode"}, want: `^héllo\?$`},
		{name: "base64url unpadded decode", tool: "encode_text", args: map[string]any{"text": "aMOpbGxvPw", "encoding": "base64url", "direction": "decode"}, want: `^héllo\?$`},
		{name: "url encode", tool: "encode_text", args: map[string]any{"text": "a b&c=d", "encoding": "url"}, want: `^a\+b%26c%3Dd$`},
		{name: "hex decode", tool: "encode_text", args: map[string]any{"text": "6869", "encoding": "hex", "direction": "decode"}, want: `^hi$`, wantOut: map[string]any{"result": "hi"}},
		{name: "base64 malformed", tool: "encode_text", args: map[string]any{"text": "!!!", "encoding": "base64", "direction": "decode"}, wantErr: true, want: "invalid base64 input"},
		{name: "decode not utf8", tool: "encode_text", args: map[string]any{"text": "ff00", "encoding": "hex", "direction": "decode"}, wantErr: true, want: "not UTF-8"},
		{name: "unknown encoding", tool: "encode_text", args: map[string]any{"text": "x", "encoding": "rot13"}, wantErr: true},
		{name: "unknown direction", tool: "encode_text", args: map[string]any{"text": "x", "encoding": "hex", "direction": "sideways"}, wantErr: true},

		{name: "json pretty", tool: "json_format", args: map[string]any{"json": `{"b":1,"a":[1,2.50]}`}, want: "^{\n  \"b\": 1,\n  \"a\": \\[\n    1,\n    2.50\n  \\]\n}$"},
		{name: "json minify sorted", tool: "json_format", args: map[string]any{"json": "{ \"b\": 1,\n \"a\": \"<&>\" }", "mode": "minify", "sort_keys": true}, want: `^\{"a":"<&>","b":1\}$`},
		{name: "json tab indent", tool: "json_format", args: map[string]any{"json": `[1]`, "indent": 0}, want: "^\\[\n\t1\n\\]$"},
		{name: "json validate ok", tool: "json_format", args: map[string]any{"json": `{"a":null}`, "mode": "validate"}, want: "^valid JSON$", wantOut: map[string]any{"valid": true}},
		{name: "json validate bad", tool: "json_format", args: map[string]any{"json": "{\n  \"a\": 1,\n}", "mode": "validate"},
			want: `line 3, column 1: invalid character '\}'`, wantOut: map[string]any{"valid": false}},
		{name: "json pretty bad", tool: "json_format", args: map[string]any{"json": `{"a": tru}`}, wantErr: true, want: "line 1, column 10: invalid character"},
		{name: "json trailing data", tool: "json_format", args: map[string]any{"json": `{} {}`}, wantErr: true, want: "after top-level value"},
		{name: "json empty", tool: "json_format", args: map[string]any{"json": ""}, wantErr: true, want: "unexpected end"},
		{name: "json bad mode", tool: "json_format", args: map[string]any{"json": "1", "mode": "ugly"}, wantErr: true},

		{name: "count", tool: "count_text", args: map[string]any{"text": "Hello wörld.\nSecond line\n\nNew para\n"},
			want: `^6 words, 4 lines, 2 paragraphs`, wantOut: map[string]any{"characters": 35.0, "bytes": 36.0, "characters_excluding_spaces": 28.0}},
		{name: "count empty", tool: "count_text", args: map[string]any{"text": ""}, want: `^0 words, 0 lines, 0 paragraphs, 0 characters`},
		{name: "count missing text", tool: "count_text", args: map[string]any{}, wantErr: true},

		{name: "wait zero", tool: "wait", args: map[string]any{"milliseconds": 0}, want: `^waited \d+ ms in 10 steps$`},
		{name: "wait too long", tool: "wait", args: map[string]any{"milliseconds": 30001}, wantErr: true},
		{name: "wait negative", tool: "wait", args: map[string]any{"milliseconds": -1}, wantErr: true},
		{name: "wait too many steps", tool: "wait", args: map[string]any{"milliseconds": 1, "steps": 101}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := call(t, cs, tt.tool, tt.args)
			text := resultText(res)
			if res.IsError != tt.wantErr {
				t.Fatalf("IsError = %v, want %v; text: %s", res.IsError, tt.wantErr, text)
			}
			if tt.want != "" && !regexp.MustCompile(tt.want).MatchString(text) {
				t.Errorf("text = %q, want match for %q", text, tt.want)
			}
			if len(tt.wantOut) > 0 {
				got := structured(t, res)
				for k, want := range tt.wantOut {
					if got[k] != want {
						t.Errorf("structured[%q] = %#v, want %#v (all: %v)", k, got[k], want, got)
					}
				}
			}
		})
	}
}

func TestUnknownToolIsProtocolError(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer("test"), nil)
	_, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "no_such_tool"})
	if err == nil {
		t.Fatal("calling an unknown tool succeeded")
	}
}

func TestRunReturnsWhenContextIsDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	st, ct := mcp.NewInMemoryTransports()
	done := make(chan error, 1)
	go func() { done <- run(ctx, "test", st) }()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "demo-test", Version: "v0"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if res := call(t, cs, "calculate", map[string]any{"expression": "6*7"}); resultText(res) != "6*7 = 42" {
		t.Errorf("calculate over run(): %q", resultText(res))
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("run() = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run() did not return after its context was cancelled")
	}
}
