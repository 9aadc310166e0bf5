package clients

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScanTOMLHeaders(t *testing.T) {
	src := `a = 1
# [commented.out]
s = "[not.a.header]"
m = """
[inside.multiline]
"""
lit = '''
[inside.literal]
'''
arr = [
  [1, 2],
  [3],
]
[mcp_servers.x]
  [ mcp_servers . "quoted.key" ]
[[array.of.tables]] # comment
['lit key'.b]
`
	hs, err := scanTOMLHeaders(src)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, h := range hs {
		got = append(got, h.keys)
	}
	want := [][]string{{"mcp_servers", "x"}, {"mcp_servers", "quoted.key"}, {"array", "of", "tables"}, {"lit key", "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if !hs[2].array || hs[0].array {
		t.Error("array flags wrong")
	}
	if line := src[hs[1].start:hs[1].end]; line != "  [ mcp_servers . \"quoted.key\" ]\n" {
		t.Errorf("header line = %q", line)
	}
}

func TestTOMLEdit(t *testing.T) {
	entry := object{{"url", "http://x/mcp"}}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "[mcp_servers.mcplex]\nurl = \"http://x/mcp\"\n"},
		{"no final newline", "model = \"m\"", "model = \"m\"\n\n[mcp_servers.mcplex]\nurl = \"http://x/mcp\"\n"},
		{"replace in the middle, sub-table included",
			"[mcp_servers.mcplex]\nurl = \"old\"\n\n[mcp_servers.mcplex.http_headers]\nA = \"b\"\n\n# next\n[profiles.x]\nm = 1\n",
			"[mcp_servers.mcplex]\nurl = \"http://x/mcp\"\n\n# next\n[profiles.x]\nm = 1\n"},
		{"quoted header", "[mcp_servers.\"mcplex\"]\nurl = \"old\"\n", "[mcp_servers.mcplex]\nurl = \"http://x/mcp\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseTOMLDoc("c.toml", "mcp_servers", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.set(EntryName, entry); err != nil {
				t.Fatal(err)
			}
			if got := string(d.bytes()); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestTOMLRefusesInlineEntry(t *testing.T) {
	for _, in := range []string{
		"mcp_servers = { mcplex = { url = \"u\" } }\n",
		"[mcp_servers]\nmcplex = { url = \"u\" }\n",
		"[mcp_servers]\nmcplex.url = \"u\"\n",
	} {
		d, err := parseTOMLDoc("c.toml", "mcp_servers", []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if err := d.set(EntryName, object{{"url", "v"}}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: err = %v, want ErrUnsupported", in, err)
		}
		if _, err := d.remove(EntryName); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: remove err = %v, want ErrUnsupported", in, err)
		}
	}
}

func TestTOMLStrings(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:         `"plain"`,
		`a"b\c`:         `"a\"b\\c"`,
		"tab\tnl\n\x01": `"tab\tnl\n\u0001"`,
	} {
		if got := tomlString(in); got != want {
			t.Errorf("tomlString(%q) = %s, want %s", in, got, want)
		}
	}
	if got := tomlKey("X-Team"); got != "X-Team" {
		t.Error(got)
	}
	if got := tomlKey("a.b"); got != `"a.b"` {
		t.Error(got)
	}
	m, err := decodeTOML("x", "v = "+tomlValue(map[string]string{"Authorization": "Bearer k", "a b": "c"})+"\n")
	if err != nil || !strings.Contains(canonical(m), `"a b":"c"`) {
		t.Errorf("inline table does not round-trip: %v %v", m, err)
	}
}
