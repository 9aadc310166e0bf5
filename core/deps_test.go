package core

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCoreHasNoGUIDeps keeps the gateway headless: core builds without cgo
// and never depends on the GUI toolkit, the OS service library, app or ui.
func TestCoreHasNoGUIDeps(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned too little to be real: %v", deps)
	}
	const module = "github.com/mcplex/mcplex/"
	for _, d := range deps {
		bad := strings.HasPrefix(d, "fyne.io/") ||
			strings.HasPrefix(d, "github.com/kardianos/service") ||
			d == module+"ui" || strings.HasPrefix(d, module+"ui/") ||
			d == module+"app" || strings.HasPrefix(d, module+"app/")
		if bad {
			t.Errorf("core depends on %s", d)
		}
	}
}
