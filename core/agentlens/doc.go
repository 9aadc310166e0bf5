// Package agentlens forwards gateway events to an AgentLens ingest URL.
// It never blocks the gateway: events go through a bounded queue that drops
// (and counts) what does not fit while the receiver is slow or down, and
// posts are batched with a short timeout.
package agentlens
