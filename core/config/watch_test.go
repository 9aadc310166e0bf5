package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type reload struct {
	cfg *Config
	err error
}

func startWatch(t *testing.T, initial string) (string, chan reload) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "mcplex.toml")
	if err := os.WriteFile(path, []byte(initial), 0o600); err != nil {
		t.Fatal(err)
	}
	ch := make(chan reload, 16)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := Watch(ctx, path, 50*time.Millisecond, func(c *Config, err error) { ch <- reload{c, err} }); err != nil {
		t.Fatal(err)
	}
	return path, ch
}

func next(t *testing.T, ch chan reload) reload {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no reload within 5s")
	}
	return reload{}
}

func quiet(t *testing.T, ch chan reload) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("unexpected reload: %+v", r)
	case <-time.After(400 * time.Millisecond):
	}
}

func TestWatchWriteAndSaveByRename(t *testing.T) {
	path, ch := startWatch(t, "[gateway]\nname = \"a\"\n")
	if err := os.WriteFile(path, []byte("[gateway]\nname = \"b\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := next(t, ch); r.err != nil || r.cfg.Gateway.Name != "b" {
		t.Fatalf("after write: %+v", r)
	}
	tmp := path + ".swp"
	if err := os.WriteFile(tmp, []byte("[gateway]\nname = \"c\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if r := next(t, ch); r.err != nil || r.cfg.Gateway.Name != "c" {
		t.Fatalf("after rename: %+v", r)
	}
}

func TestWatchDebouncesFloodAndSkipsNoops(t *testing.T) {
	path, ch := startWatch(t, "[gateway]\nname = \"a\"\n")
	for i := 0; i < 20; i++ {
		if err := os.WriteFile(path, []byte("[gateway]\nname = \"n"+string(rune('a'+i))+"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := next(t, ch); r.err != nil || r.cfg.Gateway.Name != "nt" {
		t.Fatalf("flood: %+v", r)
	}
	quiet(t, ch)
	// Same content again, then a delete: nothing to apply.
	if err := os.WriteFile(path, []byte("[gateway]\nname = \"nt\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	quiet(t, ch)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	quiet(t, ch)
}

func TestWatchReportsBrokenFile(t *testing.T) {
	path, ch := startWatch(t, "[gateway]\nname = \"a\"\n")
	if err := os.WriteFile(path, []byte("[gateway]\nname = \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := next(t, ch)
	if r.err == nil || r.cfg != nil {
		t.Fatalf("broken file loaded: %+v", r)
	}
}
