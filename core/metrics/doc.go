// Package metrics counts what the gateway does and shows it two ways: as
// Prometheus text for /api/metrics ([Metrics.Handler]) and as a JSON-ready
// [Stats] value for /api/stats and the desktop windows ([Metrics.Snapshot]).
//
// A [Metrics] owns its own prometheus.Registry (never the global one), so
// two gateways in one process, or two tests, never share a series. It
// performs no I/O, starts no goroutines and does not log. All methods are
// safe for concurrent use. The recording methods sit on the request path:
// they only take short locks (ToolCall: a read lock on the tool table, the
// tool's own lock, the time series' lock) and, once a tool's series exist,
// do not allocate (see BenchmarkToolCall).
//
// # Metric names
//
// The seed's four counters keep their names; labels narrow them and sum()
// gives the seed's single number:
//
//	mcplex_requests_total{method}                    JSON-RPC requests and notifications from clients
//	mcplex_tool_calls_total{server,tool,outcome,cached}
//	mcplex_errors_total{kind}                        failed tool calls (kind error, tool_error) and Error(kind)
//	mcplex_tokens_saved_total                        tokens kept out of the client's context
//
// and beside them:
//
//	mcplex_tool_call_duration_seconds{server,tool}   histogram, 0.5 ms … 60 s, upstream calls only
//	mcplex_cache_hits_total, mcplex_cache_misses_total
//	mcplex_blocked_total{kind}                       denied by policy (kind chosen by the gateway)
//	mcplex_rate_limited_total
//	mcplex_auth_failures_total
//	mcplex_events_dropped_total                      events a slow subscriber lost
//	mcplex_upstream_state{server,state}              1 for the server's current state, 0 for the others
//	mcplex_upstream_up{server}                       1 when the state is "ready"
//
// plus the standard go_* and process_* collectors.
//
// outcome is "ok", "error" (the call failed: transport, timeout, protocol
// error) or "tool_error" (a result with isError: true); cached is "true" for
// a call answered from the response cache. A cached call counts as a tool
// call but adds no duration: the histogram and the percentiles describe
// upstream latency. ToolCall counts a failed call in mcplex_errors_total
// itself, so the gateway calls Error only for failures that are not tool
// calls. CacheHit and CacheMiss are separate from ToolCall's cached flag:
// the gateway reports the lookup and the call.
//
// # Cardinality
//
// Every label value is bounded. method is one of the MCP methods this
// package knows, else "other". kind values are capped at 32 distinct values
// per metric, then "other". server/tool pairs are capped at 2,000 and, when
// a filter is set ([Metrics.SetToolFilter], e.g. "is in the catalog"), must
// pass it; anything else is recorded as server="other", tool="other".
// Upstream states are the five core/upstream states ("other" for anything
// else) and a removed server's series are deleted ([Metrics.RemoveUpstream]).
//
// # Snapshot
//
// [Metrics.Snapshot] does not read Prometheus buckets. Each tool keeps the
// durations of its last 1,024 upstream calls in a ring, so p50/p95/p99 are
// exact over that window (nearest-rank). The time series (calls/s, errors/s
// and p95 per 5-second step, the last 10 minutes) keeps a log-linear
// histogram per step, so its p95 is within about 3%.
package metrics
