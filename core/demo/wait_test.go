package demo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The wait tests run in a synctest bubble: 30 s of waiting take no real time,
// and "promptly" is measured on the bubble's exact clock.

func TestWaitSendsProgress(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		progress := make(chan *mcp.ProgressNotificationParams, 100)
		cs := connect(t, NewServer("test"), &mcp.ClientOptions{
			ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
				progress <- req.Params
			},
		})
		params := &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{"milliseconds": 30000, "steps": 5}}
		params.SetProgressToken("tok-1")
		res, err := cs.CallTool(t.Context(), params)
		if err != nil || res.IsError {
			t.Fatalf("wait: err %v, result %q", err, resultText(res))
		}
		if got := structured(t, res)["waited_ms"]; got != 30000.0 {
			t.Errorf("waited_ms = %v, want exactly 30000 on the bubble clock", got)
		}
		synctest.Wait() // let the client's notification handlers finish
		close(progress)
		var steps []float64
		for p := range progress {
			if p.ProgressToken != "tok-1" || p.Total != 5 || !strings.HasPrefix(p.Message, "waited ") {
				t.Errorf("notification %+v: want token tok-1, total 5 and a message", p)
			}
			steps = append(steps, p.Progress)
		}
		slices.Sort(steps)
		if want := []float64{1, 2, 3, 4, 5}; !slices.Equal(steps, want) {
			t.Errorf("progress values = %v, want %v", steps, want)
		}
	})
}

func TestWaitWithoutTokenSendsNoProgress(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		progress := make(chan struct{}, 100)
		cs := connect(t, NewServer("test"), &mcp.ClientOptions{
			ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) { progress <- struct{}{} },
		})
		start := time.Now()
		if res := call(t, cs, "wait", map[string]any{"milliseconds": 1500}); res.IsError {
			t.Fatalf("wait: %s", resultText(res))
		}
		if got := time.Since(start); got != 1500*time.Millisecond {
			t.Errorf("wait took %v, want 1.5s", got)
		}
		synctest.Wait()
		if n := len(progress); n != 0 {
			t.Errorf("got %d progress notifications without a progress token", n)
		}
	})
}

func TestWaitHonoursCancellation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		type handlerReturn struct {
			at  time.Time
			res *mcp.CallToolResult
		}
		returned := make(chan handlerReturn, 1)
		s := NewServer("test")
		s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
			return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
				res, err := next(ctx, method, req)
				if r, ok := res.(*mcp.CallToolResult); ok && req.(*mcp.CallToolRequest).Params.Name == "wait" {
					returned <- handlerReturn{time.Now(), r}
				}
				return res, err
			}
		})
		progress := make(chan struct{}, 100)
		cs := connect(t, s, &mcp.ClientOptions{
			ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) { progress <- struct{}{} },
		})

		ctx, cancel := context.WithCancel(t.Context())
		callErr := make(chan error, 1)
		go func() {
			params := &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{"milliseconds": 30000, "steps": 10}}
			params.SetProgressToken(7)
			_, err := cs.CallTool(ctx, params)
			callErr <- err
		}()
		<-progress // the first step (3 s) has passed: the handler is surely running
		cancelled := time.Now()
		cancel()

		if err := <-callErr; !errors.Is(err, context.Canceled) {
			t.Errorf("CallTool after cancel: %v, want context.Canceled", err)
		}
		r := <-returned
		if d := r.at.Sub(cancelled); d > 0 {
			t.Errorf("wait handler returned %v after cancellation, want immediately", d)
		}
		if !r.res.IsError || !strings.Contains(resultText(r.res), "wait cancelled after 3000 ms") {
			t.Errorf("handler result = %q (IsError %v), want a cancellation error", resultText(r.res), r.res.IsError)
		}
		// The session is still usable.
		if res := call(t, cs, "calculate", map[string]any{"expression": "1+1"}); res.IsError {
			t.Errorf("calculate after cancellation: %s", resultText(res))
		}
	})
}
