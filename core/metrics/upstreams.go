package metrics

import (
	"maps"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// upstreamStates are the states core/upstream reports; any other state is
// exported as "other".
var upstreamStates = []string{"starting", "ready", "restarting", "failed", "stopped", Other}

// upstreams exports each server's state as a one-hot gauge set.
type upstreams struct {
	state *prometheus.GaugeVec // {server, state}
	up    *prometheus.GaugeVec // {server}

	mu      sync.Mutex
	current map[string]string // guarded by mu; server -> state as reported
}

func newUpstreams(reg *prometheus.Registry) *upstreams {
	u := &upstreams{
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mcplex_upstream_state",
			Help: "Upstream server state: 1 for the current state, 0 for the others.",
		}, []string{"server", "state"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mcplex_upstream_up",
			Help: "1 when the upstream server is ready, else 0.",
		}, []string{"server"}),
		current: map[string]string{},
	}
	reg.MustRegister(u.state, u.up)
	return u
}

func (u *upstreams) set(server, state string) {
	label := Other
	if slices.Contains(upstreamStates, state) {
		label = state
	}
	server = labelValue(server)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.current[server] = labelValue(state)
	for _, s := range upstreamStates {
		v := 0.0
		if s == label {
			v = 1
		}
		u.state.WithLabelValues(server, s).Set(v)
	}
	up := 0.0
	if state == "ready" {
		up = 1
	}
	u.up.WithLabelValues(server).Set(up)
}

func (u *upstreams) remove(server string) {
	server = labelValue(server)
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.current, server)
	u.state.DeletePartialMatch(prometheus.Labels{"server": server})
	u.up.DeleteLabelValues(server)
}

func (u *upstreams) snapshot() map[string]string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return maps.Clone(u.current)
}
