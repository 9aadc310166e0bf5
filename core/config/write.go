package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/mcplex/mcplex/core/atomicfile"
)

// Encode returns c as TOML that Parse reads back to an equal config. Values
// that Parse expanded or resolved are written as they were in the file
// (${GITHUB_TOKEN}, ./logs/audit.jsonl) as long as they still hold the
// value Parse gave them, so secrets from the environment are not written to
// disk. Comments and key order of the original file are not kept.
func Encode(c *Config) ([]byte, error) {
	out := c
	if len(c.source) > 0 {
		r := rewriter{
			value: func(path, s string) string { return c.original(path, s) },
			key: func(mapPath, k string) string {
				if mapPath != "api_keys" {
					return k
				}
				return c.original(child(mapPath, k), k)
			},
		}
		cp := r.copy(reflect.ValueOf(c).Elem(), "").Interface().(Config)
		out = &cp
	}
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	return buf.Bytes(), nil
}

// original returns the file text behind the value s at path, or s.
//
// A value is looked up where it was read from: its server is found by name
// (a server removed before it moves it up the list), then at its path,
// then, for an element of a list (args), anywhere in that list (an element
// deleted before it moves it up). Failing that it is matched against every
// ${VAR} expansion taken from the environment, so a secret is never
// written to disk in the clear, whatever was edited around it; this only
// ever writes a reference that expands to the same value.
func (c *Config) original(path, s string) string {
	path = c.sourcePath(path)
	if src, ok := c.source[path]; ok && src.value == s {
		return src.raw
	}
	if s == "" {
		return s
	}
	if i := strings.LastIndexByte(path, '['); i > 0 && strings.HasSuffix(path, "]") {
		list := path[:i+1]
		if raw, ok := c.sourceMatch(s, func(p string, src sourced) bool {
			return strings.HasPrefix(p, list) && !strings.Contains(p[len(list):], ".")
		}); ok {
			return raw
		}
	}
	if raw, ok := c.sourceMatch(s, func(p string, src sourced) bool {
		// A default written in the file (${X:-fast}) is no secret.
		return strings.Contains(src.raw, "${") && !strings.Contains(src.raw, ":-"+s+"}")
	}); ok {
		return raw
	}
	return s
}

// sourceMatch returns the smallest raw text (so the output does not depend
// on map order) of the sourced values equal to s that keep accepts.
func (c *Config) sourceMatch(s string, keep func(path string, src sourced) bool) (string, bool) {
	var best string
	for p, src := range c.source {
		if src.value == s && keep(p, src) && (best == "" || src.raw < best) {
			best = src.raw
		}
	}
	return best, best != ""
}

// sourcePath maps "servers[I]..." of c to the index the same server (by
// name) had in the file.
func (c *Config) sourcePath(path string) string {
	rest, ok := strings.CutPrefix(path, "servers[")
	if !ok {
		return path
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return path
	}
	i, err := strconv.Atoi(rest[:end])
	if err != nil || i < 0 || i >= len(c.Servers) {
		return path
	}
	for j, name := range c.sourceServers {
		if name == c.Servers[i].Name {
			return index("servers", j) + rest[end+1:]
		}
	}
	return path
}

// WriteFile replaces the file at path with data atomically (temporary file
// in the same directory, fsync, rename), so a watcher or a crash never sees
// a half-written config. An existing file is first copied to path+".bak"
// (the same way) and its permissions are kept; a new file gets mode 0600.
//
// If path is a symbolic link, the file it points to is replaced, not the link.
func WriteFile(path string, data []byte) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	perm := fs.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
		old, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading config for backup: %w", err)
		}
		if err := writeAtomic(path+".bak", old, perm); err != nil {
			return fmt.Errorf("writing config backup: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checking config file: %w", err)
	}
	if err := writeAtomic(path, data, perm); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	return nil
}

// writeAtomic writes data to a temporary file next to path, syncs it and
// renames it over path.
func writeAtomic(path string, data []byte, perm fs.FileMode) error {
	return atomicfile.Write(path, data, perm)
}
