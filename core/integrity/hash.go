package integrity

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// hashPrefix names the algorithm and the canonical encoding. Changing what
// canonical covers must change this prefix, so that old pins are recognised
// as a different scheme instead of every tool looking changed.
const hashPrefix = "sha256:"

// Hash returns "sha256:" followed by the hex SHA-256 of the canonical
// encoding of t's model-visible definition: name, title, description,
// inputSchema, outputSchema and annotations (see the package doc for what is
// left out and why). The encoding is JSON with every object's keys sorted, so
// the hash does not depend on key order or whitespace in the server's
// tools/list response. A nil tool hashes like an empty one.
func Hash(t *mcp.Tool) string {
	b := canonical(t)
	sum := sha256.Sum256(b)
	return hashPrefix + hex.EncodeToString(sum[:])
}

// canonical returns the canonical JSON of t. It never fails: a schema that
// cannot be marshalled (it came from a server as JSON, so this only happens
// for hand-built tools holding channels or funcs) is encoded as an error
// string, which still changes the hash if the schema changes its type.
func canonical(t *mcp.Tool) []byte {
	if t == nil {
		t = &mcp.Tool{}
	}
	v := map[string]any{
		"name":         t.Name,
		"title":        t.Title,
		"description":  t.Description,
		"inputSchema":  normalize(t.InputSchema),
		"outputSchema": normalize(t.OutputSchema),
		"annotations":  annotations(t.Annotations),
	}
	// encoding/json sorts map keys, and every nested object is a
	// map[string]any after normalize, so the output is canonical.
	b, err := json.Marshal(v)
	if err != nil {
		// Unreachable: v holds only strings, bools, float64s, nils, maps
		// and slices of those.
		panic(fmt.Sprintf("integrity: marshalling canonical tool: %v", err))
	}
	return b
}

// normalize turns any JSON-marshallable value (map[string]any from the
// client, json.RawMessage, *jsonschema.Schema...) into plain decoded JSON:
// map[string]any, []any, string, float64, bool, nil. Numbers decode as
// float64, as the go-sdk client does, so 1 and 1.0 are the same schema.
func normalize(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"$unmarshallable": err.Error()}
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return map[string]any{"$unmarshallable": err.Error()}
	}
	return out
}

// annotations encodes the effective hint values, with the spec defaults
// (destructiveHint and openWorldHint default to true) filled in. Absent
// annotations, an empty object and an object spelling out the defaults all
// mean the same thing to a client, so they hash the same; flipping any hint
// changes the hash. The go-sdk MarshalJSON is not used because its output
// depends on MCPGODEBUG=hintomitempty.
func annotations(a *mcp.ToolAnnotations) map[string]any {
	if a == nil {
		a = &mcp.ToolAnnotations{}
	}
	orTrue := func(p *bool) bool { return p == nil || *p }
	return map[string]any{
		"destructiveHint": orTrue(a.DestructiveHint),
		"idempotentHint":  a.IdempotentHint,
		"openWorldHint":   orTrue(a.OpenWorldHint),
		"readOnlyHint":    a.ReadOnlyHint,
		"title":           a.Title,
	}
}
