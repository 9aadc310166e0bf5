package integrity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Change kinds reported by [Store.Check].
const (
	// KindNew: first sight of the tool; it was trusted and pinned.
	KindNew = "new"
	// KindChanged: the tool's definition differs from its approved pin; the
	// tool is quarantined until approved.
	KindChanged = "changed"
	// KindReverted: the tool is back to its approved definition, so it is
	// no longer quarantined.
	KindReverted = "reverted"
)

// ErrUnknownTool is returned (wrapped) by Approve and ApproveHash for a
// server or tool the store has never seen.
var ErrUnknownTool = errors.New("unknown tool")

// ErrStale is returned (wrapped) by ApproveHash when the tool's latest
// definition is no longer the one the caller reviewed.
var ErrStale = errors.New("tool definition changed since it was reviewed")

// Change is one pinning event for one tool.
type Change struct {
	Server string
	Tool   string
	Kind   string // KindNew, KindChanged or KindReverted
	// Old is the approved hash (empty for KindNew; for KindReverted the
	// unapproved hash the tool had before). New is the hash seen now.
	Old, New string
	// Repeat is true for a KindChanged whose New hash was already recorded
	// by an earlier Check (possibly before a restart): the tool is still
	// quarantined, but the change is not news. Audit only !Repeat changes;
	// hide every KindChanged tool.
	Repeat bool
}

