package rank

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// Tool is one catalog entry as the ranker sees it.
type Tool struct {
	ID                string // unique key returned in hits, e.g. "server/name"
	Server            string
	Name              string
	Title             string
	Description       string
	InputSchema       json.RawMessage // JSON Schema; property names and descriptions are indexed
	ServerTitle       string
	ServerDescription string
}

// Options configures an Index. The zero value is ready to use.
type Options struct {
	// Strategy is used when a Query leaves Strategy empty: StrategySemantic
	// (default), StrategyKeyword or StrategyPassthrough.
	Strategy string
	// NoVectors skips the word-vector asset entirely (keyword and
	// passthrough only); semantic queries then fall back to lexical channels.
	NoVectors bool
}

// Index ranks the tools of many servers. Writers (SetServer, RemoveServer)
// analyze only the tools they are given and then publish a new immutable
// snapshot; Search reads the current snapshot without locking, so it is safe
// for concurrent use with itself and with writers.
type Index struct {
	opts Options
	vecs *wordVectors // nil when opts.NoVectors
	p    params

	mu      sync.Mutex // serializes writers; guards the fields below
	servers map[string][]*doc
	order   []string         // servers in first-SetServer order (passthrough order)
	dict    map[string]int32 // term -> id, grows only
	stems   map[string]string

	snap atomic.Pointer[snapshot]
}

// New returns an empty index.
func New(opts Options) *Index {
	ix := &Index{opts: opts, p: defaultParams, servers: map[string][]*doc{}, dict: map[string]int32{}, stems: map[string]string{}}
	if !opts.NoVectors {
		ix.vecs = sharedVectors()
	}
	ix.snap.Store(buildSnapshot(nil, nil, 0, defaultParams))
	return ix
}

// SetServer replaces all tools of server with tools (an empty slice removes
// the server). Only these tools are analyzed and embedded; the rest of the
// catalog is reused. Tools whose Server field is empty get server.
func (ix *Index) SetServer(server string, tools []Tool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(tools) == 0 {
		ix.removeLocked(server)
		return
	}
	docs := make([]*doc, len(tools))
	for i, t := range tools {
		if t.Server == "" {
			t.Server = server
		}
		if t.ID == "" {
			t.ID = t.Server + "/" + t.Name
		}
		docs[i] = ix.analyze(t)
	}
	if _, ok := ix.servers[server]; !ok {
		ix.order = append(ix.order, server)
	}
	ix.servers[server] = docs
	ix.publishLocked()
}

// SetServers groups tools by Tool.Server and replaces each of those servers
// (others are untouched), publishing once: use it to load a whole catalog.
func (ix *Index) SetServers(tools []Tool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	groups := map[string][]*doc{}
	var order []string
	for _, t := range tools {
		if t.ID == "" {
			t.ID = t.Server + "/" + t.Name
		}
		if _, ok := groups[t.Server]; !ok {
			order = append(order, t.Server)
		}
		groups[t.Server] = append(groups[t.Server], ix.analyze(t))
	}
	for _, s := range order {
		if _, ok := ix.servers[s]; !ok {
			ix.order = append(ix.order, s)
		}
		ix.servers[s] = groups[s]
	}
	ix.publishLocked()
}

// RemoveServer drops all tools of server.
func (ix *Index) RemoveServer(server string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(server)
}

func (ix *Index) removeLocked(server string) {
	if _, ok := ix.servers[server]; !ok {
		return
	}
	delete(ix.servers, server)
	ix.order = slices.DeleteFunc(ix.order, func(s string) bool { return s == server })
	ix.publishLocked()
}

// Len returns the number of indexed tools.
func (ix *Index) Len() int { return len(ix.snap.Load().docs) }

func (ix *Index) publishLocked() {
	var docs []*doc
	for _, s := range ix.order {
		docs = append(docs, ix.servers[s]...)
	}
	ix.snap.Store(buildSnapshot(docs, maps.Clone(ix.dict), ix.dim(), ix.p))
}

func (ix *Index) dim() int {
	if ix.vecs == nil {
		return 0
	}
	return ix.vecs.dim
}
