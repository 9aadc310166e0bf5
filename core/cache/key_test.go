package cache

import (
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestKeyCanonical(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{`{"a":1,"b":[true,null,"x"]}`, `{ "b" : [ true , null , "x" ] , "a" : 1 }`, "{\n\t\"b\":[true,null,\"x\"],\"a\":1}"},
		{`{"z":{"y":1,"x":2},"a":"é"}`, `{"a":"\u00e9","z":{"x":2,"y":1}}`},
		{``, `null`, `  `},
		{`{}`, ` { } `},
		{`"<&>"`, `"\u003c\u0026\u003e"`},
	}
	for _, group := range same {
		want := Key("s", "t", "r", json.RawMessage(group[0]))
		for _, args := range group[1:] {
			if got := Key("s", "t", "r", json.RawMessage(args)); got != want {
				t.Errorf("%s and %s: different keys", group[0], args)
			}
		}
	}
	differ := [][2]string{
		{`{"a":1}`, `{"a":2}`},
		{`{"a":1}`, `{"a":"1"}`},
		{`{"a":1}`, `{"a":1.0}`}, // numbers as written: a miss, never a wrong hit
		{`{"a":[1,2]}`, `{"a":[2,1]}`},
		{`{}`, `null`},
		{`{"a":null}`, `{}`},
		{`{"a":1,"a":2}`, `{"a":2}`}, // duplicate keys: exact bytes only
		{`{"a":1} x`, `{"a":1}`},     // trailing data
		{`{"a":`, `{"a":1}`},
		{"\"\xff\"", "\"\xfe\""}, // invalid UTF-8 is not folded to U+FFFD
	}
	for _, d := range differ {
		if Key("s", "t", "r", json.RawMessage(d[0])) == Key("s", "t", "r", json.RawMessage(d[1])) {
			t.Errorf("%s and %s share a key", d[0], d[1])
		}
	}
	// Invalid input is still a stable key.
	k1 := Key("s", "t", "r", json.RawMessage(`{"a":`))
	k2 := Key("s", "t", "r", json.RawMessage(`{"a":`))
	if k1 != k2 {
		t.Error("invalid JSON gives unstable keys")
	}
}

func TestKeyFieldsAreSeparate(t *testing.T) {
	t.Parallel()
	args := json.RawMessage(`{}`)
	keys := map[string]string{
		"ab|c|d": Key("ab", "c", "d", args),
		"a|bc|d": Key("a", "bc", "d", args),
		"a|b|cd": Key("a", "b", "cd", args),
		"a|bcd|": Key("a", "bcd", "", args),
	}
	seen := map[string]string{}
	for name, k := range keys {
		if prev, ok := seen[k]; ok {
			t.Errorf("%s and %s share a key", name, prev)
		}
		seen[k] = name
	}
}

func TestCanonicalOutput(t *testing.T) {
	t.Parallel()
	got := string(canonical(json.RawMessage(` {"b": [1, {"d": false, "c": "x"}], "a": -0.5e3 } `)))
	want := `{"a":-0.5e3,"b":[1,{"c":"x","d":false}]}`
	if got != want {
		t.Errorf("canonical = %s, want %s", got, want)
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	yes, no := &mcp.ToolAnnotations{ReadOnlyHint: true}, &mcp.ToolAnnotations{ReadOnlyHint: false}
	titled := &mcp.ToolAnnotations{Title: "List issues"} // readOnlyHint left out: false
	patterns := []string{"my_custom_tool", "expensive_*", "fetch_?", `lit\*eral`, "deep/**"}
	cases := []struct {
		name string
		tool string
		ann  *mcp.ToolAnnotations
		want bool
	}{
		{"prefix list_", "list_issues", nil, true},
		{"prefix get_", "get_issue", nil, true},
		{"prefix search_", "search_code", nil, true},
		{"prefix query_", "query_db", nil, true},
		{"prefix describe_", "describe_table", nil, true},
		{"prefix show_", "show_status", nil, true},
		{"write by default", "create_issue", nil, false},
		{"prefix is case-sensitive", "List_issues", nil, false},
		{"prefix needs the underscore", "listing", nil, false},
		{"annotation true beats a write name", "delete_repo", yes, true},
		{"annotation false beats prefix", "get_and_reset_counter", no, false},
		{"annotation without the hint beats prefix", "list_issues", titled, false},
		{"annotation false beats pattern", "expensive_report", no, false},
		{"pattern exact", "my_custom_tool", nil, true},
		{"pattern exact is anchored", "my_custom_tool2", nil, false},
		{"pattern star", "expensive_report", nil, true},
		{"pattern star empty run", "expensive_", nil, true},
		{"pattern star stops at slash", "expensive_a/b", nil, false},
		{"pattern question", "fetch_x", nil, true},
		{"pattern question is one char", "fetch_xy", nil, false},
		{"pattern escape", "lit*eral", nil, true},
		{"pattern escape is literal", "litXeral", nil, false},
		{"pattern double star crosses slash", "deep/a/b", nil, true},
		{"no pattern matches", "run_job", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := ReadOnly(c.tool, c.ann, patterns); got != c.want {
				t.Errorf("ReadOnly(%q, %+v) = %v, want %v", c.tool, c.ann, got, c.want)
			}
		})
	}
}

func TestMatchGlob(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*", "", true},
		{"*", "abc", true},
		{"*", "a/b", false},
		{"**", "a/b", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false}, // no backtracking blow-up
		{"?", "é", true},
		{"?", "", false},
		{`\`, `\`, true},
		{"a?c", "a/c", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, c := range cases {
		if got := matchGlob(c.pat, c.name); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.pat, c.name, got, c.want)
		}
	}
}

func BenchmarkKey(b *testing.B) {
	args := json.RawMessage(`{"repo":"mcplex/mcplex","state":"open","labels":["bug","p1"],"limit":50}`)
	b.ReportAllocs()
	for b.Loop() {
		Key("github", "list_issues", "developer", args)
	}
}

func BenchmarkReadOnly(b *testing.B) {
	patterns := []string{"my_custom_tool", "expensive_*"}
	b.ReportAllocs()
	for b.Loop() {
		ReadOnly("run_expensive_report", nil, patterns)
	}
}
