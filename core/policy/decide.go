package policy

// Rules that are not a configured pattern. Decision.Rule is one of these or
// a locator such as `servers[x].blocked_tools[0] "p"`.
const (
	RuleNoEngine       = "policy: no engine"
	RuleBadRequest     = "request: unknown action or kind, or the action does not apply to the kind"
	RuleEmptyTarget    = "request: empty server or name"
	RuleUnknownServer  = "request: server is not configured"
	RuleNeedsKey       = "identity: api keys are configured and the caller is not authenticated"
	RuleRoleWithoutKey = "identity: an unauthenticated caller cannot have a role"
	RuleNotIssued      = "identity: not issued by this policy"
	RuleStaleRole      = "identity: role differs from the configured one"
	RuleRBACNoRole     = "default: rbac enabled and the caller has no role"
	RuleRBACUnknown    = "default: rbac enabled and the role is not defined"
	RuleRBACNoMatch    = "default: rbac enabled and no allowed_tools pattern matched"
	RuleRBACNoServer   = "default: rbac enabled and no allowed_tools pattern covers the whole server"
	RuleDefaultAllow   = "default: rbac disabled and no rule denies"
)

// Decide is the one authorization decision of the gateway: may id perform a
// on t? It is pure, allocation-free and safe for concurrent use; see the
// package documentation for the order of the rules. Deny results carry the
// rule that denied, allow results the rule that allowed.
//
// id must come from this Engine's Authenticate, or be Local or Anonymous: an
// authenticated identity whose ID this engine did not issue (a key removed
// by a reload) or whose Role differs from the configured one is denied, so
// an Identity kept across a reload cannot keep its old rights.
func (e *Engine) Decide(id Identity, a Action, t Target) Decision {
	if e == nil {
		return deny(RuleNoEngine, "no policy is loaded")
	}
	if d, ok := e.checkRequest(a, t); !ok {
		return d
	}
	if d, ok := e.checkIdentity(id); !ok {
		return d
	}
	return e.evaluate(id.Role, t, nil)
}

func allow(rule, reason string) Decision { return Decision{Allow: true, Rule: rule, Reason: reason} }
func deny(rule, reason string) Decision  { return Decision{Rule: rule, Reason: reason} }

// applies reports whether a is a valid action on an item of kind k.
func applies(a Action, k Kind) bool {
	switch a {
	case ActionList:
		return k == KindTool || k == KindPrompt || k == KindResource
	case ActionCall:
		return k == KindTool
	case ActionRead, ActionSubscribe:
		return k == KindResource
	case ActionGet:
		return k == KindPrompt
	case ActionComplete:
		return k == KindPrompt || k == KindResource
	}
	return false
}

func (e *Engine) checkRequest(a Action, t Target) (Decision, bool) {
	switch {
	case !applies(a, t.Kind):
		return deny(RuleBadRequest, "the request is not one the policy knows"), false
	case t.Server == "" || t.Name == "":
		return deny(RuleEmptyTarget, "the target has no server or no name"), false
	case e.servers[t.Server] == nil:
		return deny(RuleUnknownServer, "the target's server is not in the config"), false
	}
	return Decision{}, true
}

func (e *Engine) checkIdentity(id Identity) (Decision, bool) {
	switch {
	case !id.Authenticated && id.Role != "":
		return deny(RuleRoleWithoutKey, "a role comes only from an API key"), false
	case !id.Authenticated && e.KeysConfigured():
		return deny(RuleNeedsKey, "the caller presented no valid API key"), false
	case !id.Authenticated:
		return Decision{}, true
	case id.ID == "local":
		if id.Role != "" {
			return deny(RuleRoleWithoutKey, "a role comes only from an API key"), false
		}
		return Decision{}, true
	}
	role, ok := e.issued[id.ID]
	if !ok {
		return deny(RuleNotIssued, "the identity's key is not configured (removed by a reload?)"), false
	}
	if role != id.Role {
		return deny(RuleStaleRole, "the identity was issued before its key's role changed"), false
	}
	return Decision{}, true
}

