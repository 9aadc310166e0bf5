package upstream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// stdioTransport runs a server as a child process and speaks newline-
// delimited JSON-RPC over its stdin and stdout. The connection is the SDK's
// own (mcp.IOTransport): it does the framing, decoding and encoding. This
// transport adds what mcp.CommandTransport lacks:
//   - the child's stdout reaches the SDK through a lineFilter, which passes
//     only complete lines that are JSON-RPC messages: the SDK's connection
//     ends the session on the first one that is not (security.md B1.10,
//     B1.11), so banners and stray prints are dropped and logged here, and
//     invalid UTF-8 is repaired with U+FFFD (B1.16);
//   - the filter skips a line longer than maxMessage without buffering it,
//     and fails the call it answered at once (B1.13);
//   - process owns the child: it reaps it as soon as it exits and kills the
//     rest of its process group, so a crash ends the session at once and
//     leaves no zombie (B1.4, B1.8), and keeps the exit status to explain
//     the failure; closing the connection stops the child by closing stdin,
//     then SIGTERM, then SIGKILL, each sent to the whole group (B1.6).
type stdioTransport struct {
	proc *process
	log  *slog.Logger
}

// Connect starts the child. It is called once, by Client.Connect.
func (t *stdioTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	if err := t.proc.start(); err != nil {
		return nil, err
	}
	return filteredTransport(t.proc.stdout, childStdin{t.proc}, maxMessage, t.log).Connect(ctx)
}

// filteredTransport is the SDK's newline-delimited JSON transport over a
// child's stdout, seen through a lineFilter, and its stdin.
func filteredTransport(stdout io.Reader, stdin io.WriteCloser, max int, log *slog.Logger) *mcp.IOTransport {
	return &mcp.IOTransport{
		Reader: newLineFilter(stdout, max, log),
		Writer: stdin,
		// The filter passes lines of at most max bytes, each with its
		// newline, one line per Read, so the SDK's own cap is never
		// reached; it is kept, a little higher, as a backstop (reaching it
		// would end the session).
		MaxLineLength: max + 64<<10,
	}
}

// childStdin is the write side of the connection to a child. The SDK's
// connection closes it when the session ends: that stops the child
// (process.stop: stdin EOF, then SIGTERM, then SIGKILL), and releases the
// read end of its stdout once it is gone, which ends the SDK's read loop.
type childStdin struct{ p *process }

func (w childStdin) Write(b []byte) (int, error) { return w.p.stdin.Write(b) }

// Close stops the child (bounded, see process.stop). It may be called more
// than once.
func (w childStdin) Close() error { return w.p.stop() }

// lineFilter reads a child's stdout and yields only its complete lines that
// are JSON-RPC messages, each followed by a newline: the framing that
// mcp.IOTransport decodes. Everything else is dropped and logged:
//   - blank lines; lines that are not JSON, or not a JSON-RPC message the
//     SDK accepts (it would end the session on them);
//   - a line longer than max, which is consumed without being kept beyond
//     its first max bytes. If that head shows it is a response with an id,
//     the filter yields an error response for that id instead, so that its
//     caller fails now rather than at its timeout.
//
// A batch is yielded as one line per message, as if they had been sent one
// by one. Invalid UTF-8 is replaced with U+FFFD. Lines end at LF; a CR
// before it is dropped.
//
// Read must not be called concurrently (the SDK calls it from one
// goroutine). Close does nothing: the read end belongs to the process,
// which closes it once the child is gone (see process.closePipes). The
// SDK closes the reader before the writer; closing stdout there would
// break the pipe under a child still writing while it shuts down.
type lineFilter struct {
	r   *bufio.Reader
	max int
	log *slog.Logger

	out     []byte // the rest of the current line to yield
	err     error  // of the source, returned once out is drained
	dropped int
}

func newLineFilter(r io.Reader, max int, log *slog.Logger) *lineFilter {
	return &lineFilter{r: bufio.NewReaderSize(r, 64<<10), max: max, log: log}
}

