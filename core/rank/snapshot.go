package rank

import "math"

// params are the general (catalog-independent) ranking constants. They were
// tuned on one half of the development queries and checked on the other; no
// parameter is keyed to a word, tool or query.
type params struct {
	fieldW [nFields]float32 // BM25F field weights
	fieldB [nFields]float32 // BM25F length normalization per field
	k1     float32
	vecW   [nFields]float32 // dense channel field weights
	chanW  [nChannels]float32
	center bool // subtract the catalog mean from dense vectors
	// soft channel: each query word matches a tool through its best term,
	// itself (similarity 1) or a stored neighbour with similarity >= minSim,
	// weighted by similarity^simPow.
	minSim, simPow float32
	nbrs           int // neighbours used per query word
	// multi-intent queries (intents.go)
	split        int     // clause splitting mode
	splitKeyword bool    // also split for the keyword strategy
	minSplit     int     // content words a query needs before it is split
	minClause    int     // content words a clause needs (shorter ones merge)
	window       int     // window size for splitWindows
	maxClauses   int     // adjacent clauses are merged down to this many
	clauseVec    bool    // score clauses with the dense channel too
	clauseSoft   bool    // score clauses with the soft channel too
	merge        int     // mergeMax or mergeRRF
	alpha        float32 // mergeMax: weight of the whole-query score
	rrfWhole     float32 // mergeRRF: weight of the whole-query ranking
	rrfK         float32 // mergeRRF: rank offset
	rrfDepth     int     // mergeRRF: ranks used per list
}

const (
	chLex = iota
	chGram
	chVec
	chSoft
	nChannels
)

var defaultParams = params{
	fieldW: [nFields]float32{fName: 3, fTitle: 2, fDesc: 1, fParams: 0.5, fServer: 1, fServerDesc: 0.5},
	fieldB: [nFields]float32{fName: 0.5, fTitle: 0.5, fDesc: 0.75, fParams: 0.75, fServer: 0.5, fServerDesc: 0.75},
	k1:     1.2,
	vecW:   [nFields]float32{fName: 1, fTitle: 0.5, fDesc: 1, fParams: 0.25, fServer: 0.25, fServerDesc: 0.25},
	chanW:  [nChannels]float32{chLex: 1, chGram: 0.5, chVec: 1, chSoft: 1},
	center: true,
	minSim: 0.5, simPow: 2, nbrs: 16,
	split: splitSentences, minSplit: 10, minClause: 2, window: 6, maxClauses: 3, clauseVec: false, clauseSoft: false,
	merge: mergeMax, alpha: 0.6, rrfWhole: 1, rrfK: 10, rrfDepth: 50,
}

type posting struct {
	doc int32
	w   float32
}

// snapshot is an immutable, query-ready view of the catalog.
type snapshot struct {
	docs    []*doc
	dict    map[string]int32
	post    [][]posting // by term id: saturated BM25F tf
	idf     []float32
	grams   map[string][]posting // n-gram -> tf-idf weight / doc norm
	gramIdf map[string]float32
	dim     int
	vecs    []float32 // len(docs) x dim, unit length (zero row = no vector)
	mean    []float32
	p       params
}

func buildSnapshot(docs []*doc, dict map[string]int32, dim int, p params) *snapshot {
	s := &snapshot{docs: docs, dict: dict, dim: dim, p: p}
	s.buildLexical()
	s.buildGrams()
	if dim > 0 {
		s.buildVectors()
	}
	return s
}

func (s *snapshot) buildLexical() {
	s.post = make([][]posting, len(s.dict))
	s.idf = make([]float32, len(s.dict))
	var avg [nFields]float32
	for _, d := range s.docs {
		for f := range nFields {
			avg[f] += float32(d.fieldLen[f])
		}
	}
	n := float32(max(len(s.docs), 1))
	for f := range avg {
		avg[f] = max(avg[f]/n, 1)
	}
	acc := map[int32]float32{}
	for i, d := range s.docs {
		clear(acc)
		for _, ft := range d.terms {
			f := ft.field
			norm := 1 - s.p.fieldB[f] + s.p.fieldB[f]*float32(d.fieldLen[f])/avg[f]
			acc[ft.term] += s.p.fieldW[f] * float32(ft.tf) / norm
		}
		for t, tf := range acc {
			s.post[t] = append(s.post[t], posting{int32(i), tf * (s.p.k1 + 1) / (tf + s.p.k1)})
		}
	}
	for t, ps := range s.post {
		df := float64(len(ps))
		s.idf[t] = float32(math.Log(1 + (float64(len(s.docs))-df+0.5)/(df+0.5)))
	}
}

func (s *snapshot) buildGrams() {
	s.grams = map[string][]posting{}
	s.gramIdf = map[string]float32{}
	df := map[string]int{}
	for _, d := range s.docs {
		for g := range d.grams {
			df[g]++
		}
	}
	n := float64(len(s.docs))
	for g, c := range df {
		s.gramIdf[g] = float32(math.Log(1 + n/float64(c)))
	}
	for i, d := range s.docs {
		var norm float32
		for g, c := range d.grams {
			w := gramTF(c) * s.gramIdf[g]
			norm += w * w
		}
		norm = float32(math.Sqrt(float64(norm)))
		for g, c := range d.grams {
			s.grams[g] = append(s.grams[g], posting{int32(i), gramTF(c) * s.gramIdf[g] / norm})
		}
	}
}

func gramTF(c float32) float32 { return 1 + float32(math.Log(float64(c))) }

func (s *snapshot) buildVectors() {
	dim := s.dim
	s.vecs = make([]float32, len(s.docs)*dim)
	s.mean = make([]float32, dim)
	have := 0
	for i, d := range s.docs {
		v := s.vecs[i*dim : (i+1)*dim]
		for f := range nFields {
			if fv := d.fieldVecs[f]; fv != nil && s.p.vecW[f] > 0 {
				axpy(v, fv, s.p.vecW[f]/norm(fv))
			}
		}
		if normalize(v) {
			axpy(s.mean, v, 1)
			have++
		}
	}
	if !s.p.center || have == 0 {
		clear(s.mean)
		return
	}
	for j := range s.mean {
		s.mean[j] /= float32(have)
	}
	for i := range s.docs {
		v := s.vecs[i*dim : (i+1)*dim]
		if norm(v) > 0 {
			axpy(v, s.mean, -1)
			normalize(v)
		}
	}
}

func axpy(dst, x []float32, a float32) {
	for i := range dst {
		dst[i] += a * x[i]
	}
}

func norm(v []float32) float32 {
	var s float32
	for _, x := range v {
		s += x * x
	}
	return float32(math.Sqrt(float64(s)))
}

// normalize scales v to unit length; it reports false for a zero vector.
func normalize(v []float32) bool {
	n := norm(v)
	if n == 0 {
		return false
	}
	for i := range v {
		v[i] /= n
	}
	return true
}

func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}
