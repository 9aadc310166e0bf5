package osint

import "testing"

func TestDesktopExec(t *testing.T) {
	for _, tc := range []struct{ name, exe, want string }{
		{"plain", "/usr/bin/mcplex", "/usr/bin/mcplex"},
		{"space", "/home/u/My Apps/mcplex", `"/home/u/My Apps/mcplex"`},
		{"field code", "/home/u/100%/mcplex", "/home/u/100%%/mcplex"},
		// The spec escapes " ` $ \ inside quotes, then doubles every
		// backslash as a string value: a literal backslash becomes four.
		{"dollar", "/home/u/$x/mcplex", `"/home/u/\\$x/mcplex"`},
		{"quote", `/home/u/a"b/mcplex`, `"/home/u/a\\"b/mcplex"`},
		{"backslash", `/home/u/a\b/mcplex`, `"/home/u/a\\\\b/mcplex"`},
		{"apostrophe", `/home/o'brien/mcplex`, `"/home/o'brien/mcplex"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := desktopExec(tc.exe); got != tc.want {
				t.Errorf("desktopExec(%q) = %s, want %s", tc.exe, got, tc.want)
			}
		})
	}
}

func TestDesktopEntry(t *testing.T) {
	golden(t, "autostart.desktop", desktopEntry("/opt/My Apps/mcplex"))
}

func TestXDGEnabled(t *testing.T) {
	for entry, want := range map[string]bool{
		string(desktopEntry("/usr/bin/mcplex")):                           true,
		"[Desktop Entry]\nExec=mcplex\nHidden=true\n":                     false,
		"[Desktop Entry]\nExec=mcplex\nX-GNOME-Autostart-enabled=false\n": false,
		"[Desktop Entry]\nExec=mcplex\nHidden = false\n":                  true,
	} {
		if got := xdgEnabled([]byte(entry)); got != want {
			t.Errorf("xdgEnabled(%q) = %v, want %v", entry, got, want)
		}
	}
}
