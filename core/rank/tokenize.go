package rank

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Words splits text into lower-case word tokens. It breaks on anything that
// is not a letter or digit (so snake_case, kebab-case, dotted and path names
// split), on lower-to-upper case changes ("getUser" -> get, user) and before
// the last capital of an acronym run ("HTMLParser" -> html, parser). Runs of
// CJK ideographs, kana and hangul become one token each; see [cjkBigrams].
func Words(text string) []string {
	var out []string
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(text[start:end]))
		}
		start = -1
	}
	for i, r := range text {
		switch {
		case isCJK(r):
			if start >= 0 && !isCJK(prev) {
				flush(i)
			}
			if start < 0 {
				start = i
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start >= 0 && (isCJK(prev) || caseBreak(text, i, prev, r)) {
				flush(i)
			}
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
		prev = r
	}
	flush(len(text))
	return out
}

// caseBreak reports whether a camel-case word boundary falls before r at i.
func caseBreak(text string, i int, prev, r rune) bool {
	if !unicode.IsUpper(r) {
		return false
	}
	if unicode.IsLower(prev) || unicode.IsDigit(prev) {
		return true
	}
	if unicode.IsUpper(prev) {
		next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
		return unicode.IsLower(next)
	}
	return false
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// cjkBigrams turns a CJK run into overlapping character bigrams (a single
// character stays a unigram), the usual indexing unit for unsegmented text.
func cjkBigrams(tok string, out []string) []string {
	rs := []rune(tok)
	if len(rs) == 1 {
		return append(out, tok)
	}
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// Terms turns text into index terms: stop words dropped, English words
// stemmed with Porter2, CJK runs split into bigrams.
func Terms(text string) []string {
	var out []string
	for _, w := range Words(text) {
		r, _ := utf8.DecodeRuneInString(w)
		if isCJK(r) {
			out = cjkBigrams(w, out)
			continue
		}
		if stopWords[w] {
			continue
		}
		out = append(out, Stem(w))
	}
	return out
}

// stopWords is a general English function-word list (in the spirit of the
// SMART and NLTK lists); it is not tuned to any catalog or query set.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be
because been before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how i if in into is
it its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves s t d ll m o re ve y
also may might must shall i'm let lets us please via etc`) {
		m[w] = true
	}
	return m
}()
