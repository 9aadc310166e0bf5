package policy

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// The policy glob language is deliberately small: literals, '*', '**', '?'
// and '\' escapes. '[', ']', '{' and '}' are rejected unescaped; see doc.go.
//
// gobwas/glob (which core/config uses to validate patterns) is not used for
// matching: v0.2.3 panics in Match on patterns its Compile accepts ("0{",
// gobwas/glob#56, #59) and mis-matches alternatives ("{a,}{a,}a" vs "a",
// #62). A security decision needs a matcher whose every case is tested, so
// this one is an NFA over at most len(pattern)+1 states, linear in the name
// for a given pattern, with no backtracking and no allocation for patterns
// of up to 255 tokens.

type tokKind uint8

const (
	tokLit   tokKind = iota // one literal rune
	tokOne                  // '?': one character
	tokStar                 // '*': any run of characters
	tokSuper                // '**': any run of characters, '/' included
)

type token struct {
	kind tokKind
	r    rune // tokLit only
}

// glob is one compiled pattern; build it with newGlob.
type glob struct {
	toks []token
	// lit is the unescaped pattern when it has no wildcard (exact match).
	lit     string
	literal bool
	// prefix is the literal text before the first wildcard; tail is that
	// wildcard's kind when it is the last token (the shape "delete_*").
	prefix string
	tail   tokKind
	simple bool // prefix + one trailing '*' or '**'
}

// compileGlob parses src. A run of two or more '*' is one '**'.
func compileGlob(src string) (glob, error) {
	if src == "" {
		return glob{}, errors.New("empty pattern")
	}
	if !utf8.ValidString(src) || strings.ContainsRune(src, utf8.RuneError) {
		return glob{}, errors.New("pattern is not valid UTF-8 (or contains U+FFFD)")
	}
	var toks []token
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		i += size
		switch r {
		case '\\':
			if i == len(src) {
				return glob{}, errors.New(`pattern ends with a lone '\'`)
			}
			r, size = utf8.DecodeRuneInString(src[i:])
			i += size
			toks = append(toks, token{kind: tokLit, r: r})
		case '*':
			if n := len(toks); n > 0 && (toks[n-1].kind == tokStar || toks[n-1].kind == tokSuper) {
				toks[n-1].kind = tokSuper
			} else {
				toks = append(toks, token{kind: tokStar})
			}
		case '?':
			toks = append(toks, token{kind: tokOne})
		case '[', ']', '{', '}':
			return glob{}, fmt.Errorf(`unsupported character %q: only *, ** and ? are wildcards (write \%c to match it literally)`, r, r)
		default:
			toks = append(toks, token{kind: tokLit, r: r})
		}
	}
	return newGlob(toks), nil
}

// newGlob derives the fast-path fields from toks. An empty toks matches
// only the empty string.
func newGlob(toks []token) glob {
	g := glob{toks: toks, literal: true}
	var b strings.Builder
	for i, t := range toks {
		if t.kind != tokLit {
			g.literal = false
			g.tail = t.kind
			g.simple = i == len(toks)-1 && t.kind != tokOne
			break
		}
		b.WriteRune(t.r)
	}
	g.prefix = b.String()
	if g.literal {
		g.lit = g.prefix
	}
	return g
}

// match reports whether the concatenation of parts matches g as a whole
// (anchored at both ends, case-sensitive, rune by rune). With slashStops,
// '*' and '?' do not match '/' (only '**' does). A byte that is not valid
// UTF-8 counts as one character that no literal matches (patterns cannot
// contain U+FFFD).
func (g *glob) match(slashStops bool, parts ...string) bool {
	if g.literal {
		return equalJoined(g.lit, parts)
	}
	i, off, ok := afterPrefix(g.prefix, parts)
	if !ok {
		return false // most patterns fail here, without the NFA
	}
	if g.simple { // "delete_*": anything may follow, but '*' stops at '/'
		return g.tail == tokSuper || !slashStops || !slashAfter(parts, i, off)
	}
	n := len(g.toks)
	words := (n + 1 + 63) / 64
	var bufA, bufB [4]uint64
	cur, next := bufA[:], bufB[:]
	if words > len(bufA) {
		cur, next = make([]uint64, words), make([]uint64, words)
	}
	cur, next = cur[:words], next[:words]
	cur[0] = 1
	g.closure(cur)
	for _, s := range parts {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			valid := r != utf8.RuneError || size > 1
			if !g.step(cur, next, r, valid, slashStops) {
				return false
			}
			cur, next = next, cur
		}
	}
	return cur[n/64]&(1<<(n%64)) != 0
}

// step computes in next the states reached from cur on character r, and
// reports whether any state is alive.
func (g *glob) step(cur, next []uint64, r rune, valid, slashStops bool) bool {
	clear(next)
	alive := false
	stops := slashStops && r == '/'
	for w, word := range cur {
		for word != 0 {
			st := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			if st == len(g.toks) {
				continue // the accepting state consumes nothing
			}
			t := g.toks[st]
			to := -1
			switch t.kind {
			case tokLit:
				if valid && r == t.r {
					to = st + 1
				}
			case tokOne:
				if !stops {
					to = st + 1
				}
			case tokStar:
				if !stops {
					to = st
				}
			case tokSuper:
				to = st
			}
			if to >= 0 {
				next[to/64] |= 1 << (to % 64)
				alive = true
			}
		}
	}
	if alive {
		g.closure(next)
	}
	return alive
}

// closure adds the states reachable by letting '*' and '**' match nothing.
func (g *glob) closure(set []uint64) {
	for st, t := range g.toks {
		if (t.kind == tokStar || t.kind == tokSuper) && set[st/64]&(1<<(st%64)) != 0 {
			set[(st+1)/64] |= 1 << ((st + 1) % 64)
		}
	}
}

// equalJoined reports whether s equals the concatenation of parts.
func equalJoined(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.HasPrefix(s, p) {
			return false
		}
		s = s[len(p):]
	}
	return s == ""
}

// afterPrefix reports whether the concatenation of parts starts with
// prefix; if so, parts[i][off:] and the parts after i are the rest.
func afterPrefix(prefix string, parts []string) (i, off int, ok bool) {
	for i, p := range parts {
		if len(prefix) <= len(p) {
			return i, len(prefix), strings.HasPrefix(p, prefix)
		}
		if !strings.HasPrefix(prefix, p) {
			return 0, 0, false
		}
		prefix = prefix[len(p):]
	}
	return len(parts), 0, prefix == ""
}

// slashAfter reports whether parts[i][off:] or a later part contains '/'.
func slashAfter(parts []string, i, off int) bool {
	for ; i < len(parts); i, off = i+1, 0 {
		if strings.IndexByte(parts[i][off:], '/') >= 0 {
			return true
		}
	}
	return false
}

// serverPart splits g at its first literal '/'. whole is true when the rest
// is a single '*' or '**' (the pattern names every item of the servers the
// returned glob matches). For a pattern without '/', whole is true only for
// "*" and "**", and srv is unused.
func (g *glob) serverPart() (srv glob, scoped, whole bool) {
	isAll := func(ts []token) bool { return len(ts) == 1 && (ts[0].kind == tokStar || ts[0].kind == tokSuper) }
	for i, t := range g.toks {
		if t.kind == tokLit && t.r == '/' {
			return newGlob(g.toks[:i:i]), true, isAll(g.toks[i+1:])
		}
	}
	return glob{}, false, isAll(g.toks)
}
