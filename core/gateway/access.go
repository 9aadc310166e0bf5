package gateway

import (
	"errors"
	"strings"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/catalog"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Caller is who made a downstream request. Its identity comes only from
// the transport (the API key on HTTP, the local user on stdio): nothing in a
// request's parameters can change it.
type Caller struct {
	policy.Identity
	Session *mcp.ServerSession
	TraceID string // one per downstream request; correlates its audit records
}

// callerOf identifies who sent req.
func (g *Gateway) callerOf(req mcp.Request) *Caller {
	c := &Caller{TraceID: newTraceID()}
	if ss, ok := req.GetSession().(*mcp.ServerSession); ok {
		c.Session = ss
	}
	if extra := req.GetExtra(); extra != nil && extra.Header != nil {
		c.Identity = g.identify(extra.Header)
	} else {
		c.Identity = g.stdioIdentity()
	}
	return c
}

// stdioIdentity is who the stdio client is: the key given to ServeStdio's
// caller via UseStdioKey, else the local user (no role).
func (g *Gateway) stdioIdentity() policy.Identity {
	if key := g.stdioKey.Load(); key != nil {
		if id, ok := g.policy().Authenticate(*key); ok {
			return id
		}
		return policy.Anonymous() // the key was revoked by a reload
	}
	return policy.Local()
}

// UseStdioKey makes the stdio front act as the holder of key (so roles
// apply to a stdio client). It fails if no configured key matches.
func (g *Gateway) UseStdioKey(key string) error {
	if _, ok := g.policy().Authenticate(key); !ok {
		return errors.New("the API key given for the stdio client is not configured")
	}
	g.stdioKey.Store(&key)
	return nil
}

func (g *Gateway) policy() *policy.Engine { return g.pol.Load() }

// decide is the one policy decision of every path.
func (g *Gateway) decide(c *Caller, a policy.Action, t policy.Target) policy.Decision {
	return g.policy().Decide(c.Identity, a, t)
}

func (g *Gateway) may(c *Caller, a policy.Action, t policy.Target) bool {
	return g.decide(c, a, t).Allow
}

func toolTarget(t *catalog.Tool) policy.Target {
	return policy.Target{Kind: policy.KindTool, Server: t.Server, Name: t.Original}
}

func promptTarget(p *catalog.Prompt) policy.Target {
	return policy.Target{Kind: policy.KindPrompt, Server: p.Server, Name: p.Original}
}

func resourceTarget(server, uri string) policy.Target {
	return policy.Target{Kind: policy.KindResource, Server: server, Name: uri}
}

// toolIDTarget turns a canonical "server/tool" id into a policy target.
func toolIDTarget(id string) policy.Target {
	server, name, _ := strings.Cut(id, "/")
	return policy.Target{Kind: policy.KindTool, Server: server, Name: name}
}

// blocked records a denied request: audit (with the rule), metrics, event.
func (g *Gateway) blocked(c *Caller, kind audit.Kind, t policy.Target, d policy.Decision) {
	g.metricsBlocked(string(t.Kind))
	g.auditLog(audit.Event{
		Event: kind, ToolName: t.Server + "/" + t.Name, ServerName: t.Server,
		Identity: describe(c.Identity), Role: c.Role, Outcome: audit.OutcomeDenied,
		Rule: d.Rule, Reason: d.Reason, TraceID: c.TraceID,
	})
	g.publishBlocked(c, t, d)
}
