package gateway

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/rank"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Meta-tool names, exposed in router mode "metatool".
const (
	FindTools      = "mcplex_find_tools"
	CallTool       = "mcplex_call_tool"
	ListCategories = "mcplex_list_categories"
)

func isMetaTool(name string) bool {
	return name == FindTools || name == CallTool || name == ListCategories
}

var (
	findSchema = json.RawMessage(`{"type":"object","properties":{` +
		`"query":{"type":"string","description":"What you want to do, in plain words (e.g. \"store a memory\", \"read a file\")."},` +
		`"top_k":{"type":"integer","minimum":1,"maximum":50,"description":"How many tools to return (default from the gateway config)."},` +
		`"server":{"type":"string","description":"Only search the tools of this server (see mcplex_list_categories)."}},` +
		`"required":["query"],"additionalProperties":false}`)
	callSchema = json.RawMessage(`{"type":"object","properties":{` +
		`"name":{"type":"string","description":"The tool name exactly as returned by mcplex_find_tools."},` +
		`"arguments":{"type":"object","description":"The tool's arguments, matching its inputSchema."}},` +
		`"required":["name"],"additionalProperties":false}`)
	categoriesSchema = json.RawMessage(`{"type":"object","properties":{},"additionalProperties":false}`)
)

// metaTools returns the three meta-tools, with descriptions generated from
// what the caller may see of the live catalog.
func (g *Gateway) metaTools(c *Caller) []*mcp.Tool {
	cat := g.Catalog()
	counts := map[string]int{}
	total := 0
	for _, t := range cat.Tools {
		if g.may(c, policy.ActionList, toolTarget(t)) {
			counts[t.Server]++
			total++
		}
	}
	var servers []string
	for _, s := range cat.Servers {
		if counts[s.Name] > 0 {
			servers = append(servers, s.Name)
		}
	}
	where := "no servers are connected yet"
	if len(servers) > 0 {
		where = fmt.Sprintf("%s on %s: %s", plural(total, "tool"), plural(len(servers), "server"), summarizeServers(servers, 12))
	}
	return []*mcp.Tool{
		{
			Name:  FindTools,
			Title: "Find tools",
			Description: "Search the tools behind this MCPlex gateway by intent and get the best matches with their full input schemas (" +
				where + "). Use it first whenever a task needs an external tool, then call the match with " + CallTool + ".",
			InputSchema: findSchema,
			Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
		},
		{
			Name:  CallTool,
			Title: "Call a tool",
			Description: "Call a tool found with " + FindTools + " by its exact name, with arguments matching its inputSchema. " +
				"The result is the tool's own result.",
			InputSchema: callSchema,
		},
		{
			Name:        ListCategories,
			Title:       "List tool categories",
			Description: "List the servers (tool categories) behind this gateway with their descriptions and tool counts (" + where + ").",
			InputSchema: categoriesSchema,
			Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
		},
	}
}

func summarizeServers(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
}

func (g *Gateway) callMetaTool(ctx context.Context, c *Caller, p *mcp.CallToolParamsRaw) (*mcp.CallToolResult, error) {
	switch p.Name {
	case FindTools:
		var in struct {
			Query  string `json:"query"`
			TopK   int    `json:"top_k"`
			Server string `json:"server"`
		}
		if err := decodeArgs(p.Arguments, &in); err != nil || strings.TrimSpace(in.Query) == "" {
			return nil, invalidArgs(FindTools, `"query" (a non-empty string) is required`)
		}
		return jsonResult(g.findTools(c, FindQuery{Query: in.Query, TopK: in.TopK, Server: in.Server}))
	case CallTool:
		var in struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		}
		if err := decodeArgs(p.Arguments, &in); err != nil || in.Name == "" {
			return nil, invalidArgs(CallTool, `"name" (a string) is required and "arguments" must be an object`)
		}
		if isMetaTool(in.Name) {
			return nil, unknownTool(in.Name)
		}
		return g.callTool(ctx, c, in.Name, in.Arguments, p.Meta)
	default:
		return jsonResult(g.categories(c))
	}
}

func decodeArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = json.RawMessage(`{}`)
	}
	return json.Unmarshal(raw, v)
}

func invalidArgs(tool, msg string) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: tool + ": " + msg}
}

func jsonResult(v any) (*mcp.CallToolResult, error) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: v}, nil
}

// Match is one result of mcplex_find_tools.
type Match struct {
	Name        string               `json:"name"`
	Server      string               `json:"server"`
	Title       string               `json:"title,omitempty"`
	Description string               `json:"description,omitempty"`
	InputSchema any                  `json:"inputSchema"`
	Annotations *mcp.ToolAnnotations `json:"annotations,omitempty"`
	Score       float64              `json:"score"`
}

