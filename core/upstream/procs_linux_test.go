package upstream

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// procExists reports whether pid is still in the process table, zombies
// included: a zombie means the gateway never reaped its child.
func procExists(pid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
	return err == nil
}

// procRunning reports whether pid exists and is not a zombie.
func procRunning(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// "pid (comm) S ...": the state follows the last ')'.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// markerPIDs returns the processes whose command line contains marker.
func markerPIDs(t *testing.T, marker string) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(marker)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitGone waits until no process carries marker and none of pids exists.
func waitGone(t *testing.T, d time.Duration, marker string, pids ...int) {
	t.Helper()
	waitFor(t, d, "processes of "+marker+" to be gone", func() bool {
		for _, pid := range pids {
			if pid > 0 && procExists(pid) {
				return false
			}
		}
		return marker == "" || len(markerPIDs(t, marker)) == 0
	})
}

// B1.7: when the gateway is killed with SIGKILL, its children die too
// (Pdeathsig), so nothing is orphaned.
func TestNoOrphansAfterGatewayKilled(t *testing.T) {
	t.Parallel()
	s := bad("orphan", "ignore-term") // it would outlive stdin EOF
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+badmcpPath+" "+s.Args[1])
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		for _, pid := range markerPIDs(t, markerOf(s)) { // only if the test failed
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	child, convErr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || convErr != nil {
		t.Fatalf("helper gateway said %q (%v)", line, err)
	}
	if pids := markerPIDs(t, markerOf(s)); len(pids) != 1 || pids[0] != child {
		t.Fatalf("children = %v, want [%d]", pids, child)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// The child is reparented to init, which reaps it when it likes: it
	// must stop running.
	waitFor(t, 3*time.Second, "the orphan to die", func() bool { return !procRunning(child) })
}

// A child that stops answering (here: SIGSTOPped) is detected by the
// keep-alive pings and replaced.
func TestKeepAliveRestartsWedgedChild(t *testing.T) {
	t.Parallel()
	s := bad("wedged")
	p := newTestPool(t, Options{}, s)
	u := mustGet(t, p, "wedged")
	old := waitReady(t, u)
	if err := syscall.Kill(old.PID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	bound := time.Duration(keepAliveFails+1)*keepAlive + stopBound()
	st := waitStatus(t, u, bound, func(s Status) bool { return s.State == StateReady && s.PID != old.PID })
	if st.Restarts < 1 {
		t.Errorf("Restarts = %d, want a restart", st.Restarts)
	}
	waitGone(t, 2*time.Second, "", old.PID)
	mustEcho(t, u)
}
