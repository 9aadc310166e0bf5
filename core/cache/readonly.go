package cache

import (
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ReadOnlyPrefixes are the seed's read-only tool name prefixes.
var ReadOnlyPrefixes = []string{"list_", "get_", "search_", "query_", "describe_", "show_"}

// ReadOnly reports whether calls to the tool may be cached: toolName is the
// upstream's own name (without the server prefix), ann its annotations
// (nil when it has none), patterns the [cache] patterns. See the package
// doc for the order, and for why readOnlyHint is trusted.
func ReadOnly(toolName string, ann *mcp.ToolAnnotations, patterns []string) bool {
	if ann != nil {
		return ann.ReadOnlyHint
	}
	for _, p := range ReadOnlyPrefixes {
		if strings.HasPrefix(toolName, p) {
			return true
		}
	}
	for _, p := range patterns {
		if matchGlob(p, toolName) {
			return true
		}
	}
	return false
}

type tokKind uint8

const (
	tokLit   tokKind = iota
	tokOne           // '?'
	tokStar          // '*': not across '/'
	tokSuper         // '**': across '/'
)

type token struct {
	kind tokKind
	r    rune
}

func parseGlob(pat string) []token {
	toks := make([]token, 0, len(pat))
	for i := 0; i < len(pat); {
		r, n := utf8.DecodeRuneInString(pat[i:])
		i += n
		switch r {
		case '\\':
			if i < len(pat) {
				r, n = utf8.DecodeRuneInString(pat[i:])
				i += n
			}
			toks = append(toks, token{tokLit, r})
		case '?':
			toks = append(toks, token{kind: tokOne})
		case '*':
			kind := tokStar
			for i < len(pat) && pat[i] == '*' {
				kind = tokSuper
				i++
			}
			toks = append(toks, token{kind: kind})
		default:
			toks = append(toks, token{tokLit, r})
		}
	}
	return toks
}

// matchGlob reports whether name matches pat as a whole. It simulates the
// pattern's NFA (state j: j tokens matched), so it never backtracks: time
// is O(len(pat) * len(name)).
func matchGlob(pat, name string) bool {
	if !strings.ContainsAny(pat, `*?\`) {
		return pat == name
	}
	toks := parseGlob(pat)
	cur := make([]bool, len(toks)+1)
	next := make([]bool, len(toks)+1)
	cur[0] = true
	closeStars(toks, cur)
	for _, c := range name {
		clear(next)
		for j, t := range toks {
			switch t.kind {
			case tokLit:
				next[j+1] = next[j+1] || (cur[j] && t.r == c)
			case tokOne:
				next[j+1] = next[j+1] || (cur[j] && c != '/')
			case tokStar, tokSuper:
				// cur[j+1] is "star entered"; the star eats c and stays.
				next[j+1] = next[j+1] || (cur[j+1] && (t.kind == tokSuper || c != '/'))
			}
		}
		closeStars(toks, next)
		cur, next = next, cur
	}
	return cur[len(toks)]
}

// closeStars adds the empty match of each star: state j leads to j+1.
func closeStars(toks []token, states []bool) {
	for j, t := range toks {
		if states[j] && (t.kind == tokStar || t.kind == tokSuper) {
			states[j+1] = true
		}
	}
}
