package rank

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"unicode/utf8"
)

// Strategies accepted by Query.Strategy and Options.Strategy.
const (
	StrategySemantic    = "semantic"    // hybrid: BM25F + character n-grams + word vectors
	StrategyKeyword     = "keyword"     // BM25F only, no model
	StrategyPassthrough = "passthrough" // no ranking: catalog order
)

// maxQueryWords bounds the work per query: words past it are ignored.
const maxQueryWords = 300

// Query is one search request.
type Query struct {
	Text      string
	TopK      int     // max hits; <= 0 means 10
	Strategy  string  // "" = the index default
	Server    string  // if set, only this server's tools
	Threshold float64 // drop hits scoring below it (0..1 scale, see Hit)
	// Visible, if non-nil, is asked about each candidate; tools it rejects
	// are never returned and do not influence the scores of others.
	Visible func(id string) bool
}

// Hit is one ranked tool. Score is in [0, 1]: a weighted mix of each
// channel's score divided by that channel's best score among the tools the
// caller may see, so the best tool of a query scores close to 1 and a tool
// with no lexical, n-gram or semantic affinity scores 0. Passthrough hits
// all score 1.
type Hit struct {
	ID    string
	Score float64
}

// Search ranks the visible tools for q. It never blocks writers and is safe
// for concurrent use.
func (ix *Index) Search(q Query) []Hit {
	s := ix.snap.Load()
	strategy := cmp.Or(q.Strategy, ix.opts.Strategy, StrategySemantic)
	k := q.TopK
	if k <= 0 {
		k = 10
	}
	visible := func(i int) bool {
		d := s.docs[i]
		return (q.Server == "" || d.server == q.Server) && (q.Visible == nil || q.Visible(d.id))
	}
	if strategy == StrategyPassthrough {
		var hits []Hit
		for i := range s.docs {
			if len(hits) < k && visible(i) {
				hits = append(hits, Hit{ID: s.docs[i].id, Score: 1})
			}
		}
		return hits
	}
	w := s.p.chanW
	if strategy == StrategyKeyword {
		w = [nChannels]float32{chLex: 1}
	}
	if ix.vecs == nil {
		w[chVec] = 0
	}

	sc := getScratch(len(s.docs))
	defer putScratch(sc)
	s.score(ix, q.Text, w, sc)
	var subs []string
	if strategy == StrategySemantic || s.p.splitKeyword {
		subs = intents(q.Text, s.p)
	}
	if len(subs) < 2 {
		return s.fuse(sc, w, visible, k, q.Threshold)
	}
	return s.fuseIntents(ix, sc, subs, w, visible, k, q.Threshold)
}

type scratch struct {
	ch    [nChannels][]float32
	tmp   []float32
	cand  []int32
	whole []float32 // fused score of the whole query (multi-intent only)
	acc   []float32 // merged score (multi-intent only)
	sub   []float32 // fused score of one clause
}

var scratchPool sync.Pool

func getScratch(n int) *scratch {
	sc, _ := scratchPool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	for c := range sc.ch {
		sc.ch[c] = resize(sc.ch[c], n)
	}
	return sc
}

func putScratch(sc *scratch) { scratchPool.Put(sc) }

func resize(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// score fills one raw score slice per channel with non-zero weight.
func (s *snapshot) score(ix *Index, text string, w [nChannels]float32, sc *scratch) {
	words := Words(text)
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	if w[chLex] > 0 {
		s.scoreLex(words, sc.ch[chLex])
	}
	if w[chGram] > 0 {
		s.scoreGrams(words, sc.ch[chGram])
	}
	if w[chVec] > 0 && s.dim > 0 {
		s.scoreVec(ix.vecs, words, sc.ch[chVec])
	}
	if w[chSoft] > 0 && s.dim > 0 {
		sc.tmp = resize(sc.tmp, len(s.docs))
		s.scoreSoft(ix.vecs, words, sc.ch[chSoft], sc.tmp)
	}
}

// scoreSoft is BM25F with soft term matching: every query word counts once
// per tool, through the best of its own stem and the stems of its nearest
// neighbours in the word-vector space (similarity^simPow as the weight).
// Query words without a vector match exactly only.
func (s *snapshot) scoreSoft(wv *wordVectors, words []string, out, best []float32) {
	var touched []int32
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if isCJK(r) || stopWords[w] {
			continue
		}
		touched = touched[:0]
		for _, c := range s.expand(wv, w) {
			wt := s.idf[c.term] * c.w
			for _, p := range s.post[c.term] {
				v := wt * p.w
				if best[p.doc] == 0 {
					touched = append(touched, p.doc)
				}
				best[p.doc] = max(best[p.doc], v)
			}
		}
		for _, d := range touched {
			out[d] += best[d]
			best[d] = 0
		}
	}
}

type softTerm struct {
	term int32
	w    float32
}

// expand returns the catalog terms a query word can match, with weights.
func (s *snapshot) expand(wv *wordVectors, w string) []softTerm {
	var out []softTerm
	add := func(stem string, wt float32) {
		id, ok := s.dict[stem]
		if !ok {
			return
		}
		for i := range out {
			if out[i].term == id {
				out[i].w = max(out[i].w, wt)
				return
			}
		}
		out = append(out, softTerm{id, wt})
	}
	add(Stem(w), 1)
	row := wv.lookup(w)
	if row < 0 {
		return out
	}
	for j := 0; j < min(s.p.nbrs, wv.k); j++ {
		nb, sim, ok := wv.neighbour(row, j)
		if sim < s.p.minSim {
			break
		}
		if !ok {
			continue
		}
		if n := wv.list[nb]; !stopWords[n] {
			add(Stem(n), float32(math.Pow(float64(sim), float64(s.p.simPow))))
		}
	}
	return out
}

