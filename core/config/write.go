package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

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
func (c *Config) original(path, s string) string {
	if src, ok := c.source[path]; ok && src.value == s {
		return src.raw
	}
	return s
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
