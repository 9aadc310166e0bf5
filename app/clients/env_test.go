package clients

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeFS is a Stat that knows only the listed folders and files.
type fakeFS map[string]bool // path -> is a folder

func (f fakeFS) stat(name string) (fs.FileInfo, error) {
	dir, ok := f[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return fakeInfo{name: name, dir: dir}, nil
}

type fakeInfo struct {
	name string
	dir  bool
}

func (i fakeInfo) Name() string { return i.name }
func (i fakeInfo) Size() int64  { return 0 }
func (i fakeInfo) Mode() fs.FileMode {
	return map[bool]fs.FileMode{true: fs.ModeDir | 0o755, false: 0o644}[i.dir]
}
func (i fakeInfo) ModTime() time.Time { return time.Time{} }
func (i fakeInfo) IsDir() bool        { return i.dir }
func (i fakeInfo) Sys() any           { return nil }

func windowsEnv(f fakeFS, vars map[string]string) Env {
	return Env{
		GOOS: "windows", Home: `C:\Users\me`, ConfigDir: `C:\Users\me\AppData\Roaming`,
		LocalAppData: `C:\Users\me\AppData\Local`, Getenv: func(k string) string { return vars[k] }, Stat: f.stat,
	}
}

func macEnv(f fakeFS, vars map[string]string) Env {
	return Env{
		GOOS: "darwin", Home: "/Users/me", ConfigDir: "/Users/me/Library/Application Support",
		Getenv: func(k string) string { return vars[k] }, Stat: f.stat,
	}
}

func linuxEnv(f fakeFS, vars map[string]string) Env {
	return Env{
		GOOS: "linux", Home: "/home/me", ConfigDir: "/home/me/.config",
		Getenv: func(k string) string { return vars[k] }, Stat: f.stat,
	}
}

// TestPaths pins where each client's config is on each OS.
func TestPaths(t *testing.T) {
	const msix = `C:\Users\me\AppData\Local\Packages\Claude_pzs8sxrjxfjjc`
	tests := []struct {
		name   string
		env    Env
		client string
		want   string
	}{
		{"claude desktop macOS", macEnv(nil, nil), "claude-desktop", "/Users/me/Library/Application Support/Claude/claude_desktop_config.json"},
		{"claude desktop windows legacy", windowsEnv(nil, nil), "claude-desktop", `C:\Users\me\AppData\Roaming\Claude\claude_desktop_config.json`},
		{"claude desktop windows MSIX preferred", windowsEnv(fakeFS{msix: true, `C:\Users\me\AppData\Roaming\Claude`: true, `C:\Users\me\AppData\Roaming\Claude\claude_desktop_config.json`: false}, nil),
			"claude-desktop", msix + `\LocalCache\Roaming\Claude\claude_desktop_config.json`},
		{"claude desktop linux", linuxEnv(nil, nil), "claude-desktop", "/home/me/.config/Claude/claude_desktop_config.json"},
		{"claude desktop linux lowercase exists", linuxEnv(fakeFS{"/home/me/.config/claude": true}, nil), "claude-desktop", "/home/me/.config/claude/claude_desktop_config.json"},
		{"claude desktop linux both, capital wins", linuxEnv(fakeFS{"/home/me/.config/claude": true, "/home/me/.config/Claude": true}, nil), "claude-desktop", "/home/me/.config/Claude/claude_desktop_config.json"},
		{"claude code", linuxEnv(nil, nil), "claude-code", "/home/me/.claude.json"},
		{"claude code CLAUDE_CONFIG_DIR", linuxEnv(nil, map[string]string{"CLAUDE_CONFIG_DIR": "/srv/claude"}), "claude-code", "/srv/claude/.claude.json"},
		{"claude code windows", windowsEnv(nil, nil), "claude-code", `C:\Users\me\.claude.json`},
		{"cursor windows", windowsEnv(nil, nil), "cursor", `C:\Users\me\.cursor\mcp.json`},
		{"vscode macOS", macEnv(nil, nil), "vscode", "/Users/me/Library/Application Support/Code/User/mcp.json"},
		{"vscode windows", windowsEnv(nil, nil), "vscode", `C:\Users\me\AppData\Roaming\Code\User\mcp.json`},
		{"vscode linux", linuxEnv(nil, nil), "vscode", "/home/me/.config/Code/User/mcp.json"},
		{"windsurf", macEnv(nil, nil), "windsurf", "/Users/me/.codeium/windsurf/mcp_config.json"},
		{"cline windows", windowsEnv(nil, nil), "cline", `C:\Users\me\AppData\Roaming\Code\User\globalStorage\saoudrizwan.claude-dev\settings\cline_mcp_settings.json`},
		{"cline in cursor", linuxEnv(fakeFS{"/home/me/.config/Cursor/User/globalStorage/saoudrizwan.claude-dev/settings": true}, nil), "cline",
			"/home/me/.config/Cursor/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"},
		{"zed macOS", macEnv(nil, nil), "zed", "/Users/me/.config/zed/settings.json"},
		{"zed linux XDG", linuxEnv(nil, nil), "zed", "/home/me/.config/zed/settings.json"},
		{"zed windows", windowsEnv(nil, nil), "zed", `C:\Users\me\AppData\Roaming\Zed\settings.json`},
		{"codex", linuxEnv(nil, nil), "codex", "/home/me/.codex/config.toml"},
		{"codex CODEX_HOME", windowsEnv(nil, map[string]string{"CODEX_HOME": `D:\codex`}), "codex", `D:\codex\config.toml`},
		{"gemini", windowsEnv(nil, nil), "gemini", `C:\Users\me\.gemini\settings.json`},
		{"lmstudio", linuxEnv(nil, nil), "lmstudio", "/home/me/.lmstudio/mcp.json"},
		{"lmstudio legacy exists", linuxEnv(fakeFS{"/home/me/.cache/lm-studio/mcp.json": false}, nil), "lmstudio", "/home/me/.cache/lm-studio/mcp.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Lookup(tc.client)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Path(tc.env); got != tc.want {
				t.Errorf("Path = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestInstalled(t *testing.T) {
	msix := `C:\Users\me\AppData\Local\Packages\Claude_pzs8sxrjxfjjc`
	cd, _ := Lookup("claude-desktop")
	if cd.Installed(windowsEnv(nil, nil)) {
		t.Error("claude desktop installed with no folders")
	}
	if !cd.Installed(windowsEnv(fakeFS{msix: true}, nil)) {
		t.Error("MSIX package folder not detected")
	}
	cc, _ := Lookup("claude-code")
	env := linuxEnv(nil, nil)
	env.LookPath = func(string) (string, error) { return "/usr/local/bin/claude", nil }
	if !cc.Installed(env) {
		t.Error("claude on PATH not detected")
	}
	cline, _ := Lookup("cline")
	if !cline.Installed(linuxEnv(fakeFS{"/home/me/.config/Code/User/globalStorage/saoudrizwan.claude-dev": true}, nil)) {
		t.Error("cline extension folder not detected")
	}
}

func TestLookup(t *testing.T) {
	var names []string
	for _, c := range All() {
		names = append(names, c.Name)
		if got, err := Lookup(c.Name); err != nil || got != c {
			t.Errorf("Lookup(%q) = %v, %v", c.Name, got, err)
		}
	}
	want := []string{"claude-desktop", "claude-code", "cursor", "vscode", "windsurf", "cline", "zed", "codex", "gemini", "lmstudio"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("clients (-want +got):\n%s", diff)
	}
	if _, err := Lookup("notepad"); err == nil || !strings.Contains(err.Error(), "claude-desktop") {
		t.Errorf("unknown client error: %v", err)
	}
}

func TestJoinWindows(t *testing.T) {
	e := Env{GOOS: "windows"}
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{`C:\Users\me`, ".cursor", "mcp.json"}, `C:\Users\me\.cursor\mcp.json`},
		{[]string{`C:\Users\me\`, `a\b`}, `C:\Users\me\a\b`},
		{[]string{`\\server\share\home`, "x"}, `\\server\share\home\x`},
		{[]string{"", "x"}, ""},
	} {
		if got := e.join(tc.in...); got != tc.want {
			t.Errorf("join(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := e.dir(`C:\Users\me\x.json`); got != `C:\Users\me` {
		t.Errorf("dir = %q", got)
	}
}
