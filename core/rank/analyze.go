package rank

import (
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"
)

// Fields of a tool, weighted separately by BM25F and by the dense channel.
const (
	fName = iota
	fTitle
	fDesc
	fParams
	fServer // server name and title
	fServerDesc
	nFields
)

// doc is one analyzed tool. It is immutable once built and shared between
// snapshots, so re-publishing never re-analyzes or re-embeds it.
type doc struct {
	id, server string
	terms      []fieldTerm // distinct (field, term) pairs with counts
	fieldLen   [nFields]int
	grams      map[string]float32 // char n-gram -> count
	fieldVecs  [nFields][]float32 // unit-free weighted sums of word vectors (nil = no known words)
}

type fieldTerm struct {
	term  int32
	field uint8
	tf    uint16
}

func (t Tool) fieldTexts() [nFields]string {
	var f [nFields]string
	f[fName] = t.Name
	f[fTitle] = t.Title
	f[fDesc] = t.Description
	f[fParams] = schemaText(t.InputSchema)
	f[fServer] = t.Server + " " + t.ServerTitle
	f[fServerDesc] = t.ServerDescription
	return f
}

// analyze tokenizes, stems and embeds one tool. Called with ix.mu held.
func (ix *Index) analyze(t Tool) *doc {
	d := &doc{id: t.ID, server: t.Server, grams: map[string]float32{}}
	texts := t.fieldTexts()
	counts := map[[2]int32]int{}
	for f, text := range texts {
		words := Words(text)
		terms := ix.termsOf(words)
		d.fieldLen[f] = len(terms)
		for _, term := range terms {
			id, ok := ix.dict[term]
			if !ok {
				id = int32(len(ix.dict))
				ix.dict[term] = id
			}
			counts[[2]int32{int32(f), id}]++
		}
		if f == fName || f == fTitle || f == fDesc || f == fServer {
			addGrams(d.grams, words)
		}
		if ix.vecs != nil {
			d.fieldVecs[f] = embedWords(ix.vecs, words)
		}
	}
	for k, c := range counts {
		d.terms = append(d.terms, fieldTerm{term: k[1], field: uint8(k[0]), tf: uint16(min(c, math.MaxUint16))})
	}
	return d
}

// termsOf is Terms with a stem cache (ix.mu held).
func (ix *Index) termsOf(words []string) []string {
	var out []string
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if isCJK(r) {
			out = cjkBigrams(w, out)
			continue
		}
		if stopWords[w] {
			continue
		}
		s, ok := ix.stems[w]
		if !ok {
			s = Stem(w)
			ix.stems[w] = s
		}
		out = append(out, s)
	}
	return out
}

// embedWords returns the SIF-weighted sum of the vectors of the known,
// non-stop words, divided by the total weight (nil if none is known).
func embedWords(wv *wordVectors, words []string) []float32 {
	var v []float32
	var total float32
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		row := wv.lookup(w)
		if row < 0 {
			continue
		}
		if v == nil {
			v = make([]float32, wv.dim)
		}
		wt := sif(row)
		wv.addTo(v, row, wt)
		total += wt
	}
	if v != nil {
		for i := range v {
			v[i] /= total
		}
	}
	return v
}

// addGrams adds the character trigrams of each word, padded with '_' at
// both ends so short words and word starts count ("pdf" -> _pd pdf df_).
// CJK runs contribute their character bigrams instead.
func addGrams(m map[string]float32, words []string) {
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if isCJK(r) {
			for _, g := range cjkBigrams(w, nil) {
				m[g]++
			}
			continue
		}
		rs := []rune("_" + w + "_")
		for i := 0; i+3 <= len(rs); i++ {
			m[string(rs[i:i+3])]++
		}
	}
}

// schemaText flattens the property names and descriptions of a JSON Schema
// (nested objects and array items included) into one string.
func schemaText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s any
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	var b strings.Builder
	walkSchema(s, &b, 0)
	return b.String()
}

func walkSchema(s any, b *strings.Builder, depth int) {
	m, ok := s.(map[string]any)
	if !ok || depth > 6 {
		return
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for name, p := range props {
			b.WriteString(name)
			b.WriteString(". ")
			if pm, ok := p.(map[string]any); ok {
				if d, ok := pm["description"].(string); ok {
					b.WriteString(d)
					b.WriteString(" ")
				}
			}
			walkSchema(p, b, depth+1)
		}
	}
	if items, ok := m["items"]; ok {
		walkSchema(items, b, depth+1)
	}
}
