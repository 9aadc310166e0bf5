package rank

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The helpers below re-implement the routing benchmark's scorer (strict
// metrics) so the quality floors run inside `go test`.

type evalQuery struct {
	ID             string     `json:"id"`
	Query          string     `json:"query"`
	Expected       []string   `json:"expected"`
	ExpectedGroups [][]string `json:"expected_groups"`
}

type metrics struct {
	n, groupsN             int
	hit1, hit5, mrr, group float64
}

func (m metrics) String() string {
	g := "    - "
	if m.groupsN > 0 {
		g = fmt.Sprintf("%.3f", m.group/float64(m.groupsN))
	}
	n := float64(max(m.n, 1))
	return fmt.Sprintf("n=%4d hit@1=%.3f hit@5=%.3f MRR=%.3f grp@10=%s", m.n, m.hit1/n, m.hit5/n, m.mrr/n, g)
}

func (m metrics) Hit5() float64 { return m.hit5 / float64(max(m.n, 1)) }
func (m metrics) MRR() float64  { return m.mrr / float64(max(m.n, 1)) }
func (m metrics) Grp10() float64 {
	return m.group / float64(max(m.groupsN, 1))
}

func (m *metrics) add(q evalQuery, ranked []string) {
	m.n++
	pos := func(want []string) int {
		for i, r := range ranked {
			for _, w := range want {
				if r == w {
					return i + 1
				}
			}
		}
		return 0
	}
	if p := pos(q.Expected); p > 0 {
		m.mrr += 1 / float64(p)
		if p == 1 {
			m.hit1++
		}
		if p <= 5 {
			m.hit5++
		}
	}
	if len(q.ExpectedGroups) > 0 {
		top := ranked[:min(10, len(ranked))]
		covered := 0
		for _, g := range q.ExpectedGroups {
			for _, r := range top {
				if contains(g, r) {
					covered++
					break
				}
			}
		}
		m.groupsN++
		m.group += float64(covered) / float64(len(q.ExpectedGroups))
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// half splits queries deterministically by a hash of the id: "A" is the
// tuning half, "B" the check half.
func half(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	if h.Sum32()%2 == 0 {
		return "A"
	}
	return "B"
}

var (
	fileCache   = map[string][]Tool{}
	fileCacheMu sync.Mutex
)

func loadTools(t testing.TB, names ...string) []Tool {
	fileCacheMu.Lock()
	defer fileCacheMu.Unlock()
	var all []Tool
	for _, n := range names {
		if ts, ok := fileCache[n]; ok {
			all = append(all, ts...)
			continue
		}
		f, err := os.Open(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		ts, err := LoadCatalog(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		fileCache[n] = ts
		all = append(all, ts...)
	}
	return all
}

func loadQueries(t testing.TB, name string) []evalQuery {
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []evalQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q evalQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	return qs
}

// evaluate returns metrics for halves A, B and all.
func evaluate(ix *Index, qs []evalQuery, strategy string) (a, b, all metrics) {
	for _, q := range qs {
		var ranked []string
		for _, h := range ix.Search(Query{Text: q.Query, TopK: 20, Strategy: strategy}) {
			ranked = append(ranked, h.ID)
		}
		all.add(q, ranked)
		if half(q.ID) == "A" {
			a.add(q, ranked)
		} else {
			b.add(q, ranked)
		}
	}
	return a, b, all
}

type evalSet struct {
	name    string
	catalog []string
	queries string
}

var evalSets = []evalSet{
	{"metatool", []string{"metatool_tools.json"}, "metatool_queries.jsonl"},
	{"tasks", []string{"tools.json"}, "tasks.jsonl"},
	{"tasks+distr", []string{"tools.json", "distractors.json"}, "tasks.jsonl"},
}

// buildIndex indexes the named catalog files with parameters p.
func buildIndex(t testing.TB, p params, files ...string) *Index {
	ix := New(Options{})
	ix.p = p
	ix.SetServers(loadTools(t, files...))
	return ix
}
