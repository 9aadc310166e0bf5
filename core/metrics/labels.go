package metrics

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// knownMethods are the MCP methods counted under their own name in
// mcplex_requests_total; a client can send anything, so the rest is
// "other".
var knownMethods = []string{
	"initialize",
	"ping",
	"tools/list",
	"tools/call",
	"resources/list",
	"resources/read",
	"resources/templates/list",
	"resources/subscribe",
	"resources/unsubscribe",
	"prompts/list",
	"prompts/get",
	"completion/complete",
	"logging/setLevel",
	"notifications/initialized",
	"notifications/cancelled",
	"notifications/progress",
	"notifications/roots/list_changed",
}

var methodIdx = func() map[string]int {
	m := make(map[string]int, len(knownMethods))
	for i, name := range knownMethods {
		m[name] = i
	}
	return m
}()

// methodIndex returns method's index in knownMethods, or
// len(knownMethods) for "other".
func methodIndex(method string) int {
	if i, ok := methodIdx[method]; ok {
		return i
	}
	return len(knownMethods)
}

const (
	outOK = iota
	outError
	outToolError
	numOutcomes
)

var outcomeNames = [numOutcomes]string{OutcomeOK, OutcomeError, OutcomeToolError}

func outcomeIndex(outcome string) int {
	switch outcome {
	case OutcomeOK:
		return outOK
	case OutcomeToolError:
		return outToolError
	default:
		return outError
	}
}

// kindSet is a counter vector whose single label takes at most max
// distinct values; later values are counted as "other".
type kindSet struct {
	vec *prometheus.CounterVec
	max int

	mu    sync.RWMutex
	kinds map[string]prometheus.Counter // guarded by mu
	other prometheus.Counter
}

func newKindSet(vec *prometheus.CounterVec, max int) *kindSet {
	return &kindSet{vec: vec, max: max, kinds: map[string]prometheus.Counter{}, other: vec.WithLabelValues(Other)}
}

func (k *kindSet) inc(kind string) {
	k.mu.RLock()
	c, ok := k.kinds[kind]
	k.mu.RUnlock()
	if !ok {
		c = k.add(kind)
	}
	c.Inc()
}

func (k *kindSet) add(kind string) prometheus.Counter {
	k.mu.Lock()
	defer k.mu.Unlock()
	if c, ok := k.kinds[kind]; ok {
		return c
	}
	if len(k.kinds) >= k.max {
		return k.other
	}
	label := labelValue(kind)
	if label == "" {
		label = "unknown"
	}
	c := k.vec.WithLabelValues(label)
	k.kinds[kind] = c
	return c
}

// labelValue makes s a valid label value: client_golang panics on invalid
// UTF-8.
func labelValue(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
