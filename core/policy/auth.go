package policy

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mcplex/mcplex/core/config"
)

// keyEntry is one configured key. Only its SHA-256 is kept: a key written in
// plain text is hashed by New, one written "sha256:HEX" is decoded.
type keyEntry struct {
	digest [sha256.Size]byte
	id     Identity
}

// emptyDigest is SHA-256 of "": a "sha256:" entry with it would accept an
// empty key.
var emptyDigest = sha256.Sum256(nil)

// Authenticate returns the identity of the configured key equal to
// presented (the bare key, as sent after "Bearer " or in X-API-Key). It
// hashes presented once and compares the digest with every configured key
// in constant time, without stopping at a match, so the time taken does not
// depend on whether or where a key matches. "" never authenticates. When the
// [gateway] api_key is also listed in [api_keys], the [api_keys] entry (and
// its role) is the one returned. Neither the identity nor the engine holds
// the key.
func (e *Engine) Authenticate(presented string) (Identity, bool) {
	if e == nil || presented == "" || len(e.keys) == 0 {
		return Identity{}, false
	}
	sum := sha256.Sum256([]byte(presented))
	found, idx := 0, 0
	for i := range e.keys {
		eq := subtle.ConstantTimeCompare(sum[:], e.keys[i].digest[:])
		idx = subtle.ConstantTimeSelect(eq, i, idx)
		found |= eq
	}
	if found == 0 {
		return Identity{}, false
	}
	return e.keys[idx].id, true
}

// addKeys hashes every configured key. Errors name keys by description or
// identity ID, never by the key.
func (e *Engine) addKeys(cfg *config.Config) []error {
	var errs []error
	byDigest := map[[sha256.Size]byte]int{} // digest -> index in e.keys
	byID := map[string][sha256.Size]byte{}
	gw := -1 // index of the [gateway] api_key until [api_keys] lists it too
	add := func(raw string, id Identity, where string) {
		d, err := keyDigest(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			return
		}
		id.ID = "key:" + hex.EncodeToString(d[:4])
		id.Authenticated = true
		if other, ok := byID[id.ID]; ok && other != d {
			errs = append(errs, fmt.Errorf("%s: two different keys share identity %s; replace one of them", where, id.ID))
			return
		}
		byID[id.ID] = d
		if i, dup := byDigest[d]; dup {
			if i != gw {
				errs = append(errs, fmt.Errorf("%s: the same key is listed twice in [api_keys] (identity %s)", where, id.ID))
				return
			}
			e.keys[i].id = id // [api_keys] gives the gateway key its role
			gw = -1
		} else {
			byDigest[d] = len(e.keys)
			e.keys = append(e.keys, keyEntry{digest: d, id: id})
		}
		e.issued[id.ID] = id.Role
	}
	if k := cfg.Gateway.APIKey; k != "" {
		add(k, Identity{Description: gatewayKeyDescription}, "gateway.api_key")
		gw = len(e.keys) - 1
	}
	// Sorted by digest, so the order of e.keys (and of errors) does not
	// follow the map's and says nothing about the keys.
	type pending struct {
		raw string
		d   [sha256.Size]byte
	}
	var list []pending
	for raw := range cfg.APIKeys {
		d, _ := keyDigest(raw) // a bad key sorts first and is reported by add
		list = append(list, pending{raw, d})
	}
	slices.SortFunc(list, func(a, b pending) int { return strings.Compare(string(a.d[:]), string(b.d[:])) })
	for _, p := range list {
		k := cfg.APIKeys[p.raw]
		where := fmt.Sprintf("api_keys entry with role %q", k.Role)
		if k.Description != "" {
			where = fmt.Sprintf("api_keys entry %q", k.Description)
		}
		add(p.raw, Identity{Description: k.Description, Role: k.Role}, where)
	}
	return errs
}

const gatewayKeyDescription = "gateway.api_key"

// keyDigest returns the SHA-256 a configured key stands for.
func keyDigest(raw string) ([sha256.Size]byte, error) {
	var d [sha256.Size]byte
	if raw == "" {
		return d, errors.New("empty API key")
	}
	hexDigest, hashed := strings.CutPrefix(raw, "sha256:")
	if !hashed {
		return sha256.Sum256([]byte(raw)), nil
	}
	b, err := hex.DecodeString(hexDigest)
	if err != nil || len(b) != sha256.Size {
		return d, errors.New(`a "sha256:" key needs 64 hex digits`)
	}
	copy(d[:], b)
	if d == emptyDigest {
		return d, errors.New(`"sha256:" of the empty string would accept an empty key`)
	}
	return d, nil
}
