package rank

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReport prints the per-split table for each strategy and each channel
// alone. Run with RANK_REPORT=1 go test -run TestReport -v ./core/rank.
func TestReport(t *testing.T) {
	if os.Getenv("RANK_REPORT") == "" {
		t.Skip("set RANK_REPORT=1")
	}
	type cfg struct {
		name, strategy string
		w              [nChannels]float32
		split          bool // multi-intent splitting on (the default)
	}
	d := defaultParams.chanW
	cfgs := []cfg{
		{"semantic", StrategySemantic, d, true},
		{"keyword", StrategyKeyword, d, true},
		{"semantic, no split", StrategySemantic, d, false},
		{"lexical only", StrategySemantic, [nChannels]float32{chLex: 1}, false},
		{"ngram only", StrategySemantic, [nChannels]float32{chGram: 1}, false},
		{"vector only", StrategySemantic, [nChannels]float32{chVec: 1}, false},
		{"soft only", StrategySemantic, [nChannels]float32{chSoft: 1}, false},
		{"semantic - soft", StrategySemantic, withW(d, chSoft, 0), true},
		{"semantic - ngram", StrategySemantic, withW(d, chGram, 0), true},
		{"semantic - vector", StrategySemantic, withW(d, chVec, 0), true},
		{"semantic - lexical", StrategySemantic, withW(d, chLex, 0), true},
	}
	if os.Getenv("RANK_REPORT") == "short" {
		cfgs = cfgs[:1]
	}
	for _, es := range evalSets {
		qs := loadQueries(t, es.queries)
		for _, c := range cfgs {
			p := defaultParams
			p.chanW = c.w
			if !c.split {
				p.split = splitOff
			}
			ix := buildIndex(t, p, es.catalog...)
			a, b, all := evaluate(ix, qs, c.strategy)
			t.Logf("%-12s %-18s A: %s | B: %s | all: %s", es.name, c.name, a, b, all)
		}
	}
}

func withW(w [nChannels]float32, c int, v float32) [nChannels]float32 {
	w[c] = v
	return w
}

// TestWriteRanks writes rank files for the official scorer:
// RANK_OUT=/tmp/ranks go test -run TestWriteRanks ./core/rank
func TestWriteRanks(t *testing.T) {
	dir := os.Getenv("RANK_OUT")
	if dir == "" {
		t.Skip("set RANK_OUT=dir")
	}
	os.MkdirAll(dir, 0o755)
	for _, strategy := range []string{StrategySemantic, StrategyKeyword, StrategyPassthrough} {
		for _, es := range evalSets {
			var cat []string
			for _, c := range es.catalog {
				cat = append(cat, "testdata/"+c)
			}
			f, err := os.Create(dir + "/" + es.name + "." + strategy + ".jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if err := RunBatch(strings.Join(cat, ","), "testdata/"+es.queries, 20, strategy, f); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
}

// TestThresholdCut reports how many true hits in the top 10 a threshold of
// 0.3 would drop.
func TestThresholdCut(t *testing.T) {
	if os.Getenv("RANK_REPORT") == "" {
		t.Skip("set RANK_REPORT=1")
	}
	for _, es := range evalSets {
		ix := buildIndex(t, defaultParams, es.catalog...)
		var hits, cut int
		var topScores []float64
		for _, q := range loadQueries(t, es.queries) {
			want := q.Expected
			for _, g := range q.ExpectedGroups {
				want = append(want, g...)
			}
			res := ix.Search(Query{Text: q.Query, TopK: 10})
			if len(res) > 0 {
				topScores = append(topScores, res[0].Score)
			}
			for _, h := range res {
				if contains(want, h.ID) {
					hits++
					if h.Score < 0.3 {
						cut++
					}
				}
			}
		}
		slices.Sort(topScores)
		t.Logf("%-12s true hits in top 10: %d, below 0.3: %d (%.1f%%); median top score %.2f", es.name, hits, cut, 100*float64(cut)/float64(max(hits, 1)), topScores[len(topScores)/2])
	}
}
