package catalog

import (
	"crypto/sha256"
	"encoding/hex"
)

type item struct{ server, name string }

// exposeNames returns the exposed name of every item, in order. Names unique
// across servers stay unchanged; colliding ones get the server prefix; any
// name longer than MaxNameLen, or still clashing with another exposed name,
// is shortened with a hash suffix of its canonical id.
func exposeNames(items []item, sep string) []string {
	servers := map[string]map[string]bool{}
	for _, it := range items {
		if servers[it.name] == nil {
			servers[it.name] = map[string]bool{}
		}
		servers[it.name][it.server] = true
	}
	out := make([]string, len(items))
	taken := map[string]bool{}
	for i, it := range items {
		if len(servers[it.name]) == 1 && len(it.name) <= MaxNameLen {
			out[i] = it.name
			taken[it.name] = true
		}
	}
	for i, it := range items {
		if out[i] != "" {
			continue
		}
		name := it.name
		if len(servers[it.name]) > 1 {
			name = it.server + sep + it.name
		}
		if len(name) > MaxNameLen || taken[name] {
			name = hashed(name, it.server+"/"+it.name)
		}
		out[i] = name
		taken[name] = true
	}
	return out
}

// hashed shortens name to MaxNameLen, ending in "_" and 8 hex digits of id's hash.
func hashed(name, id string) string {
	sum := sha256.Sum256([]byte(id))
	suffix := "_" + hex.EncodeToString(sum[:4])
	keep := MaxNameLen - len(suffix)
	if len(name) < keep {
		keep = len(name)
	}
	return name[:keep] + suffix
}
