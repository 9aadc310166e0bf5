//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// privateBus starts a session bus of its own for the test and points
// DBUS_SESSION_BUS_ADDRESS at it.
func privateBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("no dbus-daemon")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

// watcherProps answers the watcher's one property the check reads.
type watcherProps struct{ registered bool }

func (p watcherProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	return dbus.MakeVariant(p.registered), nil
}

func TestMissingTrayHost(t *testing.T) {
	t.Run("no bus", func(t *testing.T) {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
		t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
		if got := missingTrayHost(); got != noTrayNoBus {
			t.Errorf("%q", got)
		}
	})
	addr := privateBus(t)
	if got := missingTrayHost(); got != noTrayNoHost {
		t.Fatalf("bus with no watcher: %q", got)
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if reply, err := conn.RequestName(sniWatcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", reply, err)
	}
	if got := missingTrayHost(); got != "" {
		t.Errorf("watcher that does not answer the property: %q", got)
	}
	if err := conn.Export(watcherProps{registered: false}, sniWatcherPath, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if got := missingTrayHost(); got != noTrayNoHost {
		t.Errorf("watcher with no host: %q", got)
	}
	if err := conn.Export(watcherProps{registered: true}, sniWatcherPath, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if got := missingTrayHost(); got != "" {
		t.Errorf("watcher with a host: %q", got)
	}
}
