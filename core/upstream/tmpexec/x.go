// Package tmpexec is a temporary stand-in until core/execpath lands.
package tmpexec

import "os/exec"

func LookPath(name string, env []string) (string, error) { return exec.LookPath(name) }
func AugmentPath(env []string) []string                  { return env }
