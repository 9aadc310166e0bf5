package osint

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stubEnv makes the test binary run stubScenario instead of the tests. It
// is set only for the child process that TestServiceWithStubSystemctl
// starts.
const stubEnv = "MCPLEX_OSINT_STUB_SYSTEMCTL"

func TestMain(m *testing.M) {
	if os.Getenv(stubEnv) == "1" {
		os.Exit(stubScenario())
	}
	os.Exit(m.Run())
}

// stubSpec has what a unit file must escape: a space in the executable;
// a space, %, $ and " in the config path.
var stubSpec = ServiceSpec{
	Exe:    "/home/jane/My Apps/mcplex",
	Config: `/home/jane/My Configs/mcplex 100% "$HOME".toml`,
}

// stubScenario runs in a child whose PATH holds only a fake rpm-ostree
// (which makes kardianos choose systemd when the process starts) and a
// fake systemctl that logs its arguments and keeps a running/stopped state.
// It installs, starts, stops and uninstalls through the real kardianos
// code, copies the unit kardianos wrote to $STUB_UNIT, and prints each
// state.
func stubScenario() int {
	// Each step is marked in the systemctl log, for the golden file.
	mark := func(name string) {
		f, err := os.OpenFile(os.Getenv("STUB_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = fmt.Fprintf(f, "# %s\n", name)
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			panic(err)
		}
	}
	step := func(name string, err error) {
		mark("status after " + name)
		st, qerr := QueryService()
		fmt.Printf("%s: err=%v state=%v reason=%q query-err=%v\n", name, err, st.State, st.Reason, qerr)
	}
	mark("install")
	path, err := InstallService(stubSpec)
	step("install", err)
	unit, err := os.ReadFile(path)
	if err == nil {
		err = os.WriteFile(os.Getenv("STUB_UNIT"), unit, 0o644)
	}
	if err != nil {
		fmt.Println("copying the unit:", err)
		return 1
	}
	mark("install again")
	_, err = InstallService(stubSpec)
	fmt.Printf("install again: already installed=%v\n", errors.Is(err, ErrAlreadyInstalled))
	mark("start")
	step("start", StartService())
	mark("start again")
	step("start again", StartService())
	mark("stop")
	step("stop", StopService())
	mark("uninstall")
	_, err = UninstallService()
	step("uninstall", err)
	mark("uninstall again")
	_, err = UninstallService()
	fmt.Printf("uninstall again: not installed=%v\n", errors.Is(err, ErrNotInstalled))
	return 0
}

// fakeSystemctl uses shell builtins only: its PATH has nothing else.
const fakeSystemctl = `#!/bin/sh
echo "systemctl $*" >> "$STUB_LOG"
state=inactive
[ -f "$STUB_STATE" ] && read -r state < "$STUB_STATE"
case "$1" in
is-active) echo "$state"; [ "$state" = active ] || exit 3 ;;
start) echo active > "$STUB_STATE" ;;
stop) echo inactive > "$STUB_STATE" ;;
list-unit-files) echo "mcplex.service enabled" ;;
esac
`

// TestServiceWithStubSystemctl is the systemd golden test and a full
// install/start/stop/uninstall round trip, through kardianos's own Install
// (so the unit is rendered by its template engine, not a copy of it)
// against a fake systemctl. A real round trip needs a systemd user
// manager: see TestServiceOnThisMachine.
func TestServiceWithStubSystemctl(t *testing.T) {
	dir := t.TempDir()
	bin, home := filepath.Join(dir, "bin"), filepath.Join(dir, "home")
	for _, d := range []string{bin, home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, script := range map[string]string{"systemctl": fakeSystemctl, "rpm-ostree": "#!/bin/sh\n"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	log, unit := filepath.Join(dir, "systemctl.log"), filepath.Join(dir, "unit")
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{stubEnv + "=1", "PATH=" + bin, "HOME=" + home,
		"STUB_LOG=" + log, "STUB_STATE=" + filepath.Join(dir, "running"), "STUB_UNIT=" + unit}
	if dir := os.Getenv("GOCOVERDIR"); dir != "" { // go test -cover
		cmd.Env = append(cmd.Env, "GOCOVERDIR="+dir)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s%s", err, out, stderr.String())
	}

	wantOut := `install: err=<nil> state=stopped reason="" query-err=<nil>
install again: already installed=true
start: err=<nil> state=running reason="" query-err=<nil>
start again: err=<nil> state=running reason="" query-err=<nil>
stop: err=<nil> state=stopped reason="" query-err=<nil>
uninstall: err=<nil> state=not installed reason="" query-err=<nil>
uninstall again: not installed=true
`
	if diff := cmp.Diff(wantOut, string(out)); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "mcplex.service", data)
	checkUnit(t, string(data))
	calls, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "systemctl-calls.txt", calls)
	if _, err := os.Stat(filepath.Join(home, ".config", "systemd", "user", "mcplex.service")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unit left behind after uninstall: %v", err)
	}
}

// checkUnit checks what systemd will make of the unit: the settings that
// matter and ExecStart split back into the exact argv.
func checkUnit(t *testing.T, unit string) {
	t.Helper()
	for _, line := range []string{"WantedBy=default.target", "Restart=on-failure", "RestartSec=3", "Description=MCPlex gateway",
		"StartLimitIntervalSec=60", "StartLimitBurst=5"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks %q", line)
		}
	}
	_, cmdline, ok := strings.Cut(unit, "\nExecStart=")
	if !ok {
		t.Fatal("unit has no ExecStart")
	}
	cmdline, _, _ = strings.Cut(cmdline, "\n")
	want := append([]string{stubSpec.Exe}, stubSpec.Args()...)
	if diff := cmp.Diff(want, systemdSplit(t, cmdline)); diff != "" {
		t.Errorf("ExecStart as systemd splits it (-want +got):\n%s", diff)
	}
}

