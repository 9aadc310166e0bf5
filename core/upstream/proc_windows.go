package upstream

import "os/exec"

func setProcAttr(*exec.Cmd) {}

// killGroup is a no-op on Windows: the SDK's Close kills the child itself.
func killGroup(int) {}
