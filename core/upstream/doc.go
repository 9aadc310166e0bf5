// Package upstream keeps one long-lived MCP client session per configured
// upstream server: stdio children spawned once and multiplexed, Streamable
// HTTP servers reached through a pooled HTTP client.
//
// Each Upstream starts in the background, reports its State, lists its
// catalog, and restarts with capped exponential backoff when its process
// exits or stops answering pings. Calls made while it starts wait for it;
// calls made while it is down fail fast with a clear error.
//
// The package owns every child process it starts: Pool.Close stops them all
// (stdin closed, then SIGTERM, then SIGKILL of the whole process group)
// within a bound, and a child is reaped as soon as it exits. A child's
// stdout lines that are not JSON-RPC (banners, stray prints) are dropped
// and logged; they do not end the session.
package upstream
