package gateway

import (
	"encoding/json"
	"sync"

	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/tokens"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TokenStats compares what tools/list costs an agent's context in each mode,
// measured with a real tokenizer on the JSON the gateway would send.
type TokenStats struct {
	Encoding         string `json:"encoding"`
	Tools            int    `json:"tools"`
	PassthroughBytes int    `json:"passthrough_bytes"`
	PassthroughTok   int    `json:"passthrough_tokens"`
	MetatoolBytes    int    `json:"metatool_bytes"`
	MetatoolTok      int    `json:"metatool_tokens"`
	SavedTok         int    `json:"saved_tokens"` // passthrough - metatool, per tools/list
}

// savingsCache keeps the stats of the last catalog: counting tokens of a
// large catalog takes milliseconds, and the catalog changes rarely.
type savingsCache struct {
	mu    sync.Mutex
	cat   *catalog.Catalog
	stats TokenStats
}

// TokenStats measures the current catalog as seen by c.
func (g *Gateway) TokenStats(c *Caller) TokenStats {
	cat := g.Catalog()
	anonymous := c == nil || c.Role == ""
	if anonymous {
		g.savings.mu.Lock()
		defer g.savings.mu.Unlock()
		if g.savings.cat == cat {
			return g.savings.stats
		}
	}
	if c == nil {
		c = &Caller{}
	}
	visible := g.visibleTools(c)
	full, _ := json.Marshal(&mcp.ListToolsResult{Tools: visible})
	meta, _ := json.Marshal(&mcp.ListToolsResult{Tools: g.metaTools(c)})
	st := TokenStats{
		Encoding: tokens.Encoding, Tools: len(visible),
		PassthroughBytes: len(full), PassthroughTok: tokens.Count(string(full)),
		MetatoolBytes: len(meta), MetatoolTok: tokens.Count(string(meta)),
	}
	st.SavedTok = max(st.PassthroughTok-st.MetatoolTok, 0)
	if anonymous {
		g.savings.cat, g.savings.stats = cat, st
	}
	return st
}

// cachedTokenStats returns the anonymous caller's stats if already measured.
func (g *Gateway) cachedTokenStats() (TokenStats, bool) {
	g.savings.mu.Lock()
	defer g.savings.mu.Unlock()
	return g.savings.stats, g.savings.cat != nil && g.savings.cat == g.Catalog()
}
