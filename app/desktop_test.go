//go:build linux

package app

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mcplex/mcplex/app/osint"
)

// OSDesktop on a private Linux home: the clients it lists, a Cursor
// connect and disconnect that puts the file back byte for byte, an import
// from Claude Desktop, and the service state of this machine.
func TestOSDesktopOnLinux(t *testing.T) {
	h := newClientsHome(t)
	d := OSDesktop(h.config)
	ctx := context.Background()

	cs := d.Clients(ctx)
	if len(cs) != 10 {
		t.Fatalf("%d clients, want 10", len(cs))
	}
	if cs[0].Name != "claude-desktop" || !cs[0].Bridge || cs[2].Name != "cursor" || cs[2].Bridge {
		t.Errorf("order or bridge flags: %+v, %+v", cs[0], cs[2])
	}
	for _, c := range cs {
		if c.Installed || c.State != ClientNotConnected || c.Path == "" {
			t.Errorf("in an empty home: %+v", c)
		}
	}

	const original = "{\n  \"mcpServers\": {\n    \"other\": { \"url\": \"https://example.com/mcp\" }\n  }\n}\n"
	writeFile(t, h.cursorPath(), original)
	text, err := d.ConnectClient(ctx, "cursor", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Cursor: added the MCPlex entry to "+h.cursorPath()) || !strings.Contains(text, "Cursor reloads mcp.json by itself") {
		t.Errorf("connect said:\n%s", text)
	}
	if data, _ := os.ReadFile(h.cursorPath()); !strings.Contains(string(data), gatewayURL4242) {
		t.Errorf("~/.cursor/mcp.json has no %s:\n%s", gatewayURL4242, data)
	}
	cursor := d.Clients(ctx)[2]
	if cursor.State != ClientConnected || !cursor.Installed || cursor.Servers != 1 {
		t.Errorf("after connect: %+v", cursor)
	}
	if text, err = d.DisconnectClient(ctx, "cursor"); err != nil || !strings.Contains(text, "restored") {
		t.Fatalf("disconnect: %v\n%s", err, text)
	}
	if data, _ := os.ReadFile(h.cursorPath()); string(data) != original {
		t.Errorf("not restored byte for byte:\n%s", data)
	}

	if st, err := d.ServiceStatus(ctx); osint.ServiceSupported() != nil {
		if err != nil || st.State != ServiceUnsupported || !strings.Contains(st.Reason, "systemd") {
			t.Errorf("service here: %+v, %v", st, err)
		}
	}
	if exe, err := d.StableExecutable(); err != nil || exe != stableExe() {
		t.Errorf("StableExecutable = %q, %v", exe, err)
	}
}

func TestOSDesktopImport(t *testing.T) {
	h := newClientsHome(t)
	writeFile(t, clientPath(t, "claude-desktop"), claudeDesktopJSON)
	d := OSDesktop(h.config)
	ctx := context.Background()
	if c := d.Clients(ctx)[0]; c.Servers != 4 || !c.Installed {
		t.Fatalf("Claude Desktop: %+v", c)
	}
	p, err := d.PlanImport(ctx, "claude-desktop")
	if err != nil || len(p.Servers) != 4 || !p.Bridge || p.NoReplace != "" {
		t.Fatalf("plan %+v, %v", p, err)
	}
	if _, err := d.ImportClient(ctx, "claude-desktop", false, "", func(func(*Config) error) error {
		return errors.New("the user's controller refused")
	}); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a failed update: %v", err)
	}
	text, err := d.ImportClient(ctx, "claude-desktop", false, "", appendToConfig(h.config, "imported", false))
	if err != nil || !strings.Contains(text, "added 4 servers to "+h.config) {
		t.Fatalf("import: %v\n%s", err, text)
	}
	if data, _ := os.ReadFile(h.config); !strings.Contains(string(data), `name = "filesystem"`) {
		t.Errorf("config after import:\n%s", data)
	}
}

// TestBridgeExecutable: on Windows a bridge entry runs the console build
// next to the tray's GUI build; elsewhere the path is kept.
func TestBridgeExecutable(t *testing.T) {
	for _, tc := range []struct{ goos, exe, want string }{
		{"windows", `C:\Program Files\MCPlex\mcplexw.exe`, `C:\Program Files\MCPlex\mcplex.exe`},
		{"windows", `C:\Program Files\MCPlex\MCPLEXW.EXE`, `C:\Program Files\MCPlex\mcplex.exe`},
		{"windows", `C:\Program Files\MCPlex\mcplex.exe`, `C:\Program Files\MCPlex\mcplex.exe`},
		{"windows", `C:/tools/mcplexw.exe`, `C:/tools/mcplex.exe`},
		{"windows", `mcplexw.exe`, `mcplex.exe`},
		{"windows", `C:\mcplexw.exe.d\other.exe`, `C:\mcplexw.exe.d\other.exe`},
		{"linux", "/opt/mcplexw.exe", "/opt/mcplexw.exe"},
		{"darwin", "/Applications/MCPlex.app/Contents/MacOS/mcplex", "/Applications/MCPlex.app/Contents/MacOS/mcplex"},
	} {
		if got := bridgeExecutable(tc.goos, tc.exe); got != tc.want {
			t.Errorf("bridgeExecutable(%s, %q) = %q, want %q", tc.goos, tc.exe, got, tc.want)
		}
	}
}
