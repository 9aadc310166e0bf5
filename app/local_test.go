package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mcplex/mcplex/core/admin"
)

// TestNewLocal: the local controller is a stopped in-process host of the
// given config that reports this build's version.
func TestNewLocal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcplex.toml")
	if err := os.WriteFile(path, []byte("[gateway]\nlisten = \"127.0.0.1:0\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewLocal(admin.HostOptions{ConfigPath: path}).Snapshot()
	if s.State != StateStopped || s.Mode != "in-process" || s.Version != Version || s.ConfigPath != path || s.ConfigErr != "" {
		t.Errorf("snapshot = %+v", s)
	}
}