func (s *snapshot) scoreLex(words []string, out []float32) {
	qtf := map[int32]float32{}
	for _, t := range queryTerms(words) {
		if id, ok := s.dict[t]; ok {
			qtf[id]++
		}
	}
	for t, c := range qtf {
		wt := s.idf[t] * c
		for _, p := range s.post[t] {
			out[p.doc] += wt * p.w
		}
	}
}

func queryTerms(words []string) []string {
	var out []string
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if isCJK(r) {
			out = cjkBigrams(w, out)
		} else if !stopWords[w] {
			out = append(out, Stem(w))
		}
	}
	return out
}

func (s *snapshot) scoreGrams(words []string, out []float32) {
	q := map[string]float32{}
	addGrams(q, words)
	for g, c := range q {
		idf, ok := s.gramIdf[g]
		if !ok {
			continue
		}
		wt := gramTF(c) * idf
		for _, p := range s.grams[g] {
			out[p.doc] += wt * p.w
		}
	}
}

func (s *snapshot) scoreVec(wv *wordVectors, words []string, out []float32) {
	if q := embedWords(wv, words); q != nil {
		s.scoreDense(q, s.vecs, s.mean, s.dim, out)
	}
}

// scoreDense writes the positive cosines between q (modified) and the rows
// of vecs into out.
func (s *snapshot) scoreDense(q, vecs, mean []float32, dim int, out []float32) {
	if !normalize(q) {
		return
	}
	if s.p.center {
		axpy(q, mean, -1)
		if !normalize(q) {
			return
		}
	}
	for i := range s.docs {
		if c := dot(q, vecs[i*dim:(i+1)*dim]); c > 0 {
			out[i] = c
		}
	}
}

// fuse normalizes each channel by its best visible score, mixes them and
// returns the top k above threshold.
func (s *snapshot) fuse(sc *scratch, w [nChannels]float32, visible func(int) bool, k int, threshold float64) []Hit {
	sc.tmp = resize(sc.tmp, len(s.docs))
	cand := s.mix(sc, w, visible, sc.tmp)
	top := topK{k: k}
	for _, i := range cand {
		if v := sc.tmp[i]; v > 0 && float64(v) >= threshold {
			top.push(v, i)
		}
	}
	return top.hits(s)
}

// mix writes into out the weighted mix of the channel scores, each divided
// by its best score among the visible candidates, and returns the
// candidates (visible tools with a non-zero score in some channel).
func (s *snapshot) mix(sc *scratch, w [nChannels]float32, visible func(int) bool, out []float32) []int32 {
	var best [nChannels]float32
	var on []int // channels with weight
	for c := range nChannels {
		if w[c] > 0 {
			on = append(on, c)
		}
	}
	cand := sc.cand[:0]
	for i := range s.docs {
		any := false
		for _, c := range on {
			if v := sc.ch[c][i]; v > 0 {
				any = true
				best[c] = max(best[c], v)
			}
		}
		if any {
			cand = append(cand, int32(i))
		}
	}
	// best is over all candidates so far; recompute it over visible ones
	// only when a filter rejects someone.
	n := 0
	filtered := false
	for _, i := range cand {
		if visible(int(i)) {
			cand[n] = i
			n++
		} else {
			filtered = true
		}
	}
	cand = cand[:n]
	sc.cand = cand
	if filtered {
		best = [nChannels]float32{}
		for _, i := range cand {
			for _, c := range on {
				best[c] = max(best[c], sc.ch[c][i])
			}
		}
	}
	var wsum float32
	var scale [nChannels]float32
	for _, c := range on {
		if best[c] > 0 {
			wsum += w[c]
		}
	}
	for _, c := range on {
		if best[c] > 0 {
			scale[c] = w[c] / wsum / best[c]
		}
	}
	for _, i := range cand {
		var v float32
		for _, c := range on {
			v += scale[c] * sc.ch[c][i]
		}
		out[i] = v
	}
	return cand
}

// topK keeps the k best (score, doc) pairs in a min-heap; ties go to the
// earlier catalog position so results are deterministic.
type topK struct {
	k int
	h []scored
}

type scored struct {
	v   float32
	doc int32
}

func (a scored) less(b scored) bool { return a.v < b.v || (a.v == b.v && a.doc > b.doc) }

func (t *topK) push(v float32, doc int32) {
	e := scored{v, doc}
	if len(t.h) < t.k {
		t.h = append(t.h, e)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.h[i].less(t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if !t.h[0].less(e) {
		return
	}
	t.h[0] = e
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(t.h) && t.h[l].less(t.h[m]) {
			m = l
		}
		if r < len(t.h) && t.h[r].less(t.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
}

func (t *topK) hits(s *snapshot) []Hit {
	slices.SortFunc(t.h, func(a, b scored) int {
		if a.less(b) {
			return 1
		}
		if b.less(a) {
			return -1
		}
		return 0
	})
	hits := make([]Hit, len(t.h))
	for i, e := range t.h {
		hits[i] = Hit{ID: s.docs[e.doc].id, Score: float64(e.v)}
	}
	return hits
}
