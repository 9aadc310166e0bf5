package bridge

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadSSE(t *testing.T) {
	type event struct {
		ID    string
		Data  string
		Retry time.Duration
	}
	tests := []struct {
		name string
		in   string
		want []event
	}{
		{"single", "data: {\"a\":1}\n\n", []event{{Data: `{"a":1}`}}},
		{"multi-line data", "data: one\ndata:two\ndata:  three\n\n", []event{{Data: "one\ntwo\n three"}}},
		{"comments and names", ": ok\n\nevent: message\n: ping\ndata: x\n\n", []event{{Data: "x"}}},
		{"id and retry", "id: s_1\nretry: 1500\ndata: x\n\nid: s_2\n\n", []event{
			{ID: "s_1", Data: "x", Retry: 1500 * time.Millisecond}, {ID: "s_2"},
		}},
		{"priming event", "event: prime\nid: s_0\ndata: \n\n", []event{{ID: "s_0"}}},
		{"CRLF", "id: 7\r\ndata: x\r\n\r\n", []event{{ID: "7", Data: "x"}}},
		{"cut off at EOF", "data: x\n\ndata: y", []event{{Data: "x"}, {Data: "y"}}},
		{"bad retry ignored", "retry: soon\ndata: x\n\n", []event{{Data: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []event
			// OneByteReader splits every line across reads.
			err := readSSE(iotest.OneByteReader(strings.NewReader(tt.in)), func(ev sseEvent) bool {
				got = append(got, event{ev.id, string(ev.data), ev.retry})
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadSSEStopsAndFails(t *testing.T) {
	n := 0
	err := readSSE(strings.NewReader("data: 1\n\ndata: 2\n\n"), func(sseEvent) bool { n++; return false })
	if err != nil || n != 1 {
		t.Errorf("after fn returned false: %d events, err %v; want 1, nil", n, err)
	}
	broken := errors.New("connection reset")
	err = readSSE(iotest.ErrReader(broken), func(sseEvent) bool { return true })
	if !errors.Is(err, broken) {
		t.Errorf("read error = %v, want %v", err, broken)
	}
}
