package clients

import (
	"strings"

	"github.com/mcplex/mcplex/core/config"
)

// AppendServers returns src (an mcplex.toml) with one [[servers]] table per
// server added at the end, and everything before it byte for byte, comments
// included. comment, if not empty, goes above them as "# comment". The
// caller should parse the result before saving it: a file that declares
// servers = [...] inline cannot take more tables.
func AppendServers(src []byte, comment string, servers []config.Server) []byte {
	nl := "\n"
	if strings.Contains(string(src), "\r\n") {
		nl = "\r\n"
	}
	var b strings.Builder
	b.Write(src)
	if len(src) > 0 && !strings.HasSuffix(string(src), "\n") {
		b.WriteString(nl)
	}
	if strings.TrimSpace(string(src)) != "" {
		b.WriteString(nl)
	}
	if comment != "" {
		b.WriteString("# " + strings.ReplaceAll(comment, "\n", " ") + nl)
	}
	for i, s := range servers {
		if i > 0 {
			b.WriteString(nl)
		}
		writeServer(&b, s, nl)
	}
	return []byte(b.String())
}

func writeServer(b *strings.Builder, s config.Server, nl string) {
	o := object{{"name", s.Name}}
	add := func(k string, v any, ok bool) {
		if ok {
			o = append(o, field{k, v})
		}
	}
	add("description", s.Description, s.Description != "")
	add("command", s.Command, s.Command != "")
	add("args", s.Args, len(s.Args) > 0)
	add("env", s.Env, len(s.Env) > 0)
	add("cwd", s.Cwd, s.Cwd != "")
	add("url", s.URL, s.URL != "")
	add("headers", s.Headers, len(s.Headers) > 0)
	add("enabled", s.IsEnabled(), !s.IsEnabled())
	b.WriteString("[[servers]]" + nl)
	for _, f := range o {
		b.WriteString(tomlKey(f.key) + " = " + tomlValue(f.value) + nl)
	}
}
