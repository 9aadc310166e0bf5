package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/mcplex/mcplex/core/atomicfile"
)

// Connect adds (or updates) the MCPlex entry in the client's config. An
// entry already as wanted is left alone; an "mcplex" entry MCPlex did not
// write is refused (ErrNotOurs) unless opts.Force. With opts.DryRun only
// Result.Diff is computed.
func Connect(ctx context.Context, c *Client, opts Options) (*Result, error) {
	j, err := opts.job(c)
	if err != nil {
		return nil, err
	}
	if j.target.URL == "" {
		return nil, fmt.Errorf("%s: no gateway URL to connect to", c.Display)
	}
	if c.Bridge && !opts.Force {
		if err := checkStableExe(j.target.Exe); err != nil {
			return nil, err
		}
	}
	if j.cliPath != "" {
		return j.connectCLI(ctx)
	}
	st, doc, m, err := j.load()
	if err != nil {
		return nil, err
	}
	want := c.entry(j.target)
	wantCanon := canonical(want)
	if cur, found := doc.get(EntryName); found {
		if canonical(cur) == wantCanon { // already there: not even reformatted
			res := j.result(st)
			res.Action = Unchanged
			return res, j.writeToken()
		}
		if !ownedBy(cur, j.target, m.entry()) && !opts.Force {
			return nil, j.notOurs(cur)
		}
	}
	if err := doc.set(EntryName, want); err != nil {
		return nil, err
	}
	createdContainer := false
	if jd, ok := doc.(*jsonDoc); ok {
		createdContainer = jd.created
	}
	return j.write(st, m, doc.bytes(), hasEntry(wantCanon), func(m *manifest) {
		m.Entry = wantCanon
		m.CreatedContainer = m.CreatedContainer || createdContainer
	})
}

// Disconnect undoes Connect (and Import with Replace). If the file is
// still exactly what MCPlex last wrote, the original is restored byte for
// byte (a file MCPlex created is deleted, with the folders it created);
// otherwise only the MCPlex entry is removed and servers an import moved
// out are put back, keeping the user's later edits.
func Disconnect(ctx context.Context, c *Client, opts Options) (*Result, error) {
	j, err := opts.job(c)
	if err != nil {
		return nil, err
	}
	m, err := j.store.load()
	if err != nil {
		return nil, err
	}
	// A manifest means MCPlex wrote the file itself (before the client's
	// installer command was on PATH): only the file route can undo that.
	if j.cliPath != "" && m == nil {
		return j.disconnectCLI(ctx)
	}
	st, err := readState(j.path)
	if err != nil {
		return nil, err
	}
	if m != nil && m.Exact && st.exists && st.hash() == m.WrittenSHA256 {
		if res, err := j.restore(st, m); res != nil || err != nil {
			return res, err
		}
	}
	if !st.exists {
		res := j.result(st)
		res.Action = Absent
		return res, j.forget()
	}
	doc, err := parseDoc(c, j.path, st.data)
	if err != nil {
		return nil, err
	}
	if err := j.removeEntry(doc, m); err != nil {
		return nil, err
	}
	return j.write(st, m, doc.bytes(), j.undone(m), nil)
}

// removeEntry takes the MCPlex entry out of doc and puts back what an
// import replaced.
func (j *job) removeEntry(doc document, m *manifest) error {
	cur, found := doc.get(EntryName)
	if found && !ownedBy(cur, j.target, m.entry()) && !j.opts.Force {
		return j.notOurs(cur)
	}
	if _, err := doc.remove(EntryName); err != nil {
		return err
	}
	if m == nil {
		return nil
	}
	for _, r := range m.Replaced {
		if _, ok := doc.get(r.Name); !ok {
			if err := doc.set(r.Name, r.Value); err != nil {
				return err
			}
		}
	}
	if jd, ok := doc.(*jsonDoc); ok && m.CreatedContainer {
		jd.removeEmptyContainer()
	}
	return nil
}

// restore puts the original back when the file is MCPlex's last write. It
// returns nil, nil if the saved original is missing or damaged.
func (j *job) restore(st fileState, m *manifest) (*Result, error) {
	res := j.result(st)
	if !m.Existed {
		res.Action, res.Diff = Deleted, unifiedDiff(st.path, st.data, nil, true, false)
		if j.opts.DryRun {
			return res, nil
		}
		if err := deleteFile(st, j.opts.beforeCommit); err != nil {
			return nil, err
		}
		removeDirs(m.CreatedDirs)
		res.Changed = true
		return res, j.forget()
	}
	orig, ok := j.store.original(m)
	if !ok {
		return nil, nil
	}
	res.Action, res.Diff = Restored, unifiedDiff(st.path, st.data, orig, true, true)
	if j.opts.DryRun {
		return res, nil
	}
	if err := commit(st, orig, j.opts.beforeCommit); err != nil {
		return nil, err
	}
	res.Changed = true
	return res, j.forget()
}

