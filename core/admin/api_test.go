package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testToken = "s3cret-token"

// serveFake serves b's admin API with testToken on a loopback listener.
func serveFake(t *testing.T, b Backend) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler(b, testToken))
	t.Cleanup(func() {
		srv.CloseClientConnections() // event streams never end on their own
		srv.Close()
	})
	return srv
}

// rawRequest sends one request and returns the status and decoded error
// message (if the body is an error).
func rawRequest(t *testing.T, srv *httptest.Server, method, path, body string, edit func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if edit != nil {
		edit(req)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e errorBody
	if resp.StatusCode >= 300 {
		if err := json.Unmarshal(data, &e); err != nil || e.Error == "" {
			t.Errorf("%s %s: %s: error body is not JSON {\"error\"}: %q", method, path, resp.Status, data)
		}
	}
	return resp, e.Error
}

func TestAdmission(t *testing.T) {
	srv := serveFake(t, newFakeBackend(t))
	setAuth := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	setHost := func(h string) func(*http.Request) { return func(r *http.Request) { r.Host = h } }
	tests := []struct {
		name string
		edit func(*http.Request)
		want int
	}{
		{"right token", nil, http.StatusOK},
		{"no token", func(r *http.Request) { r.Header.Del("Authorization") }, http.StatusUnauthorized},
		{"wrong token", setAuth("Bearer nope"), http.StatusUnauthorized},
		{"token prefix", setAuth("Bearer s3cret"), http.StatusUnauthorized},
		{"wrong scheme", setAuth("Basic " + testToken), http.StatusUnauthorized},
		{"lower-case scheme", setAuth("bearer " + testToken), http.StatusOK},
		{"host localhost", setHost("localhost:9"), http.StatusOK},
		{"host LOCALHOST", setHost("LOCALHOST"), http.StatusOK},
		{"host ipv6 loopback", setHost("[::1]:9"), http.StatusOK},
		{"host other name", setHost("evil.example:9"), http.StatusForbidden},
		{"host rebinding", setHost("127.0.0.1.evil.example"), http.StatusForbidden},
		{"host LAN address", setHost("192.168.1.2:9"), http.StatusForbidden},
		{"origin", func(r *http.Request) { r.Header.Set("Origin", "http://127.0.0.1:9") }, http.StatusForbidden},
		{"origin null", func(r *http.Request) { r.Header.Set("Origin", "null") }, http.StatusForbidden},
		{"origin without token", func(r *http.Request) {
			r.Header.Set("Origin", "http://evil.example")
			r.Header.Del("Authorization")
		}, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, msg := rawRequest(t, srv, http.MethodGet, "/admin/v1/snapshot", "", tc.edit)
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d (%s), want %d", resp.StatusCode, msg, tc.want)
			}
		})
	}
}

func TestEmptyTokenRefusesEverything(t *testing.T) {
	srv := httptest.NewServer(Handler(newFakeBackend(t), ""))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin/v1/snapshot", nil)
	req.Header.Set("Authorization", "Bearer ")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", resp.StatusCode)
	}
}

func TestRouting(t *testing.T) {
	srv := serveFake(t, newFakeBackend(t))
	tests := []struct {
		name, method, path string
		want               int
		allow              string
	}{
		{"post snapshot", http.MethodPost, "/admin/v1/snapshot", http.StatusMethodNotAllowed, "GET"},
		{"get start", http.MethodGet, "/admin/v1/start", http.StatusMethodNotAllowed, "POST"},
		{"delete config", http.MethodDelete, "/admin/v1/config", http.StatusMethodNotAllowed, "GET, PUT"},
		{"unknown endpoint", http.MethodGet, "/admin/v1/nope", http.StatusNotFound, ""},
		{"outside prefix", http.MethodGet, "/snapshot", http.StatusNotFound, ""},
		{"call without name", http.MethodPost, "/admin/v1/call", http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == http.MethodPost {
				body = "{}"
			}
			resp, msg := rawRequest(t, srv, tc.method, tc.path, body, nil)
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d (%s), want %d", resp.StatusCode, msg, tc.want)
			}
			if got := resp.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestBodyIsCapped(t *testing.T) {
	srv := serveFake(t, newFakeBackend(t))
	big := `{"name":"x","arguments":{"blob":"` + strings.Repeat("a", maxBodyBytes) + `"}}`
	resp, msg := rawRequest(t, srv, http.MethodPost, "/admin/v1/call", big, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d (%s), want 413", resp.StatusCode, msg)
	}
}

func TestPutConfigChecksRevision(t *testing.T) {
	f := newFakeBackend(t)
	srv := serveFake(t, f)
	resp, msg := rawRequest(t, srv, http.MethodPut, "/admin/v1/config", `{"toml":""}`, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(msg, "revision") {
		t.Errorf("no revision: %d %q, want 400 naming the revision", resp.StatusCode, msg)
	}
	resp, msg = rawRequest(t, srv, http.MethodPut, "/admin/v1/config", `{"toml":"","revision":"stale"}`, nil)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("stale revision: %d %q, want 409", resp.StatusCode, msg)
	}
	if got := f.diskText(); got != fakeConfig {
		t.Errorf("a refused PUT wrote the file:\n%s", got)
	}
}

// TestEventStream reads the raw stream: ids, data lines, keep-alives, and
// a resumed stream that skips what the client saw.
func TestEventStream(t *testing.T) {
	f := newFakeBackend(t)
	h := Handler(f, testToken).(*api)
	h.keepAlive = 20 * time.Millisecond
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer srv.CloseClientConnections()
	for _, m := range []string{"one", "two", "three"} {
		f.bus.Publish(Event{Kind: "warning", Message: m})
	}

	read := func(lastID string, want int) (ids, msgs []string, keepAlive bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/admin/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("Content-Type = %q", ct)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() && (len(msgs) < want || !keepAlive) {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ids = append(ids, strings.TrimPrefix(line, "id: "))
			case strings.HasPrefix(line, "data: "):
				var e Event
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e); err != nil {
					t.Fatalf("data line %q: %v", line, err)
				}
				msgs = append(msgs, e.Message)
			case line == ": keep-alive":
				keepAlive = true
			}
		}
		return ids, msgs, keepAlive
	}

	ids, msgs, keepAlive := read("", 3)
	if strings.Join(msgs, ",") != "one,two,three" || len(ids) != 3 || !keepAlive {
		t.Fatalf("first stream: ids %v, events %v, keep-alive %v", ids, msgs, keepAlive)
	}
	_, msgs, _ = read(ids[1], 1)
	if strings.Join(msgs, ",") != "three" {
		t.Errorf("resumed after %s: got %v, want only three", ids[1], msgs)
	}
	_, msgs, _ = read("otherboot.2", 3)
	if strings.Join(msgs, ",") != "one,two,three" {
		t.Errorf("resumed with another process's id: got %v, want all", msgs)
	}
}
