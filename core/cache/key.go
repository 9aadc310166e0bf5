package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Key returns the cache key of a call of tool on server by tenant with
// args. Arguments that are equal as JSON (key order, whitespace, string
// escapes) give equal keys; numbers are compared as written ("1" and "1.0"
// differ). Arguments that are not valid JSON, not valid UTF-8 or that repeat
// an object key are keyed by their exact bytes, so they can only ever match
// themselves. Empty args and "null" are the same. Different servers, tools
// or tenants never give the same key.
func Key(server, tool, tenant string, args json.RawMessage) string {
	mode, body := byte('c'), canonical(args)
	if body == nil {
		mode, body = 'r', args
	}
	h := sha256.New()
	var buf []byte
	for _, f := range [][]byte{[]byte("mcplex-cache-v1"), []byte(server), []byte(tool), []byte(tenant), {mode}, body} {
		buf = binary.AppendUvarint(buf[:0], uint64(len(f)))
		h.Write(buf)
		h.Write(f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonical returns args as canonical JSON (object keys sorted, no
// insignificant whitespace, strings re-escaped the encoding/json way), or
// nil when args cannot be canonicalized without changing their meaning.
func canonical(args json.RawMessage) []byte {
	if len(bytes.TrimSpace(args)) == 0 {
		return []byte("null")
	}
	if !utf8.Valid(args) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.UseNumber()
	var out bytes.Buffer
	if err := canonValue(dec, &out); err != nil {
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil // trailing data
	}
	return out.Bytes()
}

var errDuplicateKey = errors.New("duplicate object key")

type member struct {
	key   string
	value []byte
}

func canonValue(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return canonObject(dec, out)
		}
		return canonArray(dec, out)
	case string:
		return writeString(out, v)
	case json.Number:
		out.WriteString(v.String())
	case bool:
		out.WriteString(strconv.FormatBool(v))
	case nil:
		out.WriteString("null")
	}
	return nil
}

func canonObject(dec *json.Decoder, out *bytes.Buffer) error {
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string)
		var v bytes.Buffer
		if err := canonValue(dec, &v); err != nil {
			return err
		}
		members = append(members, member{k, v.Bytes()})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			if m.key == members[i-1].key {
				return errDuplicateKey
			}
			out.WriteByte(',')
		}
		if err := writeString(out, m.key); err != nil {
			return err
		}
		out.WriteByte(':')
		out.Write(m.value)
	}
	out.WriteByte('}')
	return nil
}

func canonArray(dec *json.Decoder, out *bytes.Buffer) error {
	out.WriteByte('[')
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteByte(',')
		}
		if err := canonValue(dec, out); err != nil {
			return err
		}
	}
	out.WriteByte(']')
	_, err := dec.Token() // ']'
	return err
}

func writeString(out *bytes.Buffer, s string) error {
	b, err := json.Marshal(s)
	out.Write(b)
	return err
}
