package rank

// This file implements the Porter2 ("English Snowball") stemmer as published
// by Martin Porter (snowballstem.org/algorithms/english/stemmer.html). It works
// on lower-case ASCII words; anything else is returned unchanged.

var stemExceptions = map[string]string{
	"skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
	"idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
	"singly": "singl", "sky": "sky", "news": "news", "howe": "howe",
	"atlas": "atlas", "cosmos": "cosmos", "bias": "bias", "andes": "andes",
}

var stemPost1a = map[string]bool{
	"inning": true, "outing": true, "canning": true, "herring": true,
	"earring": true, "proceed": true, "exceed": true, "succeed": true,
}

// Stem returns the Porter2 stem of a lower-case English word.
func Stem(w string) string {
	if len(w) <= 2 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < 'a' || c > 'z') && c != '\'' {
			return w
		}
	}
	if s, ok := stemExceptions[w]; ok {
		return s
	}
	s := &stemmer{b: []byte(w)}
	return s.run()
}

type stemmer struct {
	b      []byte
	r1, r2 int
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

func (s *stemmer) run() string {
	if s.b[0] == '\'' {
		s.b = s.b[1:]
	}
	s.markY()
	s.regions()
	s.step0()
	s.step1a()
	if stemPost1a[string(s.b)] {
		return string(s.b)
	}
	s.step1b()
	s.step1c()
	s.step2()
	s.step3()
	s.step4()
	s.step5()
	for i, c := range s.b {
		if c == 'Y' {
			s.b[i] = 'y'
		}
	}
	return string(s.b)
}

func (s *stemmer) markY() {
	for i, c := range s.b {
		if c == 'y' && (i == 0 || isVowel(s.b[i-1])) {
			s.b[i] = 'Y'
		}
	}
}

func (s *stemmer) regions() {
	b := s.b
	s.r1 = len(b)
	w := string(b)
	switch {
	case hasPrefix(w, "gener"), hasPrefix(w, "arsen"):
		s.r1 = 5
	case hasPrefix(w, "commun"):
		s.r1 = 6
	default:
		s.r1 = regionAfter(b, 0)
	}
	s.r2 = regionAfter(b, s.r1)
}

// regionAfter returns the index after the first non-vowel that follows a
// vowel, searching from start.
func regionAfter(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		if !isVowel(b[i]) && isVowel(b[i-1]) {
			return i + 1
		}
	}
	return len(b)
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func (s *stemmer) ends(suf string) bool {
	n := len(s.b) - len(suf)
	return n >= 0 && string(s.b[n:]) == suf
}

// setSuffix replaces the suffix of length n with rep.
func (s *stemmer) setSuffix(n int, rep string) {
	s.b = append(s.b[:len(s.b)-n], rep...)
}

func (s *stemmer) hasVowelBefore(end int) bool {
	for i := 0; i < end; i++ {
		if isVowel(s.b[i]) {
			return true
		}
	}
	return false
}

// shortSyllableAt reports whether the word ends (at index end) in a short syllable.
func (s *stemmer) endsShortSyllable(end int) bool {
	b := s.b[:end]
	n := len(b)
	if n == 2 {
		return isVowel(b[0]) && !isVowel(b[1])
	}
	if n < 3 {
		return false
	}
	c := b[n-1]
	return !isVowel(b[n-3]) && isVowel(b[n-2]) && !isVowel(c) && c != 'w' && c != 'x' && c != 'Y'
}

func (s *stemmer) isShort() bool {
	return s.r1 >= len(s.b) && s.endsShortSyllable(len(s.b))
}

func (s *stemmer) step0() {
	for _, suf := range []string{"'s'", "'s", "'"} {
		if s.ends(suf) {
			s.setSuffix(len(suf), "")
			return
		}
	}
}

func (s *stemmer) step1a() {
	switch {
	case s.ends("sses"):
		s.setSuffix(4, "ss")
	case s.ends("ied"), s.ends("ies"):
		if len(s.b) > 4 {
			s.setSuffix(3, "i")
		} else {
			s.setSuffix(3, "ie")
		}
	case s.ends("us"), s.ends("ss"):
	case s.ends("s"):
		if s.hasVowelBefore(len(s.b) - 2) {
			s.setSuffix(1, "")
		}
	}
}

func (s *stemmer) step1b() {
	for _, suf := range []string{"eedly", "eed"} {
		if s.ends(suf) {
			if len(s.b)-len(suf) >= s.r1 {
				s.setSuffix(len(suf), "ee")
			}
			return
		}
	}
	for _, suf := range []string{"ingly", "edly", "ing", "ed"} {
		if !s.ends(suf) {
			continue
		}
		if !s.hasVowelBefore(len(s.b) - len(suf)) {
			return
		}
		s.setSuffix(len(suf), "")
		switch {
		case s.ends("at"), s.ends("bl"), s.ends("iz"):
			s.b = append(s.b, 'e')
		case s.endsDouble():
			s.b = s.b[:len(s.b)-1]
		case s.isShort():
			s.b = append(s.b, 'e')
		}
		return
	}
}

func (s *stemmer) endsDouble() bool {
	for _, d := range []string{"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"} {
		if s.ends(d) {
			return true
		}
	}
	return false
}

func (s *stemmer) step1c() {
	n := len(s.b)
	if n > 2 && (s.b[n-1] == 'y' || s.b[n-1] == 'Y') && !isVowel(s.b[n-2]) {
		s.b[n-1] = 'i'
	}
}

type rule struct{ suf, rep string }

var step2Rules = []rule{
	{"ization", "ize"}, {"ational", "ate"}, {"fulness", "ful"}, {"ousness", "ous"},
	{"iveness", "ive"}, {"tional", "tion"}, {"biliti", "ble"}, {"lessli", "less"},
	{"entli", "ent"}, {"ation", "ate"}, {"alism", "al"}, {"aliti", "al"}, {"ousli", "ous"},
	{"iviti", "ive"}, {"fulli", "ful"}, {"enci", "ence"}, {"anci", "ance"}, {"abli", "able"},
	{"izer", "ize"}, {"ator", "ate"}, {"alli", "al"}, {"bli", "ble"}, {"ogi", "og"}, {"li", ""},
}

func (s *stemmer) step2() {
	for _, r := range step2Rules {
		if !s.ends(r.suf) {
			continue
		}
		start := len(s.b) - len(r.suf)
		if start < s.r1 {
			return
		}
		switch r.suf {
		case "ogi":
			if start == 0 || s.b[start-1] != 'l' {
				return
			}
		case "li":
			if start == 0 || !validLi(s.b[start-1]) {
				return
			}
		}
		s.setSuffix(len(r.suf), r.rep)
		return
	}
}

func validLi(c byte) bool {
	switch c {
	case 'c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't':
		return true
	}
	return false
}

var step3Rules = []rule{
	{"ational", "ate"}, {"tional", "tion"}, {"alize", "al"}, {"icate", "ic"},
	{"iciti", "ic"}, {"ative", ""}, {"ical", "ic"}, {"ness", ""}, {"ful", ""},
}

func (s *stemmer) step3() {
	for _, r := range step3Rules {
		if !s.ends(r.suf) {
			continue
		}
		start := len(s.b) - len(r.suf)
		if start < s.r1 || (r.suf == "ative" && start < s.r2) {
			return
		}
		s.setSuffix(len(r.suf), r.rep)
		return
	}
}

var step4Suffixes = []string{
	"ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate",
	"iti", "ous", "ive", "ize", "ion", "al", "er", "ic",
}

func (s *stemmer) step4() {
	for _, suf := range step4Suffixes {
		if !s.ends(suf) {
			continue
		}
		start := len(s.b) - len(suf)
		if start < s.r2 {
			return
		}
		if suf == "ion" && (start == 0 || (s.b[start-1] != 's' && s.b[start-1] != 't')) {
			return
		}
		s.setSuffix(len(suf), "")
		return
	}
}

func (s *stemmer) step5() {
	n := len(s.b)
	switch s.b[n-1] {
	case 'e':
		if n-1 >= s.r2 || (n-1 >= s.r1 && !s.endsShortSyllable(n-1)) {
			s.b = s.b[:n-1]
		}
	case 'l':
		if n-1 >= s.r2 && n >= 2 && s.b[n-2] == 'l' {
			s.b = s.b[:n-1]
		}
	}
}
