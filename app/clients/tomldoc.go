package clients

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// tomlDoc edits the [<container>.<name>] table of a TOML file (Codex's
// config.toml) as text: the table and its sub-tables are replaced, removed
// or appended, and every other line stays as it was, comments included.
type tomlDoc struct {
	path      string
	container string
	src       string
	data      map[string]any
	nl        string
}

func parseTOMLDoc(path, container string, data []byte) (*tomlDoc, error) {
	d := &tomlDoc{path: path, container: container, src: string(data), nl: "\n"}
	if strings.Contains(d.src, "\r\n") {
		d.nl = "\r\n"
	}
	m, err := decodeTOML(path, d.src)
	if err != nil {
		return nil, err
	}
	d.data = m
	if v, ok := m[container]; ok {
		if _, ok := v.(map[string]any); !ok {
			return nil, &MalformedError{Path: path, Reason: fmt.Sprintf("%q is not a table", container)}
		}
	}
	if _, err := scanTOMLHeaders(d.src); err != nil {
		return nil, &MalformedError{Path: path, Reason: err.Error()}
	}
	return d, nil
}

func decodeTOML(path, src string) (map[string]any, error) {
	m := map[string]any{}
	if _, err := toml.Decode(src, &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &MalformedError{Path: path, Line: pe.Position.Line, Column: pe.Position.Col, Reason: "not valid TOML: " + pe.Message}
		}
		return nil, &MalformedError{Path: path, Reason: "not valid TOML: " + err.Error()}
	}
	return m, nil
}

func (d *tomlDoc) table() map[string]any {
	m, _ := d.data[d.container].(map[string]any)
	return m
}

func (d *tomlDoc) entries() []namedEntry {
	t := d.table()
	names := make([]string, 0, len(t))
	for k := range t {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]namedEntry, 0, len(names))
	for _, n := range names {
		out = append(out, namedEntry{Name: n, Value: t[n]})
	}
	return out
}

func (d *tomlDoc) get(name string) (any, bool) {
	v, ok := d.table()[name]
	return v, ok
}

// set replaces the entry's table (and sub-tables) with v, or appends it.
func (d *tomlDoc) set(name string, v any) error {
	o, ok := v.(object)
	if !ok {
		return fmt.Errorf("%s: %w: only MCPlex's own entry can be written to a TOML file", d.path, ErrUnsupported)
	}
	block := renderTOMLTable([]string{d.container, name}, o, d.nl)
	spans, err := d.spans(name)
	if err != nil {
		return err
	}
	var out string
	if len(spans) == 0 {
		out = d.src
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += d.nl
		}
		if strings.TrimSpace(out) != "" {
			out += d.nl
		}
		out += block
	} else {
		out = d.src
		for i := len(spans) - 1; i >= 0; i-- {
			repl := ""
			if i == 0 {
				repl = block
			}
			out = out[:spans[i][0]] + repl + out[spans[i][1]:]
		}
	}
	return d.update(name, out, v)
}

// remove deletes the entry's tables and reports whether there were any.
func (d *tomlDoc) remove(name string) (bool, error) {
	spans, err := d.spans(name)
	if err != nil || len(spans) == 0 {
		return false, err
	}
	out := d.src
	for i := len(spans) - 1; i >= 0; i-- {
		start, end := spans[i][0], spans[i][1]
		if end == len(out) { // at the end: drop the blank line set added before it
			start = len(strings.TrimRight(out[:start], "\r\n"))
			if start > 0 {
				start += len(d.nl)
			}
		} else if strings.HasSuffix(out[:start], d.nl+d.nl) && strings.HasPrefix(out[end:], d.nl) {
			end += len(d.nl)
		}
		out = out[:start] + out[end:]
	}
	return true, d.update(name, out, nil)
}

// update checks that out still decodes to the same document except for
// the entry name (now want, or absent when want is nil) and takes it.
func (d *tomlDoc) update(name, out string, want any) error {
	m, err := decodeTOML(d.path, out)
	if err == nil {
		err = sameExcept(d.data, m, d.container, name, want)
	}
	if err != nil {
		return fmt.Errorf("%s: %w: the [%s.%s] table is written in a form MCPlex cannot edit safely (%v); edit it by hand",
			d.path, ErrUnsupported, d.container, name, err)
	}
	d.src, d.data = out, m
	return nil
}

