package policy

import "testing"

func TestPatternMatchesLikeThePolicy(t *testing.T) {
	cases := []struct {
		pat          string
		block        bool
		server, name string
		want         bool
	}{
		{"read_*", false, "fs", "read_file", true},
		{"read_*", false, "fs", "write_file", false},
		{"fs/*", false, "fs", "read_file", true},
		{"fs/*", false, "git", "read_file", false},
		{"git*/*", false, "github", "create_issue", true},
		{"*", false, "fs", "a/b", false}, // allow: '*' stops at '/'
		{"*", true, "fs", "a/b", true},   // block: '*' crosses '/'
		{"**", false, "fs", "a/b", true},
	}
	for _, c := range cases {
		p, err := CompilePattern(c.pat, c.block)
		if err != nil {
			t.Fatalf("%q: %v", c.pat, err)
		}
		if got := p.MatchTool(c.server, c.name); got != c.want {
			t.Errorf("%q (block=%v) on %s/%s = %v, want %v", c.pat, c.block, c.server, c.name, got, c.want)
		}
	}
	if _, err := CompilePattern("[a", false); err == nil {
		t.Error("an unescaped '[' compiled")
	}
	if _, err := CompilePattern("", false); err == nil {
		t.Error("the empty pattern compiled")
	}
}
