package clients

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// Errors callers can test for with errors.Is. In each case nothing was
// written.
var (
	// ErrMalformed: the config file cannot be parsed, or has a shape
	// MCPlex will not edit. The error is a *MalformedError.
	ErrMalformed = errors.New("malformed client config")
	// ErrNotOurs: the file has an "mcplex" entry that MCPlex did not write;
	// pass Force to replace (or remove) it anyway.
	ErrNotOurs = errors.New(`the "mcplex" entry was not written by this MCPlex`)
	// ErrConflict: the file changed between reading and saving it.
	ErrConflict = errors.New("the file changed while MCPlex was editing it; try again")
	// ErrUnsupported: the client or its file cannot do what was asked.
	ErrUnsupported = errors.New("not supported")
	// ErrUnstableExe: a bridge entry would point at a binary in a temporary
	// or translocated folder that will not be there later.
	ErrUnstableExe = errors.New("mcplex is running from a temporary location")
)

// MalformedError reports a config file MCPlex cannot or will not edit. The
// file was left untouched.
type MalformedError struct {
	Path   string
	Line   int // 1-based; 0 if unknown
	Column int // 1-based; 0 if unknown
	Reason string
}

func (e *MalformedError) Error() string {
	pos := e.Path
	if e.Line > 0 {
		pos += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			pos += ":" + strconv.Itoa(e.Column)
		}
	}
	return fmt.Sprintf("%s: %s (MCPlex left the file untouched)", pos, e.Reason)
}

// Is makes errors.Is(err, ErrMalformed) true.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// malformedAt builds a MalformedError at byte offset off of src.
func malformedAt(path string, src []byte, off int, reason string) *MalformedError {
	line, col := lineCol(src, off)
	return &MalformedError{Path: path, Line: line, Column: col, Reason: reason}
}

func lineCol(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line = 1 + bytes.Count(src[:off], []byte("\n"))
	col = 1 + off - (bytes.LastIndexByte(src[:off], '\n') + 1)
	return line, col
}

// hujsonPos matches the position prefix of hujson's parse errors.
var hujsonPos = regexp.MustCompile(`^hujson: line (\d+), column (\d+): (.*)$`)

// jsonSyntaxError turns a hujson parse error into a MalformedError.
func jsonSyntaxError(path string, err error) *MalformedError {
	e := &MalformedError{Path: path, Reason: "not valid JSON: " + err.Error()}
	if m := hujsonPos.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Column, _ = strconv.Atoi(m[2])
		e.Reason = "not valid JSON: " + m[3]
	}
	return e
}
