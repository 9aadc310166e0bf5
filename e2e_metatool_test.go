//go:build linux

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestE2EMetatool: router mode metatool with real npm servers, driven by the
// official TypeScript SDK client. tools/list shows only the three meta-tools;
// mcplex_find_tools finds a tool on each server (colliding names included),
// and mcplex_call_tool calls it, one of them streaming progress.
func TestE2EMetatool(t *testing.T) {
	ne := needNode(t)
	fleet := newFleet(t, ne, "plan.txt", "metatool plan\n")
	note := fleet.file
	cfg := gatewayConfig("", fleet.upstreams...)
	cfg = strings.Replace(cfg, `mode = "passthrough"`, "mode = \"metatool\"\nstrategy = \"semantic\"", 1)
	g := startGateway(t, cfg)
	g.waitHealthy(30 * time.Second)

	steps := runTS(t, ne, g.url, "metatool",
		"--find", "echo a message back", "echo", `{"message":"via meta"}`,
		"--find", "create entities in the knowledge graph memory", "memory_a__create_entities",
		`{"entities":[{"name":"carol","entityType":"person","observations":["meta"]}]}`,
		"--find", "search nodes in the knowledge graph", "memory_b__search_nodes", `{"query":"carol"}`,
		"--find", "read the contents of a text file", "read_text_file", fmt.Sprintf(`{"path":%q}`, note),
		"--find-progress", "long running operation with progress", longTool, `{"duration":2,"steps":4}`,
	)
	if s := findStep(t, steps, "call read_text_file"); !strings.Contains(fmt.Sprint(s["text"]), "metatool plan") {
		t.Errorf("read_text_file through mcplex_call_tool: %v", s)
	}
	if s := findStep(t, steps, "call memory_b__search_nodes"); strings.Contains(fmt.Sprint(s["text"]), "carol") {
		t.Errorf("memory_b sees memory_a's entity: %v", s)
	}
	if s := findStep(t, steps, "call "+longTool); s.num("progress_count") < 2 {
		t.Errorf("progress through mcplex_call_tool: %v", s)
	}
}
