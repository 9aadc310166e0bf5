package clients

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailscale/hujson"
)

// FuzzJSONSetRemove: for any JSON(C) object without an MCPlex entry,
// adding the entry keeps the file parseable with the entry in it, and
// removing it again gives back the original bytes.
func FuzzJSONSetRemove(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"mcpServers":{}}`))
	f.Add([]byte("{\r\n\t\"mcpServers\": { /* c */ },\r\n}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := parseJSONDoc("f", "mcpServers", in, false)
		if err != nil || len(bytes.TrimSpace(in)) == 0 {
			return
		}
		if _, found := d.get(EntryName); found {
			return
		}
		// Byte for byte only if the object the entry goes into has members
		// and its closing brace on a line of its own; otherwise the brace
		// moves to its own line and only the content comes back equal.
		target := d.servers()
		if target == nil {
			target = d.root.Value.(*hujson.Object)
		}
		exact := len(target.Members) > 0 && (isCompact(target) || bytes.Contains(target.AfterExtra, []byte("\n")))
		entry := object{{"command", "/x"}, {"args", []string{"bridge"}}}
		if err := d.set(EntryName, entry); err != nil {
			t.Fatal(err)
		}
		out := d.bytes()
		d2, err := parseJSONDoc("f", "mcpServers", out, false)
		if err != nil {
			t.Fatalf("result does not parse: %v\n%s", err, out)
		}
		if got, ok := d2.get(EntryName); !ok || canonical(got) != canonical(entry) {
			t.Fatalf("entry missing:\n%s", out)
		}
		if _, err := d2.remove(EntryName); err != nil {
			t.Fatal(err)
		}
		if d.created {
			d2.removeEmptyContainer()
		}
		back := d2.bytes()
		if exact && !bytes.Equal(back, in) || !exact && canonical(decodeValue(d2.root)) != canonical(decodeValue(mustParse(t, in))) {
			t.Fatalf("remove did not undo set:\n%s", unifiedDiff("f", in, back, true, true))
		}
	})
}

func mustParse(t *testing.T, in []byte) hujson.Value {
	t.Helper()
	v, err := hujson.Parse(bytes.Clone(in))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzTOMLSetRemove: on any TOML file the splice either works, leaving
// everything else decoding the same, or is refused as unsupported; it
// never panics and never produces a file that does not decode.
func FuzzTOMLSetRemove(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.toml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("[mcp_servers]\nx = 1\n[mcp_servers.mcplex]\nurl = \"u\"\n[mcp_servers.mcplex.env]\nA = \"b\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := parseTOMLDoc("f", "mcp_servers", in)
		if err != nil {
			return
		}
		entry := object{{"url", "http://x/mcp"}}
		if err := d.set(EntryName, entry); err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("set: %v", err)
			}
			return
		}
		if _, err := decodeTOML("f", string(d.bytes())); err != nil {
			t.Fatalf("result does not decode: %v", err)
		}
		if _, err := d.remove(EntryName); err != nil && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("remove: %v", err)
		}
	})
}