// systemdSplit splits a command line the way systemd.service(5) "Command
// lines" documents, for the subset a unit of ours can hold: words split on
// spaces, double quotes, C escapes (\\ \" \xNN), %% and $$.
func systemdSplit(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' && !quoted:
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		case c == '"':
			quoted = !quoted
		case c == '\\' && i+1 < len(line) && line[i+1] == 'x' && i+3 < len(line):
			var b byte
			if _, err := fmt.Sscanf(line[i+2:i+4], "%02x", &b); err != nil {
				t.Fatalf("bad escape in %q", line)
			}
			w.WriteByte(b)
			i += 3
		case c == '\\' && i+1 < len(line):
			w.WriteByte(line[i+1])
			i++
		case (c == '%' || c == '$') && i+1 < len(line) && line[i+1] == c:
			w.WriteByte(c)
			i++
		case c == '%' || c == '$':
			t.Fatalf("unescaped %c would be expanded by systemd in %q", c, line)
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// TestServiceOnThisMachine tries the real thing. In this project's
// container there is no systemd at all (kardianos picks unix-systemv), so
// a real install/uninstall round trip is impossible here: the test then
// checks that every action fails with the clear "needs systemd" error and
// that the status says why. With a systemd user manager, the round trip
// installs a real ~/.config/systemd/user/mcplex.service, so it runs only
// when MCPLEX_TEST_USER_SERVICE=1.
func TestServiceOnThisMachine(t *testing.T) {
	if err := supported(); err == nil {
		if os.Getenv("MCPLEX_TEST_USER_SERVICE") != "1" {
			t.Skip("a systemd user manager runs here; MCPLEX_TEST_USER_SERVICE=1 runs a real install round trip")
		}
		realRoundTrip(t)
		return
	}
	spec := ServiceSpec{Exe: "/usr/bin/mcplex", Config: "/home/u/.config/mcplex/mcplex.toml"}
	actions := map[string]func() error{
		"install":   func() error { _, err := InstallService(spec); return err },
		"uninstall": func() error { _, err := UninstallService(); return err },
		"start":     StartService,
		"stop":      StopService,
	}
	for name, action := range actions {
		err := action()
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrUnsupported", name, err)
			continue
		}
		checkUnsupportedReason(t, name, err.Error())
	}
	st, err := QueryService()
	if err != nil || st.State != ServiceUnsupported {
		t.Fatalf("status = %+v, %v; want unsupported", st, err)
	}
	checkUnsupportedReason(t, "status", st.Reason)
}

func checkUnsupportedReason(t *testing.T, action, reason string) {
	t.Helper()
	for _, want := range []string{"User services need", "systemd", "the MCPlex tray runs the gateway in-process instead"} {
		if !strings.Contains(reason, want) {
			t.Errorf("%s: reason %q does not say %q", action, reason, want)
		}
	}
}

func realRoundTrip(t *testing.T) {
	if st, err := QueryService(); err != nil || st.State != ServiceNotInstalled {
		t.Skipf("an MCPlex service is already installed here (%+v, %v); not touching it", st, err)
	}
	exe := filepath.Join(t.TempDir(), "fake-mcplex")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nexec sleep 300\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallService(ServiceSpec{Exe: exe, Config: "/nonexistent/mcplex.toml"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := UninstallService(); err != nil && !errors.Is(err, ErrNotInstalled) {
			t.Errorf("cleanup: %v", err)
		}
	})
	for _, step := range []struct {
		do   func() error
		want ServiceState
	}{{StartService, ServiceRunning}, {StopService, ServiceStopped}, {func() error { _, err := UninstallService(); return err }, ServiceNotInstalled}} {
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
		waitForState(t, step.want)
	}
}

// waitForState polls: systemd changes state asynchronously after a start or stop.
func waitForState(t *testing.T, want ServiceState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := QueryService()
		if err == nil && st.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %v (%v), want %v", st.State, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
