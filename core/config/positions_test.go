package config

import (
	"testing"

	"github.com/BurntSushi/toml"
)

func TestPositions(t *testing.T) {
	t.Parallel()
	const doc = "\xef\xbb\xbf# comment [not.a.table]\n" + // 1
		`[gateway]` + "\n" + // 2
		`name = """multi` + "\n" + // 3
		`line "" "quoted" [x] = 1` + "\n" + // 4
		`"""` + "\n" + // 5
		`listen = '127.0.0.1:1' # x = 2` + "\n" + // 6
		`[[servers]]` + "\n" + // 7
		`name = "a"` + "\n" + // 8
		`[[servers]]` + "\n" + // 9
		`args = [` + "\n" + // 10
		`  "x", # one` + "\n" + // 11
		`  ["nested"],` + "\n" + // 12
		`]` + "\n" + // 13
		`env = { "A.B" = "1", C = { d = 2 } }` + "\n" + // 14
		`[servers.headers]` + "\n" + // 15
		`X-Key = 'v'` + "\n" + // 16
		`[api_keys."sk-1.x"]` + "\n" + // 17
		`role.name = "dev"` + "\n" + // 18
		`[api_keys.'lit\key']` + "\n" + // 19
		`when = 1979-05-27 07:32:00Z` + "\n" // 20
	if _, err := toml.Decode(doc, new(map[string]any)); err != nil {
		t.Fatalf("test document is not valid TOML: %v", err)
	}
	pos := scanPositions(doc)
	tests := []struct {
		path string
		want int
	}{
		{"gateway", 2},
		{"gateway.name", 3},
		{"gateway.listen", 6},
		{"servers", 7},
		{"servers[0]", 7},
		{"servers[0].name", 8},
		{"servers[1]", 9},
		{"servers[1].args", 10},
		{"servers[1].args[0]", 11},
		{"servers[1].args[1]", 12},
		{"servers[1].args[1][0]", 12},
		{`servers[1].env."A.B"`, 14},
		{"servers[1].env.C.d", 14},
		{"servers[1].headers", 15},
		{"servers[1].headers.X-Key", 16},
		{`api_keys."sk-1.x"`, 17},
		{`api_keys."sk-1.x".role.name`, 18},
		{`api_keys."lit\\key".when`, 20},
		// Missing keys fall back to their nearest ancestor.
		{"servers[1].url", 9},
		{"servers[0].args[3]", 7},
		{"router.mode", 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			if got := pos.line(tt.path); got != tt.want {
				t.Errorf("line(%q) = %d, want %d", tt.path, got, tt.want)
			}
		})
	}
}

func TestParentAndDisplayPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, parent, display string
	}{
		{"gateway", "", "gateway"},
		{"servers[2].url", "servers[2]", "servers[2].url"},
		{"servers[2]", "servers", "servers[2]"},
		{`roles."a.b[c]".allowed_tools[0]`, `roles."a.b[c]".allowed_tools`, `roles."a.b[c]".allowed_tools[0]`},
		{`api_keys."sk-live-0123456789".role`, `api_keys."sk-live-0123456789"`, `api_keys."sk-l***".role`},
		{`api_keys.shortkey`, `api_keys`, `api_keys."***"`},
		{`api_keys."${TEAM_KEY}"`, `api_keys`, `api_keys."${TEAM_KEY}"`},
		{`api_keys."sha256:00ff"`, `api_keys`, `api_keys."sha256:00ff"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			if got := parentPath(tt.path); got != tt.parent {
				t.Errorf("parentPath(%q) = %q, want %q", tt.path, got, tt.parent)
			}
			if got := displayPath(tt.path); got != tt.display {
				t.Errorf("displayPath(%q) = %q, want %q", tt.path, got, tt.display)
			}
		})
	}
}
