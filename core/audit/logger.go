package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	DefaultMaxSizeMB = 100
	DefaultBackups   = 5
)

// ErrClosed is returned by Log and Reopen after Close.
var ErrClosed = errors.New("audit: logger closed")

// Options configure a Logger. The zero value is usable.
type Options struct {
	// MaxSizeMB rotates the file before a record would make it larger than
	// this many MiB. Zero or less means DefaultMaxSizeMB. A single record
	// larger than the limit is written alone into a fresh file.
	MaxSizeMB int
	// MaxSizeBytes, when positive, overrides MaxSizeMB (for tests).
	MaxSizeBytes int64
	// Backups is how many rotated files (path.1 … path.N) are kept; the
	// oldest is deleted. Zero or less means DefaultBackups.
	Backups int
	// LogArguments writes Event.Arguments (after Redact). Without it only
	// args_digest is written.
	LogArguments bool
	// Sync fsyncs the file after every record, before Log returns. See the
	// package documentation for the durability trade-off.
	Sync bool
	// Now stamps events whose Timestamp is zero. Nil means time.Now.
	Now func() time.Time
	// Slog receives diagnostics that Log cannot return, such as a failed
	// rotation whose record was still written. Nil discards them.
	Slog *slog.Logger
}

// file is what Logger needs from *os.File; tests substitute failing files.
type file interface {
	io.Writer
	Truncate(size int64) error
	Sync() error
	Close() error
}

// Logger appends audit records to a rotated JSON Lines file. It is safe for
// concurrent use. A nil *Logger and the Logger returned by Discard accept
// every call and write nothing.
type Logger struct {
	path     string
	maxSize  int64
	backups  int
	opts     Options
	slog     *slog.Logger
	discard  bool
	errs     atomic.Uint64
	openFile func(path string) (file, int64, error) // replaced in tests

	mu     sync.Mutex
	f      file   // the open path; nil after a failed reopen (retried by Log) or Close
	size   int64  // bytes in f
	seq    uint64 // seq of the last record written
	prev   string // hex SHA-256 of the last line written; "" before the first record
	torn   int64  // size to cut f back to before the next write; -1 when clean
	closed bool
}

// Discard returns a Logger that drops every event.
func Discard() *Logger { return &Logger{discard: true} }

// Open opens (creating it and its directory if needed) the audit file at
// path and resumes the hash chain from the last line of path, or of path.1
// when path is missing or empty. An incomplete last line left by a crash is
// removed first (see the package documentation).
func Open(path string, opts Options) (*Logger, error) {
	l := &Logger{path: path, opts: opts, torn: -1, openFile: openAppend}
	l.maxSize = opts.MaxSizeBytes
	if l.maxSize <= 0 {
		mb := opts.MaxSizeMB
		if mb <= 0 {
			mb = DefaultMaxSizeMB
		}
		l.maxSize = int64(mb) << 20
	}
	l.backups = opts.Backups
	if l.backups <= 0 {
		l.backups = DefaultBackups
	}
	if l.opts.Now == nil {
		l.opts.Now = time.Now
	}
	l.slog = opts.Slog
	if l.slog == nil {
		l.slog = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit: creating log directory: %w", err)
	}
	if err := l.openLocked(); err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(path))
	if err := l.resume(); err != nil {
		_ = l.f.Close()
		return nil, err
	}
	return l, nil
}

// openAppend opens path for appending and reports its size.
func openAppend(path string) (file, int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: opening %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("audit: stat %s: %w", path, err)
	}
	return f, st.Size(), nil
}

// openLocked (re)opens l.path as the current file.
func (l *Logger) openLocked() error {
	f, size, err := l.openFile(l.path)
	if err != nil {
		return err
	}
	l.f, l.size, l.torn = f, size, -1
	return nil
}

// Log writes e as one line. It returns an error, and counts it in Errors,
// when the record could not be written; the file then holds no part of it.
// (With Options.Sync, a failed fsync is returned too, although the record
// was written.) Log never panics and is safe for concurrent use.
func (l *Logger) Log(e Event) error {
	if l == nil || l.discard {
		return nil
	}
	body, err := l.encode(e)
	if err != nil {
		l.errs.Add(1)
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.errs.Add(1)
		return ErrClosed
	}
	if err := l.writeLocked(body); err != nil {
		l.errs.Add(1)
		return err
	}
	return nil
}

