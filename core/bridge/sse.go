package bridge

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// maxEventData bounds the data of one server-sent event. Tool results of
// several MiB are normal; a stream that never ends an event is not.
const maxEventData = 64 << 20

// sseEvent is one server-sent event, reduced to what the bridge uses.
type sseEvent struct {
	id    string        // the "id" field, "" if absent
	data  []byte        // the "data" lines joined with "\n"
	retry time.Duration // the "retry" field, 0 if absent
}

// readSSE parses a text/event-stream (WHATWG HTML, "Server-sent events") and
// calls fn for every event that has data, an id or a retry field, until fn
// returns false or the stream ends. Comment lines (heartbeats) and event
// names are ignored. An event cut off by the end of the stream is still
// delivered if it has data. It returns nil at the end of the stream.
func readSSE(r io.Reader, fn func(sseEvent) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var p sseParser
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if ev, ok := p.line(trimEOL(line)); ok && !fn(ev) {
				return nil
			}
			if p.data.Len() > maxEventData {
				return fmt.Errorf("server-sent event larger than %d bytes", maxEventData)
			}
		}
		if err != nil {
			if ev, ok := p.flush(); ok && len(ev.data) > 0 {
				fn(ev)
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// sseParser accumulates the fields of the event being read.
type sseParser struct {
	ev      sseEvent
	data    bytes.Buffer
	hasData bool
}

// line consumes one line without its terminator and returns the event that
// a blank line completes.
func (p *sseParser) line(line []byte) (sseEvent, bool) {
	if len(line) == 0 {
		return p.flush()
	}
	if line[0] == ':' {
		return sseEvent{}, false // comment, used as heartbeat
	}
	name, value, _ := bytes.Cut(line, []byte(":"))
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(name) {
	case "data":
		if p.hasData {
			p.data.WriteByte('\n')
		}
		p.data.Write(value)
		p.hasData = true
	case "id":
		if !bytes.ContainsRune(value, 0) {
			p.ev.id = string(value)
		}
	case "retry":
		if ms, err := strconv.Atoi(string(value)); err == nil && ms >= 0 {
			p.ev.retry = time.Duration(ms) * time.Millisecond
		}
	}
	return sseEvent{}, false
}

// flush ends the current event and reports whether it carries anything.
func (p *sseParser) flush() (sseEvent, bool) {
	ev := p.ev
	if p.hasData {
		ev.data = bytes.Clone(p.data.Bytes())
	}
	*p = sseParser{}
	return ev, ev.id != "" || ev.data != nil || ev.retry > 0
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}
