package osint

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServicePlist(t *testing.T) {
	home := "/Users/Jane Doe"
	spec := ServiceSpec{
		Exe:    "/Users/Jane Doe/Applications/MCPlex.app/Contents/MacOS/mcplex",
		Config: `/Users/Jane Doe/Library/Application Support/mcplex/R&D <"test">'s.toml`,
	}
	data := servicePlist(spec, home).plist()
	golden(t, "service.plist", data)

	want := map[string]any{
		"Label":             "mcplex",
		"ProgramArguments":  []any{spec.Exe, "serve", "--admin", "--config", spec.Config},
		"RunAtLoad":         true,
		"KeepAlive":         map[string]any{"SuccessfulExit": false},
		"ThrottleInterval":  "3",
		"WorkingDirectory":  home,
		"StandardOutPath":   "/Users/Jane Doe/Library/Logs/MCPlex/gateway.log",
		"StandardErrorPath": "/Users/Jane Doe/Library/Logs/MCPlex/gateway.log",
	}
	if diff := cmp.Diff(want, parsePlist(t, data)); diff != "" {
		t.Errorf("what launchd reads (-want +got):\n%s", diff)
	}
}

func TestLoginPlist(t *testing.T) {
	exe := "/Applications/MCPlex.app/Contents/MacOS/mcplex"
	data := loginAgent(exe).plist()
	golden(t, "login.plist", data)
	want := map[string]any{"Label": "io.mcplex.desktop", "ProgramArguments": []any{exe}, "RunAtLoad": true}
	if diff := cmp.Diff(want, parsePlist(t, data)); diff != "" {
		t.Errorf("what launchd reads (-want +got):\n%s", diff)
	}
}

// The service plist goes to kardianos as a template; it must hold no
// template action, or kardianos would not write it byte for byte.
func TestPlistHoldsNoTemplateAction(t *testing.T) {
	spec := ServiceSpec{Exe: "/Users/x/{{Path}}/mcplex", Config: "/Users/x/{{.Name}}{{end}}.toml"}
	data := servicePlist(spec, "/Users/x").plist()
	if strings.Contains(string(data), "{{") {
		t.Fatalf("plist holds a template action:\n%s", data)
	}
	args := parsePlist(t, data)["ProgramArguments"].([]any)
	if args[0] != spec.Exe || args[4] != spec.Config {
		t.Errorf("ProgramArguments = %q, want the paths unchanged", args)
	}
}
