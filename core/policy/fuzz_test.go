package policy

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	gobwas "github.com/gobwas/glob"
	"github.com/mcplex/mcplex/core/config"
)

// oracleGlob translates a policy pattern into an anchored regexp, written
// independently of glob.go. ok is false for a pattern the grammar rejects.
func oracleGlob(pat string, slashStops bool) (re *regexp.Regexp, ok bool) {
	if pat == "" || !utf8.ValidString(pat) || strings.ContainsRune(pat, utf8.RuneError) {
		return nil, false
	}
	one, run := `(?s:.)`, `(?s:.*)`
	if slashStops {
		one, run = `[^/]`, `[^/]*`
	}
	rs := []rune(pat)
	var b strings.Builder
	b.WriteString(`\A`)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 == len(rs) {
				return nil, false
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '*':
			if i+1 < len(rs) && rs[i+1] == '*' {
				for i+1 < len(rs) && rs[i+1] == '*' {
					i++
				}
				b.WriteString(`(?s:.*)`)
			} else {
				b.WriteString(run)
			}
		case '?':
			b.WriteString(one)
		case '[', ']', '{', '}':
			return nil, false
		default:
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()), true
}

// oracleRole matches a role pattern the way doc.go describes it.
func oracleRole(pat string, slashStops bool, server, name string) bool {
	re, _ := oracleGlob(pat, slashStops)
	if strings.Contains(pat, "/") {
		return re.MatchString(server + "/" + name)
	}
	return re.MatchString(name)
}

