package policy

import (
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	// allow: '*' and '?' stop at '/' (allowed lists); block: they do not
	// (blocked lists). security.md A5.3 first.
	tests := []struct {
		pattern, name string
		allow, block  bool
	}{
		{"fs.read*", "fs.read", true, true},
		{"fs.read*", "fs.readAll", true, true},
		{"fs.read*", "fs.read/../write", false, true},
		{"fs.read*", "FS.READ", false, false},
		{"fs.read*", "fs_read", false, false}, // '.' is literal
		{"fs.read*", "xfs.read", false, false},
		{"fs.read*", "fs.rea", false, false},
		{"fs.read", "fs.readAll", false, false},
		{"fs.read", "fs.read", true, true},
		{`fs\*`, "fs*", true, true},
		{`fs\*`, "fsx", false, false},
		{`\*`, "*", true, true},
		{`\*`, "", false, false},
		{`a\?`, "a?", true, true},
		{`a\?`, "ab", false, false},
		{`a\\b`, `a\b`, true, true},
		{`\[x\]`, "[x]", true, true},
		{"*", "", true, true},
		{"*", "anything", true, true},
		{"*", "a/b", false, true},
		{"**", "a/b", true, true},
		{"**", "", true, true},
		{"***", "a/b/c", true, true},
		{"a**b", "a/x/b", true, true},
		{"a*b", "a/x/b", false, true},
		{"?", "a", true, true},
		{"?", "é", true, true}, // one character, two bytes
		{"?", "ab", false, false},
		{"?", "", false, false},
		{"?", "/", false, true},
		{"get_?ser", "get_user", true, true},
		{"get_?ser", "get_uuser", false, false},
		{"github/*", "github/create_issue", true, true},
		{"github/*", "github/a/b", false, true},
		{"github/*", "githubx/a", false, false},
		{"*/query_*", "database/query_users", true, true},
		{"*/query_*", "database/x/query_users", false, true},
		{"database/get_?ser", "database/get_user", true, true},
		{"Ä*", "Äpfel", true, true},
		{"A*", "a", false, false},
		{"ｆｓ*", "fs", false, false}, // fullwidth is not folded
		{"a*b*c*d", "abcd", true, true},
		{"a*b*c*d", "a--b--c--", false, false},
		{"*a*a*a*a*a*a*a*c", strings.Repeat("a", 5000), false, false},
		{"*a*a*a*a*a*a*a*a", strings.Repeat("a", 5000), true, true},
		{"?", "\xff", true, true}, // an invalid byte is one character
		{"a*", "a\xffb", true, true},
		{"a?b", "a\xffb", true, true},
		{"x*", "x\n", true, true},
	}
	for _, tc := range tests {
		g, err := compileGlob(tc.pattern)
		if err != nil {
			t.Errorf("compileGlob(%q): %v", tc.pattern, err)
			continue
		}
		if got := g.match(true, tc.name); got != tc.allow {
			t.Errorf("%q allow-matches %q = %v, want %v", tc.pattern, tc.name, got, tc.allow)
		}
		if got := g.match(false, tc.name); got != tc.block {
			t.Errorf("%q block-matches %q = %v, want %v", tc.pattern, tc.name, got, tc.block)
		}
		// Split input matches like the joined string.
		if i := strings.IndexByte(tc.name, '/'); i >= 0 {
			if got := g.match(true, tc.name[:i], "/", tc.name[i+1:]); got != tc.allow {
				t.Errorf("%q allow-matches %q in parts = %v", tc.pattern, tc.name, got)
			}
		}
	}
}

func TestGlobLong(t *testing.T) {
	t.Parallel()
	// More than 255 tokens: the state sets no longer fit on the stack.
	p := strings.Repeat("a?", 150) + "*"
	g, err := compileGlob(p)
	if err != nil {
		t.Fatal(err)
	}
	if !g.match(true, strings.Repeat("ab", 150)+"tail") || g.match(true, strings.Repeat("ab", 149)) {
		t.Error("long pattern mis-matches")
	}
}

func TestGlobCompileErrors(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", `a\`, "[ab]", "a]", "{a,b}", "}", "x{", "\xff", "\uFFFD"} {
		if _, err := compileGlob(p); err == nil {
			t.Errorf("compileGlob(%q) succeeded", p)
		}
	}
}

func TestServerPart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern       string
		scoped, whole bool
		server        string // must match the server part (scoped only)
	}{
		{"github/*", true, true, "github"},
		{"github/**", true, true, "github"},
		{"git*/*", true, true, "gitlab"},
		{"*/*", true, true, "any"},
		{`github\/*`, true, true, "github"},
		{"github/list_*", true, false, "github"},
		{"github/*x", true, false, "github"},
		{"*", false, true, ""},
		{"**", false, true, ""},
		{"list_*", false, false, ""},
	}
	for _, tc := range tests {
		g, err := compileGlob(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		srv, scoped, whole := g.serverPart()
		if scoped != tc.scoped || whole != tc.whole || scoped != strings.Contains(tc.pattern, "/") {
			t.Errorf("%q: scoped %v whole %v, want %v %v", tc.pattern, scoped, whole, tc.scoped, tc.whole)
		}
		if scoped && !srv.match(true, tc.server) {
			t.Errorf("%q: server part does not match %q", tc.pattern, tc.server)
		}
	}
}

func BenchmarkGlobMatch(b *testing.B) {
	g, _ := compileGlob("*/get_?ser*")
	for b.Loop() {
		g.match(true, "database", "/", "get_user_by_email")
	}
}
