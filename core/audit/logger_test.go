package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// logEvents has writers goroutines log perWriter events each, every one
// carrying a unique id (see eventIDs) in Message. It returns the first error.
// It does not touch t, so it may run outside the test goroutine.
func logEvents(l *Logger, writers, perWriter int) error {
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				err := l.Log(Event{
					Event:      ToolCall,
					ToolName:   fmt.Sprintf("srv%d/tool\n{\"decision\":\"allow\"}", w%4),
					ServerName: fmt.Sprintf("srv%d", w%4),
					Identity:   "team key",
					DurationMS: Millis(time.Duration(i) * time.Microsecond),
					Outcome:    OutcomeOK,
					Arguments:  json.RawMessage(fmt.Sprintf(`{"i":%d,"password":"hunter%d"}`, i, w)),
					Message:    fmt.Sprintf("w%02d-e%04d", w, i),
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func eventIDs(writers, perWriter int) map[string]bool {
	ids := map[string]bool{}
	for w := range writers {
		for i := range perWriter {
			ids[fmt.Sprintf("w%02d-e%04d", w, i)] = true
		}
	}
	return ids
}

// checkFiles asserts every line of every file is a complete Event, no file
// exceeds maxSize, and returns the ids (Message) in file order.
func checkFiles(t *testing.T, files []string, maxSize int64) []string {
	t.Helper()
	var ids []string
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > maxSize {
			t.Errorf("%s is %d bytes, limit %d", f, st.Size(), maxSize)
		}
		for _, line := range readLines(t, f) {
			e := decodeEvent(t, line)
			if e.Arguments != nil || bytes.Contains(line, []byte("hunter")) {
				t.Fatalf("arguments leaked: %s", line)
			}
			ids = append(ids, e.Message)
		}
	}
	return ids
}

func TestConcurrentWritersAcrossRotations(t *testing.T) {
	const writers, perWriter, maxSize = 64, 100, 64 << 10
	l, path := openTest(t, Options{MaxSizeBytes: maxSize, Backups: 100})
	if err := logEvents(l, writers, perWriter); err != nil {
		t.Fatal(err)
	}
	want := eventIDs(writers, perWriter)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	files := chainFiles(t, path)
	if len(files) < 5 {
		t.Fatalf("want several rotations, got files %v", files)
	}
	ids := checkFiles(t, files, maxSize)
	if len(ids) != writers*perWriter {
		t.Fatalf("got %d lines, wrote %d", len(ids), writers*perWriter)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] || !want[id] {
			t.Fatalf("duplicate or unknown id %q", id)
		}
		seen[id] = true
	}
	rep := mustVerify(t, files...)
	if !rep.Genesis || rep.Lines != writers*perWriter || rep.FirstSeq != 1 || rep.LastSeq != writers*perWriter {
		t.Fatalf("report %+v", rep)
	}
	if seq, head := l.Head(); seq != rep.LastSeq || head != rep.Head {
		t.Fatalf("logger head %d %s, verify head %d %s", seq, head, rep.LastSeq, rep.Head)
	}
	if l.Errors() != 0 {
		t.Fatalf("Errors() = %d", l.Errors())
	}
}

func TestRotationKeepsBackups(t *testing.T) {
	const writers, perWriter, maxSize, backups = 64, 40, 16 << 10, 3
	l, path := openTest(t, Options{MaxSizeBytes: maxSize, Backups: backups})
	if err := logEvents(l, writers, perWriter); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	files := chainFiles(t, path)
	if len(files) != backups+1 {
		t.Fatalf("want %d files, got %v", backups+1, files)
	}
	if _, err := os.Stat(backupName(path, backups+1)); !os.IsNotExist(err) {
		t.Fatalf("%s should have been deleted: %v", backupName(path, backups+1), err)
	}
	ids := checkFiles(t, files, maxSize)
	rep := mustVerify(t, files...)
	if rep.Genesis || rep.LastSeq != writers*perWriter || rep.LastSeq-rep.FirstSeq+1 != uint64(len(ids)) {
		t.Fatalf("report %+v for %d lines", rep, len(ids))
	}
}

func TestForgedRecordStaysOneLine(t *testing.T) {
	l, path := openTest(t, Options{LogArguments: true})
	forged := "x\n{\"decision\":\"allow\",\"event\":\"tool_call\"}\r\n\u2028{\"decision\":\"allow\"}"
	e := Event{Event: ToolBlocked, ToolName: "db/" + forged, Reason: forged, Rule: forged,
		Arguments: json.RawMessage(`{"q":"a\n{\"decision\":\"allow\"}"}`)}
	mustLog(t, l, e)
	lines := readLines(t, path)
	if len(lines) != 1 {
		t.Fatalf("got %d lines:\n%s", len(lines), bytes.Join(lines, []byte("\n")))
	}
	got := decodeEvent(t, lines[0])
	if got.ToolName != e.ToolName || got.Rule != forged || got.Event != ToolBlocked {
		t.Fatalf("round trip changed the record: %+v", got)
	}
}

func TestLogRedactsArguments(t *testing.T) {
	args := json.RawMessage(`{"query":"select 1","password":"hunter2","headers":{"Authorization":"Bearer abc.def.ghi"}}`)
	for _, logArgs := range []bool{false, true} {
		t.Run(fmt.Sprint("LogArguments=", logArgs), func(t *testing.T) {
			l, path := openTest(t, Options{LogArguments: logArgs, Now: fixedNow})
			mustLog(t, l, Event{Event: ToolCall, ToolName: "db/query", Arguments: args,
				Identity: "sk-dev-team-abc123", Message: "upstream said ghp_0123456789abcdefghijABCDEFGHIJ012345"})
			line := readLines(t, path)[0]
			for _, secret := range []string{"hunter2", "abc.def.ghi", "sk-dev-team-abc123", "ghp_0123"} {
				if bytes.Contains(line, []byte(secret)) {
					t.Errorf("secret %q in audit line %s", secret, line)
				}
			}
			e := decodeEvent(t, line)
			if e.ArgsDigest != Digest(Redact(args)) || len(e.ArgsDigest) != 64 {
				t.Errorf("args_digest %q", e.ArgsDigest)
			}
			if logArgs != (e.Arguments != nil) || (logArgs && !bytes.Contains(e.Arguments, []byte(`"select 1"`))) {
				t.Errorf("arguments %s", e.Arguments)
			}
		})
	}
}

func TestTimestampIsUTCNano(t *testing.T) {
	l, path := openTest(t, Options{})
	ts := time.Date(2026, 4, 10, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	mustLog(t, l, Event{Timestamp: ts, Event: ConfigReloaded, Seq: 99, Prev: "forged"})
	line := readLines(t, path)[0]
	want := `{"timestamp":"2026-04-10T11:00:00.123456789Z","event":"config_reloaded","seq":1}`
	if string(line) != want {
		t.Fatalf("got  %s\nwant %s", line, want)
	}
}

func TestNilDiscardAndClosed(t *testing.T) {
	var nilLogger *Logger
	for _, l := range []*Logger{nilLogger, Discard()} {
		if err := l.Log(Event{Event: ToolCall}); err != nil {
			t.Fatal(err)
		}
		if l.Errors() != 0 || l.Sync() != nil || l.Reopen() != nil || l.Close() != nil {
			t.Fatal("nil/Discard logger misbehaved")
		}
	}
	l, _ := openTest(t, Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := l.Log(Event{Event: ToolCall}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Log after Close: %v", err)
	}
	if l.Errors() != 1 {
		t.Fatalf("Errors() = %d", l.Errors())
	}
}

func TestReopenResumesChain(t *testing.T) {
	l, path := openTest(t, Options{Sync: true})
	for i := range 3 {
		mustLog(t, l, Event{Event: ToolCall, Message: fmt.Sprint(i)})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen the same file, then continue from path.1 after an external move.
	l2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustLog(t, l2, Event{Event: ToolCall, Message: "3"})
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, backupName(path, 1)); err != nil {
		t.Fatal(err)
	}
	l3, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l3.Close()
	mustLog(t, l3, Event{Event: ToolCall, Message: "4"})
	rep := mustVerify(t, backupName(path, 1), path)
	if rep.Lines != 5 || rep.LastSeq != 5 || !rep.Genesis {
		t.Fatalf("report %+v", rep)
	}
}

func TestOpenRepairsTail(t *testing.T) {
	tests := []struct {
		name      string
		tail      string // appended after three good lines
		wantLines int    // after one more Log
	}{
		{"torn record", `{"timestamp":"2026-04-10T10:00:00Z","ev`, 4},
		{"torn garbage", "\x00\x00\x00", 4},
		{"missing newline", "", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, path := openTest(t, Options{})
			for range 3 {
				mustLog(t, l, Event{Event: ToolCall})
			}
			l.Close()
			data, _ := os.ReadFile(path)
			if tc.tail == "" {
				data = bytes.TrimSuffix(data, []byte("\n"))
			}
			data = append(data, tc.tail...)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			l2, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer l2.Close()
			mustLog(t, l2, Event{Event: ToolCall})
			if rep := mustVerify(t, path); rep.Lines != tc.wantLines {
				t.Fatalf("report %+v", rep)
			}
		})
	}
}

func TestOpenTornOnlyLineFallsBackToBackup(t *testing.T) {
	l, path := openTest(t, Options{})
	mustLog(t, l, Event{Event: ToolCall})
	l.Close()
	if err := os.Rename(path, backupName(path, 1)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"timest`), 0o600); err != nil {
		t.Fatal(err)
	}
	l2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	mustLog(t, l2, Event{Event: ToolCall})
	mustVerify(t, backupName(path, 1), path)
}

func TestDiskFullLeavesNoPartialLine(t *testing.T) {
	l, path := openTest(t, Options{})
	mustLog(t, l, Event{Event: ToolCall, Message: "before"})
	ff := &failFile{File: l.f.(*os.File), failAfter: 10}
	l.f = ff
	if err := l.Log(Event{Event: ToolCall, Message: "lost"}); !errors.Is(err, errDiskFull) {
		t.Fatalf("Log on a full disk: %v", err)
	}
	if n := len(readLines(t, path)); n != 1 {
		t.Fatalf("partial record left behind: %d lines", n)
	}
	// The partial write cannot be cut back: Log refuses to append after it.
	ff.truncErr = errors.New("truncate failed")
	if err := l.Log(Event{Event: ToolCall, Message: "lost too"}); err == nil {
		t.Fatal("want error")
	}
	ff.failAfter = -1
	if err := l.Log(Event{Event: ToolCall, Message: "refused"}); err == nil || !strings.Contains(err.Error(), "partial record") {
		t.Fatalf("Log after an unremovable partial record: %v", err)
	}
	// Space and truncate come back: the fragment is cut, the chain goes on.
	ff.truncErr = nil
	mustLog(t, l, Event{Event: ToolCall, Message: "after"})
	if got := l.Errors(); got != 3 {
		t.Fatalf("Errors() = %d, want 3", got)
	}
	if rep := mustVerify(t, path); rep.Lines != 2 || rep.LastSeq != 2 {
		t.Fatalf("report %+v", rep)
	}
}

func TestRotationOpenFailureRetries(t *testing.T) {
	l, path := openTest(t, Options{MaxSizeBytes: 200})
	mustLog(t, l, Event{Event: ToolCall, Message: strings.Repeat("a", 100)})
	real := l.openFile
	l.openFile = func(string) (file, int64, error) { return nil, 0, errors.New("EACCES") }
	if err := l.Log(Event{Event: ToolCall, Message: strings.Repeat("b", 100)}); err == nil {
		t.Fatal("want error when no file can be opened")
	}
	l.openFile = real
	mustLog(t, l, Event{Event: ToolCall, Message: "c"})
	if rep := mustVerify(t, backupName(path, 1), path); rep.Lines != 2 {
		t.Fatalf("report %+v", rep)
	}
	if l.Errors() != 1 {
		t.Fatalf("Errors() = %d", l.Errors())
	}
}

func TestRotationRenameFailureKeepsWriting(t *testing.T) {
	l, path := openTest(t, Options{MaxSizeBytes: 200, Backups: 1})
	// A non-empty directory where the oldest backup goes cannot be removed.
	if err := os.MkdirAll(backupName(path, 1)+"/x", 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := l.Log(Event{Event: ToolCall, Message: fmt.Sprint(i, strings.Repeat("a", 100))}); err != nil {
			t.Fatalf("Log must not fail when only rotation fails: %v", err)
		}
	}
	if l.Errors() == 0 {
		t.Fatal("rotation failures were not counted")
	}
	if rep := mustVerify(t, path); rep.Lines != 5 {
		t.Fatalf("report %+v", rep)
	}
}

func TestExternalRotationWithReopen(t *testing.T) {
	const writers, perWriter = 8, 500
	l, path := openTest(t, Options{})
	done := make(chan error, 1)
	go func() { done <- logEvents(l, writers, perWriter) }()
	for {
		if seq, _ := l.Head(); seq >= writers*perWriter/4 {
			break
		}
		runtime.Gosched()
	}
	moved := path + ".old"
	if err := os.Rename(path, moved); err != nil {
		t.Fatal(err)
	}
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	ids := checkFiles(t, []string{moved, path}, 1<<30)
	if len(ids) != writers*perWriter {
		t.Fatalf("got %d lines, wrote %d", len(ids), writers*perWriter)
	}
	mustVerify(t, moved, path)
}

func TestMillis(t *testing.T) {
	if got := Millis(342*time.Millisecond + 1500*time.Nanosecond); got != 342.002 {
		t.Fatalf("Millis = %v", got)
	}
}

func TestOversizedRecordGetsItsOwnFile(t *testing.T) {
	l, path := openTest(t, Options{MaxSizeBytes: 300})
	mustLog(t, l, Event{Event: ToolCall, Message: "small"})
	mustLog(t, l, Event{Event: ToolCall, Message: strings.Repeat("x", 1000)})
	mustLog(t, l, Event{Event: ToolCall, Message: "small again"})
	files := chainFiles(t, path)
	if len(files) != 3 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		if n := len(readLines(t, f)); n != 1 {
			t.Fatalf("%s has %d lines", f, n)
		}
	}
	mustVerify(t, files...)
}
