package rank

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// catalogTool is one entry of a catalog file (the format of the routing
// benchmark's tools.json; unknown fields are ignored).
type catalogTool struct {
	Server            string          `json:"server"`
	Name              string          `json:"name"`
	Title             string          `json:"title"`
	Description       string          `json:"description"`
	InputSchema       json.RawMessage `json:"inputSchema"`
	ServerTitle       string          `json:"server_title"`
	ServerDescription string          `json:"server_description"`
}

// LoadCatalog reads a JSON array of tools in catalog order. A tool's ID is
// "server/name".
func LoadCatalog(r io.Reader) ([]Tool, error) {
	var raw []catalogTool
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("decoding catalog: %w", err)
	}
	tools := make([]Tool, 0, len(raw))
	for _, c := range raw {
		tools = append(tools, Tool{
			ID: c.Server + "/" + c.Name, Server: c.Server, Name: c.Name, Title: c.Title,
			Description: c.Description, InputSchema: c.InputSchema,
			ServerTitle: c.ServerTitle, ServerDescription: c.ServerDescription,
		})
	}
	return tools, nil
}

// RunBatch ranks every query of queriesPath (JSONL, objects with "id" and
// "query") against the catalog at catalogPath and writes one line per query
// to w: {"id": "...", "ranked": ["server/name", ...]}, best first, at most
// topK ids (no threshold). catalogPath may list several files separated by
// commas; they are indexed together.
func RunBatch(catalogPath, queriesPath string, topK int, strategy string, w io.Writer) error {
	ix := New(Options{Strategy: strategy, NoVectors: strategy == StrategyKeyword || strategy == StrategyPassthrough})
	for _, p := range strings.Split(catalogPath, ",") {
		if err := indexFile(ix, p); err != nil {
			return err
		}
	}
	qf, err := os.Open(queriesPath)
	if err != nil {
		return err
	}
	defer qf.Close()
	sc := bufio.NewScanner(qf)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for line := 1; sc.Scan(); line++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var q struct {
			ID    string `json:"id"`
			Query string `json:"query"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return fmt.Errorf("%s:%d: %w", queriesPath, line, err)
		}
		ranked := []string{}
		for _, h := range ix.Search(Query{Text: q.Query, TopK: topK}) {
			ranked = append(ranked, h.ID)
		}
		if err := enc.Encode(struct {
			ID     string   `json:"id"`
			Ranked []string `json:"ranked"`
		}{q.ID, ranked}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", queriesPath, err)
	}
	return bw.Flush()
}

func indexFile(ix *Index, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tools, err := LoadCatalog(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ix.SetServers(tools)
	return nil
}
