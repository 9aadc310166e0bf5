package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Digest returns the hex SHA-256 of the canonical JSON form of args: object
// keys sorted, insignificant whitespace removed, strings decoded and
// re-encoded one way, numbers written in one form (1, 1.0 and 1e0 are
// equal; the conversion is exact, so distinct numbers stay distinct). Equal
// arguments therefore give the same digest however they were spelled.
// Input that is not valid UTF-8 JSON is hashed as raw bytes. Digest returns
// "" for empty input.
func Digest(args json.RawMessage) string {
	if len(args) == 0 {
		return ""
	}
	data := []byte(args)
	if v, ok := decodeJSON(args); ok {
		data = appendCanonical(nil, v)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// decodeJSON decodes exactly one JSON value, keeping numbers as json.Number.
// It rejects invalid UTF-8 (which decoding would silently replace) and
// trailing data.
func decodeJSON(raw []byte) (any, bool) {
	if !utf8.Valid(raw) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// appendCanonical appends the canonical encoding of a decoded JSON value.
func appendCanonical(b []byte, v any) []byte {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendCanonical(b, v[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, x)
		}
		return append(b, ']')
	case string:
		return appendString(b, v)
	case json.Number:
		return append(b, canonicalNumber(string(v))...)
	case bool:
		return strconv.AppendBool(b, v)
	default: // nil
		return append(b, "null"...)
	}
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// canonicalNumber rewrites a JSON number literal exactly: no sign on zero,
// no leading or trailing zeros, integers up to 21 digits written plainly and
// everything else as an integer mantissa with an exponent ("15e-1" for 1.5).
// A literal whose exponent does not fit an int is returned unchanged.
func canonicalNumber(s string) string {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 1<<30 || e < -(1<<30) {
			return orig
		}
		exp, s = e, s[:i]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	var out string
	if exp >= 0 && len(digits)+exp <= 21 {
		out = digits + strings.Repeat("0", exp)
	} else {
		out = digits + "e" + strconv.Itoa(exp)
	}
	if neg {
		out = "-" + out
	}
	return out
}