// Read yields the bytes of at most one line per call.
func (f *lineFilter) Read(p []byte) (int, error) {
	for len(f.out) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		line, long, err := readLine(f.r, f.max)
		if err != nil {
			if errors.Is(err, os.ErrClosed) { // closed by process.closePipes
				err = io.EOF
			}
			f.err = err
		}
		f.out = f.filter(line, long)
	}
	n := copy(p, f.out)
	f.out = f.out[n:]
	return n, nil
}

func (f *lineFilter) Close() error { return nil }

// filter returns what to yield for one line: its messages, each followed
// by a newline, or nothing.
func (f *lineFilter) filter(line []byte, long bool) []byte {
	var (
		out []byte
		bad error
	)
	switch {
	case long:
		var m jsonrpc.Message
		if m, bad = tooLarge(line, f.max); m != nil {
			if data, err := jsonrpc.EncodeMessage(m); err == nil {
				out = append(data, '\n')
			}
		}
	case len(bytes.TrimSpace(line)) > 0:
		var frames [][]byte
		if frames, bad = splitLine(line); bad == nil {
			if len(frames) == 1 {
				out = append(frames[0], '\n') // in place: the line is ours
			} else {
				out = append(bytes.Join(frames, []byte("\n")), '\n')
			}
		}
	}
	if bad != nil {
		f.dropped++
		if f.dropped <= 10 || f.dropped%100 == 0 {
			f.log.Warn("dropping a stdout line that is not a JSON-RPC message",
				"line", truncate(line, 200), "bytes", len(line), "error", bad, "dropped", f.dropped)
		}
	}
	return out
}

// readLine reads one line without its line ending. A line longer than max
// is consumed without being kept: it returns its first max bytes, long=true.
func readLine(r *bufio.Reader, max int) (line []byte, long bool, err error) {
	for {
		frag, err := r.ReadSlice('\n')
		if !long {
			content := frag
			if err == nil {
				content = frag[:len(frag)-1] // the newline does not count
			}
			if len(line)+len(content) > max {
				line = append(line, content[:max-len(line)]...)
				long = true
			} else {
				line = append(line, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !long {
			line = bytes.TrimRight(line, "\r\n")
		}
		return line, long, err
	}
}

// splitLine returns the JSON-RPC messages of a line, raw, after repairing
// invalid UTF-8: the line itself, or the elements of a batch. Each one is
// valid JSON and decodes as a JSON-RPC message, which is what the SDK's
// connection requires of every frame; a batch with an element that does
// not is rejected whole.
func splitLine(line []byte) ([][]byte, error) {
	if !utf8.Valid(line) {
		line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
	}
	line = bytes.TrimSpace(line)
	if !json.Valid(line) {
		return nil, errors.New("not valid JSON")
	}
	if line[0] != '[' {
		if _, err := jsonrpc.DecodeMessage(line); err != nil {
			return nil, err
		}
		return [][]byte{line}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(line, &raws); err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, errors.New("empty batch")
	}
	frames := make([][]byte, len(raws))
	for i, raw := range raws {
		if _, err := jsonrpc.DecodeMessage(raw); err != nil {
			return nil, err
		}
		frames[i] = raw
	}
	return frames, nil
}

// tooLarge turns the head of an oversized response into an error response
// for the same id, so that its caller fails now rather than at its timeout.
// It finds the id only if it comes before the result, as every common
// encoder writes it. The error is what to log.
func tooLarge(head []byte, max int) (jsonrpc.Message, error) {
	bad := fmt.Errorf("message exceeds %d bytes", max)
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, bad
	}
	var id any
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad
		}
		switch tok {
		case "id":
			if err := dec.Decode(&id); err != nil {
				return nil, bad
			}
			continue
		case "result", "error":
			jid, err := jsonrpc.MakeID(id)
			if id == nil || err != nil {
				return nil, bad
			}
			return &jsonrpc.Response{ID: jid, Error: &jsonrpc.Error{
				Code: jsonrpc.CodeInternalError, Message: "upstream response too large: " + bad.Error(),
			}}, bad
		case "method":
			return nil, bad // a huge request or notification: nobody to answer
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, bad
		}
	}
	return nil, bad
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