// evaluate applies the rules to a request already checked by checkRequest.
// tr records every step when non-nil (Explain); Decide passes nil, and then
// nothing is formatted or allocated.
func (e *Engine) evaluate(role string, t Target, tr *tracer) Decision {
	s := e.servers[t.Server]
	var r *roleRules
	if role != "" {
		r = e.roles[role]
	}
	if t.Kind == KindResource {
		return e.evalResource(s, role, r, t, tr)
	}
	// 1. Per-server blocked_tools, on the item's own name.
	for i := range s.blocked {
		if d, done := s.blocked[i].block(false, t, tr, "blocked by the server's blocked_tools"); done {
			return d
		}
	}
	tr.skipIf(len(s.blocked) == 0, s.blockedPath, "not set")
	// 2. Per-server allowed_roles.
	if d, done := checkAllowedRoles(s, role, tr); done {
		return d
	}
	// 3. The role's blocked_tools (also with RBAC off).
	if d, done := roleBlocked(r, role, t, tr, false); done {
		return d
	}
	// 4. Per-server allowed_tools, on the item's own name.
	allowRule, d, denied := serverAllowed(s, t, tr)
	if denied {
		return d
	}
	// 5. With RBAC, the role's allowed_tools must match; default deny.
	if e.rbac {
		return roleAllowed(r, role, t, tr, false)
	}
	tr.add(outSkip, "security.enable_rbac", "false: no allowed_tools pattern is required", "")
	if allowRule != "" {
		tr.add(outAllow, allowRule, "rbac disabled and the server's allowed_tools matched", "")
		return allow(allowRule, "matched the server's allowed_tools; rbac is disabled")
	}
	tr.add(outAllow, RuleDefaultAllow, "", "")
	return allow(RuleDefaultAllow, "rbac is disabled and no rule denies")
}

// serverAllowed applies a server's allowed_tools: the matching rule, or a
// denial when the list is set and nothing matches.
func serverAllowed(s *serverRules, t Target, tr *tracer) (allowRule string, d Decision, denied bool) {
	if len(s.allowedTools) == 0 {
		tr.add(outSkip, s.allowedPath, "not set", "")
		return "", Decision{}, false
	}
	for i := range s.allowedTools {
		rl := &s.allowedTools[i]
		if rl.g.match(true, t.Name) {
			tr.addMatch(outMatch, rl, t, "matches")
			return rl.id, Decision{}, false
		}
		tr.addMatch(outNoMatch, rl, t, "does not match")
	}
	tr.add(outDeny, s.allowedPath, "no pattern matches name", t.Name)
	return "", deny(s.allowedPath, "not in the server's allowed_tools"), true
}

// evalResource applies the server-level rules to a resource: the server's
// allowed_roles, then role patterns that name every item of the server
// ("github/*", "*"). Per-server tool lists do not apply to URIs.
func (e *Engine) evalResource(s *serverRules, role string, r *roleRules, t Target, tr *tracer) Decision {
	tr.add(outSkip, s.toolListsPath, "tool name lists do not apply to resources", "")
	if d, done := checkAllowedRoles(s, role, tr); done {
		return d
	}
	if d, done := roleBlocked(r, role, t, tr, true); done {
		return d
	}
	if e.rbac {
		return roleAllowed(r, role, t, tr, true)
	}
	tr.add(outSkip, "security.enable_rbac", "false: no allowed_tools pattern is required", "")
	tr.add(outAllow, RuleDefaultAllow, "", "")
	return allow(RuleDefaultAllow, "rbac is disabled and no rule denies")
}

func checkAllowedRoles(s *serverRules, role string, tr *tracer) (Decision, bool) {
	if len(s.allowedRoles) == 0 {
		tr.add(outSkip, s.allowedRolesPath, "not set", "")
		return Decision{}, false
	}
	for i, ar := range s.allowedRoles {
		if role != "" && ar == role {
			tr.add(outMatch, s.allowedRoleRules[i], "lists the caller's role", "")
			return Decision{}, false
		}
	}
	if role == "" {
		tr.add(outDeny, s.allowedRolesPath, "the caller has no role", "")
	} else {
		tr.add(outDeny, s.allowedRolesPath, "does not list role", role)
	}
	return deny(s.allowedRolesPath, "the caller's role is not in the server's allowed_roles"), true
}

