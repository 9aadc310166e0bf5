package upstream

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"time"
)

const (
	tailLines     = 20
	maxLineLen    = 2048
	logLinesPerS  = 50 // stderr lines logged per second before dropping
	maxPendingLen = 64 << 10
)

// stderrLog drains a child's stderr continuously: it logs each line with the
// server's name (rate limited) and keeps the last lines to explain failures.
type stderrLog struct {
	log *slog.Logger

	mu      sync.Mutex
	partial []byte
	tail    []string
	window  time.Time
	inWin   int
	dropped int
}

func newStderrLog(log *slog.Logger) *stderrLog { return &stderrLog{log: log} }

// Write implements io.Writer. It never blocks the child on logging.
func (s *stderrLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		s.line(string(s.partial[:i]))
		s.partial = s.partial[i+1:]
	}
	if len(s.partial) > maxPendingLen { // a huge line without newline
		s.line(string(s.partial))
		s.partial = s.partial[:0]
	}
	return len(p), nil
}

func (s *stderrLog) line(l string) {
	l = strings.TrimRight(l, "\r")
	if len(l) > maxLineLen {
		l = l[:maxLineLen] + "…"
	}
	if l == "" {
		return
	}
	s.tail = append(s.tail, l)
	if len(s.tail) > tailLines {
		s.tail = s.tail[len(s.tail)-tailLines:]
	}
	now := time.Now()
	if now.Sub(s.window) > time.Second {
		if s.dropped > 0 {
			s.log.Warn("stderr lines not logged (rate limit)", "dropped", s.dropped)
		}
		s.window, s.inWin, s.dropped = now, 0, 0
	}
	if s.inWin >= logLinesPerS {
		s.dropped++
		return
	}
	s.inWin++
	s.log.Info("stderr", "line", l)
}

// Tail returns the last stderr lines, oldest first.
func (s *stderrLog) Tail() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tail...)
}

// Reset forgets the tail (called on each new spawn).
func (s *stderrLog) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tail, s.partial = nil, s.partial[:0]
}
