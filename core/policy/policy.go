package policy

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"

	"github.com/mcplex/mcplex/core/config"
)

// Identity is who is calling, as established by [Engine.Authenticate],
// [Local] or [Anonymous]; nothing in a request can set or change it. It never
// holds the API key.
type Identity struct {
	// ID is stable and not secret: "key:" + the first 8 hex digits of the
	// key's SHA-256, "local" or "anonymous". Use it in audit and metrics.
	ID string
	// Description is the [api_keys] description, "gateway.api_key",
	// "local stdio client" or "unauthenticated caller".
	Description string
	// Role is the [api_keys] role; "" for the [gateway] api_key, Local and Anonymous.
	Role string
	// Authenticated is true for a configured key and for Local.
	Authenticated bool
}

// Anonymous is the identity of an HTTP caller that presented no key. It is
// allowed only while no key is configured at all ([Engine.KeysConfigured]).
func Anonymous() Identity {
	return Identity{ID: "anonymous", Description: "unauthenticated caller"}
}

// Local is the identity of the client on the stdio front, which started the
// gateway itself and is trusted as the OS user. It has no role, so with RBAC
// enabled it is denied everything; a stdio client that needs a role presents
// a key to Authenticate instead. Never use Local for HTTP, not even on
// loopback: any local process or browser page can reach a loopback port.
func Local() Identity {
	return Identity{ID: "local", Description: "local stdio client", Authenticated: true}
}

// Action is what the caller wants to do with a [Target].
type Action string

// Actions, by MCP method.
const (
	ActionList      Action = "list"      // tools/list, mcplex_find_tools, mcplex_list_categories, prompts/list, resources/list, resources/templates/list
	ActionCall      Action = "call"      // tools/call, mcplex_call_tool
	ActionRead      Action = "read"      // resources/read
	ActionSubscribe Action = "subscribe" // resources/subscribe (unsubscribe needs no check)
	ActionGet       Action = "get"       // prompts/get
	ActionComplete  Action = "complete"  // completion/complete (Kind prompt or resource)
)

// Kind is the kind of item a [Target] names.
type Kind string

// Kinds.
const (
	KindTool     Kind = "tool"
	KindPrompt   Kind = "prompt"
	KindResource Kind = "resource"
)

// Target is one item of one upstream server.
type Target struct {
	Kind   Kind
	Server string // the configured server name
	// Name is the upstream's own tool or prompt name (not the exposed,
	// possibly prefixed one), or the resource URI or URI template.
	Name string
}

// String returns "tool github/create_issue", "prompt github/review" or
// "resource repo://x on server github".
func (t Target) String() string {
	if t.Kind == KindResource {
		return "resource " + t.Name + " on server " + t.Server
	}
	return string(t.Kind) + " " + t.Server + "/" + t.Name
}

// Decision is the outcome of [Engine.Decide]. Rule and Reason are for the
// audit log and `mcplex policy explain`, never for the client: a denied item
// must look exactly like an unknown one (security.md A5.2).
type Decision struct {
	Allow bool
	// Rule locates the rule that decided, e.g.
	// `servers[database].blocked_tools[1] "delete_*"`,
	// `roles.readonly.allowed_tools[0] "*/list_*"` or
	// `default: rbac enabled and no allowed_tools pattern matched`.
	Rule string
	// Reason is a short sentence about why that rule decided.
	Reason string
}

// Engine holds the compiled policy of one config. It is immutable and safe
// for concurrent use; a reload builds a new Engine. A nil *Engine denies
// everything and authenticates nobody.
type Engine struct {
	rbac    bool
	servers map[string]*serverRules
	roles   map[string]*roleRules
	keys    []keyEntry        // every configured key, by digest; see auth.go
	issued  map[string]string // identity ID -> role, for every configured key
}

type serverRules struct {
	blocked, allowedTools                      []rule
	allowedRoles                               []string
	blockedPath, allowedPath, allowedRolesPath string
	toolListsPath                              string   // for Explain
	allowedRoleRules                           []string // `servers[x].allowed_roles[i] "role"`
}

type roleRules struct {
	blocked, allowed         []rule
	blockedPath, allowedPath string
}

