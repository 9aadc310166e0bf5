package clients

import (
	"bytes"
	"fmt"
	"strings"
)

const (
	diffContext = 3
	// maxDiffCells bounds the LCS table; a bigger changed region is shown
	// as one replacement (MCPlex's own edits are a few lines).
	maxDiffCells = 1 << 20
)

// diffOp is one line of an edit script: ' ' kept, '-' removed, '+' added.
// text keeps its newline, if it had one.
type diffOp struct {
	kind byte
	text string
}

// unifiedDiff returns the unified diff from a to b, or "" if they are
// equal. A side that does not exist is labelled /dev/null.
func unifiedDiff(path string, a, b []byte, aExists, bExists bool) string {
	if bytes.Equal(a, b) && aExists == bExists {
		return ""
	}
	from, to := path, path
	if !aExists {
		from = "/dev/null"
	}
	if !bExists {
		to = "/dev/null"
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	ops := editScript(splitLines(a), splitLines(b))
	for _, h := range hunks(ops) {
		writeHunk(&out, ops, h)
	}
	return out.String()
}

func splitLines(b []byte) []string {
	s := string(b)
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// editScript turns a into b: common head and tail kept, the middle by
// longest common subsequence.
func editScript(a, b []string) []diffOp {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var ops []diffOp
	for _, l := range a[:p] {
		ops = append(ops, diffOp{' ', l})
	}
	ops = append(ops, lcsScript(a[p:len(a)-s], b[p:len(b)-s])...)
	for _, l := range a[len(a)-s:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

func lcsScript(a, b []string) []diffOp {
	var ops []diffOp
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range b {
			ops = append(ops, diffOp{'+', l})
		}
		return ops
	}
	// n[i][j] is the LCS length of a[i:] and b[j:].
	w := len(b) + 1
	n := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				n[i*w+j] = n[(i+1)*w+j+1] + 1
			} else {
				n[i*w+j] = max(n[(i+1)*w+j], n[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || n[(i+1)*w+j] >= n[i*w+j+1]):
			ops = append(ops, diffOp{'-', a[i]})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j]})
			j++
		}
	}
	return ops
}

// hunks returns [start, end) ranges of ops: each change with its context,
// merged when they touch.
func hunks(ops []diffOp) [][2]int {
	var out [][2]int
	for i, op := range ops {
		if op.kind == ' ' {
			continue
		}
		start, end := max(i-diffContext, 0), min(i+1+diffContext, len(ops))
		if n := len(out); n > 0 && start <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], end)
			continue
		}
		out = append(out, [2]int{start, end})
	}
	return out
}

func writeHunk(w *strings.Builder, ops []diffOp, h [2]int) {
	aLine, bLine := 1, 1
	for _, op := range ops[:h[0]] {
		if op.kind != '+' {
			aLine++
		}
		if op.kind != '-' {
			bLine++
		}
	}
	aLen, bLen := 0, 0
	for _, op := range ops[h[0]:h[1]] {
		if op.kind != '+' {
			aLen++
		}
		if op.kind != '-' {
			bLen++
		}
	}
	if aLen == 0 {
		aLine--
	}
	if bLen == 0 {
		bLine--
	}
	fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", aLine, aLen, bLine, bLen)
	for _, op := range ops[h[0]:h[1]] {
		w.WriteByte(op.kind)
		w.WriteString(op.text)
		if !strings.HasSuffix(op.text, "\n") {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
}