// Pin is the persisted state of one tool, as listed by [Store.List].
type Pin struct {
	Server string `json:"-"`
	Tool   string `json:"-"`
	// Approved is the hash of the trusted definition: the first one seen,
	// or the last one approved.
	Approved string `json:"approved"`
	// Latest is the hash of the definition seen most recently. The tool is
	// quarantined while Latest != Approved.
	Latest     string    `json:"latest"`
	FirstSeen  time.Time `json:"first_seen,omitzero"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
	ChangedAt  time.Time `json:"changed_at,omitzero"` // when Latest last changed
}

// Quarantined reports whether the pinned tool's latest definition is not
// the approved one.
func (p Pin) Quarantined() bool { return p.Latest != p.Approved }

// fileVersion is the state file's schema version.
const fileVersion = 1

type stateFile struct {
	Version int                        `json:"version"`
	Servers map[string]map[string]*Pin `json:"servers"`
}

// Store is the pin state of every tool of every server, persisted as a JSON
// file. It is safe for concurrent use. See the package doc for the trust
// model and the single-writer rule.
type Store struct {
	path string
	now  func() time.Time // overridable in tests

	mu    sync.Mutex
	pins  map[string]map[string]*Pin // server -> tool -> pin
	dirty bool                       // pins differ from the file (a save failed)
}

// Open loads the state file at path. A missing file is an empty store (the
// file is created on the first change). Any other read error, or a file
// that is not a valid state file, is an error naming the file: the store
// is never silently reset, since that would re-trust every tool.
func Open(path string) (*Store, error) {
	s := &Store{path: path, now: time.Now, pins: map[string]map[string]*Pin{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading tool pins %s: %w", path, err)
	}
	if err := s.decode(b); err != nil {
		return nil, fmt.Errorf("tool pins file %s is corrupt (fix or remove it to re-trust every tool): %w", path, err)
	}
	return s, nil
}

func (s *Store) decode(b []byte) error {
	var f stateFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	if f.Version != fileVersion {
		return fmt.Errorf("unsupported version %d (want %d)", f.Version, fileVersion)
	}
	for server, tools := range f.Servers {
		for tool, p := range tools {
			if p == nil || !validHash(p.Approved) || !validHash(p.Latest) {
				return fmt.Errorf("server %q tool %q: missing or malformed hash", server, tool)
			}
			p.Server, p.Tool = server, tool
		}
		if tools != nil {
			s.pins[server] = tools
		}
	}
	return nil
}

func validHash(h string) bool {
	hexPart, ok := strings.CutPrefix(h, hashPrefix)
	if !ok || len(hexPart) != 64 {
		return false
	}
	for _, c := range hexPart {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Path returns the state file's path.
func (s *Store) Path() string { return s.path }

// Check compares the tools a server listed with their pins and records
// what it saw. A tool seen for the first time is pinned (KindNew). A tool
// whose hash differs from its approved pin is reported as KindChanged on
// every Check, with Repeat set once that hash has been recorded; it stays
// quarantined until approved. A tool back at its approved definition is
// reported as KindReverted. Unchanged tools produce no Change.
//
// Pins of tools missing from the list are kept, so a tool that disappears
// and comes back different is still a change. Nil tools and tools without a
// name are skipped; for duplicate names the first one is checked (the
// catalog serves the first one too).
//
// The state is saved when it changed. If the save fails, the returned
// changes are still valid and in effect in memory (quarantine is never
// lifted by a failed save), the error is returned, and the save is retried
// on the next Check or approval.
func (s *Store) Check(server string, tools []*mcp.Tool) ([]Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	pins := s.pins[server]
	if pins == nil {
		pins = map[string]*Pin{}
	}
	var changes []Change
	seen := map[string]bool{}
	for _, t := range tools {
		if t == nil || t.Name == "" || seen[t.Name] {
			continue
		}
		seen[t.Name] = true
		h := Hash(t)
		p := pins[t.Name]
		switch {
		case p == nil:
			pins[t.Name] = &Pin{Server: server, Tool: t.Name, Approved: h, Latest: h,
				FirstSeen: now, ApprovedAt: now, ChangedAt: now}
			changes = append(changes, Change{Server: server, Tool: t.Name, Kind: KindNew, New: h})
			s.dirty = true
		case h == p.Approved:
			if p.Latest != h {
				changes = append(changes, Change{Server: server, Tool: t.Name, Kind: KindReverted, Old: p.Latest, New: h})
				p.Latest, p.ChangedAt = h, now
				s.dirty = true
			}
		default:
			repeat := p.Latest == h
			if !repeat {
				p.Latest, p.ChangedAt = h, now
				s.dirty = true
			}
			changes = append(changes, Change{Server: server, Tool: t.Name, Kind: KindChanged, Old: p.Approved, New: h, Repeat: repeat})
		}
	}
	if len(pins) > 0 {
		s.pins[server] = pins
	}
	if !s.dirty {
		return changes, nil
	}
	return changes, s.saveLocked()
}

// Quarantined reports whether the tool's latest seen definition differs
// from its approved pin. It is false for a tool never seen. The answer
// survives restarts: it comes from the state file until the next Check.
func (s *Store) Quarantined(server, tool string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pins[server][tool]
	return p != nil && p.Quarantined()
}

// Approve trusts the tool's latest seen definition: it becomes the pin and
// the tool leaves quarantine. Approving a tool that is not quarantined does
// nothing. It returns an error wrapping ErrUnknownTool for a tool never
// seen, and the save error if the state could not be saved (the approval is
// then not in effect).
func (s *Store) Approve(server, tool string) error {
	return s.approve(server, tool, "")
}

// ApproveHash is Approve for an admin who reviewed one definition: it
// approves only if the tool's latest hash is still want, and otherwise
// returns an error wrapping ErrStale, so a definition that changed between
// review and approval is never approved unseen.
func (s *Store) ApproveHash(server, tool, want string) error {
	if want == "" {
		return fmt.Errorf("approving %s/%s: empty hash", server, tool)
	}
	return s.approve(server, tool, want)
}

func (s *Store) approve(server, tool, want string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pins[server][tool]
	if p == nil {
		return fmt.Errorf("approving %s/%s: %w", server, tool, ErrUnknownTool)
	}
	if want != "" && p.Latest != want {
		return fmt.Errorf("approving %s/%s: %w (now %s)", server, tool, ErrStale, p.Latest)
	}
	if !p.Quarantined() {
		return nil
	}
	old := *p
	p.Approved, p.ApprovedAt = p.Latest, s.now().UTC()
	s.dirty = true
	if err := s.saveLocked(); err != nil {
		*p = old // not on disk, so not in effect
		return fmt.Errorf("approving %s/%s: %w", server, tool, err)
	}
	return nil
}

// ApproveAll approves every quarantined tool of server and returns how many
// it approved. On a save error none of them is approved.
func (s *Store) ApproveAll(server string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	var undo []Pin
	for _, p := range s.pins[server] {
		if p.Quarantined() {
			undo = append(undo, *p)
			p.Approved, p.ApprovedAt = p.Latest, now
		}
	}
	if len(undo) == 0 {
		return 0, nil
	}
	s.dirty = true
	if err := s.saveLocked(); err != nil {
		for _, old := range undo {
			*s.pins[server][old.Tool] = old
		}
		return 0, fmt.Errorf("approving all tools of %s: %w", server, err)
	}
	return len(undo), nil
}

// List returns a copy of every pin, sorted by server then tool, including
// pins of tools no longer listed by their server.
func (s *Store) List() []Pin {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Pin
	for _, tools := range s.pins {
		for _, p := range tools {
			out = append(out, *p)
		}
	}
	slices.SortFunc(out, func(a, b Pin) int {
		if c := strings.Compare(a.Server, b.Server); c != 0 {
			return c
		}
		return strings.Compare(a.Tool, b.Tool)
	})
	return out
}

// saveLocked writes the whole state atomically. s.mu must be held.
func (s *Store) saveLocked() error {
	b, err := json.MarshalIndent(stateFile{Version: fileVersion, Servers: s.pins}, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding tool pins: %w", err)
	}
	if err := writeAtomic(s.path, append(b, '\n')); err != nil {
		return fmt.Errorf("saving tool pins %s: %w", s.path, err)
	}
	s.dirty = false
	return nil
}
