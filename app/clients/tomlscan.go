package clients

import (
	"errors"
	"strconv"
	"strings"
)

// tomlHeader is one [table] or [[array]] header line.
type tomlHeader struct {
	start, end int // the line, end just after its newline
	keys       []string
	array      bool
}

// scanTOMLHeaders finds the table headers of src: a "[" that starts a line
// outside any string, comment or multi-line array. The file has already
// been decoded, so the scanner can be lenient about everything else.
func scanTOMLHeaders(src string) ([]tomlHeader, error) {
	var out []tomlHeader
	lineStart, depth := true, 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#':
			i = lineEnd(src, i)
			continue
		case c == '[' && lineStart && depth == 0:
			h, err := parseHeader(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
			i = h.end
			continue
		case c == '"' || c == '\'':
			i = skipString(src, i)
			lineStart = false
			continue
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		}
		lineStart = false
		i++
	}
	return out, nil
}

// lineEnd returns the offset of the newline ending the line at i (or len).
func lineEnd(src string, i int) int {
	if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(src)
}

// skipString returns the offset just after the string starting at i.
func skipString(src string, i int) int {
	q := src[i]
	triple := strings.Repeat(string(q), 3)
	if strings.HasPrefix(src[i:], triple) {
		j := i + 3
		for j < len(src) {
			if q == '"' && src[j] == '\\' {
				j += 2
				continue
			}
			if strings.HasPrefix(src[j:], triple) {
				j += 3
				for k := 0; k < 2 && j < len(src) && src[j] == q; k++ { // """"" ends with quotes
					j++
				}
				return j
			}
			j++
		}
		return len(src)
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case q == '"' && src[j] == '\\':
			j++
		case src[j] == q || src[j] == '\n':
			return j + 1
		}
	}
	return len(src)
}

// parseHeader reads the header whose "[" is at i.
func parseHeader(src string, i int) (tomlHeader, error) {
	h := tomlHeader{start: strings.LastIndexByte(src[:i], '\n') + 1}
	j := i + 1
	if strings.HasPrefix(src[i:], "[[") {
		h.array, j = true, i+2
	}
	keys, j, err := parseDottedKey(src, j)
	if err != nil {
		return h, err
	}
	closing := "]"
	if h.array {
		closing = "]]"
	}
	if !strings.HasPrefix(src[j:], closing) {
		return h, errors.New("unreadable table header on line " + strconv.Itoa(1+strings.Count(src[:i], "\n")))
	}
	h.keys = keys
	h.end = lineEnd(src, j)
	if h.end < len(src) {
		h.end++
	}
	return h, nil
}

// parseDottedKey reads a.b."c d".'e' from j and returns the segments and
// the offset after the key and its trailing blanks.
func parseDottedKey(src string, j int) ([]string, int, error) {
	var keys []string
	for {
		j = skipBlanks(src, j)
		if j >= len(src) {
			return nil, j, errors.New("unterminated table header")
		}
		var k string
		switch src[j] {
		case '"':
			end := skipString(src, j)
			s, err := strconv.Unquote(src[j:end])
			if err != nil {
				return nil, j, errors.New("unreadable quoted key in a table header")
			}
			k, j = s, end
		case '\'':
			end := skipString(src, j)
			k, j = src[j+1:end-1], end
		default:
			start := j
			for j < len(src) && isBareKeyChar(src[j]) {
				j++
			}
			if j == start {
				return nil, j, errors.New("empty key in a table header")
			}
			k = src[start:j]
		}
		keys = append(keys, k)
		j = skipBlanks(src, j)
		if j < len(src) && src[j] == '.' {
			j++
			continue
		}
		return keys, j, nil
	}
}

func skipBlanks(src string, j int) int {
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	return j
}

func isBareKeyChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
