package admin

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mcplex/mcplex/core/config"
)

const testPoll = 10 * time.Millisecond

// dialFake serves f and dials it with a fast poll.
func dialFake(t *testing.T, f Backend) (*Client, *httptest.Server) {
	t.Helper()
	srv := serveFake(t, f)
	c, err := dial(t.Context(), srv.URL, testToken, testPoll, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, srv
}

// waitFor polls cond until it holds, failing the test after 10 s. The
// client's own poll runs every few milliseconds, so this is short.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDial(t *testing.T) {
	f := newFakeBackend(t)
	srv := serveFake(t, f)
	tests := []struct {
		name, url, token, want string
	}{
		{"wrong token", srv.URL, "nope", "missing or wrong admin token"},
		{"not loopback", "http://192.168.1.2:9", testToken, "loopback only"},
		{"https", strings.Replace(srv.URL, "http:", "https:", 1), testToken, "loopback only"},
		{"with a path", srv.URL + "/admin/v1", testToken, "loopback only"},
		{"nobody listening", "http://" + closedAddr(t), testToken, "not answering"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Dial(t.Context(), tc.url, tc.token)
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
	c, err := Dial(t.Context(), srv.URL+"/", testToken)
	if err != nil {
		t.Fatalf("Dial with a trailing slash: %v", err)
	}
	c.Close()
}

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestSnapshotIsCachedAndPolled(t *testing.T) {
	f := newFakeBackend(t)
	srv := serveFake(t, f)
	c, err := dial(t.Context(), srv.URL, testToken, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 100 {
		if got := c.Snapshot(); got.State != StateStopped || got.Version != "test" {
			t.Fatalf("Snapshot = %+v", got)
		}
	}
	if n := f.snapshotCalls(); n != 1 {
		t.Errorf("100 Snapshot calls asked the service %d times, want 1 (Dial's)", n)
	}

	polled, _ := dialFake(t, f)
	f.setSnapshot(Snapshot{State: StateDegraded, Servers: []Server{{Name: "alpha", State: "failed", Error: "boom"}}})
	waitFor(t, "the poll to see the new state", func() bool { return polled.Snapshot().State == StateDegraded })
	if got := polled.Snapshot().Servers; len(got) != 1 || got[0].Error != "boom" {
		t.Errorf("servers = %+v", got)
	}
}

func TestStartStop(t *testing.T) {
	f := newFakeBackend(t)
	c, _ := dialFake(t, f)
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Start refreshes the cache before it returns: no wait for the poll.
	if got := c.Snapshot(); got.State != StateRunning || got.Endpoint == "" {
		t.Errorf("after Start: %+v", got)
	}
	if err := c.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := c.Snapshot(); got.State != StateStopped {
		t.Errorf("after Stop: %+v", got)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	f := newFakeBackend(t)
	c, _ := dialFake(t, f)
	got, err := c.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := f.Config(t.Context())
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(config.Config{})); diff != "" {
		t.Errorf("Config (-want +got):\n%s", diff)
	}

	err = c.UpdateConfig(t.Context(), func(cfg *config.Config) error {
		cfg.Servers = append(cfg.Servers, config.Server{Name: "beta", URL: "http://127.0.0.1:9/mcp"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := f.Config(t.Context())
	if names := serverNames(after); names != "alpha,beta" {
		t.Errorf("servers on disk after the edit: %s, want alpha,beta", names)
	}
	if after.Path != f.path {
		t.Errorf("Path = %q, want %q kept", after.Path, f.path)
	}

	editErr := errors.New("refused by the edit")
	if err := c.UpdateConfig(t.Context(), func(*config.Config) error { return editErr }); !errors.Is(err, editErr) {
		t.Errorf("an edit's own error came back as %v", err)
	}
}

func serverNames(c *config.Config) string {
	var names []string
	for _, s := range c.Servers {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

// TestUpdateConfigRetriesOnConflict: a hand edit lands between the
// client's read and its write; the client re-reads and re-applies its
// edit, so both changes survive.
func TestUpdateConfigRetriesOnConflict(t *testing.T) {
	f := newFakeBackend(t)
	f.beforeEdit = func(n int) {
		if n == 1 {
			f.setDisk(fakeConfig + "\n[[servers]]\nname = \"by-hand\"\ncommand = \"x\"\n")
		}
	}
	c, _ := dialFake(t, f)
	runs := 0
	err := c.UpdateConfig(t.Context(), func(cfg *config.Config) error {
		runs++
		cfg.Router.TopK = 9
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("the edit ran %d times, want 2", runs)
	}
	after, _ := f.Config(t.Context())
	if names := serverNames(after); names != "alpha,by-hand" || after.Router.TopK != 9 {
		t.Errorf("after retry: servers %s, top_k %d; want alpha,by-hand and 9", names, after.Router.TopK)
	}
}

func TestUpdateConfigGivesUpOnEndlessConflict(t *testing.T) {
	f := newFakeBackend(t)
	f.beforeEdit = func(n int) { // every write races a hand edit
		f.setDisk(strings.Replace(fakeConfig, "top_k = 5", "top_k = "+strconv.Itoa(10+n), 1))
	}
	c, _ := dialFake(t, f)
	runs := 0
	err := c.UpdateConfig(t.Context(), func(cfg *config.Config) error { runs++; return nil })
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if runs != 1+maxConflictRetries {
		t.Errorf("the edit ran %d times, want %d", runs, 1+maxConflictRetries)
	}
}

func TestUpdateConfigInvalidKeepsMessage(t *testing.T) {
	f := newFakeBackend(t)
	c, _ := dialFake(t, f)
	err := c.UpdateConfig(t.Context(), func(cfg *config.Config) error {
		cfg.Router.TopK = -1
		return nil
	})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusUnprocessableEntity {
		t.Fatalf("err = %#v, want a 422 StatusError", err)
	}
	if !strings.Contains(err.Error(), "router.top_k") || !strings.Contains(err.Error(), f.path) {
		t.Errorf("message %q does not name the file and the key", err)
	}
	if got := f.diskText(); got != fakeConfig {
		t.Errorf("an invalid edit was written:\n%s", got)
	}
}

func TestTestServer(t *testing.T) {
	f := newFakeBackend(t)
	f.testRes = TestResult{Tools: []Tool{{Name: "echo", ID: "probe/echo", Server: "probe"}}, Elapsed: 1500 * time.Millisecond}
	c, _ := dialFake(t, f)
	off := false
	s := config.Server{
		Name: "probe", Command: "probe-server", Args: []string{"--fast"},
		Env: map[string]string{"TOKEN": "x"}, Enabled: &off, TimeoutSeconds: 7,
		AllowedTools: []string{"echo*"},
	}
	got, err := c.TestServer(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.testRes, got); diff != "" {
		t.Errorf("TestResult (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(s, f.gotServer); diff != "" {
		t.Errorf("server as the service got it (-sent +got):\n%s", diff)
	}
	_, err = c.TestServer(t.Context(), config.Server{Name: "broken"})
	if err == nil || err.Error() != "server broken: cannot start" {
		t.Errorf("a failing test came back as %v", err)
	}
}

func TestToolsFindCall(t *testing.T) {
	f := newFakeBackend(t)
	f.tools = []Tool{{Name: "alpha__echo", ID: "alpha/echo", Server: "alpha", InputSchema: []byte(`{"type":"object"}`)}}
	f.matches = []Match{{Tool: f.tools[0], Score: 0.75}}
	f.callRes = CallResult{Text: "hi", Raw: `{"content":[]}`, Latency: 42 * time.Millisecond}
	c, _ := dialFake(t, f)

	tools, err := c.Tools(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.tools, tools); diff != "" {
		t.Errorf("Tools (-want +got):\n%s", diff)
	}
	matches, err := c.Find(t.Context(), "echo things", "semantic", 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.matches, matches); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}
	if want := (findBody{"echo things", "semantic", 3}); f.gotFind != want {
		t.Errorf("Find asked %+v, want %+v", f.gotFind, want)
	}
	args := map[string]any{"text": "hi", "n": 2.0}
	res, err := c.Call(t.Context(), "alpha__echo", args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.callRes, res); diff != "" {
		t.Errorf("Call (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(callBody{"alpha__echo", args}, f.gotCall); diff != "" {
		t.Errorf("Call asked (-want +got):\n%s", diff)
	}
	if _, err := c.Call(t.Context(), "missing", nil); err == nil || !strings.Contains(err.Error(), `unknown tool "missing"`) {
		t.Errorf("a failing call came back as %v", err)
	}
	f.mu.Lock()
	f.tools = nil
	f.mu.Unlock()
	if tools, err := c.Tools(t.Context()); err != nil || len(tools) != 0 {
		t.Errorf("empty catalog: %v, %v", tools, err)
	}
}

func TestEventsThroughClient(t *testing.T) {
	f := newFakeBackend(t)
	c, _ := dialFake(t, f)
	f.bus.Publish(Event{Kind: "warning", Message: "before"})
	ctx, cancel := context.WithCancel(t.Context())
	ch := c.Events(ctx)
	f.bus.Publish(Event{Kind: "tool_call", Tool: "alpha/echo", Fields: map[string]any{"n": 1.0}})
	for _, want := range []string{"before", "alpha/echo"} {
		e := recvEvent(t, ch)
		if e.Message+e.Tool != want {
			t.Errorf("got event %+v, want %s", e, want)
		}
	}
	cancel()
	for range ch { // the channel closes once ctx ends
	}
}

func recvEvent(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("event channel closed")
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

// TestClientSurvivesRestart stops the service under a client and starts a
// new one on the same address: meanwhile the snapshot says stopped and
// why; afterwards the snapshot and the event stream come back by
// themselves.
func TestClientSurvivesRestart(t *testing.T) {
	f := newFakeBackend(t)
	srv := httptest.NewServer(Handler(f, testToken))
	addr := srv.Listener.Addr().String()
	c, err := dial(t.Context(), srv.URL, testToken, testPoll, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f.setSnapshot(Snapshot{State: StateRunning, ConfigPath: f.path, Mode: "service", Version: "test"})
	waitFor(t, "running", func() bool { return c.Snapshot().State == StateRunning })
	events := c.Events(t.Context())
	f.bus.Publish(Event{Kind: "warning", Message: "first"})
	if e := recvEvent(t, events); e.Message != "first" {
		t.Fatalf("got %+v", e)
	}

	srv.CloseClientConnections()
	srv.Close()
	waitFor(t, "stopped", func() bool { return c.Snapshot().State == StateStopped })
	down := c.Snapshot()
	if !strings.HasPrefix(down.Error, "MCPlex service is not answering: ") || down.ConfigPath != f.path || down.Mode != "service" {
		t.Errorf("while down: %+v", down)
	}
	if _, err := c.Tools(t.Context()); err == nil || !strings.Contains(err.Error(), "not answering") {
		t.Errorf("a call while down: %v", err)
	}

	f2 := newFakeBackend(t) // a new process: a new bus, sequence numbers from 1
	f2.setSnapshot(Snapshot{State: StateRunning, Version: "test2"})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv2 := &httptest.Server{Listener: ln, Config: &http.Server{Handler: Handler(f2, testToken)}}
	srv2.Start()
	defer srv2.Close()
	defer srv2.CloseClientConnections()
	waitFor(t, "back up", func() bool { return c.Snapshot().Version == "test2" })
	f2.bus.Publish(Event{Kind: "warning", Message: "second"})
	if e := recvEvent(t, events); e.Message != "second" {
		t.Errorf("after the restart got %+v, want second", e)
	}
}

// TestDialDirFollowsRestart: a restarted service has a new port and token;
// a client dialled from the discovery directory finds it again.
func TestDialDirFollowsRestart(t *testing.T) {
	dir := t.TempDir()
	f := newFakeBackend(t)
	announce := func(b Backend) *httptest.Server {
		srv := httptest.NewUnstartedServer(nil)
		token, cleanup, err := WriteDiscovery(dir, "http://"+srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		srv.Config.Handler = Handler(b, token)
		srv.Start()
		t.Cleanup(cleanup)
		return srv
	}
	srv := announce(f)
	c, err := dialDir(t.Context(), dir, testPoll)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv.Close()

	f2 := newFakeBackend(t)
	f2.setSnapshot(Snapshot{State: StateRunning, Version: "moved"})
	srv2 := announce(f2)
	defer srv2.Close()
	waitFor(t, "the moved service", func() bool { return c.Snapshot().Version == "moved" })
	if _, err := c.Tools(t.Context()); err != nil {
		t.Errorf("Tools after the move: %v", err)
	}
}

func TestDiscoveryFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mcplex")
	token, cleanup, err := WriteDiscovery(dir, "http://127.0.0.1:4242")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || strings.ContainsAny(token, "+/=") {
		t.Errorf("token %q is not 32 bytes of base64url", token)
	}
	if runtime.GOOS != "windows" {
		for name, want := range map[string]os.FileMode{"": 0o700, TokenFile: 0o600, DiscoveryFile: 0o600} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s: mode %o, want %o", filepath.Join(dir, name), got, want)
			}
		}
	}
	url, got, err := ReadDiscovery(dir)
	if err != nil || url != "http://127.0.0.1:4242" || got != token {
		t.Errorf("ReadDiscovery = %q, %q, %v", url, got, err)
	}
	cleanup()
	if _, _, err := ReadDiscovery(dir); !errors.Is(err, ErrNoService) {
		t.Errorf("after cleanup: %v, want ErrNoService", err)
	}
	for _, name := range []string{TokenFile, DiscoveryFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", name, err)
		}
	}
}

func TestDiscoveryCleanupKeepsANewerService(t *testing.T) {
	dir := t.TempDir()
	_, cleanupOld, err := WriteDiscovery(dir, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	newToken, cleanupNew, err := WriteDiscovery(dir, "http://127.0.0.1:2")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanupNew()
	cleanupOld()
	url, token, err := ReadDiscovery(dir)
	if err != nil || url != "http://127.0.0.1:2" || token != newToken {
		t.Errorf("the old cleanup touched the new files: %q, %q, %v", url, token, err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("MCPLEX_ADMIN_DIR", "/tmp/x")
	if dir, err := DefaultDir(); err != nil || dir != "/tmp/x" {
		t.Errorf("DefaultDir = %q, %v", dir, err)
	}
	t.Setenv("MCPLEX_ADMIN_DIR", "")
	if dir, err := DefaultDir(); err == nil && filepath.Base(dir) != "mcplex" {
		t.Errorf("DefaultDir = %q, want .../mcplex", dir)
	}
}

// The desktop edits the service's config without expanding ${VAR} in its
// own environment (which may lack the variable, or hold another value):
// references come back as written and are written back unchanged.
func TestClientKeepsReferences(t *testing.T) {
	t.Setenv("MCPLEX_TEST_SERVICE_TOKEN", "service-side-secret")
	f := newFakeBackend(t)
	f.setDisk("[[servers]]\nname = \"alpha\"\nurl = \"http://127.0.0.1:9/mcp\"\nheaders = { Authorization = \"Bearer ${MCPLEX_TEST_SERVICE_TOKEN}\" }\n")
	c, _ := dialFake(t, f)
	got, err := c.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if h := got.Servers[0].Headers["Authorization"]; h != "Bearer ${MCPLEX_TEST_SERVICE_TOKEN}" {
		t.Errorf("the client sees %q, want the reference as written", h)
	}
	err = c.UpdateConfig(t.Context(), func(cfg *config.Config) error {
		cfg.Servers = append(cfg.Servers, config.Server{Name: "beta", URL: "http://127.0.0.1:9/mcp"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	disk := f.diskText()
	if !strings.Contains(disk, "Bearer ${MCPLEX_TEST_SERVICE_TOKEN}") || strings.Contains(disk, "service-side-secret") {
		t.Errorf("the file after the edit:\n%s", disk)
	}
}
