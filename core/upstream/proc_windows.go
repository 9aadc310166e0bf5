package upstream

import "os/exec"

func setProcAttr(*exec.Cmd) {}

// terminateGroup is a no-op on Windows, which has no SIGTERM: stop goes
// on to kill the child.
func terminateGroup(int) {}

// killGroup is a no-op on Windows: process.kill kills the child itself.
func killGroup(int) {}
