package admin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/mcplex/mcplex/core/atomicfile"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/policy"
)

// Config loads the config file as it is on disk now, so an edit made by
// hand shows up. The result is the caller's to change.
func (h *Host) Config(ctx context.Context) (*config.Config, error) {
	return loadConfig(h.path)
}

// UpdateConfig loads the file, applies edit and, only if the result is
// valid, writes it (atomically, the previous file kept as .bak) and applies
// it to the running gateway at once. An invalid result, or a file that does
// not load (broken by hand), returns the error and writes nothing. Edits
// are serialized, so two of them never lose each other's change.
func (h *Host) UpdateConfig(ctx context.Context, edit func(*config.Config) error) error {
	h.edit.Lock()
	defer h.edit.Unlock()
	cfg, err := loadConfig(h.path)
	if err != nil {
		return fmt.Errorf("the config file does not load, so it was not changed: %w", err)
	}
	if err := edit(cfg); err != nil {
		return err
	}
	data, err := encodeChecked(cfg)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := keepOriginal(h.path); err != nil {
		return err
	}
	if err := config.WriteFile(h.path, data); err != nil {
		return err
	}
	h.disk.invalidate()
	// Apply now rather than wait for the file watcher (which may be off);
	// when the watcher then sees the same file, nothing changes.
	if r, err := h.serving(); err == nil {
		if _, err := r.gw.ReloadFile(); err != nil {
			return fmt.Errorf("saved to %s, but applying it failed: %w", h.path, err)
		}
	}
	return nil
}

// encodeChecked validates an edited config and encodes it, making sure
// the bytes load back: a file MCPlex writes always loads.
func encodeChecked(cfg *config.Config) ([]byte, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := policy.New(cfg); err != nil {
		return nil, err
	}
	data, err := config.Encode(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := config.Parse(data, cfg.Path); err != nil {
		return nil, fmt.Errorf("the edited config would not load back: %w", err)
	}
	return data, nil
}

// keepOriginal copies the config file to FILE.orig the first time the
// desktop edits it: edits re-encode the whole file (comments are not
// kept) and FILE.bak only holds the version before the last edit, so this
// is the file as the user wrote it. An existing .orig is never replaced.
func keepOriginal(path string) error {
	orig := path + ".orig"
	if _, err := os.Lstat(orig); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("keeping a copy of the original config: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("keeping a copy of the original config: %w", err)
	}
	if err := atomicfile.Write(orig, data, info.Mode().Perm()); err != nil {
		return fmt.Errorf("keeping a copy of the original config: %w", err)
	}
	return nil
}