func roleBlocked(r *roleRules, role string, t Target, tr *tracer, resource bool) (Decision, bool) {
	if r == nil {
		tr.noRole(role)
		return Decision{}, false
	}
	for i := range r.blocked {
		rl := &r.blocked[i]
		if resource {
			if d, done := rl.blockServer(t, tr); done {
				return d, true
			}
			continue
		}
		if d, done := rl.block(true, t, tr, "blocked by the role's blocked_tools"); done {
			return d, true
		}
	}
	tr.skipIf(len(r.blocked) == 0, r.blockedPath, "not set")
	return Decision{}, false
}

func roleAllowed(r *roleRules, role string, t Target, tr *tracer, resource bool) Decision {
	switch {
	case role == "":
		tr.add(outDeny, RuleRBACNoRole, "", "")
		return deny(RuleRBACNoRole, "rbac is enabled and the caller has no role")
	case r == nil:
		tr.add(outDeny, RuleRBACUnknown, "role", role)
		return deny(RuleRBACUnknown, "rbac is enabled and the caller's role is not defined")
	}
	for i := range r.allowed {
		rl := &r.allowed[i]
		if resource {
			if rl.coversServer(t.Server) {
				tr.add(outAllow, rl.id, "names every item of server", t.Server)
				return allow(rl.id, "the role's allowed_tools covers the whole server")
			}
			tr.add(outNoMatch, rl.id, "does not name every item of server", t.Server)
			continue
		}
		if rl.matchRole(true, t) {
			tr.addMatch(outAllow, rl, t, "matches")
			return allow(rl.id, "allowed by the role's allowed_tools")
		}
		tr.addMatch(outNoMatch, rl, t, "does not match")
	}
	if resource {
		tr.needWholeServer(t.Server)
		return deny(RuleRBACNoServer, "no allowed_tools pattern names every item of the server")
	}
	tr.add(outDeny, RuleRBACNoMatch, "", "")
	return deny(RuleRBACNoMatch, "rbac is enabled and no allowed_tools pattern of the role matched")
}

// block is one blocked_tools pattern applied to a tool or prompt. Blocked
// patterns let '*' and '?' match '/' too (slashStops false): an unusual name
// can only lose access, never escape a block.
func (rl *rule) block(role bool, t Target, tr *tracer, reason string) (Decision, bool) {
	matched := false
	if role {
		matched = rl.matchRole(false, t)
	} else {
		matched = rl.g.match(false, t.Name)
	}
	if !matched {
		tr.addMatch(outNoMatch, rl, t, "does not match")
		return Decision{}, false
	}
	tr.addMatch(outDeny, rl, t, "matches")
	return deny(rl.id, reason), true
}

// blockServer is one role blocked_tools pattern applied to a resource.
func (rl *rule) blockServer(t Target, tr *tracer) (Decision, bool) {
	if !rl.coversServer(t.Server) {
		tr.add(outNoMatch, rl.id, "does not name every item of server", t.Server)
		return Decision{}, false
	}
	tr.add(outDeny, rl.id, "names every item of server", t.Server)
	return deny(rl.id, "the role's blocked_tools covers the whole server"), true
}

// matchRole matches a role pattern: scoped ones against "server/name", the
// others against the name alone, whatever the server.
func (rl *rule) matchRole(slashStops bool, t Target) bool {
	if rl.scoped {
		return rl.g.match(slashStops, t.Server, "/", t.Name)
	}
	return rl.g.match(slashStops, t.Name)
}

// coversServer reports whether a role pattern names every item of server.
func (rl *rule) coversServer(server string) bool {
	return rl.whole && (!rl.scoped || rl.srv.match(true, server))
}
