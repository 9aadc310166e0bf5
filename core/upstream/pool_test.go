package upstream

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mcplex/mcplex/core/config"
)

// B4.4 at the pool level: Apply keeps unchanged servers (same child),
// restarts changed ones, stops removed and disabled ones, starts new ones.
func TestApplyDiff(t *testing.T) {
	t.Parallel()
	off := false
	keep, change, remove, disabled := bad("keep"), bad("change"), bad("remove"), bad("disabled")
	keep.TimeoutSeconds = 0 // the default, filled in by the pool, is no change
	disabled.Enabled = &off
	p := newTestPool(t, Options{}, keep, change, remove, disabled)

	if _, ok := p.Get("disabled"); ok {
		t.Errorf("a disabled server was started")
	}
	before := map[string]Status{}
	for _, name := range []string{"keep", "change", "remove"} {
		before[name] = waitReady(t, mustGet(t, p, name))
	}
	if pids := markerPIDs(t, markerOf(disabled)); len(pids) != 0 {
		t.Errorf("disabled server has processes %v", pids)
	}

	changed := change
	changed.Args = slices.Clone(change.Args)
	changed.Args[1] += ",crlf"
	added := bad("added")
	enabledNow := disabled
	enabledNow.Enabled = nil
	keepAgain := keep
	keepAgain.Args = slices.Clone(keep.Args) // equal, not identical
	d := p.Apply([]config.Server{keepAgain, changed, added, enabledNow})

	want := Diff{Added: []string{"added", "disabled"}, Restarted: []string{"change"}, Unchanged: []string{"keep"}, Removed: []string{"remove"}}
	if diff := cmp.Diff(want, d, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("Apply diff (-want +got):\n%s", diff)
	}
	if u := mustGet(t, p, "keep"); u.Status().PID != before["keep"].PID || u.Status().State != StateReady {
		t.Errorf("unchanged server: %+v, want the same ready child %d", u.Status(), before["keep"].PID)
	}
	st := waitReady(t, mustGet(t, p, "change"))
	if st.PID == before["change"].PID {
		t.Errorf("changed server kept its child %d", st.PID)
	}
	waitGone(t, 3*time.Second, "", before["change"].PID)
	waitGone(t, 3*time.Second, markerOf(remove), before["remove"].PID)
	if _, ok := p.Get("remove"); ok {
		t.Errorf("removed server still in the pool")
	}
	waitReady(t, mustGet(t, p, "added"))
	waitReady(t, mustGet(t, p, "disabled"))

	var names []string
	for _, u := range p.All() {
		names = append(names, u.Name())
	}
	if diff := cmp.Diff([]string{"keep", "change", "added", "disabled"}, names); diff != "" {
		t.Errorf("All() order (-want +got):\n%s", diff)
	}

	// Disabling a running server stops it.
	disabledAgain := enabledNow
	disabledAgain.Enabled = &off
	pid := mustGet(t, p, "disabled").Status().PID
	d = p.Apply([]config.Server{keepAgain, changed, added, disabledAgain})
	if diff := cmp.Diff([]string{"disabled"}, d.Removed); diff != "" {
		t.Errorf("Removed (-want +got):\n%s", diff)
	}
	waitGone(t, 3*time.Second, markerOf(disabled), pid)
}

// A server listed twice is started once (the first wins): no child leaks.
func TestApplyDuplicateName(t *testing.T) {
	t.Parallel()
	a, b := bad("twin"), bad("twin")
	p := newTestPool(t, Options{}, a, b)
	if n := len(p.All()); n != 1 {
		t.Errorf("All() has %d upstreams, want 1", n)
	}
	st := waitReady(t, mustGet(t, p, "twin"))
	if pids := markerPIDs(t, markerOf(a)); len(pids) != 1 || pids[0] != st.PID {
		t.Errorf("first twin children = %v, want [%d]", pids, st.PID)
	}
	if pids := markerPIDs(t, markerOf(b)); len(pids) != 0 {
		t.Errorf("second twin was started: %v", pids)
	}
}

// Cancelling the pool's context stops every upstream, as Close does.
func TestPoolContextCancel(t *testing.T) {
	t.Parallel()
	s := bad("ctx")
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPool(ctx, Options{})
	t.Cleanup(p.Close)
	p.Apply([]config.Server{s})
	u := mustGet(t, p, "ctx")
	st := waitReady(t, u)
	cancel()
	waitStatus(t, u, stopBound(), func(s Status) bool { return s.State == StateStopped })
	waitGone(t, 2*time.Second, markerOf(s), st.PID)
	if _, err := u.Session(context.Background()); err == nil {
		t.Errorf("Session after the pool's context ended: no error")
	}
}

// Apply after Close starts nothing.
func TestApplyAfterClose(t *testing.T) {
	t.Parallel()
	p := NewPool(context.Background(), Options{})
	p.Close()
	s := bad("late")
	if d := p.Apply([]config.Server{s}); len(d.Added) != 0 {
		t.Errorf("Apply after Close = %+v, want nothing started", d)
	}
	if len(p.All()) != 0 || len(markerPIDs(t, markerOf(s))) != 0 {
		t.Errorf("Apply after Close started an upstream")
	}
}
