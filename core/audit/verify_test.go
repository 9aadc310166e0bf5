package audit

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// chainFixture writes 30 records that rotate into three files of ten lines
// (audit.jsonl.2, audit.jsonl.1, audit.jsonl) and returns the path and the
// logger's head.
func chainFixture(t *testing.T) (path string, headSeq uint64, head string) {
	t.Helper()
	l, path := openTest(t, Options{MaxSizeBytes: 2200, Now: fixedNow})
	for i := range 30 {
		mustLog(t, l, Event{Event: ToolCall, ToolName: fmt.Sprintf("srv/tool%02d", i),
			DurationMS: 12.5, Outcome: OutcomeOK, Message: fmt.Sprintf("id-%02d", i)})
	}
	headSeq, head = l.Head()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range chainFiles(t, path) {
		if n := len(readLines(t, f)); n != 10 {
			t.Fatalf("fixture: %s has %d lines, want 10", f, n)
		}
	}
	return path, headSeq, head
}

// editLines rewrites the lines of file with fn.
func editLines(t *testing.T, file string, fn func([][]byte) [][]byte) {
	t.Helper()
	writeLines(t, file, fn(readLines(t, file)))
}

func TestVerifyIntactChain(t *testing.T) {
	path, headSeq, head := chainFixture(t)
	files := chainFiles(t, path)
	rep := mustVerify(t, files...)
	if !rep.Genesis || rep.Anchor != "" || rep.Lines != 30 || rep.FirstSeq != 1 || rep.LastSeq != headSeq || rep.Head != head {
		t.Fatalf("report %+v", rep)
	}
	// Any order: Verify sorts by first seq; empty files go last.
	empty := path + ".empty"
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rep = mustVerify(t, empty, files[2], files[0], files[1])
	if want := append(slices.Clone(files), empty); !slices.Equal(rep.Files, want) {
		t.Fatalf("order %v, want %v", rep.Files, want)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	// Files in the fixture, oldest first.
	const f2, f1, f0 = 0, 1, 2
	tests := []struct {
		name   string
		tamper func(t *testing.T, files []string)
		kind   ProblemKind
		file   int // index into files
		line   int
	}{
		{"edited field", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				ls[3] = bytes.Replace(ls[3], []byte("srv/tool13"), []byte("srv/tool99"), 1)
				return ls
			})
		}, ProblemEdited, f1, 4},
		{"edited prev field", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				ls[3] = bytes.Replace(ls[3], []byte(`"prev":"`), []byte(`"prev":"00`), 1)
				return fixPrevLen(ls, 3)
			})
		}, ProblemEdited, f1, 4},
		{"edited seq", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				ls[3] = bytes.Replace(ls[3], []byte(`"seq":14`), []byte(`"seq":41`), 1)
				return ls
			})
		}, ProblemEdited, f1, 4},
		{"edited last line of oldest file", func(t *testing.T, files []string) {
			editLines(t, files[f2], func(ls [][]byte) [][]byte {
				ls[9] = bytes.Replace(ls[9], []byte(`"ok"`), []byte(`"error"`), 1)
				return ls
			})
		}, ProblemEdited, f2, 10},
		{"deleted line", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte { return slices.Delete(ls, 3, 4) })
		}, ProblemDeleted, f1, 4},
		{"deleted tail of rotated file", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte { return ls[:9] })
		}, ProblemDeleted, f0, 1},
		{"inserted naive line", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				forged := bytes.Replace(ls[2], []byte("id-12"), []byte("id-xx"), 1)
				return slices.Insert(ls, 3, forged)
			})
		}, ProblemInserted, f1, 4},
		{"inserted line with forged prev and seq", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				forged := fmt.Sprintf(`{"timestamp":"2026-04-10T10:00:00Z","event":"tool_call","tool_name":"db/drop","seq":13,"prev":%q}`, lineHash(ls[2]))
				return slices.Insert(ls, 3, []byte(forged))
			})
		}, ProblemInserted, f1, 4},
		{"inserted garbage", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				return slices.Insert(ls, 3, []byte(`{"decision":"allow"}`))
			})
		}, ProblemMalformed, f1, 4},
		{"swapped lines", func(t *testing.T, files []string) {
			editLines(t, files[f1], func(ls [][]byte) [][]byte {
				ls[3], ls[4] = ls[4], ls[3]
				return ls
			})
		}, ProblemReordered, f1, 4},
		{"truncated tail", func(t *testing.T, files []string) {
			truncateBy(t, files[f0], 7)
		}, ProblemTruncated, f0, 10},
		{"truncated final newline", func(t *testing.T, files []string) {
			truncateBy(t, files[f0], 1)
		}, ProblemTruncated, f0, 10},
		{"truncated rotated file", func(t *testing.T, files []string) {
			truncateBy(t, files[f1], 30)
		}, ProblemTruncated, f1, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, _, _ := chainFixture(t)
			files := chainFiles(t, path)
			tc.tamper(t, files)
			rep, err := Verify(files...)
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Problem
			if rep.OK || p == nil {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			if p.Kind != tc.kind || p.File != files[tc.file] || p.Line != tc.line {
				t.Fatalf("got %s, want %s:%d: %s", p, files[tc.file], tc.line, tc.kind)
			}
			if !strings.HasPrefix(p.String(), fmt.Sprintf("%s:%d: %s: ", files[tc.file], tc.line, tc.kind)) {
				t.Fatalf("String() = %q", p.String())
			}
		})
	}
}

