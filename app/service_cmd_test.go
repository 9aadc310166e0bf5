package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mcplex/mcplex/app/osint"
)

// userDirs points HOME and the XDG directories at a fresh temporary tree,
// so the commands under test cannot touch the real user's files.
func userDirs(t *testing.T) (home string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("LOCALAPPDATA", filepath.Join(home, "AppData", "Local"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_BIN_HOME", "")
	t.Setenv("MCPLEX_CONFIG", "")
	return home
}

func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args)
	return out.String(), errb.String(), err
}

// TestServiceCommandsWithoutSystemd: in this project's container there is
// no systemd (kardianos picks unix-systemv), and every service command
// must say so plainly, exit 1 (a non-usage error) and write nothing.
func TestServiceCommandsWithoutSystemd(t *testing.T) {
	if osint.ServiceSupported() == nil {
		t.Skip("this machine has a systemd user manager (or is macOS): the unsupported messages do not apply")
	}
	home := userDirs(t)
	cfg := filepath.Join(home, "mcplex.toml")
	if err := os.WriteFile(cfg, []byte("[gateway]\nlisten = \"127.0.0.1:0\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"service", "install", "--config", cfg},
		{"service", "install", "--install-binary"},
		{"service", "start"},
		{"service", "stop"},
		{"service", "uninstall"},
	} {
		_, _, err := run(t, args...)
		if !errors.Is(err, ErrServiceUnsupported) || errors.Is(err, errUsage) {
			t.Errorf("%q: got %v, want the unsupported error", args, err)
			continue
		}
		checkUnsupportedText(t, err.Error())
	}

	out, _, err := run(t, "service", "status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "MCPlex gateway service: unsupported\n") {
		t.Errorf("status printed %q", out)
	}
	checkUnsupportedText(t, out)

	// Support is checked first: no binary copied, no default config written.
	if entries, _ := os.ReadDir(home); len(entries) != 1 {
		t.Errorf("home holds %v, want only the test's mcplex.toml", entries)
	}
}

func checkUnsupportedText(t *testing.T, text string) {
	t.Helper()
	for _, want := range []string{"User services need", "systemd", "the MCPlex tray runs the gateway in-process instead"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q does not say %q", text, want)
		}
	}
}

func TestServiceUsage(t *testing.T) {
	for _, args := range [][]string{{"service"}, {"service", "restart"}, {"service", "status", "extra"}, {"autostart"}, {"autostart", "maybe"}} {
		if _, _, err := run(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
}

func TestAutostartCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("would write the real HKCU Run key")
	}
	userDirs(t)
	status := func(want string) {
		t.Helper()
		if out, _, err := run(t, "autostart", "status"); err != nil || out != "Start at login: "+want+"\n" {
			t.Errorf("status printed %q, %v; want %q", out, err, want)
		}
	}
	status("off")

	// The test binary lives in a go-build directory: a login item must not
	// point there.
	_, _, err := run(t, "autostart", "on")
	if !errors.Is(err, ErrTransientBinary) || !strings.Contains(err.Error(), "mcplex install-binary does so") {
		t.Errorf("autostart on: got %v, want the transient-binary error with a hint", err)
	}
	status("off")

	// What the tray's toggle does once the binary is stable.
	if err := AutostartEnable("/opt/mcplex/mcplex"); err != nil {
		t.Fatal(err)
	}
	where, err := osint.Autostart{}.Path()
	if err != nil {
		t.Fatal(err)
	}
	status("on (" + where + ")")
	if out, _, err := run(t, "autostart", "off"); err != nil || !strings.Contains(out, "no longer starts at login") {
		t.Errorf("autostart off: %q, %v", out, err)
	}
	status("off")
}

func TestInstallBinaryCommand(t *testing.T) {
	userDirs(t)
	t.Setenv("PATH", "")
	bin, err := osint.StableDir()
	if err != nil {
		t.Fatal(err)
	}
	self, err := currentExecutable()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "install-binary")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(bin, filepath.Base(self))
	if !strings.HasPrefix(out, "Installed MCPlex at "+want+"\n") || !strings.Contains(out, bin+" is not on your PATH") {
		t.Errorf("install-binary printed %q", out)
	}
	if fi, err := os.Stat(want); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o755 {
		t.Errorf("installed copy: %v, %v", fi, err)
	}
}
