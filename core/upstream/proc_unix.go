//go:build !windows

package upstream

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group so that the whole
// group (npx and the node it starts) can be signalled together.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

// terminateGroup sends SIGTERM to the process group led by pid.
func terminateGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGTERM)
	}
}

// killGroup kills the process group led by pid, ignoring errors for groups
// that are already gone.
func killGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
