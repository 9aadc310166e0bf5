package clients

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mcplex/mcplex/core/atomicfile"
)

// keepBackups is how many timestamped backups are kept per config file.
const keepBackups = 10

// manifest records what MCPlex did to one client config file, so that
// Disconnect can undo exactly that. It lives next to a byte-for-byte copy
// of the file as it was before MCPlex first wrote it.
type manifest struct {
	Client         string `json:"client"`
	Path           string `json:"path"`
	Existed        bool   `json:"existed"`         // the file existed before the first write
	OriginalSHA256 string `json:"original_sha256"` // of the bytes saved as "original"
	WrittenSHA256  string `json:"written_sha256"`  // of what MCPlex wrote last
	// Exact is true while every write since the snapshot was made on top
	// of MCPlex's own previous write: only then does restoring the
	// original undo MCPlex's changes and nothing else.
	Exact            bool            `json:"exact"`
	CreatedDirs      []string        `json:"created_dirs,omitempty"`
	CreatedContainer bool            `json:"created_container,omitempty"`
	Entry            string          `json:"entry,omitempty"` // the entry written last, canonical JSON
	Replaced         []replacedEntry `json:"replaced,omitempty"`
	Created          time.Time       `json:"created"`
	Updated          time.Time       `json:"updated"`
}

// replacedEntry is a server an import moved out of the client's file.
type replacedEntry struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// store is the private folder holding one config file's manifest, original
// and backups: <state dir>/<client>/<hash of the path>.
type store struct{ dir string }

func openStore(stateDir string, c *Client, path string) store {
	return store{dir: filepath.Join(stateDir, c.Name, hashOf([]byte(path))[:16])}
}

func (s store) manifestPath() string { return filepath.Join(s.dir, "manifest.json") }

// OriginalPath is where the file's content before MCPlex's first write is kept.
func (s store) originalPath() string { return filepath.Join(s.dir, "original") }

// load returns the manifest, or nil if MCPlex has not written the file.
func (s store) load() (*manifest, error) {
	b, err := os.ReadFile(s.manifestPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading backup manifest: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("reading backup manifest %s: %w", s.manifestPath(), err)
	}
	return &m, nil
}

func (s store) mkdir() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("creating backup folder: %w", err)
	}
	return nil
}

func (s store) save(m *manifest) error {
	if err := s.mkdir(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.manifestPath(), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing backup manifest: %w", err)
	}
	return nil
}

// saveOriginal keeps data as the original, durably, before the first write.
func (s store) saveOriginal(data []byte) error {
	if err := s.mkdir(); err != nil {
		return err
	}
	if err := atomicfile.Write(s.originalPath(), data, 0o600); err != nil {
		return fmt.Errorf("saving the original: %w", err)
	}
	return nil
}

// original returns the saved original if it still has the recorded hash.
func (s store) original(m *manifest) ([]byte, bool) {
	b, err := os.ReadFile(s.originalPath())
	if err != nil || hashOf(b) != m.OriginalSHA256 {
		return nil, false
	}
	return b, true
}

// backup saves data as a new timestamped backup and drops the oldest
// beyond keepBackups. It returns the backup's path.
func (s store) backup(data []byte, now time.Time) (string, error) {
	dir := filepath.Join(s.dir, "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating backup folder: %w", err)
	}
	stamp := now.UTC().Format("20060102T150405.000Z")
	for n := 0; ; n++ {
		name := filepath.Join(dir, stamp+".bak")
		if n > 0 {
			name = filepath.Join(dir, fmt.Sprintf("%s-%d.bak", stamp, n))
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("writing backup: %w", err)
		}
		if err := writeSynced(f, data, 0o600); err != nil {
			_ = f.Close()
			return "", fmt.Errorf("writing backup: %w", err)
		}
		s.rotate(dir)
		return name, nil
	}
}

// rotate drops the oldest backups; names sort by time.
func (s store) rotate(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) <= keepBackups {
		return
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	slices.Sort(names)
	for _, n := range names[:len(names)-keepBackups] {
		_ = os.Remove(filepath.Join(dir, n)) // best effort: an extra backup does no harm
	}
}

// clear forgets the file: MCPlex has no entry there any more. Backups stay.
func (s store) clear() error {
	for _, p := range []string{s.manifestPath(), s.originalPath()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", p, err)
		}
	}
	return nil
}

// Record is a config file MCPlex has changed and not yet undone.
type Record struct {
	Client *Client
	// Path is the file MCPlex wrote (symlinks resolved). Pass it as
	// Options.Path to Disconnect to undo the change.
	Path string
}

// Records lists the config files MCPlex has changed and not undone, from
// the manifests in opts.StateDir (the only option used), in registry order.
// Files edited through Options.Path are included. A manifest that cannot
// be read is reported in the error; the others are still returned.
func Records(opts Options) ([]Record, error) {
	state, err := defaultDir(opts.StateDir, "client-backups")
	if err != nil {
		return nil, err
	}
	var out []Record
	var errs []error
	for _, c := range registry {
		dirs, err := os.ReadDir(filepath.Join(state, c.Name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reading MCPlex's records: %w", err))
			continue
		}
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			s := store{dir: filepath.Join(state, c.Name, d.Name())}
			m, err := s.load()
			switch {
			case err != nil:
				errs = append(errs, err)
			case m == nil: // backups only: nothing to undo
			case m.Client != c.Name || openStore(state, c, m.Path).dir != s.dir:
				errs = append(errs, fmt.Errorf("backup manifest %s does not belong where it is", s.manifestPath()))
			default:
				out = append(out, Record{Client: c, Path: m.Path})
			}
		}
	}
	return out, errors.Join(errs...)
}