type findResult struct {
	Query   string  `json:"query"`
	Matches []Match `json:"matches"`
	Hint    string  `json:"hint,omitempty"`
}

// FindQuery is one search of the catalog.
type FindQuery struct {
	Query    string
	TopK     int    // at most 50; 0 = [router] top_k
	Server   string // only this server's tools; "" = every server
	Strategy string // semantic, keyword or passthrough; "" = [router] strategy
}

// Find ranks the tools c may see for query; `mcplex route` uses it too.
func (g *Gateway) Find(c *Caller, query string, topK int, server string) []Match {
	return g.FindWith(c, FindQuery{Query: query, TopK: topK, Server: server})
}

// FindWith is Find with every option, including a strategy other than the
// configured one (the GUI playground compares them). q.Strategy must be one
// of the rank strategies or "".
func (g *Gateway) FindWith(c *Caller, q FindQuery) []Match {
	return g.findTools(c, q).Matches
}

func (g *Gateway) findTools(c *Caller, q FindQuery) findResult {
	rc := g.Config().Router
	topK := q.TopK
	if topK <= 0 {
		topK = rc.TopK
	}
	topK = min(topK, 50)
	cat := g.Catalog()
	hits := g.index().Search(rank.Query{
		Text: q.Query, TopK: topK, Strategy: cmp.Or(q.Strategy, rc.Strategy), Server: q.Server, Threshold: rc.SimilarityThreshold,
		Visible: func(id string) bool { return g.may(c, policy.ActionList, toolIDTarget(id)) },
	})
	res := findResult{Query: q.Query, Matches: []Match{}}
	for _, h := range hits {
		t, ok := cat.ToolByID(h.ID)
		if !ok {
			continue
		}
		e := t.Exposed
		res.Matches = append(res.Matches, Match{
			Name: e.Name, Server: t.Server, Title: e.Title, Description: e.Description,
			InputSchema: e.InputSchema, Annotations: e.Annotations, Score: roundScore(h.Score),
		})
	}
	if len(res.Matches) == 0 {
		res.Hint = "No tool matched. Try other words, or " + ListCategories + " to see what is available."
	}
	g.bus.Publish(events.Event{Kind: events.RouteQuery, Identity: describe(c.Identity), Message: q.Query,
		Fields: map[string]any{"matches": len(res.Matches)}})
	return res
}

func roundScore(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// Category is one server as mcplex_list_categories shows it.
type Category struct {
	Server      string `json:"server"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Tools       int    `json:"tools"`
}

func (g *Gateway) categories(c *Caller) map[string]any {
	cat := g.Catalog()
	counts := map[string]int{}
	for _, t := range cat.Tools {
		if g.may(c, policy.ActionList, toolTarget(t)) {
			counts[t.Server]++
		}
	}
	out := []Category{}
	for _, s := range cat.Servers {
		if counts[s.Name] > 0 {
			out = append(out, Category{Server: s.Name, Title: s.Title, Description: s.Description, Tools: counts[s.Name]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Server < out[j].Server })
	return map[string]any{"categories": out}
}

// syncIndex updates the ranker with the servers whose tools changed.
func syncIndex(ix *rank.Index, old, cur *catalog.Catalog) {
	prev := map[string]string{}
	if old != nil {
		for _, s := range old.Servers {
			prev[s.Name] = serverDigest(s)
		}
	}
	seen := map[string]bool{}
	for _, s := range cur.Servers {
		seen[s.Name] = true
		if d := serverDigest(s); prev[s.Name] != d || ix.Len() == 0 {
			ix.SetServer(s.Name, rankTools(s))
		}
	}
	for name := range prev {
		if !seen[name] {
			ix.RemoveServer(name)
		}
	}
}

func serverDigest(s *catalog.Server) string {
	var b strings.Builder
	b.WriteString(s.Title + "\x00" + s.Description)
	for _, t := range s.Tools {
		b.WriteString("\x00" + catalog.Digest(t))
	}
	return b.String()
}

func rankTools(s *catalog.Server) []rank.Tool {
	out := make([]rank.Tool, 0, len(s.Tools))
	for _, t := range s.Tools {
		schema, _ := json.Marshal(t.InputSchema)
		out = append(out, rank.Tool{
			ID: s.Name + "/" + t.Name, Server: s.Name, Name: t.Name, Title: t.Title,
			Description: t.Description, InputSchema: schema, ServerTitle: s.Title, ServerDescription: s.Description,
		})
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
