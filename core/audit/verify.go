package audit

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// ProblemKind classifies the first break Verify finds in the chain.
type ProblemKind string

// Problem kinds.
const (
	ProblemEdited    ProblemKind = "edited"    // the line's content differs from what its successor recorded
	ProblemInserted  ProblemKind = "inserted"  // the line is not part of the chain
	ProblemDeleted   ProblemKind = "deleted"   // records are missing before this line
	ProblemReordered ProblemKind = "reordered" // the line is from this chain, but out of place
	ProblemTruncated ProblemKind = "truncated" // the file ends inside this line
	ProblemMalformed ProblemKind = "malformed" // the line is not an audit record
	ProblemBroken    ProblemKind = "broken"    // the chain breaks here in some other way
)

// Problem is the first place where the files stop forming one chain.
type Problem struct {
	Kind   ProblemKind
	File   string // as passed to Verify
	Line   int    // 1-based line number in File
	Detail string // one sentence for people
	Want   string // what the chain expected here (hash or seq), if anything
	Got    string // what the line holds
}

// String renders the problem as "file:line: kind: detail".
func (p *Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Kind, p.Detail)
}

// Report is the result of Verify.
type Report struct {
	OK      bool
	Files   []string // in chain order
	Lines   int      // lines before the first problem (all of them when OK)
	Genesis bool     // the first line is the first record ever written
	Anchor  string   // prev of the first line; "" when Genesis
	// FirstSeq and LastSeq are the seq of the first and last verified line.
	FirstSeq, LastSeq uint64
	// Head is the hash of the last verified line. Keep it outside the log to
	// detect later removal of trailing lines (see the package documentation).
	Head    string
	Problem *Problem // nil when OK
}

// lookahead bounds how many lines after a break Verify reads to tell an
// insertion from an edit.
const lookahead = 64

// Verify checks that the lines of the given files form one hash chain and
// reports the first line where they do not. Pass the files oldest first
// (audit.jsonl.5 … audit.jsonl.1 audit.jsonl); if every non-empty file
// starts with a readable record, any order works, because Verify sorts them
// by their first seq. The error is non-nil only when a file cannot be read.
// Verifying the live file is safe; a record being written at that moment
// may show as a truncated last line.
func Verify(paths ...string) (Report, error) {
	if len(paths) == 0 {
		return Report{}, errors.New("audit: verify: no files given")
	}
	ordered, err := chainOrder(paths)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Files: ordered}
	r := &chainReader{paths: ordered}
	defer r.close()
	var p2, p1 *entry
	for {
		e, ok, err := r.next()
		if err != nil {
			return rep, err
		}
		if !ok {
			break
		}
		prob, err := check(p2, p1, &e, r)
		if err != nil {
			return rep, err
		}
		if prob != nil {
			if p1 != nil && prob.File == p1.file && prob.Line == p1.line {
				// The break exposed the line before: it did not verify.
				rep.Lines--
				rep.LastSeq, rep.Head = 0, ""
				if p2 != nil {
					rep.LastSeq, rep.Head = p2.seq, p2.hash
				}
			}
			rep.Problem = prob
			return rep, nil
		}
		if p1 == nil {
			rep.Genesis, rep.Anchor, rep.FirstSeq = e.prev == "", e.prev, e.seq
		}
		rep.Lines++
		rep.LastSeq, rep.Head = e.seq, e.hash
		p2, p1 = p1, &e
	}
	rep.OK = true
	return rep, nil
}

// entry is one line of an audit file.
type entry struct {
	file         string
	line         int
	hash         string // hex SHA-256 of the line
	prev         string
	seq          uint64
	bad          string // why the line is not a record; "" if it is
	unterminated bool   // no newline after it: the file ends inside it
}

// linked reports whether b directly follows a in the chain.
func linked(a, b *entry) bool {
	return a.bad == "" && b.bad == "" && b.prev == a.hash && b.seq == a.seq+1
}

// check validates e against its predecessors and, on a break, classifies it.
func check(p2, p1, e *entry, r *chainReader) (*Problem, error) {
	at := func(x *entry, k ProblemKind, detail, want, got string) *Problem {
		return &Problem{Kind: k, File: x.file, Line: x.line, Detail: detail, Want: want, Got: got}
	}
	switch {
	case e.unterminated && e.bad != "":
		return at(e, ProblemTruncated, "the file ends inside this line: "+e.bad, "", ""), nil
	case e.unterminated:
		return at(e, ProblemTruncated, "the line lacks its final newline", "", ""), nil
	case e.bad != "":
		return at(e, ProblemMalformed, e.bad, "", ""), nil
	case p1 == nil:
		if (e.prev == "") != (e.seq == 1) {
			return at(e, ProblemBroken, fmt.Sprintf("first line has seq %d and prev %q; only seq 1 may lack prev", e.seq, e.prev), "", ""), nil
		}
		return nil, nil
	case linked(p1, e):
		return nil, nil
	}
	la, err := r.peek(lookahead)
	if err != nil {
		return nil, err
	}
	return classify(p2, p1, e, la, at), nil
}

