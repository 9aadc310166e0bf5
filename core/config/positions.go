package config

import (
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// positions maps key paths (as built by child and index, e.g. servers[1].url)
// to the 1-based line that defines them. BurntSushi/toml v1.6.0 records key
// positions but does not export them (MetaData has no Position method), so
// scanPositions re-reads the document with a small scanner. The scanner only
// runs on input the TOML decoder has already accepted, which keeps it simple:
// it tracks tables, keys, strings, arrays and inline tables, and never
// reports errors.
type positions struct {
	lines   map[string]int
	entries []keyEntry // in document order, one per path
}

// keyEntry is one key or array element found in the document.
type keyEntry struct {
	path string   // servers[1].url
	key  toml.Key // servers.url: the unindexed form toml.MetaData uses
	line int
	elem bool // an array element (servers[1], args[0]) rather than a key
}

// line returns the line of path, or of its nearest ancestor that appears in
// the document (a missing servers[1].url reports the [[servers]] line), or 0.
func (p *positions) line(path string) int {
	if p == nil {
		return 0
	}
	for path != "" {
		if l, ok := p.lines[path]; ok {
			return l
		}
		path = parentPath(path)
	}
	return 0
}

type scanner struct {
	src      string
	i        int
	line     int
	table    string         // resolved path of the current [table]
	tableKey toml.Key       // its unindexed key
	arrays   map[string]int // resolved path of an array of tables -> elements seen
	pos      *positions
}

func scanPositions(src string) *positions {
	s := &scanner{
		src:    src,
		line:   1,
		arrays: map[string]int{},
		pos:    &positions{lines: map[string]int{}},
	}
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if strings.HasPrefix(src, bom) {
			s.i = len(bom)
			break
		}
	}
	for {
		s.skipSpace(true)
		if s.eof() {
			return s.pos
		}
		start := s.i
		if s.peek() == '[' {
			s.header()
		} else {
			s.keyval(s.table, s.tableKey)
		}
		if s.i == start {
			s.i++ // cannot happen on valid TOML; guarantees progress anyway
		}
	}
}

func (s *scanner) eof() bool { return s.i >= len(s.src) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *scanner) record(path string, key toml.Key, line int, elem bool) {
	if _, ok := s.pos.lines[path]; ok {
		return
	}
	s.pos.lines[path] = line
	s.pos.entries = append(s.pos.entries, keyEntry{path: path, key: slices.Clone(key), line: line, elem: elem})
}

// header reads [a.b] or [[a.b]] and makes it the current table.
func (s *scanner) header() {
	line := s.line
	s.i++
	array := s.peek() == '['
	if array {
		s.i++
	}
	segs := s.key()
	for s.peek() == ']' {
		s.i++
	}
	if len(segs) == 0 {
		return
	}
	resolved := ""
	for j, seg := range segs {
		resolved = child(resolved, seg)
		if j == len(segs)-1 && array {
			n := s.arrays[resolved]
			s.arrays[resolved] = n + 1
			s.record(resolved, segs, line, false)
			resolved = index(resolved, n)
			s.record(resolved, segs, line, true)
			break
		}
		if n, ok := s.arrays[resolved]; ok {
			resolved = index(resolved, n-1)
		}
		s.record(resolved, segs[:j+1], line, false)
	}
	s.table, s.tableKey = resolved, segs
}

// keyval reads "a.b = value" inside the table at path table.
func (s *scanner) keyval(table string, tableKey toml.Key) {
	line := s.line
	segs := s.key()
	if len(segs) == 0 || s.peek() != '=' {
		return
	}
	s.i++
	path, key := table, slices.Clone(tableKey)
	for _, seg := range segs {
		path, key = child(path, seg), append(key, seg)
		s.record(path, key, line, false)
	}
	s.value(path, key)
}

// key reads a dotted key and returns its decoded parts.
func (s *scanner) key() []string {
	var segs []string
	for {
		s.skipSpace(false)
		switch s.peek() {
		case '"', '\'':
			segs = append(segs, s.str())
		default:
			start := s.i
			for !s.eof() && !strings.ContainsRune(" \t\r\n.=[]\"'#,{}", rune(s.peek())) {
				s.i++
			}
			if s.i == start {
				return segs
			}
			segs = append(segs, s.src[start:s.i])
		}
		s.skipSpace(false)
		if s.peek() != '.' {
			return segs
		}
		s.i++
	}
}

// value skips one value, recording array elements and inline-table keys.
func (s *scanner) value(path string, key toml.Key) {
	s.skipSpace(false)
	switch s.peek() {
	case '"', '\'':
		s.str()
	case '[':
		s.i++
		s.list(']', func(n int) {
			elem := index(path, n)
			s.record(elem, key, s.line, true)
			s.value(elem, key)
		})
	case '{':
		s.i++
		s.list('}', func(int) { s.keyval(path, key) })
	default: // number, boolean, date-time (which may contain a space)
		for !s.eof() && !strings.ContainsRune(",]}\n#", rune(s.peek())) {
			s.i++
		}
	}
}

// list reads the items of an array or inline table up to and including
// end, calling item for each (n counts items from 0). Newlines and comments
// are skipped between items (inline tables may span lines since TOML 1.1).
func (s *scanner) list(end byte, item func(n int)) {
	for n := 0; ; {
		s.skipSpace(true)
		switch s.peek() {
		case 0:
			return
		case end:
			s.i++
			return
		case ',':
			s.i++
			continue
		}
		start := s.i
		item(n)
		n++
		if s.i == start {
			s.i++
		}
	}
}

// str skips a string of any of the four TOML kinds and returns its
// contents, decoded as far as Go's quoting rules allow (only used for keys).
func (s *scanner) str() string {
	q := s.src[s.i]
	delim := strings.Repeat(string(q), 3)
	multi := strings.HasPrefix(s.src[s.i:], delim)
	if !multi {
		delim = string(q)
	}
	s.i += len(delim)
	start := s.i
	for !s.eof() {
		c := s.src[s.i]
		switch {
		case c == '\\' && q == '"':
			s.i++
			if s.peek() == '\n' {
				s.line++
			}
		case c == '\n' && !multi:
			return s.src[start:s.i]
		case c == '\n':
			s.line++
		case strings.HasPrefix(s.src[s.i:], delim):
			raw := s.src[start:s.i]
			s.i += len(delim)
			for k := 0; multi && k < 2 && s.peek() == q; k++ {
				s.i++ // """a"""" ends with a quote inside the string
			}
			if q == '"' {
				if v, err := strconv.Unquote(`"` + raw + `"`); err == nil {
					return v
				}
			}
			return raw
		}
		s.i++
	}
	return s.src[start:]
}

// skipSpace skips blanks and comments, and newlines too if newlines is set.
func (s *scanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch s.src[s.i] {
		case ' ', '\t', '\r':
			s.i++
		case '\n':
			if !newlines {
				return
			}
			s.line++
			s.i++
		case '#':
			for !s.eof() && s.src[s.i] != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}
