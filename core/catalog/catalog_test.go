package catalog

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func srv(name string, tools ...string) *Server {
	s := &Server{Name: name}
	for _, t := range tools {
		s.Tools = append(s.Tools, &mcp.Tool{Name: t, InputSchema: json.RawMessage(`{"type":"object"}`)})
	}
	return s
}

func exposed(c *Catalog) map[string]string {
	out := map[string]string{}
	for _, t := range c.Tools {
		out[t.Exposed.Name] = t.ID
	}
	return out
}

func TestExposedNames(t *testing.T) {
	long := strings.Repeat("x", 70)
	for _, tc := range []struct {
		name    string
		servers []*Server
		want    map[string]string // exposed -> canonical id
	}{
		{"unique names unchanged", []*Server{srv("a", "read"), srv("b", "write")},
			map[string]string{"read": "a/read", "write": "b/write"}},
		{"collisions prefixed", []*Server{srv("memory_a", "create", "only_a"), srv("memory_b", "create")},
			map[string]string{"memory_a__create": "memory_a/create", "memory_b__create": "memory_b/create", "only_a": "memory_a/only_a"}},
		{"duplicate within one server: first wins", []*Server{srv("a", "echo", "echo")},
			map[string]string{"echo": "a/echo"}},
		{"prefixed name clashing with a real one gets a hash", []*Server{srv("a", "x", "b__x"), srv("b", "x")},
			map[string]string{"a__x": "a/x", "b__x": "a/b__x", hashed("b__x", "b/x"): "b/x"}},
		{"long unique name shortened", []*Server{srv("a", long)},
			map[string]string{hashed(long, "a/"+long): "a/" + long}},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			c := Build(tc.servers, "__")
			if diff := cmp.Diff(tc.want, exposed(c)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for name, id := range tc.want {
				tl, ok := c.Tool(name)
				if !ok || tl.ID != id || len(name) > MaxNameLen {
					t.Errorf("%s: lookup %v %v (len %d)", name, tl, ok, len(name))
				}
				if byID, ok := c.ToolByID(id); !ok || byID != tl {
					t.Errorf("ToolByID(%s) disagrees", id)
				}
			}
		})
	}
}

func TestHashedNamesAreDeterministicAndShort(t *testing.T) {
	a := hashed(strings.Repeat("n", 100), "s/n")
	if a != hashed(strings.Repeat("n", 100), "s/n") || len(a) != MaxNameLen {
		t.Fatalf("hashed %q (len %d)", a, len(a))
	}
	if a == hashed(strings.Repeat("n", 100), "t/n") {
		t.Fatal("different ids gave the same shortened name")
	}
}

func TestResourceOwnership(t *testing.T) {
	a, b := srv("a"), srv("b")
	a.Resources = []*mcp.Resource{{URI: "file:///shared"}, {URI: "file:///a"}}
	b.Resources = []*mcp.Resource{{URI: "file:///shared"}}
	b.Templates = []*mcp.ResourceTemplate{{URITemplate: "db://tables/{name}"}}
	a.Templates = []*mcp.ResourceTemplate{{URITemplate: "db://{any}"}}
	c := Build([]*Server{a, b}, "__")
	for uri, want := range map[string]string{
		"file:///shared": "a", // listed first in the config
		"file:///a":      "a",
		"db://tables/x":  "b", // longest literal template prefix
		"db://other":     "a",
	} {
		if got, ok := c.ResourceOwner(uri); !ok || got != want {
			t.Errorf("owner of %s = %q, want %q", uri, got, want)
		}
	}
	if _, ok := c.ResourceOwner("nope://x"); ok {
		t.Error("unknown URI has an owner")
	}
	if len(c.Resources) != 2 {
		t.Errorf("resources %d, want the duplicate URI listed once", len(c.Resources))
	}
}

// FuzzExposeNames checks the naming invariants on arbitrary catalogs: every
// tool gets one exposed name, names are unique, at most 64 characters, and
// map back to the right canonical id.
func FuzzExposeNames(f *testing.F) {
	f.Add("a", "b", "x,y", "x,z")
	f.Add("memory_a", "memory_b", "create_entities,read_graph", "create_entities")
	f.Add("s", "t", strings.Repeat("q", 80), "b__x,"+strings.Repeat("q", 80))
	f.Fuzz(func(t *testing.T, s1, s2, tools1, tools2 string) {
		if s1 == "" || s2 == "" || s1 == s2 || strings.Contains(s1+s2, "__") {
			return
		}
		c := Build([]*Server{srv(s1, strings.Split(tools1, ",")...), srv(s2, strings.Split(tools2, ",")...)}, "__")
		seen := map[string]bool{}
		for _, tl := range c.Tools {
			n := tl.Exposed.Name
			if seen[n] || len(n) > MaxNameLen {
				t.Fatalf("exposed name %q duplicated or too long", n)
			}
			seen[n] = true
			if got, ok := c.Tool(n); !ok || got.ID != fmt.Sprintf("%s/%s", got.Server, got.Original) || got != tl {
				t.Fatalf("lookup of %q: %+v", n, got)
			}
		}
	})
}
