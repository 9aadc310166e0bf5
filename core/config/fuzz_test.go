package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzParse feeds arbitrary bytes to Parse. Parse must not panic, and a
// config it accepts must survive Encode and parse again.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "seed", "*.toml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(DefaultFile("/bin/mcplex", []string{"demo-server"}))
	f.Add([]byte("[gateway]\nlisten =\n"))
	f.Add([]byte("a = { b = [1, {c = \"\"\"x\ny\"\"\"}], 'd.e' = 2 }\n[[x.y]]\n[x.y.z]\n"))
	f.Add([]byte("[api_keys.\"${K:-k}\"]\nrole = \"r\"\n[roles.r]\nallowed_tools = [\"a/[\"]\n"))
	env := mapEnv(map[string]string{"K": "key-from-env", "GITHUB_TOKEN": "t", "MCPLEX_API_KEY": "k"})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse(data, "fuzz.toml", env)
		if err != nil {
			return
		}
		out, err := Encode(c)
		if err != nil {
			t.Fatalf("Encode of a parsed config: %v", err)
		}
		if _, err := parse(out, "fuzz.toml", env); err != nil {
			t.Fatalf("Parse(Encode(c)): %v\n%s", err, out)
		}
	})
}

// FuzzPositions checks the position scanner against the TOML decoder: every
// key the decoder reports must be found by the scanner.
func FuzzPositions(f *testing.F) {
	f.Add([]byte("a = { b = [1, {c = \"\"\"x\ny\"\"\"}], 'd.e' = 2 }\n[[x.y]]\n[x.y.z]\n"))
	f.Add([]byte("[\"q.k\".'l']\nm.n = '''a\n'''\n[[s]]\nt = [[1], [2,\n3]]\n"))
	f.Add(DefaultFile("/bin/mcplex", []string{"demo-server"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := toml.Decode(string(data), new(map[string]any))
		if err != nil {
			return
		}
		found := map[string]bool{}
		for _, e := range scanPositions(string(data)).entries {
			found[e.key.String()] = true
		}
		for _, k := range md.Keys() {
			if !found[k.String()] {
				t.Errorf("scanner missed key %q", k.String())
			}
		}
	})
}
