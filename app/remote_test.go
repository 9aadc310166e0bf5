package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcplex/mcplex/core/admin"
	"github.com/mcplex/mcplex/core/config"
)

func writeTestConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mcplex.toml")
	text := "[gateway]\nlisten = \"127.0.0.1:0\"\nshutdown_grace_seconds = 1\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeAdmin runs mcplex serve --admin in this process: it announces
// itself, the desktop finds it and drives it, and on the way out it
// removes its discovery files.
func TestServeAdmin(t *testing.T) {
	path := writeTestConfig(t)
	dir := filepath.Join(t.TempDir(), "admin")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr bytes.Buffer // read only after Run returns
	done := make(chan error, 1)
	go func() {
		env := &Env{Stdin: bytes.NewReader(nil), Stdout: io.Discard, Stderr: &stderr}
		done <- Run(ctx, env, []string{"serve", "--admin", "--admin-dir", dir, "-c", path})
	}()

	var c Controller
	deadline := time.Now().Add(10 * time.Second)
	for c == nil {
		var mode string
		var err error
		c, mode, err = OpenController(t.Context(), path, dir)
		if err != nil {
			t.Fatal(err)
		}
		if mode != admin.ModeService {
			c = nil
			if time.Now().After(deadline) {
				t.Fatal("serve --admin never answered")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	defer c.(io.Closer).Close()
	if s := c.Snapshot(); s.Mode != admin.ModeService || s.ConfigPath != path || s.State == StateStopped {
		t.Errorf("service snapshot: %+v", s)
	}
	err := c.UpdateConfig(t.Context(), func(cfg *config.Config) error { cfg.Router.TopK = 7; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := config.Load(path); err != nil || cfg.Router.TopK != 7 {
		t.Errorf("the edit did not reach the file: %v", err)
	}

	token := readToken(t, dir)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve --admin: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve --admin did not stop")
	}
	if _, _, err := admin.ReadDiscovery(dir); !errors.Is(err, admin.ErrNoService) {
		t.Errorf("discovery files left after exit: %v", err)
	}
	if bytes.Contains(stderr.Bytes(), []byte(token)) {
		t.Error("the token was logged")
	}
}

func readToken(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, admin.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSpace(b))
}

// TestOpenControllerFallsBackToLocal: with no service announced, or one
// announced that does not answer, the desktop runs the gateway itself.
func TestOpenControllerFallsBackToLocal(t *testing.T) {
	path := writeTestConfig(t)
	empty := t.TempDir()
	stale := t.TempDir()
	if _, _, err := admin.WriteDiscovery(stale, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"no service": empty, "stale files": stale} {
		t.Run(name, func(t *testing.T) {
			c, mode, err := OpenController(t.Context(), path, dir)
			if err != nil {
				t.Fatal(err)
			}
			if s := c.Snapshot(); mode != admin.ModeInProcess || s.Mode != admin.ModeInProcess || s.ConfigPath != path {
				t.Errorf("mode %q, snapshot %+v", mode, s)
			}
		})
	}
	if _, err := ConnectRemote(t.Context(), empty); !errors.Is(err, admin.ErrNoService) {
		t.Errorf("ConnectRemote with nothing announced: %v, want ErrNoService", err)
	}
}

// Something that answers where a service is announced, but refuses this
// app, is an error, not a reason to start a second gateway here.
func TestOpenControllerRefusedByService(t *testing.T) {
	path := writeTestConfig(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
	}))
	defer srv.Close()
	dir := t.TempDir()
	if _, _, err := admin.WriteDiscovery(dir, srv.URL); err != nil {
		t.Fatal(err)
	}
	_, _, err := OpenController(t.Context(), path, dir)
	if err == nil || !strings.Contains(err.Error(), "does not accept this app") || !strings.Contains(err.Error(), dir) {
		t.Errorf("OpenController = %v, want an error naming the service dir", err)
	}
}