// sameExcept checks that b equals a apart from a[container][name], which
// must be want in b (or absent if want is nil).
func sameExcept(a, b map[string]any, container, name string, want any) error {
	strip := func(m map[string]any) (map[string]any, any, bool) {
		c := make(map[string]any, len(m))
		for k, v := range m {
			c[k] = v
		}
		t, _ := m[container].(map[string]any)
		if t == nil {
			return c, nil, false
		}
		t2 := make(map[string]any, len(t))
		for k, v := range t {
			if k != name {
				t2[k] = v
			}
		}
		got, ok := t[name]
		if len(t2) == 0 {
			delete(c, container)
		} else {
			c[container] = t2
		}
		return c, got, ok
	}
	ra, _, _ := strip(a)
	rb, got, ok := strip(b)
	if !reflect.DeepEqual(ra, rb) {
		return errors.New("other settings would change")
	}
	switch {
	case want == nil && ok:
		return errors.New("the entry is still there")
	case want != nil && (!ok || canonical(got) != canonical(want)):
		return errors.New("the entry did not come out as written")
	}
	return nil
}

func (d *tomlDoc) bytes() []byte { return []byte(d.src) }

// spans returns the byte ranges of the entry's table and sub-tables: from
// each header line to the next header, without the blank and comment lines
// just before that next header (they introduce it).
func (d *tomlDoc) spans(name string) ([][2]int, error) {
	hs, err := scanTOMLHeaders(d.src)
	if err != nil {
		return nil, err
	}
	ours := func(h tomlHeader) bool { return len(h.keys) >= 2 && h.keys[0] == d.container && h.keys[1] == name }
	var out [][2]int
	for i, h := range hs {
		if !ours(h) {
			continue
		}
		if h.array {
			return nil, fmt.Errorf("%s: %w: [[%s]] is an array of tables", d.path, ErrUnsupported, strings.Join(h.keys, "."))
		}
		end := len(d.src)
		if i+1 < len(hs) {
			end = hs[i+1].start
		}
		if i+1 == len(hs) || !ours(hs[i+1]) {
			end = max(backOverTrailer(d.src, h.end, end), h.end)
		}
		if n := len(out); n > 0 && out[n-1][1] >= h.start {
			out[n-1][1] = end
			continue
		}
		out = append(out, [2]int{h.start, end})
	}
	if _, defined := d.get(name); defined && len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: %s.%s is defined inline, not as a [%s.%s] table; edit it by hand",
			d.path, ErrUnsupported, d.container, name, d.container, name)
	}
	return out, nil
}

// backOverTrailer moves end back over whole blank or comment lines, not
// before min.
func backOverTrailer(src string, min, end int) int {
	for end > min {
		prev := strings.LastIndexByte(src[:end-1], '\n') + 1
		line := strings.TrimSpace(src[prev:end])
		if line != "" && !strings.HasPrefix(line, "#") {
			break
		}
		end = prev
	}
	return end
}

// renderTOMLTable writes a table with o's fields in order.
func renderTOMLTable(keys []string, o object, nl string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(".")
		}
		b.WriteString(tomlKey(k))
	}
	b.WriteString("]" + nl)
	for _, f := range o {
		b.WriteString(tomlKey(f.key) + " = " + tomlValue(f.value) + nl)
	}
	return b.String()
}

func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return tomlString(v)
	case bool:
		return strconv.FormatBool(v)
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = tomlString(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case map[string]string:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		kv := make([]string, len(keys))
		for i, k := range keys {
			kv[i] = tomlKey(k) + " = " + tomlString(v[k])
		}
		if len(kv) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(kv, ", ") + " }"
	}
	panic(fmt.Sprintf("clients: no TOML form for %T", v))
}

// tomlKey writes k bare when TOML allows it, else quoted.
func tomlKey(k string) string {
	if k == "" {
		return `""`
	}
	for _, r := range k {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return tomlString(k)
		}
	}
	return k
}

// tomlString writes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
