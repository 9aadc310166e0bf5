package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"
)

// Redacted replaces a secret in redacted output.
const Redacted = "[REDACTED]"

// maxNestedJSON bounds how deep Redact follows JSON documents held inside
// string values ("{\"password\":…}" as a string argument).
const maxNestedJSON = 3

// Redact returns args with secret-looking values replaced by "[REDACTED]".
// It decodes args first, so escapes ("\u0041KIA…") cannot hide a secret, and
// walks every object and array:
//   - a value under a secret-looking key (password, secret, token, api_key,
//     authorization, cookie, private_key, credential, …; case, "-" and "_"
//     ignored) is replaced whole, whatever its type (null and "" are kept);
//   - in every other string, known credential shapes (AWS access key ids,
//     GitHub, GitLab, Slack, Google, Stripe-style and "sk-" keys, JWTs,
//     "Bearer …", PEM private keys, passwords in URLs, "password=…") and
//     long high-entropy tokens are replaced where they occur;
//   - a string that itself holds a JSON object or array is redacted as JSON.
//
// The result is always valid JSON, re-encoded with sorted keys. Input that
// is not valid JSON becomes the JSON string "[REDACTED]"; empty input gives
// nil. Redact is safe for concurrent use.
func Redact(args json.RawMessage) json.RawMessage {
	if len(args) == 0 {
		return nil
	}
	v, ok := decodeJSON(args)
	if !ok {
		return json.RawMessage(`"` + Redacted + `"`)
	}
	return marshalValue(redactValue(v, 0))
}

// marshalValue encodes a decoded JSON value without HTML escaping.
func marshalValue(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Unreachable for values produced by decodeJSON; stay valid JSON.
		return json.RawMessage(`"` + Redacted + `"`)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func redactValue(v any, depth int) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isSecretKey(k) && x != nil && x != "" {
				v[k] = Redacted
			} else {
				v[k] = redactValue(x, depth)
			}
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = redactValue(x, depth)
		}
		return v
	case string:
		return redactText(v, depth)
	default:
		return v
	}
}

// redactText redacts one decoded string value.
func redactText(s string, depth int) string {
	if len(s) < 8 {
		return s
	}
	if t := strings.TrimSpace(s); depth < maxNestedJSON && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) {
		if v, ok := decodeJSON([]byte(t)); ok {
			return string(marshalValue(redactValue(v, depth+1)))
		}
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return tokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		if looksRandom(tok) {
			return Redacted
		}
		return tok
	})
}

type secretPattern struct {
	re   *regexp.Regexp
	repl string
}

// secretPatterns match credential shapes inside decoded strings. Patterns
// with a capture group keep the group (the scheme, the word "Bearer") for
// context.
var secretPatterns = []secretPattern{
	{regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?s:.*?)(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)`), Redacted},
	{regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z0-9]{16}`), Redacted},
	{regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`), Redacted},
	{regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`), Redacted},
	{regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`), Redacted},
	{regexp.MustCompile(`\bxapp-[A-Za-z0-9-]{10,}`), Redacted},
	{regexp.MustCompile(`https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+`), Redacted},
	{regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}`), Redacted},
	{regexp.MustCompile(`\b[rsp]k_(?:live|test)_[A-Za-z0-9]{10,}`), Redacted},
	{regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{8,}`), Redacted},
	{regexp.MustCompile(`\b(?:hf|npm)_[A-Za-z0-9]{30,}`), Redacted},
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`), Redacted},
	{regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)(\bauthorization\s*:\s*(?:[a-z]+\s+)?)[^\s"',;]+`), "${1}" + Redacted},
	{regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@`), "${1}" + Redacted + "@"},
	{regexp.MustCompile(`(?i)(\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)\s*[=:]\s*)[^\s,;&"']+`), "${1}" + Redacted},
}

// tokenRE finds candidate tokens for the entropy check: long runs of the
// base64 and base64url alphabets.
var tokenRE = regexp.MustCompile(`[A-Za-z0-9+/=_-]{32,}`)

// looksRandom reports whether tok is a long high-entropy string: upper and
// lower case letters and digits, and at least 4 bits of Shannon entropy per
// character. Hex digests and UUIDs (no upper case, at most 4 bits) pass
// through, as do ordinary words and paths.
func looksRandom(tok string) bool {
	var upper, lower, digit bool
	var counts [256]int
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		counts[c]++
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	if !upper || !lower || !digit {
		return false
	}
	var h float64
	n := float64(len(tok))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h >= 4.0
}

// secretKeyParts are matched inside a normalized key (lower case, letters
// and digits only), so "X-Api-Key", "api_key" and "apiKey" all match.
var secretKeyParts = []string{
	"password", "passwd", "passphrase", "secret", "token", "apikey",
	"accesskey", "privatekey", "signingkey", "encryptionkey", "masterkey",
	"sshkey", "authkey", "sessionkey", "authorization", "cookie", "credential",
}

// secretKeyExact are secret only as the whole key ("pass", not "passage").
var secretKeyExact = map[string]bool{"pass": true, "pwd": true, "auth": true, "otp": true, "totp": true, "cvv": true}

// notSecretKeys contain "token" but count LLM tokens.
var notSecretKeys = map[string]bool{
	"maxtokens": true, "maxnewtokens": true, "maxoutputtokens": true, "maxcompletiontokens": true,
	"numtokens": true, "tokencount": true, "totaltokens": true, "inputtokens": true,
	"outputtokens": true, "prompttokens": true, "completiontokens": true, "tokenlimit": true,
	"tokenizer": true, "tokenbudget": true,
}

func isSecretKey(k string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	n := b.String()
	if secretKeyExact[n] {
		return true
	}
	if notSecretKeys[n] {
		return false
	}
	for _, p := range secretKeyParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}