// classify explains a break between p1 and e (e does not link to p1),
// looking at p2 (before p1, may be nil) and the lines after e.
func classify(p2, p1, e *entry, la []entry, at func(*entry, ProblemKind, string, string, string) *Problem) *Problem {
	want := fmt.Sprintf("seq %d, prev %s", p1.seq+1, p1.hash)
	got := fmt.Sprintf("seq %d, prev %s", e.seq, e.prev)
	// A later line continues from p1: e (and maybe more) does not belong here.
	if slices.ContainsFunc(la, func(x entry) bool { return linked(p1, &x) }) {
		if slices.ContainsFunc(la, func(x entry) bool { return x.prev == e.hash }) {
			return at(e, ProblemReordered, fmt.Sprintf("record seq %d is out of place; the record after line %d comes later", e.seq, p1.line), want, got)
		}
		return at(e, ProblemInserted, "this line is not in the chain; a later line continues from the line before it", want, got)
	}
	// e continues from p2: p1 was slipped in with a forged prev.
	if p2 != nil && e.prev == p2.hash && e.seq == p2.seq+1 {
		return at(p1, ProblemInserted, fmt.Sprintf("this line is not in the chain; the next line continues from line %d before it", p2.line), "", "")
	}
	if e.seq > p1.seq+1 && e.prev != p1.hash {
		n := e.seq - p1.seq - 1
		return at(e, ProblemDeleted, fmt.Sprintf("%d record(s) missing before this line (seq %d to %d)", n, p1.seq+1, e.seq-1), want, got)
	}
	if e.seq == p1.seq+1 && e.prev != p1.hash {
		// Either p1's content changed, or e's prev field did. If e's
		// successor still accepts e, e is intact and p1 was edited.
		if len(la) > 0 && !linked(e, &la[0]) {
			return at(e, ProblemEdited, "the line was changed: the line after it records a different hash for it", "", e.hash)
		}
		return at(p1, ProblemEdited, fmt.Sprintf("the line was changed: the next line records its sha256 as %s, it hashes to %s", short(e.prev), short(p1.hash)), e.prev, p1.hash)
	}
	if e.prev == p1.hash {
		return at(e, ProblemEdited, fmt.Sprintf("seq was changed: want %d, got %d", p1.seq+1, e.seq), want, got)
	}
	return at(e, ProblemBroken, fmt.Sprintf("the chain breaks before this line: want %s, got %s", short(p1.hash), short(e.prev)), want, got)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if h == "" {
		return "(none)"
	}
	return h
}

// parseEntry fills prev, seq and bad from a line's bytes.
func parseEntry(e *entry, raw []byte) {
	var r struct {
		Seq  *uint64 `json:"seq"`
		Prev *string `json:"prev"`
	}
	switch {
	case len(raw) == 0 || raw[0] != '{':
		e.bad = "not a JSON object"
	case json.Unmarshal(raw, &r) != nil:
		e.bad = "not valid JSON"
	case r.Seq == nil || *r.Seq == 0:
		e.bad = "no seq field"
	case r.Prev != nil && !isHash(*r.Prev):
		e.bad = "prev is not a hex sha256"
	default:
		e.seq = *r.Seq
		if r.Prev != nil {
			e.prev = *r.Prev
		}
	}
}

func isHash(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// chainOrder sorts paths by the seq of their first line when every
// non-empty file starts with a record; otherwise it keeps the given order.
// Empty files sort last.
func chainOrder(paths []string) ([]string, error) {
	type keyed struct {
		path string
		seq  uint64
	}
	ks := make([]keyed, len(paths))
	sortable := true
	for i, p := range paths {
		r := &chainReader{paths: []string{p}}
		e, ok, err := r.next()
		r.close()
		if err != nil {
			return nil, err
		}
		ks[i] = keyed{p, ^uint64(0)}
		if ok && e.bad != "" {
			sortable = false
		} else if ok {
			ks[i].seq = e.seq
		}
	}
	if sortable {
		slices.SortStableFunc(ks, func(a, b keyed) int {
			switch {
			case a.seq < b.seq:
				return -1
			case a.seq > b.seq:
				return 1
			}
			return 0
		})
	}
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.path
	}
	return out, nil
}

// chainReader yields the lines of several files in order, with lookahead.
type chainReader struct {
	paths   []string
	fileIdx int // index of the next file to open
	f       *os.File
	br      *bufio.Reader
	name    string
	line    int
	peeked  []entry
}

func (r *chainReader) close() {
	if r.f != nil {
		_ = r.f.Close()
		r.f = nil
	}
}

// next returns the next line, or ok=false after the last line of the last file.
func (r *chainReader) next() (entry, bool, error) {
	if len(r.peeked) > 0 {
		e := r.peeked[0]
		r.peeked = r.peeked[1:]
		return e, true, nil
	}
	return r.read()
}

// peek returns up to n lines after the last one returned by next.
func (r *chainReader) peek(n int) ([]entry, error) {
	for len(r.peeked) < n {
		e, ok, err := r.read()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		r.peeked = append(r.peeked, e)
	}
	return r.peeked[:min(n, len(r.peeked))], nil
}

func (r *chainReader) read() (entry, bool, error) {
	for {
		if r.f == nil {
			if r.fileIdx >= len(r.paths) {
				return entry{}, false, nil
			}
			f, err := os.Open(r.paths[r.fileIdx])
			if err != nil {
				return entry{}, false, fmt.Errorf("audit: verify: %w", err)
			}
			r.f, r.br, r.name, r.line = f, bufio.NewReaderSize(f, 64<<10), r.paths[r.fileIdx], 0
			r.fileIdx++
		}
		raw, err := r.br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return entry{}, false, fmt.Errorf("audit: verify: reading %s: %w", r.name, err)
		}
		if len(raw) == 0 {
			r.close()
			continue
		}
		r.line++
		e := entry{file: r.name, line: r.line}
		if raw[len(raw)-1] == '\n' {
			raw = raw[:len(raw)-1]
		} else {
			e.unterminated = true
		}
		e.hash = lineHash(raw)
		parseEntry(&e, raw)
		return e, true, nil
	}
}
