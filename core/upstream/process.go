package upstream

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// process is one child process. Its methods are safe for concurrent use
// once start has returned.
type process struct {
	cmd    *exec.Cmd
	stderr io.Writer // receives the child's stderr, drained continuously

	stdin   io.WriteCloser
	stdout  *os.File      // read end of the child's stdout
	errPipe *os.File      // read end of the child's stderr
	drained chan struct{} // closed when stderr reached EOF
	exited  chan struct{} // closed when the child was reaped and its group killed
	waitErr error         // valid once exited is closed
}

func newProcess(cmd *exec.Cmd, stderr io.Writer) *process {
	return &process{cmd: cmd, stderr: stderr, drained: make(chan struct{}), exited: make(chan struct{})}
}

// start runs the child with pipes the process owns: unlike exec's own
// pipes they stay readable after Wait, so the child is reaped at once.
func (p *process) start() (err error) {
	var files []*os.File
	defer func() {
		if err != nil {
			for _, f := range files {
				f.Close()
			}
		}
	}()
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return err
	}
	files = []*os.File{outR, outW, errR, errW}
	p.cmd.Stdout, p.cmd.Stderr = outW, errW
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return err
	}
	if err := p.cmd.Start(); err != nil {
		return err
	}
	outW.Close()
	errW.Close()
	p.stdout, p.errPipe = outR, errR
	go func() {
		defer close(p.drained)
		_, _ = io.Copy(p.stderr, errR) // ends at EOF or when stop closes errR
	}()
	go func() {
		p.waitErr = p.cmd.Wait()
		// Grandchildren (npx → node) die with the child; this also closes
		// their copies of stdout and stderr, so the readers see EOF. (The
		// group id stays reserved while a member lives; an empty group gets
		// ESRCH, short of a PID wraparound within microseconds.)
		killGroup(p.cmd.Process.Pid)
		close(p.exited)
	}()
	return nil
}

// pid returns the child's PID, or 0 before it started.
func (p *process) pid() int {
	if p == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// exitReason says how the child ended ("exit status 3", "signal: killed"),
// or "" while it runs.
func (p *process) exitReason() string {
	if p == nil {
		return ""
	}
	select {
	case <-p.exited:
	default:
		return ""
	}
	if p.waitErr == nil {
		return "exit status 0"
	}
	return p.waitErr.Error()
}

func (p *process) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
		return false
	}
}

// stop ends the child as the spec's stdio shutdown says: close its stdin,
// wait stopGrace, SIGTERM the group, wait killGrace, SIGKILL the group. It
// returns within about stopGrace + 2*killGrace + drainWait.
func (p *process) stop() error {
	if p.stdout == nil {
		return nil // never started
	}
	defer p.closePipes()
	p.stdin.Close()
	if p.waitExit(stopGrace) {
		return nil
	}
	terminateGroup(p.pid())
	if p.waitExit(killGrace) {
		return nil
	}
	return p.kill()
}

// kill SIGKILLs the child and its group and waits briefly for the reaper.
func (p *process) kill() error {
	if p.stdout == nil {
		return nil
	}
	killGroup(p.pid())
	_ = p.cmd.Process.Kill()
	if p.waitExit(killGrace) {
		return nil
	}
	return fmt.Errorf("process %d did not exit after SIGKILL", p.pid())
}

// drainWait bounds how long stop waits for the last stderr bytes of an
// exited child (the lines that explain why it failed).
const drainWait = time.Second

// closePipes releases the read ends once the child is gone. A process that
// escaped the group may still hold the write ends; closing unblocks readers.
func (p *process) closePipes() {
	t := time.NewTimer(drainWait)
	defer t.Stop()
	select {
	case <-p.drained:
	case <-t.C:
	}
	p.errPipe.Close()
	p.stdout.Close()
}