// rule is one compiled pattern with its locator.
type rule struct {
	g  glob
	id string // `servers[database].blocked_tools[1] "delete_*"`
	// Role patterns only. scoped: the pattern has a '/' and is matched
	// against "server/name"; otherwise against the name alone, on every
	// server. whole: it names every item of the servers srv matches (used
	// for resources).
	scoped, whole bool
	srv           glob
}

// New compiles the policy of cfg. It expects a validated config (see
// config.Validate) but checks again what a wrong decision would follow
// from: every pattern, duplicate server names, the form of every key, and
// keys that are listed twice or whose identity IDs collide. Errors never
// contain a key. New keeps no reference to cfg.
func New(cfg *config.Config) (*Engine, error) {
	if cfg == nil {
		return nil, errors.New("policy: nil config")
	}
	e := &Engine{
		rbac:    cfg.Security.EnableRBAC,
		servers: make(map[string]*serverRules, len(cfg.Servers)),
		roles:   make(map[string]*roleRules, len(cfg.Roles)),
		issued:  map[string]string{},
	}
	var errs []error
	for i := range cfg.Servers {
		errs = append(errs, e.addServer(&cfg.Servers[i])...)
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Roles)) {
		errs = append(errs, e.addRole(name, cfg.Roles[name])...)
	}
	errs = append(errs, e.addKeys(cfg)...)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return e, nil
}

func (e *Engine) addServer(s *config.Server) []error {
	path := "servers[" + s.Name + "]"
	if _, dup := e.servers[s.Name]; dup {
		return []error{fmt.Errorf("%s: duplicate server name", path)}
	}
	sr := &serverRules{
		allowedRoles:     slices.Clone(s.AllowedRoles),
		blockedPath:      path + ".blocked_tools",
		allowedPath:      path + ".allowed_tools",
		allowedRolesPath: path + ".allowed_roles",
		toolListsPath:    path + ".blocked_tools and .allowed_tools",
	}
	for i, r := range s.AllowedRoles {
		sr.allowedRoleRules = append(sr.allowedRoleRules, fmt.Sprintf("%s[%d] %s", sr.allowedRolesPath, i, strconv.Quote(r)))
	}
	var errs []error
	sr.blocked, errs = compileRules(sr.blockedPath, s.BlockedTools, false, errs)
	sr.allowedTools, errs = compileRules(sr.allowedPath, s.AllowedTools, false, errs)
	e.servers[s.Name] = sr
	return errs
}

func (e *Engine) addRole(name string, r config.Role) []error {
	path := "roles." + tomlKey(name)
	if name == "" {
		return []error{fmt.Errorf("%s: role name must not be empty", path)}
	}
	rr := &roleRules{blockedPath: path + ".blocked_tools", allowedPath: path + ".allowed_tools"}
	var errs []error
	rr.blocked, errs = compileRules(rr.blockedPath, r.BlockedTools, true, errs)
	rr.allowed, errs = compileRules(rr.allowedPath, r.AllowedTools, true, errs)
	e.roles[name] = rr
	return errs
}

// compileRules compiles patterns listed at path, appending failures to errs.
func compileRules(path string, patterns []string, role bool, errs []error) ([]rule, []error) {
	var out []rule
	for i, p := range patterns {
		id := fmt.Sprintf("%s[%d] %s", path, i, strconv.Quote(p))
		g, err := compileGlob(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
			continue
		}
		r := rule{g: g, id: id}
		if role {
			r.srv, r.scoped, r.whole = g.serverPart()
		}
		out = append(out, r)
	}
	return out, errs
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// tomlKey writes a table key as TOML would: bare if it can be, else quoted.
func tomlKey(k string) string {
	if bareKey.MatchString(k) {
		return k
	}
	return strconv.Quote(k)
}

// KeysConfigured reports whether the config has any API key ([gateway]
// api_key or [api_keys]). While it does, unauthenticated callers are denied.
func (e *Engine) KeysConfigured() bool { return e != nil && len(e.keys) > 0 }

// RBAC reports whether [security] enable_rbac is on.
func (e *Engine) RBAC() bool { return e != nil && e.rbac }