// oracleCovers reports whether a role pattern names every item of server.
func oracleCovers(pat, server string) bool {
	head, rest, scoped := strings.Cut(pat, "/")
	if !scoped {
		return strings.Trim(pat, "*") == ""
	}
	if rest == "" || strings.Trim(rest, "*") != "" {
		return false
	}
	if n := len(head) - len(strings.TrimRight(head, `\`)); n%2 == 1 {
		head = head[:len(head)-1] // the '/' was written "\/"
	}
	if head == "" {
		return server == ""
	}
	re, _ := oracleGlob(head, true)
	return re.MatchString(server)
}

func FuzzGlobMatch(f *testing.F) {
	f.Fuzz(func(t *testing.T, pattern, name string) {
		g, err := compileGlob(pattern)
		_, ok := oracleGlob(pattern, true)
		if (err == nil) != ok {
			t.Fatalf("compileGlob(%q) error %v, oracle valid %v", pattern, err, ok)
		}
		if err != nil {
			return
		}
		// Whatever the policy accepts, config validation (gobwas) accepts.
		if _, err := gobwas.Compile(pattern, '/'); err != nil {
			t.Errorf("policy accepts %q but gobwas/glob rejects it: %v", pattern, err)
		}
		for _, stops := range []bool{true, false} {
			got := g.match(stops, name)
			if i := strings.IndexByte(name, '/'); i >= 0 && g.match(stops, name[:i], name[i:]) != got {
				t.Errorf("%q on %q: split match differs", pattern, name)
			}
			if !utf8.ValidString(name) {
				continue // regexp reads invalid bytes as U+FFFD; the policy does not
			}
			re, _ := oracleGlob(pattern, stops)
			if want := re.MatchString(name); got != want {
				t.Errorf("%q match %q (slashStops %v) = %v, oracle %v (%s)", pattern, name, stops, got, want, re)
			}
		}
		// Resource coverage: name stands in for a server name.
		srv, scoped, whole := g.serverPart()
		if scoped != strings.Contains(pattern, "/") {
			t.Errorf("%q: serverPart scoped = %v", pattern, scoped)
		}
		if utf8.ValidString(name) && !strings.Contains(name, "/") {
			r := rule{g: g, srv: srv, scoped: scoped, whole: whole}
			if got, want := r.coversServer(name), oracleCovers(pattern, name); got != want {
				t.Errorf("%q covers server %q = %v, oracle %v", pattern, name, got, want)
			}
		}
	})
}

func patternList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// FuzzDecide builds a policy from fuzzed patterns and checks Decide against
// an oracle of the precedence in doc.go; above all, a matching blocked
// pattern always denies.
func FuzzDecide(f *testing.F) {
	f.Fuzz(func(t *testing.T, srvBlocked, srvAllowed, roleBlocked, roleAllowed, name string, flags uint8) {
		rbac, server := flags&1 != 0, "alpha"
		kind := []Kind{KindTool, KindPrompt, KindResource, KindTool}[flags>>1&3]
		if flags&8 != 0 {
			server = "beta"
		}
		var allowedRoles []string
		if flags&16 != 0 {
			allowedRoles = []string{"other"}
			if flags&32 != 0 {
				allowedRoles = append(allowedRoles, "r")
			}
		}
		sb, sa, rb, ra := patternList(srvBlocked), patternList(srvAllowed), patternList(roleBlocked), patternList(roleAllowed)
		cfg := &config.Config{
			Security: config.Security{EnableRBAC: rbac},
			Servers: []config.Server{
				{Name: "alpha", BlockedTools: sb, AllowedTools: sa, AllowedRoles: allowedRoles},
				{Name: "beta"},
			},
			Roles:   map[string]config.Role{"r": {AllowedTools: ra, BlockedTools: rb}},
			APIKeys: map[string]config.APIKey{"k": {Role: "r"}},
		}
		e, err := New(cfg)
		valid := true
		for _, p := range slices.Concat(sb, sa, rb, ra) {
			_, ok := oracleGlob(p, true)
			valid = valid && ok
		}
		if (err == nil) != valid {
			t.Fatalf("New error %v, oracle valid %v", err, valid)
		}
		if err != nil {
			return
		}
		id := who(t, e, "k")
		tg := Target{Kind: kind, Server: server, Name: name}
		d := e.Decide(id, defaultAction(kind), tg)
		if d.Rule == "" || d.Reason == "" {
			t.Errorf("decision without rule or reason: %+v", d)
		}
		if x := e.Explain("r", tg); x.Decision != d {
			t.Errorf("Explain %+v, Decide %+v", x.Decision, d)
		}
		if !utf8.ValidString(name) {
			return
		}
		// Blocked always wins.
		onAlpha := server == "alpha"
		for _, p := range rb {
			if kind != KindResource && oracleRole(p, false, server, name) && d.Allow {
				t.Fatalf("role blocked pattern %q matches %s but Decide allowed: %+v", p, tg, d)
			}
		}
		for _, p := range sb {
			if re, _ := oracleGlob(p, false); onAlpha && kind != KindResource && re.MatchString(name) && d.Allow {
				t.Fatalf("server blocked pattern %q matches %s but Decide allowed: %+v", p, tg, d)
			}
		}
		want := oracleDecide(rbac, kind, onAlpha, sb, sa, rb, ra, allowedRoles, server, name)
		if d.Allow != want {
			t.Errorf("Decide(%s) = %+v, oracle allow %v", tg, d, want)
		}
	})
}

// oracleDecide is doc.go's precedence, for role "r", written out directly.
func oracleDecide(rbac bool, kind Kind, onAlpha bool, sb, sa, rb, ra, allowedRoles []string, server, name string) bool {
	matchAny := func(ps []string, f func(string) bool) bool { return slices.ContainsFunc(ps, f) }
	own := func(stops bool) func(string) bool {
		return func(p string) bool { re, _ := oracleGlob(p, stops); return re.MatchString(name) }
	}
	role := func(stops bool) func(string) bool {
		return func(p string) bool { return oracleRole(p, stops, server, name) }
	}
	covers := func(p string) bool { return oracleCovers(p, server) }
	switch {
	case name == "":
		return false
	case onAlpha && len(allowedRoles) > 0 && !slices.Contains(allowedRoles, "r"):
		return false
	case kind == KindResource:
		return !matchAny(rb, covers) && (!rbac || matchAny(ra, covers))
	case onAlpha && matchAny(sb, own(false)):
		return false
	case matchAny(rb, role(false)):
		return false
	case onAlpha && len(sa) > 0 && !matchAny(sa, own(true)):
		return false
	}
	return !rbac || matchAny(ra, role(true))
}
