//go:build !linux && !windows

package upstream

import "syscall"

func setDeathSignal(*syscall.SysProcAttr) {}
