package clients

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/mcplex/mcplex/core/config"
)

// toServer converts one client entry to an mcplex.toml server. A non-empty
// reason means the entry cannot be imported.
func toServer(c *Client, e namedEntry) (s config.Server, warnings []string, reason string) {
	m, ok := e.Value.(map[string]any)
	if !ok {
		return s, nil, "not an object"
	}
	if typ, _ := m["type"].(string); strings.EqualFold(typ, "sse") {
		return s, nil, "uses the SSE transport, which MCPlex cannot reach (Streamable HTTP and stdio only)"
	}
	if c.Name == "gemini" && m["url"] != nil && m["httpUrl"] == nil {
		return s, nil, "Gemini's \"url\" is the SSE transport, which MCPlex cannot reach"
	}
	conv := converter{}
	s.Name = e.Name
	s.Command = conv.str(m, "command")
	_, _, url := entryTarget(m)
	switch {
	case s.Command != "":
		s.Args = conv.strs(m, "args")
		s.Env = conv.strMap(m, "env")
		s.Cwd = conv.str(m, "cwd")
	case url != "":
		s.URL = conv.expand("url", url)
		s.Headers = conv.strMap(m, "headers")
		if h := conv.strMap(m, "http_headers"); h != nil { // Codex
			s.Headers = h
		}
	default:
		return s, nil, "has neither a command nor a URL"
	}
	if conv.reason != "" {
		return s, nil, conv.reason
	}
	if disabled, _ := m["disabled"].(bool); disabled {
		s.Enabled = new(false)
	}
	if enabled, ok := m["enabled"].(bool); ok && !enabled { // Codex
		s.Enabled = new(false)
	}
	return s, conv.warnings, ""
}

// converter reads typed values out of a decoded entry, remembering the
// first problem and any warnings.
type converter struct {
	reason   string
	warnings []string
}

func (cv *converter) fail(format string, a ...any) {
	if cv.reason == "" {
		cv.reason = fmt.Sprintf(format, a...)
	}
}

func (cv *converter) str(m map[string]any, key string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		cv.fail("%q is not a string", key)
		return ""
	}
	return cv.expand(key, s)
}

func (cv *converter) strs(m map[string]any, key string) []string {
	raw, _ := m[key].([]any)
	if m[key] != nil && raw == nil {
		cv.fail("%q is not a list", key)
	}
	var out []string
	for _, v := range raw {
		s, ok := v.(string)
		if !ok {
			cv.fail("%q holds a value that is not a string", key)
			return nil
		}
		out = append(out, cv.expand(key, s))
	}
	return out
}

func (cv *converter) strMap(m map[string]any, key string) map[string]string {
	raw, _ := m[key].(map[string]any)
	if m[key] != nil && raw == nil {
		cv.fail("%q is not an object", key)
	}
	if len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = cv.expand(key+"."+k, v)
		case float64, int64, bool:
			out[k] = fmt.Sprint(v)
		default:
			cv.fail("%s.%s is not a string", key, k)
		}
	}
	return out
}

// The variable syntaxes clients use. VS Code and Cursor write ${env:NAME},
// which is ${NAME} in mcplex.toml; ${input:...} prompts have no equivalent.
var (
	envRef   = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)
	inputRef = regexp.MustCompile(`\$\{input:[^}]*\}`)
)

// expand adapts variable references to mcplex.toml, which expands ${NAME}
// and ${NAME:-default} from the gateway's environment.
func (cv *converter) expand(key, s string) string {
	if inputRef.MatchString(s) {
		cv.fail("%s asks for an ${input:...} value, which only the client can prompt for", key)
		return s
	}
	s = envRef.ReplaceAllString(s, "${$1}")
	if strings.Contains(s, "${") {
		cv.warnings = append(cv.warnings, fmt.Sprintf("%s refers to an environment variable; the gateway must have it set", key))
	}
	return s
}

// isMCPlexBinary reports whether command is an mcplex executable: the
// console build or the Windows GUI build (mcplexw.exe) next to it.
func isMCPlexBinary(command string) bool {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(command, `\`, "/")))
	base = strings.TrimSuffix(base, ".exe")
	return base == "mcplex" || base == "mcplexw"
}

// serverName makes a client's entry name a valid mcplex.toml server name:
// letters, digits, '_', '.', '-', starting with a letter or digit, at most
// 64 bytes, without the tool name separator.
func serverName(name, sep string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 128 && (isBareKeyChar(byte(r)) || r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := strings.TrimLeft(b.String(), "_.-")
	for _, repl := range []string{"-", "_", ""} {
		if sep == "" || !strings.Contains(s, sep) {
			break
		}
		s = strings.ReplaceAll(s, sep, repl)
	}
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		s = "server"
	}
	return s
}

// uniqueName returns base, or base-2, base-3... whichever is not taken.
func uniqueName(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		suffix := "-" + strconv.Itoa(i)
		n := base[:min(len(base), 64-len(suffix))]
		if !taken[n+suffix] {
			return n + suffix
		}
	}
}
