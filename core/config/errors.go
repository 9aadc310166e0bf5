package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem found in a configuration. [Load], [Parse] and
// [Config.Validate] return all problems at once as an errors.Join of *Error
// values; use errors.As to get the first one, or the Unwrap() []error method
// of the joined error to get them all.
type Error struct {
	File string // file name as given to Load or Parse; "" for in-memory configs
	Line int    // 1-based line of the key; 0 if unknown
	Key  string // dotted key path such as servers[1].url; "" for file-level problems
	Msg  string // what is wrong, in lower case
}

// Error formats the problem as "FILE:LINE: KEY: MESSAGE", leaving out the
// parts that are unknown ("FILE: KEY: MESSAGE" without a line, "KEY: MESSAGE"
// without a file).
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// problems collects *Error values for one config. pos and failed are only
// set while parsing a file.
type problems struct {
	file   string
	pos    *positions      // key path -> line; nil for in-memory configs
	failed map[string]bool // paths whose ${VAR} expansion failed; no follow-up errors
	errs   []*Error
}

// addf records a problem with the value at path.
func (p *problems) addf(path, format string, args ...any) {
	if p.failed[path] {
		return
	}
	p.errs = append(p.errs, &Error{
		File: p.file,
		Line: p.pos.line(path),
		Key:  displayPath(path),
		Msg:  fmt.Sprintf(format, args...),
	})
}

// err returns the problems sorted by line (unknown lines last) as one error,
// or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(p.errs, func(a, b *Error) int {
		if (a.Line == 0) != (b.Line == 0) {
			return cmp.Compare(b.Line, a.Line) // 0 sorts after any real line
		}
		return cmp.Compare(a.Line, b.Line)
	})
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// child returns the path of key inside the table at parent. Keys that are
// not TOML bare keys are quoted: roles.dev, api_keys."sk-1".
func child(parent, key string) string {
	k := key
	if !isBare(key) {
		k = strconv.Quote(key)
	}
	if parent == "" {
		return k
	}
	return parent + "." + k
}

// index returns the path of element i of the array at parent: servers[2].
func index(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func isBare(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// parentPath returns the parent of a path built by child and index, or ""
// for a top-level key.
func parentPath(path string) string {
	last := -1
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '"':
			q, err := strconv.QuotedPrefix(path[i:])
			if err != nil {
				return ""
			}
			i += len(q) - 1
		case '.', '[':
			last = i
		}
	}
	if last < 0 {
		return ""
	}
	return path[:last]
}

// displayPath hides API keys that appear as table names in a path
// (api_keys."sk-live-0123456789" becomes api_keys."sk-l***"), so error
// messages can be logged safely. Names that are ${VAR} references or
// sha256: digests are not secret and are shown in full.
func displayPath(path string) string {
	const prefix = "api_keys."
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || rest == "" {
		return path
	}
	name, tail := rest, ""
	if rest[0] == '"' {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return path
		}
		name, _ = strconv.Unquote(q)
		tail = rest[len(q):]
	} else if i := strings.IndexAny(rest, ".["); i >= 0 {
		name, tail = rest[:i], rest[i:]
	}
	return child(prefix[:len(prefix)-1], redactKey(name)) + tail
}

// redactKey keeps the first four characters of a long secret and hides the
// rest; short secrets are hidden completely.
func redactKey(k string) string {
	switch {
	case strings.HasPrefix(k, "${"), strings.HasPrefix(k, "sha256:"):
		return k
	case len(k) >= 12:
		r := []rune(k)
		return string(r[:4]) + "***"
	default:
		return "***"
	}
}