// fixPrevLen keeps an edited prev field at 64 hex digits so the line stays a
// well-formed record.
func fixPrevLen(ls [][]byte, i int) [][]byte {
	j := bytes.Index(ls[i], []byte(`"prev":"`)) + len(`"prev":"`)
	ls[i] = append(ls[i][:j+64:j+64], `"}`...)
	return ls
}

func truncateBy(t *testing.T, file string, n int64) {
	t.Helper()
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(file, st.Size()-n); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyEditedLineReportsHashes(t *testing.T) {
	path, _, _ := chainFixture(t)
	files := chainFiles(t, path)
	orig := readLines(t, files[1])
	editLines(t, files[1], func(ls [][]byte) [][]byte {
		ls[3] = bytes.Replace(ls[3], []byte("id-13"), []byte("id-66"), 1)
		return ls
	})
	rep, err := Verify(files...)
	if err != nil {
		t.Fatal(err)
	}
	edited := readLines(t, files[1])
	if p := rep.Problem; p == nil || p.Want != lineHash(orig[3]) || p.Got != lineHash(edited[3]) {
		t.Fatalf("problem %+v", rep.Problem)
	}
	if rep.Lines != 13 {
		t.Fatalf("Lines = %d, want 13 verified before the edit", rep.Lines)
	}
}

func TestVerifyMissingFile(t *testing.T) {
	path, _, _ := chainFixture(t)
	files := chainFiles(t, path)
	rep, err := Verify(files[0], files[2])
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Problem; p == nil || p.Kind != ProblemDeleted || p.File != files[2] || p.Line != 1 {
		t.Fatalf("problem %v", rep.Problem)
	}
	if _, err := Verify(path + ".nope"); err == nil {
		t.Fatal("want error for a missing file")
	}
	if _, err := Verify(); err == nil {
		t.Fatal("want error for no files")
	}
}

// These are the documented limits: without an external anchor, losing the
// oldest lines looks like rotation and losing the newest lines is invisible,
// except that Genesis and Head change.
func TestVerifyLimitsNeedAnchors(t *testing.T) {
	path, headSeq, head := chainFixture(t)
	files := chainFiles(t, path)
	editLines(t, files[0], func(ls [][]byte) [][]byte { return ls[1:] })
	editLines(t, files[2], func(ls [][]byte) [][]byte { return ls[:9] })
	rep := mustVerify(t, files...)
	if rep.Genesis || rep.FirstSeq != 2 || rep.LastSeq == headSeq || rep.Head == head {
		t.Fatalf("report %+v", rep)
	}
}
