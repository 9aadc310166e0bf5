package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MaxNameLen is the longest exposed tool or prompt name.
const MaxNameLen = 64

// Server is one upstream's contribution, as last listed.
type Server struct {
	Name        string
	Title       string
	Description string
	Tools       []*mcp.Tool
	Prompts     []*mcp.Prompt
	Resources   []*mcp.Resource
	Templates   []*mcp.ResourceTemplate
}

// Tool is a tool as the gateway exposes it.
type Tool struct {
	ID       string    // canonical "server/name"
	Server   string    // owning upstream
	Original string    // the upstream's own name
	Exposed  *mcp.Tool // a copy whose Name is the exposed name
}

// Prompt is a prompt as the gateway exposes it.
type Prompt struct {
	ID       string
	Server   string
	Original string
	Exposed  *mcp.Prompt
}

// Catalog is the merged, exposed view of all servers. It is immutable.
type Catalog struct {
	Tools     []*Tool // in server order, then upstream order
	Prompts   []*Prompt
	Resources []*mcp.Resource
	Templates []*mcp.ResourceTemplate
	Servers   []*Server

	tools       map[string]*Tool   // by exposed name
	toolsByID   map[string]*Tool   // by canonical id
	prompts     map[string]*Prompt // by exposed name
	resourceOwn map[string]string  // URI -> server
	templateOwn []templateOwner
}

type templateOwner struct {
	prefix string
	server string
}

// Build merges servers (in config order) into a Catalog, exposing names with
// sep between server and name for collisions.
func Build(servers []*Server, sep string) *Catalog {
	c := &Catalog{
		Servers:     servers,
		tools:       map[string]*Tool{},
		toolsByID:   map[string]*Tool{},
		prompts:     map[string]*Prompt{},
		resourceOwn: map[string]string{},
	}
	c.buildTools(sep)
	c.buildPrompts(sep)
	c.buildResources()
	return c
}

func (c *Catalog) buildTools(sep string) {
	var items []item
	for _, s := range c.Servers {
		for _, t := range s.Tools {
			items = append(items, item{server: s.Name, name: t.Name})
		}
	}
	names := exposeNames(items, sep)
	i := 0
	for _, s := range c.Servers {
		seen := map[string]bool{}
		for _, t := range s.Tools {
			exposed := names[i]
			i++
			if seen[t.Name] { // duplicate within one upstream: first wins
				continue
			}
			seen[t.Name] = true
			cp := *t
			cp.Name = exposed
			ct := &Tool{ID: s.Name + "/" + t.Name, Server: s.Name, Original: t.Name, Exposed: &cp}
			c.Tools = append(c.Tools, ct)
			c.tools[exposed] = ct
			c.toolsByID[ct.ID] = ct
		}
	}
}

func (c *Catalog) buildPrompts(sep string) {
	var items []item
	for _, s := range c.Servers {
		for _, p := range s.Prompts {
			items = append(items, item{server: s.Name, name: p.Name})
		}
	}
	names := exposeNames(items, sep)
	i := 0
	for _, s := range c.Servers {
		seen := map[string]bool{}
		for _, p := range s.Prompts {
			exposed := names[i]
			i++
			if seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			cp := *p
			cp.Name = exposed
			cpr := &Prompt{ID: s.Name + "/" + p.Name, Server: s.Name, Original: p.Name, Exposed: &cp}
			c.Prompts = append(c.Prompts, cpr)
			c.prompts[exposed] = cpr
		}
	}
}

func (c *Catalog) buildResources() {
	seenTpl := map[string]bool{}
	for _, s := range c.Servers {
		for _, r := range s.Resources {
			if _, dup := c.resourceOwn[r.URI]; dup {
				continue
			}
			c.resourceOwn[r.URI] = s.Name
			c.Resources = append(c.Resources, r)
		}
		for _, t := range s.Templates {
			if seenTpl[t.URITemplate] {
				continue
			}
			seenTpl[t.URITemplate] = true
			c.Templates = append(c.Templates, t)
			c.templateOwn = append(c.templateOwn, templateOwner{prefix: TemplatePrefix(t.URITemplate), server: s.Name})
		}
	}
	// Longest literal prefix first, so the most specific template wins.
	sort.SliceStable(c.templateOwn, func(i, j int) bool {
		return len(c.templateOwn[i].prefix) > len(c.templateOwn[j].prefix)
	})
}

// Tool returns the tool exposed under name.
func (c *Catalog) Tool(name string) (*Tool, bool) {
	t, ok := c.tools[name]
	return t, ok
}

// ToolByID returns the tool with canonical id "server/name".
func (c *Catalog) ToolByID(id string) (*Tool, bool) {
	t, ok := c.toolsByID[id]
	return t, ok
}

// Prompt returns the prompt exposed under name.
func (c *Catalog) Prompt(name string) (*Prompt, bool) {
	p, ok := c.prompts[name]
	return p, ok
}

// ResourceOwner returns the server that serves uri: the owner of a listed
// resource, else of the template with the longest matching literal prefix.
func (c *Catalog) ResourceOwner(uri string) (string, bool) {
	if s, ok := c.resourceOwn[uri]; ok {
		return s, true
	}
	for _, t := range c.templateOwn {
		if t.prefix != "" && len(uri) >= len(t.prefix) && uri[:len(t.prefix)] == t.prefix {
			return t.server, true
		}
	}
	return "", false
}

// ServerNames lists the servers in config order.
func (c *Catalog) ServerNames() []string {
	out := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		out[i] = s.Name
	}
	return out
}

// Digest is a content hash of a tool definition (name, title, description,
// schemas, annotations, meta), used to detect changes.
func Digest(t *mcp.Tool) string {
	b, _ := json.Marshal(t) // a Tool always marshals: its fields are JSON values
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TemplatePrefix is the literal part of a URI template before its first
// variable: "db://tables/{name}" -> "db://tables/".
func TemplatePrefix(tpl string) string {
	for i, r := range tpl {
		if r == '{' {
			return tpl[:i]
		}
	}
	return tpl
}
