package bridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// The stdio side reads lines itself rather than using mcp.IOTransport: that
// transport's reader stops for good at the first line that is not valid
// JSON, after which the bridge would hang without answering anything. Here a
// bad line is reported and skipped. Messages are still decoded and encoded by
// the go-sdk jsonrpc package.

// codeGateway is the JSON-RPC error code of answers the bridge makes up
// because the gateway could not answer (implementation-defined server error).
const codeGateway = -32000

// readLines sends each line of r (without limit on its length) to lines, then
// the error that ended the stream (io.EOF at the end) to errc. It gives up
// when done is closed.
func readLines(r io.Reader, lines chan<- []byte, errc chan<- error, done <-chan struct{}) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			select {
			case lines <- line:
			case <-done:
				return
			}
		}
		if err != nil {
			errc <- err
			return
		}
	}
}

// handleLine decodes one line from stdin (a message or, before 2025-06-18, a
// batch) and dispatches its messages.
func (b *bridge) handleLine(ctx context.Context, line []byte) {
	line = bytes.TrimSpace(line) // also drops the \r of CRLF line endings
	if len(line) == 0 {
		return
	}
	msgs, err := decodeMessages(line)
	if err != nil {
		b.rejectLine(line, err)
		return
	}
	for _, msg := range msgs {
		b.dispatch(ctx, msg)
	}
}

// decodeMessages decodes a JSON-RPC message or a batch of them.
func decodeMessages(data []byte) ([]jsonrpc.Message, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		msg, err := jsonrpc.DecodeMessage(data)
		if err != nil {
			return nil, err
		}
		return []jsonrpc.Message{msg}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("decoding batch: %w", err)
	}
	msgs := make([]jsonrpc.Message, 0, len(raws))
	for _, raw := range raws {
		msg, err := jsonrpc.DecodeMessage(raw)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// rejectLine answers a line that is not a valid message if it still looks
// like a request with an id, and otherwise only logs it: an error response
// without an id could break the client's own reader.
func (b *bridge) rejectLine(line []byte, err error) {
	var probe struct {
		ID     any             `json:"id"`
		Method json.RawMessage `json:"method"`
	}
	if json.Unmarshal(line, &probe) == nil && len(probe.Method) > 0 {
		if id, idErr := jsonrpc.MakeID(probe.ID); idErr == nil && id.IsValid() {
			b.out.send(&jsonrpc.Response{ID: id, Error: &jsonrpc.Error{
				Code:    jsonrpc.CodeInvalidRequest,
				Message: fmt.Sprintf("invalid JSON-RPC request: %v", err),
			}})
			return
		}
	}
	b.log.Warn("dropping malformed line from stdin", "bytes", len(line), "err", err)
}

// errorResponse builds the answer to request id when delivering it failed.
func errorResponse(id jsonrpc.ID, err error) *jsonrpc.Response {
	return &jsonrpc.Response{ID: id, Error: &jsonrpc.Error{Code: codeGateway, Message: err.Error()}}
}

// outbox is the single writer of stdout: one newline-terminated message per
// Write call, flushed if the writer buffers. It is safe for concurrent use.
type outbox struct {
	log    *slog.Logger
	failed chan error // receives the first write error

	mu  sync.Mutex
	w   io.Writer // guarded by mu
	err error     // first write error; guarded by mu
}

func newOutbox(w io.Writer, log *slog.Logger) *outbox {
	return &outbox{w: w, log: log, failed: make(chan error, 1)}
}

// send writes msg to stdout. After a write error it drops everything.
func (o *outbox) send(msg jsonrpc.Message) {
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		o.log.Error("cannot encode message for stdout", "err", err)
		return
	}
	data = append(data, '\n')
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return
	}
	_, err = o.w.Write(data)
	if f, ok := o.w.(interface{ Flush() error }); ok && err == nil {
		err = f.Flush()
	}
	if err != nil {
		o.err = fmt.Errorf("bridge: writing stdout: %w", err)
		o.failed <- o.err
	}
}
