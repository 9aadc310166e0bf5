package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// sourced is a value as written in the file next to the value Parse made
// of it.
type sourced struct {
	raw   string // "${GITHUB_TOKEN}", "./logs/audit.jsonl"
	value string // the expansion or the absolute path
}

// expander expands ${VAR} references in a decoded config. Expansion runs on
// decoded values, so comments and key names are never touched; the names
// of [api_keys] tables are the one exception, because a key is often kept in
// the environment ([api_keys."${TEAM_KEY}"]).
type expander struct {
	lookup lookupFunc
	p      *problems
	source map[string]sourced // path -> file text, for values that changed
	rawKey map[string]string  // expanded API key -> the table name in the file
}

// expand returns a deep copy of c with every reference expanded.
func (x *expander) expand(c *Config) *Config {
	r := rewriter{value: x.value, key: x.key}
	out := r.copy(reflect.ValueOf(c).Elem(), "").Interface().(Config)
	return &out
}

func (x *expander) value(path, s string) string {
	v, err := expandEnv(s, x.lookup)
	if err != nil {
		x.p.addf(path, "%s", err)
		x.p.failed[path] = true
		return s
	}
	if v != s {
		x.source[path] = sourced{raw: s, value: v}
	}
	return v
}

func (x *expander) key(mapPath, k string) string {
	if mapPath != "api_keys" {
		return k
	}
	path := child(mapPath, k)
	v, err := expandEnv(k, x.lookup)
	if err != nil {
		x.p.addf(path, "%s", err)
		x.p.failed[path] = true
		return k
	}
	if prev, dup := x.rawKey[v]; dup {
		x.p.addf(path, "same API key as %s after ${VAR} expansion", displayPath(child(mapPath, prev)))
		return k
	}
	x.rawKey[v] = k
	if v != k {
		x.source[child(mapPath, v)] = sourced{raw: k, value: v}
	}
	return v
}

// expandEnv replaces each ${NAME} in s with the value of the environment
// variable NAME, which must be set (it may be empty), and each
// ${NAME:-default} with the variable's value or, if it is unset or empty,
// with default (which cannot contain "}"). A "$" not followed by "{" is
// kept as is. Errors never include s, which may hold secrets.
func expandEnv(s string, lookup lookupFunc) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:start])
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			return "", errors.New(`unterminated "${" (want ${NAME} or ${NAME:-default})`)
		}
		ref := s[start+2 : start+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !isVarName(name) {
			return "", fmt.Errorf("invalid variable reference %q (want ${NAME} or ${NAME:-default})", "${"+ref+"}")
		}
		v, ok := lookup(name)
		switch {
		case hasDef && v == "":
			v = def
		case !ok:
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		b.WriteString(v)
		s = s[start+end+1:]
	}
}

// isVarName reports whether s is a shell-style variable name.
func isVarName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// rewriter makes deep copies of config values, passing every string and
// (if key is set) every map key through a function that sees its key path.
// Using the toml tags for the paths keeps the expansion, the positions and
// Encode in step with config.go without listing fields by hand.
type rewriter struct {
	value func(path, s string) string
	key   func(mapPath, k string) string
}

func (r *rewriter) copy(v reflect.Value, path string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(r.value(path, v.String()))
		return out
	case reflect.Struct:
		return r.copyStruct(v, path)
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(r.copy(v.Index(i), index(path, i)))
		}
		return out
	case reflect.Map:
		return r.copyMap(v, path)
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(r.copy(v.Elem(), path))
		return out
	default:
		return v
	}
}

func (r *rewriter) copyStruct(v reflect.Value, path string) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := tagName(f)
		switch name {
		case "-":
			out.Field(i).Set(v.Field(i))
			continue
		case "":
			name = f.Name
		}
		out.Field(i).Set(r.copy(v.Field(i), child(path, name)))
	}
	return out
}

// copyMap visits keys in sorted order so that problems come out in a
// stable order.
func (r *rewriter) copyMap(v reflect.Value, path string) reflect.Value {
	if v.IsNil() {
		return v
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	for _, k := range keys {
		name := k.String()
		elem := r.copy(v.MapIndex(k), child(path, name))
		if r.key != nil {
			name = r.key(path, name)
		}
		out.SetMapIndex(reflect.ValueOf(name).Convert(k.Type()), elem)
	}
	return out
}
