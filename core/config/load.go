package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load reads the config file at path and parses it with [Parse]. Errors
// about the contents name the file as path was given.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a config file's contents over [Default], expands ${VAR}
// and ${VAR:-default} (default used when VAR is unset or empty) in every
// string value and in the names of [api_keys] tables, resolves the relative
// paths security.audit_log_path and servers[].cwd against the directory of
// filename, fills per-server defaults, and validates the result.
//
// filename is used in error messages; its absolute form becomes c.Path. If
// filename is "", errors name the file "<config>" and relative paths stay
// relative.
//
// On any problem Parse returns a nil config and an errors.Join of [*Error]
// values, one per problem, sorted by line: a TOML syntax or type error
// alone, otherwise every unknown key, unset variable and invalid value.
func Parse(data []byte, filename string) (*Config, error) {
	return parse(data, filename, os.LookupEnv)
}

// ParseUnexpanded is [Parse] with every ${VAR} left as written, not looked
// up in this process's environment: for a process that edits a config that
// another process runs with its own environment (the desktop editing the
// service's config). [Encode] writes the references back unchanged. Values
// made only of a reference are checked as that text, so a url = "${URL}"
// is reported as not a URL.
func ParseUnexpanded(data []byte, filename string) (*Config, error) {
	return parse(data, filename, func(name string) (string, bool) { return "${" + name + "}", true })
}

// lookupFunc has the signature of os.LookupEnv; tests pass a map lookup.
type lookupFunc func(name string) (string, bool)

func parse(data []byte, filename string, lookup lookupFunc) (*Config, error) {
	display := filename
	if display == "" {
		display = "<config>"
	}
	src := string(data)
	raw := Default()
	md, err := toml.Decode(src, raw)
	if err != nil {
		return nil, errors.Join(decodeError(err, display, src))
	}
	p := &problems{file: display, pos: scanPositions(src), failed: map[string]bool{}}
	unknownKeys(md, p)

	x := &expander{lookup: lookup, p: p, source: map[string]sourced{}, rawKey: map[string]string{}}
	c := x.expand(raw)
	for i := range c.Servers {
		if c.Servers[i].TimeoutSeconds == 0 {
			c.Servers[i].TimeoutSeconds = defaultServerTimeoutSeconds
		}
	}
	if filename != "" {
		abs, err := filepath.Abs(filename)
		if err != nil {
			return nil, fmt.Errorf("resolving config path: %w", err)
		}
		c.Path = abs
		resolvePaths(c, filepath.Dir(abs), x.source)
	}
	validate(c, p, x.rawKey)
	if err := p.err(); err != nil {
		return nil, err
	}
	c.source = x.source
	for _, srv := range c.Servers {
		c.sourceServers = append(c.sourceServers, srv.Name)
	}
	return c, nil
}

// unknownKeys reports every key the decoder did not use, at each place it
// occurs, but not the keys below an unknown table.
func unknownKeys(md toml.MetaData, p *problems) {
	undecoded := map[string]bool{}
	for _, k := range md.Undecoded() {
		undecoded[k.String()] = true
	}
	reported := map[string]bool{}
	isUnknown := func(k toml.Key) bool {
		for i := 1; i < len(k); i++ {
			if undecoded[k[:i].String()] {
				reported[k.String()] = true // covered by its unknown parent
				return false
			}
		}
		return undecoded[k.String()]
	}
	for _, e := range p.pos.entries {
		switch {
		case e.elem:
		case isUnknown(e.key):
			reported[e.key.String()] = true
			p.addf(e.path, "unknown key")
		default:
			if want := caseMismatch(e.key); want != "" {
				p.addf(e.path, "unknown key (keys are case-sensitive: did you mean %q?)", want)
			}
		}
	}
	for _, k := range md.Undecoded() { // anything the position scanner missed
		if s := k.String(); !reported[s] && isUnknown(k) {
			reported[s] = true
			p.errs = append(p.errs, &Error{File: p.file, Key: displayPath(s), Msg: "unknown key"})
		}
	}
}

