package clients

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailscale/hujson"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/*/golden")

const (
	testExe = "/opt/mcplex/bin/mcplex"
	testURL = "http://127.0.0.1:3100/mcp"
	testKey = "mcplex_test_key"
)

// ext is the file extension of c's fixtures.
func ext(c *Client) string {
	if c.Format == TOML {
		return ".toml"
	}
	return ".json"
}

// testOptions edits path with fixed binary, URL and (for HTTP clients) key,
// and private state and token folders.
func testOptions(t *testing.T, c *Client, path string) Options {
	t.Helper()
	o := Options{
		Env:      &Env{GOOS: "linux", Home: t.TempDir()},
		Path:     path,
		URL:      testURL,
		Exe:      testExe,
		StateDir: filepath.Join(t.TempDir(), "state"),
		TokenDir: filepath.Join(t.TempDir(), "tokens"),
	}
	if !c.Bridge {
		o.Key = testKey
	}
	return o
}

// fixture copies testdata/<client>/<name> into a temporary folder.
func fixture(t *testing.T, c *Client, name string) (path string, original []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", c.Name, name+ext(c)))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "config"+ext(c))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// golden compares got with testdata/<client>/golden/<name>, or rewrites it
// with -update.
func golden(t *testing.T, c *Client, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", c.Name, "golden", name+ext(c))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, unifiedDiff(path, want, got, true, true))
	}
}

// decodeFile decodes a JSON(C) or TOML config for semantic comparisons.
func decodeFile(t *testing.T, c *Client, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if c.Format == TOML {
		d, err := decodeTOML("x", string(b))
		if err != nil {
			t.Fatal(err)
		}
		return normalize(t, d)
	}
	std, err := hujson.Standardize(bytes.Clone(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(std, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// normalize round-trips through JSON so TOML and JSON values compare alike.
func normalize(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// withoutEntry returns m minus m[container][mcplex] (and the container if
// that leaves it empty and dropEmpty).
func withoutEntry(m map[string]any, container string, dropEmpty bool) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	if t, ok := m[container].(map[string]any); ok {
		t2 := map[string]any{}
		for k, v := range t {
			if k != EntryName {
				t2[k] = v
			}
		}
		out[container] = t2
		if dropEmpty && len(t2) == 0 {
			delete(out, container)
		}
	}
	return out
}

// userEdit is a hand edit elsewhere in the file: a new top-level key.
func userEdit(c *Client, b []byte) []byte {
	s := string(b)
	if c.Format == TOML {
		return []byte("user_key = true\n" + s)
	}
	i := strings.IndexByte(s, '{')
	return []byte(s[:i+1] + "\n  \"userKey\": true," + s[i+1:])
}

// commentLines returns the lines of b that hold a comment.
func commentLines(c *Client, b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if c.Format == TOML && strings.Contains(l, "#") ||
			c.Format != TOML && (strings.Contains(strings.ReplaceAll(l, "://", ""), "//") || strings.Contains(l, "/*")) {
			out = append(out, l)
		}
	}
	return out
}
