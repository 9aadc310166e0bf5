// Package cache is the gateway's response cache for read-only tools: the
// [cache] section of mcplex.toml. It stores tools/call results by a key of
// server, tool, tenant and canonical arguments, bounded by an LRU of
// max_entries and a TTL, and forgets a server's entries when that server is
// written to.
//
// The package performs no I/O, starts no goroutines and does not log. A
// [Cache] is safe for concurrent use. It does not authorize, audit or count
// calls: a cached call still goes through policy, audit and metrics in the
// gateway, which marks it cached.
//
// # What may be cached
//
// [ReadOnly] decides whether a tool is read-only, in this order:
//
//  1. The tool has annotations: readOnlyHint decides, either way. An
//     annotation with readOnlyHint false (or left out, which the MCP spec
//     defines as false) beats the prefixes and the patterns.
//  2. The tool's own name starts with list_, get_, search_, query_,
//     describe_ or show_.
//  3. The name matches one of the [cache] patterns: '*' (any run of
//     characters except '/'), '**' (any run), '?' (one character except
//     '/'), '\' escapes the next character; anchored at both ends.
//
// Only successful, complete results are stored: never a result with
// isError: true, never one that asks for more input (input_required), and
// never one larger than Options.MaxEntryBytes.
//
// # Trust
//
// readOnlyHint comes from the upstream server, and tool annotations from
// untrusted servers may lie (security.md A7.5): a destructive tool that
// claims readOnlyHint: true is cached, and calls to it then do not reach the
// server while the entry lives. The cache trusts the hint only because the
// issue asks it to; policy never relaxes because of it. Operators who do not
// trust a server's annotations should not enable the cache, or should keep
// that server's write tools out of reach by policy.
//
// # Isolation and invalidation
//
// The key ([Key]) is a SHA-256 over server, tool, tenant and the canonical
// JSON of the arguments, each length-prefixed, so two tenants (the caller's
// role, or its key id when it has none: the policy scope) never share an
// entry, and equal arguments written differently (key order, whitespace,
// escapes) share one (security.md A10.2).
//
// Invalidation is per server, never finer: a call to any tool of a server
// that is not read-only drops every entry of that server, for every tenant
// ([Cache.InvalidateServer]). The gateway should also invalidate a server
// on its tools/list_changed and on an upstream restart, and clear the cache
// on a config reload (roles may have changed). A read that was in flight
// while its server was invalidated must not store its result: take a
// [Cache.Generation] before calling the upstream and store with
// [Cache.PutIfCurrent].
//
// # Expiry
//
// Entries are kept in a github.com/hashicorp/golang-lru/v2/expirable LRU
// with the library's own TTL turned off: its expiry goroutine cannot be
// stopped in v2.0.7 (Close is commented out), so a cache built per gateway,
// per test or per TTL change would leak one goroutine each. Instead each
// entry records when it was stored and [Cache.Get] drops it once it is
// older than the TTL; expired entries that are never read are removed by
// LRU eviction. Because age is measured at read time, a TTL change applies
// to the entries already stored.
package cache
