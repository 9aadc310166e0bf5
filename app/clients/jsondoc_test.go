package clients

import (
	"errors"
	"strings"
	"testing"
)

func setRemove(t *testing.T, in string, strict bool) (set, removed string) {
	t.Helper()
	d, err := parseJSONDoc("f.json", "mcpServers", []byte(in), strict)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.set(EntryName, object{{"url", "http://x/mcp"}}); err != nil {
		t.Fatal(err)
	}
	set = string(d.bytes())
	d2, err := parseJSONDoc("f.json", "mcpServers", []byte(set), strict)
	if err != nil {
		t.Fatalf("result does not parse: %v\n%s", err, set)
	}
	if _, err := d2.remove(EntryName); err != nil {
		t.Fatal(err)
	}
	if d.created {
		d2.removeEmptyContainer()
	}
	return set, string(d2.bytes())
}

// TestJSONEditShapes: the entry goes in the file's own style and comes out
// leaving the file as it was.
func TestJSONEditShapes(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		strict bool
		want   string
	}{
		{"empty file", "", true,
			"{\n  \"mcpServers\": {\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    }\n  }\n}\n"},
		{"empty object", "{}\n", true,
			"{\n  \"mcpServers\": {\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    }\n  }\n}\n"},
		{"empty container", "{\n  \"mcpServers\": {}\n}\n", true,
			"{\n  \"mcpServers\": {\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    }\n  }\n}\n"},
		{"one line", `{"mcpServers": {"a": {"command": "x"}}, "k": 1}`, true,
			`{"mcpServers": {"a": {"command": "x"}, "mcplex": {"url":"http://x/mcp"}}, "k": 1}`},
		{"minified", `{"mcpServers":{"a":{"command":"x"}}}`, true,
			`{"mcpServers":{"a":{"command":"x"},"mcplex":{"url":"http://x/mcp"}}}`},
		{"four spaces", "{\n    \"mcpServers\": {\n        \"a\": {}\n    }\n}", true,
			"{\n    \"mcpServers\": {\n        \"a\": {},\n        \"mcplex\": {\n            \"url\": \"http://x/mcp\"\n        }\n    }\n}"},
		{"CRLF", "{\r\n  \"mcpServers\": {\r\n    \"a\": {}\r\n  }\r\n}\r\n", true,
			"{\r\n  \"mcpServers\": {\r\n    \"a\": {},\r\n    \"mcplex\": {\r\n      \"url\": \"http://x/mcp\"\r\n    }\r\n  }\r\n}\r\n"},
		{"BOM", "\uFEFF{\n  \"k\": 1\n}\n", true,
			"\uFEFF{\n  \"k\": 1,\n  \"mcpServers\": {\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    }\n  }\n}\n"},
		{"trailing comment on last member", "{\n  \"mcpServers\": {\n    \"a\": {} // mine\n  }\n}\n", false,
			"{\n  \"mcpServers\": {\n    \"a\": {}, // mine\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    }\n  }\n}\n"},
		{"trailing commas", "{\n  \"mcpServers\": {\n    \"a\": {},\n  },\n}\n", false,
			"{\n  \"mcpServers\": {\n    \"a\": {},\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    },\n  },\n}\n"},
		{"comment in empty container", "{\n  \"mcpServers\": { // none yet\n  }\n}\n", false,
			"{\n  \"mcpServers\": { // none yet\n    \"mcplex\": {\n      \"url\": \"http://x/mcp\"\n    }\n  }\n}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, removed := setRemove(t, tc.in, tc.strict)
			if set != tc.want {
				t.Errorf("set:\n%s", unifiedDiff("f", []byte(tc.want), []byte(set), true, true))
			}
			orig := tc.in
			if strings.TrimSpace(orig) == "" {
				orig = "{}\n"
			}
			if removed != orig {
				t.Errorf("remove did not undo set:\n%s", unifiedDiff("f", []byte(orig), []byte(removed), true, true))
			}
		})
	}
}

func TestJSONRefusals(t *testing.T) {
	tests := []struct {
		name, in string
		strict   bool
		line     int
		reason   string
	}{
		{"array root", "[1]", true, 1, "not a JSON object"},
		{"comment in strict", "{\n  \"a\": 1 // x\n}", true, 2, "comments"},
		{"trailing comma in strict", "{\n  \"a\": 1,\n}", true, 2, "trailing commas"},
		{"container not object", "{\n  \"mcpServers\": []\n}", false, 2, "not an object"},
		{"duplicate entry", "{\"mcpServers\": {\"mcplex\": {}, \"mcplex\": {}}}", true, 1, "twice"},
		{"syntax", "{\n\n  \"a\" 1\n}", false, 3, "not valid JSON"},
		{"unterminated", "{\"a\": ", false, 1, "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSONDoc("f.json", "mcpServers", []byte(tc.in), tc.strict)
			var me *MalformedError
			if !errors.As(err, &me) || me.Line != tc.line || !strings.Contains(me.Reason, tc.reason) {
				t.Errorf("err = %v, want line %d and %q", err, tc.line, tc.reason)
			}
		})
	}
}
