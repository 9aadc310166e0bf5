package clients

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/mcplex/mcplex/core/config"
)

// ImportPlan lists the servers a client already has that can move into
// mcplex.toml. Make one with [Import], show it, then [ImportPlan.Apply] it.
type ImportPlan struct {
	Client *Client
	// Path is the client's config file.
	Path string
	// Servers are the entries that can be imported, in the file's order.
	Servers []ImportServer
	// Skipped are the entries that cannot, with the reason.
	Skipped []Skipped

	j  *job
	st fileState
}

// ImportServer is one importable entry.
type ImportServer struct {
	// From is the entry's name in the client.
	From string
	// Server is the mcplex.toml form. Its Name is From made valid; Apply
	// may still rename it to avoid a clash.
	Server config.Server
	// Warnings are things to check by hand (for example ${VAR} references).
	Warnings []string
}

// Skipped is an entry Import leaves where it is.
type Skipped struct {
	Name   string
	Reason string
}

// Imported is one server added to mcplex.toml.
type Imported struct {
	From string // the name in the client
	As   string // the name in mcplex.toml
}

// ImportResult is what Apply did.
type ImportResult struct {
	Added []Imported
	// Client is the change to the client's file (Replace only).
	Client *Result
}

// Import reads the servers the client has (stdio and HTTP entries), minus
// MCPlex's own entry and entries that lead back to a gateway. Nothing is
// written until [ImportPlan.Apply]; opts (Replace, DryRun, Force, URL, Key)
// are kept for it. Import from a TOML file (Codex) cannot Replace.
func Import(ctx context.Context, c *Client, opts Options) (*ImportPlan, error) {
	if opts.Replace && c.Format == TOML {
		return nil, fmt.Errorf("%s: %w: replacing imported servers is not available for TOML files yet", c.Display, ErrUnsupported)
	}
	j, err := opts.job(c)
	if err != nil {
		return nil, err
	}
	j.cliPath = "" // the file is read and (with Replace) written directly
	st, doc, _, err := j.load()
	if err != nil {
		return nil, err
	}
	if !st.exists {
		return nil, fmt.Errorf("%s: no config file at %s", c.Display, j.path)
	}
	p := &ImportPlan{Client: c, Path: j.path, j: j, st: st}
	for _, e := range doc.entries() {
		if isMCPlex(e.Name, e.Value, j.target) {
			p.Skipped = append(p.Skipped, Skipped{e.Name, "this is MCPlex itself"})
			continue
		}
		s, warnings, reason := toServer(c, e)
		if reason != "" {
			p.Skipped = append(p.Skipped, Skipped{e.Name, reason})
			continue
		}
		p.Servers = append(p.Servers, ImportServer{From: e.Name, Server: s, Warnings: warnings})
	}
	return p, nil
}

// isMCPlex reports entries that lead back to a gateway, which must not
// become upstreams of one: the "mcplex" entry, any "mcplex bridge" entry,
// or an entry pointing at our URL.
func isMCPlex(name string, v any, t Target) bool {
	command, bridge, _ := entryTarget(v)
	return name == EntryName || ownedBy(v, t, "") || bridge && isMCPlexBinary(command)
}

// Apply adds the planned servers to the config through update, which must
// load the config, run edit on it, validate and save it (the GUI passes
// Controller.UpdateConfig; a preview passes one that does not save). Names
// that clash with existing servers get a "-2", "-3"... suffix. With
// Replace, the client's file then gets the single MCPlex entry in place of
// the imported servers (snapshot, backup and undo as for Connect; in a
// dry run only the diff). The client's file is checked before update runs,
// so a refusal leaves mcplex.toml untouched too.
func (p *ImportPlan) Apply(update func(edit func(*config.Config) error) error) (*ImportResult, error) {
	if len(p.Servers) == 0 {
		return nil, fmt.Errorf("%s: no servers to import", p.Client.Display)
	}
	var commit func() (*Result, error)
	if p.j.opts.Replace {
		var err error
		if commit, err = p.prepareReplace(); err != nil {
			return nil, err
		}
	}
	var added []Imported
	err := update(func(cfg *config.Config) error {
		added = added[:0] // update may retry
		taken := map[string]bool{}
		for _, s := range cfg.Servers {
			taken[s.Name] = true
		}
		for _, is := range p.Servers {
			s := cloneServer(is.Server)
			s.Name = uniqueName(serverName(is.From, cfg.Gateway.ToolNameSeparator), taken)
			taken[s.Name] = true
			cfg.Servers = append(cfg.Servers, s)
			added = append(added, Imported{From: is.From, As: s.Name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Added: added}
	if commit != nil {
		if res.Client, err = commit(); err != nil {
			return res, fmt.Errorf("the servers were added to the MCPlex config, but %s was not changed: %w", p.Path, err)
		}
	}
	return res, nil
}

// prepareReplace builds the client's new file (imported entries out, the
// MCPlex entry in) and returns the function that writes it.
func (p *ImportPlan) prepareReplace() (func() (*Result, error), error) {
	j := p.j
	if j.target.URL == "" {
		return nil, fmt.Errorf("%s: no gateway URL to connect to", p.Client.Display)
	}
	if p.Client.Bridge && !j.opts.Force {
		if err := checkStableExe(j.target.Exe); err != nil {
			return nil, err
		}
	}
	st, doc, m, err := j.load()
	if err != nil {
		return nil, err
	}
	if st.sum != p.st.sum || st.exists != p.st.exists {
		return nil, fmt.Errorf("%s: %w (since the import was planned)", st.path, ErrConflict)
	}
	if cur, found := doc.get(EntryName); found && !ownedBy(cur, j.target, m.entry()) && !j.opts.Force {
		return nil, j.notOurs(cur)
	}
	replaced, err := p.takeOut(doc)
	if err != nil {
		return nil, err
	}
	want := j.c.entry(j.target)
	if err := doc.set(EntryName, want); err != nil {
		return nil, err
	}
	created := false
	if jd, ok := doc.(*jsonDoc); ok {
		created = jd.created
	}
	wantCanon, out := canonical(want), doc.bytes()
	verify := func(d document) error {
		for _, is := range p.Servers {
			if _, ok := d.get(is.From); ok {
				return fmt.Errorf("server %q is still there", is.From)
			}
		}
		return hasEntry(wantCanon)(d)
	}
	keep := func(m *manifest) {
		m.Entry = wantCanon
		m.CreatedContainer = m.CreatedContainer || created
		for _, r := range replaced {
			if !slices.ContainsFunc(m.Replaced, func(x replacedEntry) bool { return x.Name == r.Name }) {
				m.Replaced = append(m.Replaced, r)
			}
		}
	}
	return func() (*Result, error) { return j.write(st, m, out, verify, keep) }, nil
}

// takeOut removes the imported entries from doc and returns them, for the
// manifest (undo puts them back).
func (p *ImportPlan) takeOut(doc document) ([]replacedEntry, error) {
	var out []replacedEntry
	for _, is := range p.Servers {
		v, _ := doc.get(is.From)
		out = append(out, replacedEntry{Name: is.From, Value: []byte(canonical(v))})
		if _, err := doc.remove(is.From); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func cloneServer(s config.Server) config.Server {
	s.Args = slices.Clone(s.Args)
	s.Env = maps.Clone(s.Env)
	s.Headers = maps.Clone(s.Headers)
	return s
}
