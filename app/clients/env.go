package clients

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"runtime"
	"strings"

	"github.com/mcplex/mcplex/core/execpath"
)

// Env is what the package needs to know about the machine: where the user's
// folders are and how to look at the filesystem. [OSEnv] describes the
// running system; tests describe another OS with a fake Stat.
type Env struct {
	// GOOS selects the per-OS rules ("darwin", "windows", "linux", ...).
	GOOS string
	// Home is the user's home directory.
	Home string
	// ConfigDir is os.UserConfigDir: $XDG_CONFIG_HOME or ~/.config on
	// Linux, ~/Library/Application Support on macOS, %APPDATA% on Windows.
	ConfigDir string
	// LocalAppData is %LOCALAPPDATA% on Windows ("" elsewhere).
	LocalAppData string
	// Getenv reads an environment variable; nil reads none.
	Getenv func(string) string
	// Stat is os.Stat; nil means os.Stat.
	Stat func(string) (fs.FileInfo, error)
	// LookPath finds a client's own command-line tool (claude); nil means
	// no tool is ever found, so files are always edited directly.
	LookPath func(string) (string, error)
	// Run runs such a tool and returns its combined output; nil means
	// exec.CommandContext.
	Run func(ctx context.Context, name string, args ...string) ([]byte, error)
}

// OSEnv describes the running system. Folders that cannot be determined are
// left empty, and clients that need them are reported as not installed.
func OSEnv() Env {
	home, _ := os.UserHomeDir()
	cfg, _ := os.UserConfigDir()
	return Env{
		GOOS:         runtime.GOOS,
		Home:         home,
		ConfigDir:    cfg,
		LocalAppData: os.Getenv("LOCALAPPDATA"),
		Getenv:       os.Getenv,
		Stat:         os.Stat,
		// A GUI-started app has a minimal PATH; find claude where a shell would.
		LookPath: func(name string) (string, error) { return execpath.LookPath(name, nil) },
	}
}

func (e Env) getenv(key string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(key)
}

func (e Env) stat(name string) (fs.FileInfo, error) {
	if e.Stat == nil {
		return os.Stat(name)
	}
	return e.Stat(name)
}

func (e Env) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	if e.Run != nil {
		return e.Run(ctx, name, args...)
	}
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// isDir reports whether name is an existing directory.
func (e Env) isDir(name string) bool {
	if name == "" {
		return false
	}
	fi, err := e.stat(name)
	return err == nil && fi.IsDir()
}

// exists reports whether name exists.
func (e Env) exists(name string) bool {
	if name == "" {
		return false
	}
	_, err := e.stat(name)
	return err == nil
}

// join joins path elements with the separator of e.GOOS, so Windows paths
// come out with backslashes even when computed on Linux. An empty first
// element (an unknown folder) makes the result empty.
func (e Env) join(elem ...string) string {
	if len(elem) == 0 || elem[0] == "" {
		return ""
	}
	if e.GOOS != "windows" {
		return path.Join(elem...)
	}
	unc := strings.HasPrefix(elem[0], `\\`)
	parts := make([]string, len(elem))
	for i, s := range elem {
		parts[i] = strings.ReplaceAll(s, `\`, "/")
	}
	out := strings.ReplaceAll(path.Join(parts...), "/", `\`)
	if unc && !strings.HasPrefix(out, `\\`) {
		out = `\` + out
	}
	return out
}

// dir returns the parent directory of p under e.GOOS's separator rules.
func (e Env) dir(p string) string {
	if e.GOOS != "windows" {
		return path.Dir(p)
	}
	i := strings.LastIndexAny(p, `\/`)
	if i <= 0 {
		return p
	}
	return p[:i]
}
