// Package events is the gateway's publish/subscribe bus: tool calls, blocks,
// server state changes, reloads and routing queries. Publishing never blocks:
// a subscriber that falls behind loses events, and the losses are counted.
// The bus keeps a bounded ring of recent events for late subscribers (the
// dashboard, the GUI).
package events
