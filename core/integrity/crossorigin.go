package integrity

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minCrossName is the shortest server or tool name the cross-origin check
// looks for; shorter names ("fs", "git", "run") match ordinary words.
const minCrossName = 4

// commonNames are server names that are ordinary English words in tool
// descriptions ("search", "memory", "filesystem"); mentioning them is not a
// reference to another server.
var commonNames = wordSet(`
		about access action actions add alert analyze answer append archive
		audio browse browser build cache calculate calculator calendar call
		chart chat check clear click close code compare compute config
		connect context convert copy count create data database date debug
		delete deploy describe diff docs document download edit email
		embed encode evaluate event events everything execute explain
		export extract fetch file files filesystem filter find format
		generate geocode help history image images import index info insert
		inspect install list load lock login logs lookup memory merge
		message messages move navigate news note notes open parse paste
		ping plan play post predict preview print process prompt publish
		query read reason recall record refresh remove rename render reply
		report request reset resolve restart resume retrieve review rules
		save scan schedule scrape screenshot search select send server
		session shell show sleep sort speak split start status stop store
		submit summarize sync task tasks terminal test text think thinking
		time timer token tool tools transcribe translate type update upload
		validate verify video view wait weather write`)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

type crossName struct {
	name   string // as configured, for the finding
	server string
	tool   bool // a tool name (else a server name)
}

// crossIndex holds the names worth looking for in descriptions: every
// server's name unless it is short or common, and every identifier-like
// tool name (see identLike). A lower-cased name maps to its owners: the
// server of that name first, then the servers having such a tool, in
// sorted order. It is immutable once built.
type crossIndex struct {
	words       map[string][]crossName // names made of word runes only
	other       map[string][]crossName // names with other runes ("s3.get", "mz:AgentQL")
	otherSorted []string               // keys of other, sorted
}

func newCrossIndex(servers map[string][]string) crossIndex {
	names := make([]string, 0, len(servers))
	for s := range servers {
		names = append(names, s)
	}
	slices.Sort(names)
	ix := crossIndex{words: map[string][]crossName{}, other: map[string][]crossName{}}
	add := func(name, server string, tool bool) {
		l := strings.ToLower(name)
		if utf8.RuneCountInString(name) < minCrossName || !tool && commonNames[l] || tool && !identLike(name) {
			return
		}
		m := ix.words
		if strings.IndexFunc(l, func(r rune) bool { return !isWordRune(r) }) >= 0 {
			m = ix.other
		}
		m[l] = append(m[l], crossName{name: name, server: server, tool: tool})
	}
	for _, s := range names {
		add(s, s, false)
	}
	for _, s := range names {
		for _, t := range servers[s] {
			add(t, s, true)
		}
	}
	for l := range ix.other {
		ix.otherSorted = append(ix.otherSorted, l)
	}
	slices.Sort(ix.otherSorted)
	return ix
}

// identLike reports whether a tool name looks like an identifier rather
// than a word: it has no spaces and contains "_", "-", "." or a digit, or is
// camelCase (send_email, get-library-docs, s3.get, readFile). Plain words
// ("search", "string", "JSON") and PascalCase brand-like names ("GitHub",
// "GetObject") are skipped: in descriptions they are almost always ordinary
// prose. On 3,212 real tools this cut cross-origin hits from 328 to a few
// (see catalog_test.go).
func identLike(name string) bool {
	if strings.ContainsFunc(name, unicode.IsSpace) {
		return false
	}
	if strings.ContainsAny(name, "_-.0123456789") {
		return true
	}
	first, _ := utf8.DecodeRuneInString(name)
	return unicode.IsLower(first) && strings.ContainsFunc(name, unicode.IsUpper)
}

// crossMatches returns one detail per indexed name that occurs in text as
// a whole word (case-insensitive; letters, digits, "_" and "-" are word
// characters, so "fetch" does not match "prefetch" or "pre-fetch"). Names
// owned only by ownServer, and the scanned tool's own name (two servers
// may both have "echo"), are not reported.
func crossMatches(text string, ix crossIndex, ownServer, ownTool string) []string {
	if len(ix.words) == 0 && len(ix.other) == 0 {
		return nil
	}
	own := strings.ToLower(ownTool)
	lower := strings.ToLower(text)
	var out []string
	report := func(l string, owners []crossName) {
		if l == own {
			return
		}
		for _, n := range owners {
			if n.server == ownServer {
				continue
			}
			if n.tool {
				out = append(out, fmt.Sprintf("mentions %q, a tool of server %q", Escape(n.name), Escape(n.server)))
			} else {
				out = append(out, fmt.Sprintf("mentions server %q", Escape(n.name)))
			}
			return
		}
	}
	done := map[string]bool{}
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !isWordRune(r) }) {
		if owners, ok := ix.words[w]; ok && !done[w] {
			done[w] = true
			report(w, owners)
		}
	}
	for _, l := range ix.otherSorted {
		if containsWord(lower, l) {
			report(l, ix.other[l])
		}
	}
	return out
}

func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(w)
		if !wordByteBefore(s, start) && !wordByteAt(s, end) {
			return true
		}
		off = start + 1
	}
}

func wordByteBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWordRune(r)
}

func wordByteAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

func isWordRune(r rune) bool {
	return r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
