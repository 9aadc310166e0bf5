package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// backupName is path.i, the i-th newest rotated file.
func backupName(path string, i int) string { return path + "." + strconv.Itoa(i) }

// rotateLocked moves the current file to path.1 (shifting older backups and
// deleting the oldest) and opens a fresh path. If the renames fail, the old
// file is reopened and grows past the limit: a record is never dropped for
// want of rotation. Only a failure to open any file is returned.
func (l *Logger) rotateLocked() error {
	if err := l.closeFileLocked(); err != nil {
		l.errs.Add(1)
		l.slog.Error("audit: closing file for rotation", "path", l.path, "err", err)
	}
	if err := shiftBackups(l.path, l.backups); err != nil {
		l.errs.Add(1)
		l.slog.Error("audit: rotation failed, appending past the size limit", "path", l.path, "err", err)
	}
	if err := l.openLocked(); err != nil {
		return err
	}
	syncDir(filepath.Dir(l.path))
	return nil
}

// syncDir makes renames and file creation in dir survive power loss. It is
// best effort: some platforms (Windows) cannot sync a directory, and the
// records themselves are already written.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// shiftBackups renames path.(n-1) … path.1 one step up (deleting path.n) and
// path to path.1. Missing files are skipped.
func shiftBackups(path string, n int) error {
	if err := os.Remove(backupName(path, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("audit: removing oldest backup: %w", err)
	}
	for i := n - 1; i >= 1; i-- {
		err := os.Rename(backupName(path, i), backupName(path, i+1))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("audit: rotating backup: %w", err)
		}
	}
	if err := os.Rename(path, backupName(path, 1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("audit: rotating: %w", err)
	}
	return nil
}

// resume loads seq and prev from the last line on disk: of path after
// repairing its tail, else of path.1.
func (l *Logger) resume() error {
	line, err := l.repairTail()
	if err != nil {
		return err
	}
	if line == nil {
		line, _, _, err = lastLine(backupName(l.path, 1))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("audit: resuming chain: %w", err)
		}
	}
	if line != nil {
		l.prev = lineHash(line)
		l.seq = parseSeq(line)
	}
	return nil
}

// repairTail makes the current file end in a complete line and returns that
// line (nil for an empty file). A last line that is a complete record missing
// only its newline gets the newline; anything else after the last newline
// is an interrupted write and is cut off.
func (l *Logger) repairTail() ([]byte, error) {
	line, start, terminated, err := lastLine(l.path)
	if err != nil {
		return nil, fmt.Errorf("audit: reading %s: %w", l.path, err)
	}
	if line == nil || terminated {
		return line, nil
	}
	if isRecord(line) {
		if _, err := l.f.Write([]byte{'\n'}); err != nil {
			return nil, fmt.Errorf("audit: terminating last line of %s: %w", l.path, err)
		}
		l.size++
		return line, nil
	}
	if err := l.f.Truncate(start); err != nil {
		return nil, fmt.Errorf("audit: removing incomplete last line of %s: %w", l.path, err)
	}
	l.size = start
	l.slog.Warn("audit: removed incomplete last record", "path", l.path, "offset", start, "bytes", len(line))
	if start == 0 {
		return nil, nil
	}
	line, _, _, err = lastLine(l.path)
	if err != nil {
		return nil, fmt.Errorf("audit: reading %s: %w", l.path, err)
	}
	return line, nil
}

// lastLine returns the last line of the file at path without its newline,
// the offset where it starts, and whether a newline ends it. line is nil for
// an empty file.
func lastLine(path string) (line []byte, start int64, terminated bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, false, err
	}
	const chunk = 64 << 10
	var tail []byte
	for pos := st.Size(); pos > 0; {
		n := min(int64(chunk), pos)
		pos -= n
		buf := make([]byte, n, int64(len(tail))+n)
		if _, err := f.ReadAt(buf, pos); err != nil {
			return nil, 0, false, err
		}
		tail = append(buf, tail...)
		terminated = tail[len(tail)-1] == '\n'
		body := tail
		if terminated {
			body = tail[:len(tail)-1]
		}
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			return body[i+1:], pos + int64(i) + 1, terminated, nil
		}
		if pos == 0 {
			return body, 0, terminated, nil
		}
	}
	return nil, 0, false, nil
}

// isRecord reports whether line is a complete JSON object.
func isRecord(line []byte) bool {
	return len(line) > 0 && line[0] == '{' && json.Valid(line)
}

// parseSeq returns the seq field of a record, or 0.
func parseSeq(line []byte) uint64 {
	var r struct {
		Seq uint64 `json:"seq"`
	}
	if json.Unmarshal(line, &r) != nil {
		return 0
	}
	return r.Seq
}
