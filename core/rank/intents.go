package rank

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Multi-intent queries. A task description such as "Analyze Apple's stock
// for the past year and summarize it in a PPT" needs several tools; a
// single bag-of-words ranking lets the strongest intent crowd out the
// others. When a query has several clauses, each clause is ranked on its
// own and the clause rankings are merged with the whole-query ranking.
// Short single-intent queries are ranked as before.

// Clause splitting modes (params.split).
const (
	splitOff       = iota
	splitSentences // sentence punctuation and line breaks
	splitClauses   // plus commas, colons and the coordinators and/then/also
	splitWindows   // sliding windows of content words
)

// coordinators start a new clause in splitClauses mode.
var coordinators = map[string]bool{"and": true, "then": true, "also": true, "plus": true}

// intents splits text into sub-queries, or returns nil when the query is
// single-intent (fewer than two clauses with at least p.minClause content
// words each, or fewer than p.minSplit content words overall).
func intents(text string, p params) []string {
	if p.split == splitOff {
		return nil
	}
	words := Words(text)
	content := 0
	for _, w := range words {
		if !stopWords[w] {
			content++
		}
	}
	if content < p.minSplit {
		return nil
	}
	if p.split == splitWindows {
		return windows(words, p.window)
	}
	var clauses []string
	var cur strings.Builder
	flush := func(last bool) {
		c := cur.String()
		switch {
		case countContent(c) >= p.minClause || (last && len(clauses) == 0):
			clauses = append(clauses, c)
		case last && strings.TrimSpace(c) != "":
			clauses[len(clauses)-1] += " " + c
		default:
			return // too short: keep accumulating into the next clause
		}
		cur.Reset()
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		next, _ := utf8.DecodeRuneInString(text[i+n:])
		end := i+n >= len(text) || unicode.IsSpace(next)
		if p.split == splitClauses && unicode.IsLetter(r) && (i == 0 || !isWordRune(text, i)) {
			j := i
			for j < len(text) {
				rr, nn := utf8.DecodeRuneInString(text[j:])
				if !unicode.IsLetter(rr) {
					break
				}
				j += nn
			}
			if coordinators[strings.ToLower(text[i:j])] {
				flush(false)
			}
			cur.WriteString(text[i:j])
			i = j
			continue
		}
		cur.WriteRune(r)
		i += n
		switch {
		case r == '\n' || (strings.ContainsRune(".!?;。！？；", r) && end):
			flush(false)
		case p.split == splitClauses && strings.ContainsRune(",:，：", r) && end:
			flush(false)
		}
	}
	flush(true)
	for p.maxClauses > 0 && len(clauses) > p.maxClauses {
		// merge the adjacent pair with the fewest content words
		bi, bn := 0, -1
		for i := 0; i+1 < len(clauses); i++ {
			if n := countContent(clauses[i]) + countContent(clauses[i+1]); bn < 0 || n < bn {
				bi, bn = i, n
			}
		}
		clauses[bi] += clauses[bi+1]
		clauses = slices.Delete(clauses, bi+1, bi+2)
	}
	if len(clauses) < 2 {
		return nil
	}
	return clauses
}

// isWordRune reports whether the rune before byte i is a letter or digit.
func isWordRune(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '\''
}

func countContent(s string) int {
	n := 0
	for _, w := range Words(s) {
		if !stopWords[w] {
			n++
		}
	}
	return n
}

// windows returns overlapping windows of size content words, stride size/2.
func windows(words []string, size int) []string {
	var content []string
	for _, w := range words {
		if !stopWords[w] {
			content = append(content, w)
		}
	}
	if size <= 0 || len(content) <= size {
		return nil
	}
	stride := max(size/2, 1)
	var out []string
	for s := 0; ; s += stride {
		e := min(s+size, len(content))
		out = append(out, strings.Join(content[s:e], " "))
		if e == len(content) {
			break
		}
	}
	return out
}

// fuseIntents ranks each sub-query, then merges the rankings with the
// whole-query ranking (sc already holds the whole query's channel scores).
func (s *snapshot) fuseIntents(ix *Index, sc *scratch, subs []string, w [nChannels]float32, visible func(int) bool, k int, threshold float64) []Hit {
	n := len(s.docs)
	sc.whole = resize(sc.whole, n)
	sc.acc = resize(sc.acc, n)
	sc.sub = resize(sc.sub, n)
	p := s.p
	cand := s.mix(sc, w, visible, sc.whole)
	cw := w // clause channel weights
	if !p.clauseVec {
		cw[chVec] = 0
	}
	if !p.clauseSoft {
		cw[chSoft] = 0
	}
	switch p.merge {
	case mergeRRF:
		s.addRRF(sc.acc, sc.whole, cand, p.rrfWhole, p.rrfK, p.rrfDepth)
	default:
		for _, i := range cand {
			sc.acc[i] = p.alpha * sc.whole[i]
		}
	}
	for _, sub := range subs {
		for c := range sc.ch {
			clear(sc.ch[c])
		}
		clear(sc.sub)
		s.score(ix, sub, cw, sc)
		cand := s.mix(sc, cw, visible, sc.sub)
		switch p.merge {
		case mergeRRF:
			s.addRRF(sc.acc, sc.sub, cand, 1, p.rrfK, p.rrfDepth)
		case mergeMax:
			for _, i := range cand {
				sc.acc[i] = max(sc.acc[i], p.alpha*sc.whole[i]+(1-p.alpha)*sc.sub[i])
			}
		}
	}
	var norm float32 = 1
	if p.merge == mergeRRF {
		norm = 1 / ((p.rrfWhole + float32(len(subs))) / (p.rrfK + 1))
	}
	top := topK{k: k}
	for i, v := range sc.acc {
		v *= norm
		if v > 0 && float64(v) >= threshold {
			top.push(v, int32(i))
		}
	}
	return top.hits(s)
}

const (
	mergeMax = iota // best of whole-query and clause scores
	mergeRRF        // reciprocal-rank fusion of the whole query and the clauses
)

// addRRF adds wt/(K+rank) for the top depth candidates of scores to acc.
func (s *snapshot) addRRF(acc, scores []float32, cand []int32, wt, K float32, depth int) {
	top := topK{k: depth}
	for _, i := range cand {
		if v := scores[i]; v > 0 {
			top.push(v, i)
		}
	}
	slices.SortFunc(top.h, func(a, b scored) int {
		if a.less(b) {
			return 1
		}
		if b.less(a) {
			return -1
		}
		return 0
	})
	for r, e := range top.h {
		acc[e.doc] += wt / (K + float32(r+1))
	}
}
