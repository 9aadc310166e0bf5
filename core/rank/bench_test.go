package rank

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// synth10k builds 10,000 tools from the dev catalogs (tools, distractors,
// metatool), re-using them under renamed servers as needed.
func synth10k(b testing.TB) []Tool {
	base := loadTools(b, "tools.json", "distractors.json", "metatool_tools.json")
	out := make([]Tool, 0, 10000)
	for copyN := 0; len(out) < 10000; copyN++ {
		for _, t := range base {
			if len(out) == 10000 {
				break
			}
			if copyN > 0 {
				t.Server = fmt.Sprintf("%s-%d", t.Server, copyN)
				t.ID = t.Server + "/" + t.Name
			}
			out = append(out, t)
		}
	}
	return out
}

func BenchmarkIndex10k(b *testing.B) {
	tools := synth10k(b)
	sharedVectors()
	b.ResetTimer()
	for b.Loop() {
		ix := New(Options{})
		ix.SetServers(tools)
	}
}

func BenchmarkSetServer10k(b *testing.B) {
	tools := synth10k(b)
	ix := New(Options{})
	ix.SetServers(tools)
	one := tools[:8]
	b.ResetTimer()
	for b.Loop() {
		ix.SetServer(one[0].Server, one)
	}
}

func benchQueries(b testing.TB) []string {
	var qs []string
	for _, q := range loadQueries(b, "metatool_queries.jsonl")[:400] {
		qs = append(qs, q.Query)
	}
	for _, q := range loadQueries(b, "tasks.jsonl") {
		qs = append(qs, q.Query)
	}
	return qs
}

func BenchmarkSearch10k(b *testing.B) {
	for _, strategy := range []string{StrategySemantic, StrategyKeyword, "semantic-nosplit"} {
		b.Run(strategy, func(b *testing.B) {
			ix := New(Options{})
			if strategy == "semantic-nosplit" { // the cost of multi-intent splitting
				strategy = StrategySemantic
				ix.p.split = splitOff
			}
			ix.SetServers(synth10k(b))
			qs := benchQueries(b)
			var lat []time.Duration
			i := 0
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				ix.Search(Query{Text: qs[i%len(qs)], TopK: 10, Strategy: strategy})
				lat = append(lat, time.Since(t0))
				i++
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

func BenchmarkDecodeAsset(b *testing.B) {
	for b.Loop() {
		decodeVectors(wordvecAsset, 0)
	}
}

// TestIndexMemory reports the heap held by a 10k-tool index (go test -v -run TestIndexMemory).
func TestIndexMemory(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	tools := synth10k(t)
	sharedVectors()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	ix := New(Options{})
	ix.SetServers(tools)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	t.Logf("10k-tool index: %.1f MiB heap (asset %.1f MiB embedded)", float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), float64(len(wordvecAsset))/(1<<20))
	runtime.KeepAlive(ix)
}
