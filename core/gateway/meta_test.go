package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mcplex/mcplex/core/config"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func metaFixture(t *testing.T, opts *Options, edit ...func(*config.Config)) func(*mcp.ClientOptions, ...string) *mcp.ClientSession {
	mem, files := newFake("memory"), newFake("files")
	mem.addEcho("create_entities")
	mem.addEcho("search_nodes")
	files.addEcho("read_file")
	files.addEcho("search_nodes") // collides with memory's
	_, connect := newTestGateway(t, "metatool", []*fakeServer{mem, files}, opts, edit...)
	return connect
}

func findNames(t *testing.T, cs *mcp.ClientSession, args map[string]any) []string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: FindTools, Arguments: args})
	if err != nil || res.IsError {
		t.Fatalf("find: %v %+v", err, res)
	}
	var out findResult
	if err := json.Unmarshal([]byte(res.Content[0].(*mcp.TextContent).Text), &out); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range out.Matches {
		if m.InputSchema == nil || m.Server == "" {
			t.Errorf("match %s lacks schema or server", m.Name)
		}
		names = append(names, m.Name)
	}
	return names
}

func TestMetatoolModeListsThreeToolsWithLiveDescriptions(t *testing.T) {
	cs := metaFixture(t, nil)(nil)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
		if tl.Description == "" {
			t.Errorf("%s has no description", tl.Name)
		}
	}
	if diff := cmp.Diff([]string{FindTools, CallTool, ListCategories}, names); diff != "" {
		t.Fatal(diff)
	}
	if d := res.Tools[0].Description; !strings.Contains(d, "4 tools on 2 servers: memory, files") {
		t.Errorf("find description not generated from the catalog: %q", d)
	}
}

func TestFindThenCallThroughMetaTools(t *testing.T) {
	cs := metaFixture(t, nil)(nil)
	names := findNames(t, cs, map[string]any{"query": "read a file", "top_k": 2})
	if len(names) == 0 || names[0] != "read_file" {
		t.Fatalf("find ranked %v, want read_file first", names)
	}
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: CallTool, Arguments: map[string]any{
		"name": "files__search_nodes", "arguments": map[string]any{"text": "q"},
	}})
	if err != nil || res.Content[0].(*mcp.TextContent).Text != "files:search_nodes:q" {
		t.Fatalf("call_tool: %v %+v", err, res)
	}
	// A direct tools/call of a real tool takes the same path.
	if got := callText(t, cs, "memory__search_nodes", map[string]any{"text": "d"}); got != "memory:search_nodes:d" {
		t.Errorf("direct call answered %q", got)
	}
	if got := findNames(t, cs, map[string]any{"query": "search", "server": "files"}); !slices.Equal(got, []string{"files__search_nodes"}) && !slices.Contains(got, "files__search_nodes") {
		t.Errorf("server filter: %v", got)
	}
}

func TestBlockedToolIsHiddenEverywhere(t *testing.T) {
	cs := metaFixture(t, nil, func(c *config.Config) {
		c.Servers[0].BlockedTools = []string{"create_entities"}
	})(nil)
	if names := findNames(t, cs, map[string]any{"query": "create entities", "top_k": 10}); slices.Contains(names, "create_entities") {
		t.Errorf("find shows a hidden tool: %v", names)
	}
	for _, via := range []struct {
		name string
		args map[string]any
	}{
		{CallTool, map[string]any{"name": "create_entities", "arguments": map[string]any{}}},
		{"create_entities", map[string]any{}},
	} {
		_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: via.name, Arguments: via.args})
		var wire *jsonrpc.Error
		if !errors.As(err, &wire) || wire.Message != `unknown tool "create_entities"` {
			t.Errorf("via %s: got %v, want the unknown-tool error", via.name, err)
		}
	}
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: ListCategories, Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Content[0].(*mcp.TextContent).Text; !strings.Contains(text, `"tools": 1`) {
		t.Errorf("categories count hidden tools: %s", text)
	}
}

func TestNewestProtocolClientCanCall(t *testing.T) {
	a := newFake("alpha")
	a.addEcho("echo")
	_, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil, "2026-07-28")
	if got := callText(t, cs, "echo", map[string]any{"text": "v"}); got != "alpha:echo:v" {
		t.Errorf("got %q", got)
	}
}

func TestLegacyModeFiltersByQuery(t *testing.T) {
	mem, files := newFake("memory"), newFake("files")
	mem.addEcho("create_entities")
	files.addEcho("read_file")
	files.addEcho("write_file")
	_, connect := newTestGateway(t, "legacy", []*fakeServer{mem, files}, nil)
	cs := connect(nil)
	all, err := cs.ListTools(context.Background(), nil)
	if err != nil || len(all.Tools) != 3 {
		t.Fatalf("unfiltered list: %v %d tools", err, len(all.Tools))
	}
	res, err := cs.ListTools(context.Background(), &mcp.ListToolsParams{Meta: mcp.Meta{"_mcplex_query": "read a file"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) == 0 || res.Tools[0].Name != "read_file" {
		t.Fatalf("legacy query ranked %v first", res.Tools)
	}
}

func TestLiftLegacyQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_mcplex_query":"files"}}`,
			`{"id":1,"jsonrpc":"2.0","method":"tools/list","params":{"_meta":{"_mcplex_query":"files"}}}`},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"k":1},"_mcplex_query":"x"}}`,
			`{"id":1,"jsonrpc":"2.0","method":"tools/list","params":{"_meta":{"_mcplex_query":"x","k":1}}}`},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"_mcplex_query"}}`,
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"_mcplex_query"}}`},
	} {
		if got := string(liftLegacyQuery([]byte(tc.in))); got != tc.want {
			t.Errorf("lift(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestTokenStatsMeasureBothModes(t *testing.T) {
	a := newFake("alpha")
	for i := 0; i < 30; i++ {
		a.addEcho(fmt.Sprintf("tool_number_%d", i))
	}
	g, _ := newTestGateway(t, "metatool", []*fakeServer{a}, nil)
	st := g.TokenStats(nil)
	if st.Tools != 30 || st.PassthroughTok <= st.MetatoolTok || st.MetatoolTok < 50 {
		t.Fatalf("implausible stats: %+v", st)
	}
	if st.SavedTok != st.PassthroughTok-st.MetatoolTok {
		t.Errorf("saved %d != %d - %d", st.SavedTok, st.PassthroughTok, st.MetatoolTok)
	}
	a.addEcho("one_more")
	waitFor(t, func() bool { return g.TokenStats(nil).Tools == 31 })
	if g.TokenStats(nil).PassthroughTok <= st.PassthroughTok {
		t.Error("stats did not grow with the catalog")
	}
}
