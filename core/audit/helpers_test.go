package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fixedNow is a clock for deterministic records.
func fixedNow() time.Time { return time.Date(2026, 4, 10, 10, 0, 0, 0, time.UTC) }

func openTest(t *testing.T, opts Options) (*Logger, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "logs", "audit.jsonl")
	l, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l, path
}

// chainFiles lists path.N … path.1 path that exist, oldest first.
func chainFiles(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for i := 100; i >= 1; i-- {
		if _, err := os.Stat(backupName(path, i)); err == nil {
			out = append(out, backupName(path, i))
		}
	}
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	}
	return out
}

// readLines returns the lines of a file without newlines, failing the test
// if the file does not end with a newline.
func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		return nil
	}
	if data[len(data)-1] != '\n' {
		t.Fatalf("%s does not end with a newline", path)
	}
	return bytes.Split(data[:len(data)-1], []byte("\n"))
}

func writeLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func decodeEvent(t *testing.T, line []byte) Event {
	t.Helper()
	var e Event
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("line is not an Event: %v\n%s", err, line)
	}
	return e
}

func mustLog(t *testing.T, l *Logger, e Event) {
	t.Helper()
	if err := l.Log(e); err != nil {
		t.Fatalf("Log: %v", err)
	}
}

func mustVerify(t *testing.T, paths ...string) Report {
	t.Helper()
	rep, err := Verify(paths...)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !rep.OK {
		t.Fatalf("Verify: %s", rep.Problem)
	}
	return rep
}

var errDiskFull = errors.New("no space left on device")

// failFile wraps the real file: Write stores only failAfter bytes (when
// >= 0) and then fails like a full disk; Truncate fails with truncErr.
type failFile struct {
	*os.File
	failAfter int
	truncErr  error
}

func (f *failFile) Write(p []byte) (int, error) {
	if f.failAfter < 0 {
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:min(f.failAfter, len(p))])
	return n, errDiskFull
}

func (f *failFile) Truncate(size int64) error {
	if f.truncErr != nil {
		return f.truncErr
	}
	return f.File.Truncate(size)
}
