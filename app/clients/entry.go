package clients

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
)

// field is one key of an entry; object keeps the keys in the order written,
// so entries come out the same way every time.
type field struct {
	key   string
	value any // string, bool, []string or map[string]string
}

type object []field

// MarshalJSON writes the fields in order, without HTML escaping.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping ("&" stays "&" in URLs).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// bridgeEntry is the stdio entry of clients that cannot reach a URL: this
// binary, started from its absolute path, bridging to the gateway. The key
// travels in a token file, never in the client's config.
func bridgeEntry(client string) func(Target) object {
	return func(t Target) object {
		args := []string{"bridge", "--url", t.URL, "--client", client}
		if t.TokenFile != "" {
			args = append(args, "--token-file", t.TokenFile)
		}
		return object{{"command", t.Exe}, {"args", args}}
	}
}

// httpEntry is the entry of clients that speak Streamable HTTP themselves.
// typeKey/typeValue is an optional transport marker ("type": "http").
func httpEntry(typeKey, typeValue, urlKey, headersKey string) func(Target) object {
	return func(t Target) object {
		var o object
		if typeKey != "" {
			o = append(o, field{typeKey, typeValue})
		}
		o = append(o, field{urlKey, t.URL})
		if t.Key != "" {
			o = append(o, field{headersKey, map[string]string{"Authorization": "Bearer " + t.Key}})
		}
		return o
	}
}

func clineEntry(t Target) object {
	o := httpEntry("type", "streamableHttp", "url", "headers")(t)
	return append(o, field{"disabled", false}, field{"autoApprove", []string{}})
}

// urlKeys are the keys clients use for a server's URL.
var urlKeys = []string{"url", "serverUrl", "httpUrl"}

// canonical returns v (decoded JSON or TOML) as compact JSON with sorted
// keys, so two entries can be compared whatever their formatting.
func canonical(v any) string {
	b, err := marshal(v)
	if err != nil {
		return ""
	}
	var norm any
	if json.Unmarshal(b, &norm) != nil {
		return ""
	}
	b, _ = marshal(norm)
	return string(b)
}

// entryTarget describes where an existing entry points: the bridge binary
// it runs (and that bridge's --url), or its URL.
func entryTarget(v any) (command string, bridge bool, url string) {
	m, _ := v.(map[string]any)
	command, _ = m["command"].(string)
	if args, ok := m["args"].([]any); ok && len(args) > 0 {
		bridge = args[0] == "bridge"
		for i := 1; bridge && i+1 < len(args); i++ {
			if args[i] == "--url" {
				url, _ = args[i+1].(string)
			}
		}
		if bridge {
			return command, bridge, url
		}
	}
	for _, k := range urlKeys {
		if s, ok := m[k].(string); ok && s != "" {
			url = s
			break
		}
	}
	return command, bridge, url
}

// ownedBy reports whether an existing entry was written by this MCPlex:
// it runs our binary as the bridge, or points at our gateway URL, or is the
// very entry we last wrote there (lastWritten, canonical; may be "").
func ownedBy(v any, t Target, lastWritten string) bool {
	if lastWritten != "" && canonical(v) == lastWritten {
		return true
	}
	command, bridge, url := entryTarget(v)
	if bridge {
		return t.Exe != "" && samePath(command, t.Exe)
	}
	return url != "" && t.URL != "" && sameURL(url, t.URL)
}

func samePath(a, b string) bool {
	return filepath.Clean(a) == filepath.Clean(b)
}

func sameURL(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}
