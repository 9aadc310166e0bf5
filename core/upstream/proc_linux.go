package upstream

import "syscall"

// setDeathSignal makes the kernel kill the child if the gateway dies.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
