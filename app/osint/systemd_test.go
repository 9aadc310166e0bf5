//go:build linux

package osint

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSystemdArgs(t *testing.T) {
	for _, tc := range []struct{ name, config, want string }{
		{"plain", "/home/u/.config/mcplex/mcplex.toml", "/home/u/.config/mcplex/mcplex.toml"},
		{"spaces and quotes left to cmd", `/home/u/My "Configs"/m.toml`, `/home/u/My "Configs"/m.toml`},
		{"specifier", "/home/u/100%/m.toml", "/home/u/100%%/m.toml"},
		{"variable", "/home/u/$HOME/m.toml", "/home/u/$$HOME/m.toml"},
		{"backslash", `/home/u/a\b/m.toml`, `/home/u/a\\b/m.toml`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := systemdArgs(ServiceSpec{Exe: "/x", Config: tc.config})
			want := []string{"serve", "--admin", "--config", tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckSystemdExe(t *testing.T) {
	for _, exe := range []string{"/home/u/.local/bin/mcplex", "/home/u/My Apps/mcplex", "/opt/mcplex-1.0/mcplex"} {
		if err := checkSystemdExe(exe); err != nil {
			t.Errorf("%q: %v", exe, err)
		}
	}
	for _, exe := range []string{`/home/o'brien/mcplex`, `/home/u/"x"/mcplex`, `/home/u/a\b/mcplex`, "/home/u/100%/mcplex", "/home/u/$x/mcplex"} {
		err := checkSystemdExe(exe)
		if err == nil || !strings.Contains(err.Error(), "install MCPlex where the path has none of") {
			t.Errorf("%q: got %v, want a refusal", exe, err)
		}
	}
}

func TestServiceSpecValidate(t *testing.T) {
	for _, spec := range []ServiceSpec{
		{Exe: "mcplex", Config: "/c.toml"},
		{Exe: "/bin/mcplex", Config: "c.toml"},
		{Exe: "/bin/mc\nplex", Config: "/c.toml"},
	} {
		if err := spec.validate(); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}