// forget drops the manifest and the bridge token file: MCPlex has no entry
// in the file any more. Backups stay.
func (j *job) forget() error {
	if j.opts.DryRun {
		return nil
	}
	if err := j.store.clear(); err != nil {
		return err
	}
	return j.removeToken()
}

// removeToken deletes the bridge's key file, if any.
func (j *job) removeToken() error {
	if j.token == "" {
		return nil
	}
	if err := os.Remove(j.token); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the token file: %w", err)
	}
	return nil
}

// load reads and parses the client's file and MCPlex's manifest for it.
func (j *job) load() (fileState, document, *manifest, error) {
	st, err := readState(j.path)
	if err != nil {
		return st, nil, nil, err
	}
	doc, err := parseDoc(j.c, j.path, st.data)
	if err != nil {
		return st, nil, nil, err
	}
	m, err := j.store.load()
	return st, doc, m, err
}

// entry returns the canonical entry MCPlex wrote last ("" if none).
func (m *manifest) entry() string {
	if m == nil {
		return ""
	}
	return m.Entry
}

// hasEntry verifies a written file: it parses and holds the entry.
func hasEntry(want string) func(document) error {
	return func(d document) error {
		if got, ok := d.get(EntryName); !ok || canonical(got) != want {
			return errors.New("the MCPlex entry is not in the result")
		}
		return nil
	}
}

// undone verifies an undo: no MCPlex entry, replaced servers back.
func (j *job) undone(m *manifest) func(document) error {
	return func(d document) error {
		if _, ok := d.get(EntryName); ok {
			return errors.New("the MCPlex entry is still there")
		}
		for _, r := range m.replaced() {
			if _, ok := d.get(r.Name); !ok {
				return fmt.Errorf("server %q was not put back", r.Name)
			}
		}
		return nil
	}
}

func (m *manifest) replaced() []replacedEntry {
	if m == nil {
		return nil
	}
	return m.Replaced
}

// write saves out over the file read as st after checking that it parses
// and passes verify. keep records MCPlex's entry in the manifest (taking
// the first-write snapshot); nil means the entry is gone, so the manifest
// is dropped after the write.
func (j *job) write(st fileState, m *manifest, out []byte, verify func(document) error, keep func(*manifest)) (*Result, error) {
	res := j.result(st)
	if st.exists && bytes.Equal(out, st.data) {
		res.Action = Unchanged
		if keep == nil {
			res.Action = Absent
			return res, j.forget()
		}
		return res, j.writeToken()
	}
	check, err := parseDoc(j.c, j.path, out)
	if err == nil {
		err = verify(check)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: MCPlex produced a file it cannot read back (%w); nothing was written", j.path, err)
	}
	res.Action, res.Diff = Updated, unifiedDiff(st.path, st.data, out, st.exists, true)
	switch {
	case !st.exists:
		res.Action = Created
	case keep == nil:
		res.Action = Removed
	}
	if j.opts.DryRun {
		return res, nil
	}
	if err := j.save(st, m, out, keep, res); err != nil {
		return nil, err
	}
	res.Changed = true
	if keep == nil {
		return res, j.forget()
	}
	return res, nil
}

// save does write's writing: token file, snapshot, backup, manifest, file.
func (j *job) save(st fileState, m *manifest, out []byte, keep func(*manifest), res *Result) error {
	now := time.Now()
	if keep != nil {
		if err := j.writeToken(); err != nil {
			return err
		}
		if m == nil {
			m = &manifest{Client: j.c.Name, Path: j.path, Existed: st.exists, OriginalSHA256: st.hash(), Exact: true, Created: now}
			if st.exists {
				if err := j.store.saveOriginal(st.data); err != nil {
					return err
				}
			}
		} else if st.hash() != m.WrittenSHA256 {
			m.Exact = false // someone else wrote since: restoring would lose their edits
		}
	}
	if st.exists {
		b, err := j.store.backup(st.data, now)
		if err != nil {
			return err
		}
		res.Backup = b
	} else {
		dirs, err := mkdirs(filepath.Dir(st.path))
		if err != nil {
			return err
		}
		if m != nil {
			m.CreatedDirs = append(m.CreatedDirs, dirs...)
		}
	}
	if keep != nil {
		keep(m)
		m.WrittenSHA256, m.Updated = hashOf(out), now
		if err := j.store.save(m); err != nil {
			return err
		}
		if m.Existed {
			res.Original = j.store.originalPath()
		}
	}
	return commit(st, out, j.opts.beforeCommit)
}

// writeToken puts the API key where the bridge entry says it is (0600),
// or removes an old key file when the entry has no key.
func (j *job) writeToken() error {
	t := j.target
	if j.opts.DryRun {
		return nil
	}
	if t.TokenFile == "" {
		return j.removeToken()
	}
	if cur, err := os.ReadFile(t.TokenFile); err == nil && string(cur) == t.Key+"\n" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(t.TokenFile), 0o700); err != nil {
		return fmt.Errorf("creating the token folder: %w", err)
	}
	if err := atomicfile.Write(t.TokenFile, []byte(t.Key+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing the token file: %w", err)
	}
	return nil
}
