// Package policy decides whether a caller may list, call, read or get one
// item of one upstream server. It is the one authorization decision every
// gateway path asks ([Engine.Decide]), plus API-key authentication
// ([Engine.Authenticate]) and the explanation behind
// `mcplex policy explain` ([Engine.Explain]).
//
// The package is pure: no I/O, no goroutines, no logging, no clock. An
// [Engine] is compiled once per config by [New] (every glob compiled, every
// key hashed), is immutable and safe for concurrent use; a reload builds a
// new one. Decide does not allocate.
//
// # Identity
//
// An [Identity] comes only from [Engine.Authenticate] (a configured key),
// [Local] (the stdio front) or [Anonymous] (an HTTP caller without a key).
// Nothing in a request — headers other than the key, params, _meta, tool
// arguments — can choose or change it, and a client can never pick its own
// role. Decide re-checks the identity against the engine: an authenticated
// identity whose key is no longer configured, or whose role changed, is
// denied (security.md A2.3; authenticate on every request anyway).
//
//   - An [api_keys] entry: its role and description.
//   - The [gateway] api_key: no role. With enable_rbac it is therefore denied
//     everything (the safer choice: it is not an implicit admin). To give it
//     a role, list the same key in [api_keys] too, e.g.
//     [api_keys."${MCPLEX_API_KEY}"] role = "admin"; that entry wins.
//   - Anonymous: allowed only while no key is configured at all; never has a
//     role, so with enable_rbac it is denied everything.
//   - Local: trusted as the OS user who started the stdio gateway, also when
//     keys are configured; no role, so with enable_rbac it is denied
//     everything. Never use it for HTTP, loopback included.
//
// Keys are compared as SHA-256 digests in constant time against every
// configured key, without stopping at a match; a key written "sha256:HEX"
// is compared by hashing the presented key. The engine keeps only digests.
// The identity ID is "key:" + the first 8 hex digits of the key's SHA-256,
// the same for a key written in plain text or as "sha256:HEX".
//
// # Precedence
//
// Blocked beats allowed at every level, and with enable_rbac the default is
// deny. For a tool or a prompt (a prompt is matched by its name exactly like
// a tool), the first rule that denies decides:
//
//  1. servers[S].blocked_tools matches the item's own name: deny.
//  2. servers[S].allowed_roles is set and does not list the caller's role
//     (a caller without a role is never listed): deny.
//  3. roles.R.blocked_tools matches: deny. This applies with enable_rbac off
//     too: turning RBAC off removes the default deny, not explicit blocks.
//  4. servers[S].allowed_tools is set and does not match the own name: deny.
//  5. enable_rbac: a roles.R.allowed_tools pattern must match, else deny
//     (also when the caller has no role or an undefined role).
//  6. Allow.
//
// Before these, a request that makes no sense is denied: an unknown action
// or kind, an action that does not apply to the kind (call on a prompt), an
// empty server or name, or a server that is not in the config.
//
// Resources (and resource templates) are authorized per server, since a URI
// is not a tool name: per-server blocked_tools and allowed_tools do not
// apply; servers[S].allowed_roles does (2); a role blocked_tools pattern
// denies (3) and, with enable_rbac, a role allowed_tools pattern allows (5)
// only when it names every item of server S: "S/*", "S/**", "*/*", "*" or
// "**" (the server part may be a glob: "git*/*"). A role with only
// "github/list_*" cannot read github resources.
//
// The action does not change the outcome: an item a caller may call is an
// item it may list, and the reverse (security.md A5.1). completion/complete
// is decided on the prompt or resource template it completes.
//
// # Patterns
//
// Patterns are globs, matched case-sensitively against the whole string
// (anchored at both ends), character by character:
//
//   - "*" matches any run of characters except '/'
//   - "**" matches any run of characters, '/' included
//   - "?" matches one character except '/'
//   - "\c" matches the character c literally: \* \? \\ \[ ...
//
// '[', ']', '{' and '}' must be escaped: character classes and {a,b}
// alternatives are not supported (gobwas/glob's versions of them panic or
// mis-match; see glob.go). The empty pattern is an error.
//
// Per-server patterns match the item's own name, as the upstream calls it
// ("delete_*"). Role patterns with a '/' match "server/name", where a server
// name never contains '/' ("github/*", "*/query_*", "database/get_?ser");
// role patterns without a '/' match the own name on every server, so the
// seed's admin pattern "*" means every tool of every server.
//
// Whether '*' and '?' cross '/' only matters for a name that contains '/',
// which MCP tool names should not. Allowed lists take the strict reading
// ('*' stops at '/', use '**' to cross it); blocked lists let '*' and '?'
// match '/' as well. So an unusual name can only lose access, never gain
// it: "fs.read*" allows "fs.readAll" but not "fs.read/../write", and as a
// blocked pattern it blocks both.
package policy
