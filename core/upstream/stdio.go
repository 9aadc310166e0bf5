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
	"sync"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// stdioTransport runs a server as a child process and speaks newline-
// delimited JSON-RPC over its stdin and stdout. It replaces
// mcp.CommandTransport, whose connection ends the session on the first
// stdout line that is not JSON (security.md B1.10, B1.11), and which reaps
// the child only when the session is closed. This one:
//   - drops and logs stdout lines that are not JSON-RPC messages; repairs
//     invalid UTF-8 with U+FFFD (B1.16);
//   - skips a line longer than maxMessage without buffering it, and fails
//     the call it answered at once (B1.13);
//   - reaps the child as soon as it exits and kills the rest of its process
//     group, so a crash ends the session at once and leaves no zombie
//     (B1.4, B1.8), and keeps the exit status to explain the failure;
//   - stops the child by closing stdin, then SIGTERM, then SIGKILL, each
//     sent to the whole process group (B1.6).
type stdioTransport struct {
	proc *process
	log  *slog.Logger
}

// Connect starts the child. It is called once, by Client.Connect.
func (t *stdioTransport) Connect(context.Context) (mcp.Connection, error) {
	if err := t.proc.start(); err != nil {
		return nil, err
	}
	c := &stdioConn{
		proc:     t.proc,
		log:      t.log,
		msgs:     make(chan jsonrpc.Message),
		readDone: make(chan struct{}),
		closed:   make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// stdioConn is the mcp.Connection of a child process.
type stdioConn struct {
	proc *process
	log  *slog.Logger

	msgs     chan jsonrpc.Message // from readLoop
	readDone chan struct{}        // closed when readLoop ended; then readErr is set
	readErr  error

	writeMu sync.Mutex // serializes writes to stdin

	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error
}

func (c *stdioConn) SessionID() string { return "" }

func (c *stdioConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case m := <-c.msgs:
		return m, nil
	case <-c.readDone:
		return nil, c.readErr
	case <-c.closed:
		return nil, io.EOF
	}
}

func (c *stdioConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return fmt.Errorf("encoding message: %w", err)
	}
	data = append(data, '\n')
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err = c.proc.stdin.Write(data)
	return err
}

// Close stops the child (bounded, see process.stop). It is idempotent.
func (c *stdioConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.closeErr = c.proc.stop()
	})
	return c.closeErr
}

// readLoop turns stdout lines into messages until EOF.
func (c *stdioConn) readLoop() {
	r := bufio.NewReaderSize(c.proc.stdout, 64<<10)
	var dropped int
	for {
		line, long, err := readLine(r, maxMessage)
		var msgs []jsonrpc.Message
		var bad error
		switch {
		case long:
			msgs, bad = tooLarge(line)
		case len(bytes.TrimSpace(line)) > 0:
			msgs, bad = decodeLine(line)
		}
		if bad != nil {
			dropped++
			if dropped <= 10 || dropped%100 == 0 {
				c.log.Warn("dropping a stdout line that is not a JSON-RPC message",
					"line", truncate(line, 200), "bytes", len(line), "error", bad, "dropped", dropped)
			}
		}
		for _, m := range msgs {
			select {
			case c.msgs <- m:
			case <-c.closed:
				return
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrClosed) {
				err = io.EOF
			}
			c.readErr = err
			close(c.readDone)
			return
		}
	}
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

// decodeLine decodes a message, or a batch of them.
func decodeLine(line []byte) ([]jsonrpc.Message, error) {
	if !utf8.Valid(line) {
		line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
	}
	line = bytes.TrimSpace(line)
	if line[0] != '[' {
		m, err := jsonrpc.DecodeMessage(line)
		if err != nil {
			return nil, err
		}
		return []jsonrpc.Message{m}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(line, &raws); err != nil {
		return nil, err
	}
	var msgs []jsonrpc.Message
	for _, raw := range raws {
		m, err := jsonrpc.DecodeMessage(raw)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// tooLarge turns the head of an oversized response into an error response
// for the same id, so that its caller fails now rather than at its timeout.
// It finds the id only if it comes before the result, as every common
// encoder writes it.
func tooLarge(head []byte) ([]jsonrpc.Message, error) {
	bad := fmt.Errorf("message exceeds %d bytes", maxMessage)
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
			return []jsonrpc.Message{&jsonrpc.Response{ID: jid, Error: &jsonrpc.Error{
				Code: jsonrpc.CodeInternalError, Message: "upstream response too large: " + bad.Error(),
			}}}, bad
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
