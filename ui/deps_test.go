package ui

import (
	"os/exec"
	"strings"
	"testing"
)

// TestUIImportsNoCore keeps the layering: ui talks to the gateway only
// through app (app.Controller), never to core/ directly, in its code or its
// tests.
func TestUIImportsNoCore(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}{{"\n"}}{{join .TestImports "\n"}}`, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	imports := strings.Fields(string(out))
	if len(imports) < 5 {
		t.Fatalf("go list returned too little to be real: %v", imports)
	}
	for _, p := range imports {
		if strings.HasPrefix(p, "github.com/mcplex/mcplex/core/") {
			t.Errorf("ui imports %s; go through app instead", p)
		}
	}
}