// encode renders e without seq and prev, which only the lock holder knows.
func (l *Logger) encode(e Event) ([]byte, error) {
	if e.Timestamp.IsZero() {
		e.Timestamp = l.opts.Now()
	}
	e.Timestamp = e.Timestamp.UTC()
	e.Seq, e.Prev = 0, ""
	if len(e.Arguments) > 0 {
		red := Redact(e.Arguments)
		e.ArgsDigest = Digest(red)
		e.Arguments = nil
		if l.opts.LogArguments {
			e.Arguments = red
		}
	}
	e.Identity = redactText(e.Identity, 0)
	e.Reason = redactText(e.Reason, 0)
	e.Message = redactText(e.Message, 0)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("audit: encoding %s event: %w", e.Event, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// frame completes an encoded event with its seq and prev and a newline.
func frame(body []byte, seq uint64, prev string) []byte {
	rec := make([]byte, 0, len(body)+100)
	rec = append(rec, body[:len(body)-1]...) // drop the closing brace
	rec = append(rec, `,"seq":`...)
	rec = strconv.AppendUint(rec, seq, 10)
	if prev != "" {
		rec = append(rec, `,"prev":"`...)
		rec = append(rec, prev...)
		rec = append(rec, '"')
	}
	return append(rec, "}\n"...)
}

// lineHash is the chain hash of one line, without its newline.
func lineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

func (l *Logger) writeLocked(body []byte) error {
	if l.f == nil {
		if err := l.openLocked(); err != nil {
			return err
		}
	}
	if l.torn >= 0 {
		// Never append after a partial record: it would corrupt this one too.
		if err := l.f.Truncate(l.torn); err != nil {
			return fmt.Errorf("audit: removing partial record from %s: %w", l.path, err)
		}
		l.size, l.torn = l.torn, -1
	}
	rec := frame(body, l.seq+1, l.prev)
	if l.size > 0 && l.size+int64(len(rec)) > l.maxSize {
		if err := l.rotateLocked(); err != nil {
			return err
		}
	}
	n, err := l.f.Write(rec)
	if err != nil {
		if n > 0 {
			l.torn = l.size
			if terr := l.f.Truncate(l.size); terr == nil {
				l.torn = -1
			}
		}
		return fmt.Errorf("audit: writing %s: %w", l.path, err)
	}
	l.size += int64(n)
	l.seq++
	l.prev = lineHash(rec[:len(rec)-1])
	if l.opts.Sync {
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("audit: syncing %s: %w", l.path, err)
		}
	}
	return nil
}

// Sync flushes written records to stable storage.
func (l *Logger) Sync() error {
	if l == nil || l.discard {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		l.errs.Add(1)
		return fmt.Errorf("audit: syncing %s: %w", l.path, err)
	}
	return nil
}

// Reopen closes the current file and opens the path again, for external
// rotation (logrotate "create" mode: rename, then signal the gateway). The
// chain continues from memory. If opening fails, Log retries on every call.
func (l *Logger) Reopen() error {
	if l == nil || l.discard {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	err := l.closeFileLocked()
	if oerr := l.openLocked(); oerr != nil {
		err = errors.Join(err, oerr)
	}
	if err != nil {
		l.errs.Add(1)
	}
	return err
}

// Close flushes and closes the file. Later calls to Log return ErrClosed.
// Close is idempotent.
func (l *Logger) Close() error {
	if l == nil || l.discard {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	return l.closeFileLocked()
}

// closeFileLocked syncs and closes l.f, leaving it nil.
func (l *Logger) closeFileLocked() error {
	if l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	var errs []error
	if err := f.Sync(); err != nil {
		errs = append(errs, fmt.Errorf("audit: syncing %s: %w", l.path, err))
	}
	if err := f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("audit: closing %s: %w", l.path, err))
	}
	return errors.Join(errs...)
}

// Errors counts the records that could not be written and other failures
// (rotation, sync, reopen) since Open. Export it as a metric.
func (l *Logger) Errors() uint64 {
	if l == nil {
		return 0
	}
	return l.errs.Load()
}

// Head returns the seq and the hex SHA-256 of the last record written (zero
// and "" before the first). Recording it outside the log anchors the chain
// against truncation of whole trailing lines.
func (l *Logger) Head() (seq uint64, hash string) {
	if l == nil || l.discard {
		return 0, ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.prev
}
