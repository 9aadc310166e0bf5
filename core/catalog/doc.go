// Package catalog merges the tools, prompts, resources and resource
// templates of every upstream server into the one view the gateway exposes,
// and maps exposed names back to their owner.
//
// Naming rules (see Build):
//   - Every item has a canonical id "server/name" used by policy and audit.
//   - A tool or prompt name unique across servers is exposed unchanged.
//   - Colliding names are exposed as server + separator + name ("memory_a__create_entities").
//     Exposed names are at most 64 characters: a longer one keeps a prefix and
//     ends with "_" and 8 hex digits of a hash of its canonical id, so it stays
//     deterministic and unique.
//   - Resource and template URIs are exposed unchanged; when two servers
//     publish the same URI, the server listed first in the config owns it.
//
// The package is pure: no I/O, no goroutines. A Catalog is immutable once built.
package catalog