// caseMismatch returns the schema's spelling of the last part of key if
// the decoder matched that part to a field only case-insensitively, as
// BurntSushi/toml does (LISTEN = ... fills listen). MCPlex keys are
// case-sensitive, like the seed's, and two spellings of one key would
// otherwise decode in an unspecified order.
func caseMismatch(key toml.Key) string {
	t := reflect.TypeFor[Config]()
	for i := 0; i < len(key); {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice:
			t = t.Elem() // [[servers]] keys carry no index
			continue
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, exact := fieldByTag(t, key[i])
			if f == nil {
				return ""
			}
			if !exact {
				if i == len(key)-1 {
					return tagName(*f)
				}
				return ""
			}
			t = f.Type
		default:
			return ""
		}
		i++
	}
	return ""
}

// fieldByTag finds the field of struct type t whose toml name is name,
// falling back to a case-insensitive match like the decoder.
func fieldByTag(t reflect.Type, name string) (f *reflect.StructField, exact bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		switch tag := tagName(sf); {
		case tag == name:
			return &sf, true
		case f == nil && strings.EqualFold(tag, name):
			f = &sf
		}
	}
	return f, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// resolvePaths makes relative file paths absolute against dir and records
// the text written in the file so that Encode can write it back.
func resolvePaths(c *Config, dir string, source map[string]sourced) {
	resolve := func(path string, p *string) {
		if *p == "" || filepath.IsAbs(*p) {
			return
		}
		raw := *p
		if s, ok := source[path]; ok {
			raw = s.raw
		}
		*p = filepath.Join(dir, *p)
		source[path] = sourced{raw: raw, value: *p}
	}
	resolve("security.audit_log_path", &c.Security.AuditLogPath)
	for i := range c.Servers {
		resolve(child(index("servers", i), "cwd"), &c.Servers[i].Cwd)
	}
}

// typeErrorRE matches the decoder's non-syntax errors, which BurntSushi/toml
// returns as plain errors: toml: line 2 (last key "gateway.listen"): MESSAGE.
var typeErrorRE = regexp.MustCompile(`^toml: line (\d+) \(last key ("(?:[^"\\]|\\.)*")\): (.*)$`)

// decodeError turns a TOML decoding error into an *Error.
func decodeError(err error, file, src string) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message}
	}
	m := typeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: file, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	line, _ := strconv.Atoi(m[1]) // the regexp guarantees digits
	key, _ := strconv.Unquote(m[2])
	return &Error{File: file, Line: line, Key: displayPath(pathAt(scanPositions(src), line, key)), Msg: typeMessage(m[3])}
}

// pathAt returns the indexed path of the key written on line whose
// unindexed form is key (servers.name on line 7 -> servers[1].name).
func pathAt(pos *positions, line int, key string) string {
	for _, e := range pos.entries {
		if e.line == line && !e.elem && e.key.String() == key {
			return e.path
		}
	}
	return key
}

var (
	incompatibleRE = regexp.MustCompile(`^incompatible types: TOML value has type (.+); destination has type (.+)$`)
	mismatchRE     = regexp.MustCompile(`^type mismatch for .+: expected table but found (.+)$`)
	typeNames      = map[string]string{
		"int64": "integer", "float64": "float", "bool": "boolean", "slice": "array",
		"map": "table", "map[string]any": "table", "[]any": "array",
		"[]map[string]any": "array of tables", "time.Time": "date-time",
		"toml.LocalDate": "date", "toml.LocalTime": "time", "toml.LocalDatetime": "date-time",
	}
)

// typeMessage rewrites the decoder's Go-flavoured type errors in TOML terms.
func typeMessage(msg string) string {
	name := func(t string) string {
		if n, ok := typeNames[t]; ok {
			return n
		}
		return t
	}
	if m := incompatibleRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("wrong type: want %s, got %s", name(m[2]), name(m[1]))
	}
	if m := mismatchRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("wrong type: want table, got %s", name(m[1]))
	}
	return msg
}
