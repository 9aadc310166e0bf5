package clients

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mcplex/mcplex/core/atomicfile"
)

// maxFileSize caps what MCPlex reads from a client config. Claude Code's
// ~/.claude.json grows with history, but not this far.
const maxFileSize = 16 << 20

// fileState is a config file as read, and the revision to re-check before
// replacing it.
type fileState struct {
	path   string // the real file, symlinks resolved
	data   []byte
	exists bool
	mode   fs.FileMode
	sum    [sha256.Size]byte
}

func (st fileState) hash() string { return hex.EncodeToString(st.sum[:]) }

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// realPath follows symlinks so that the file behind a link is edited and
// the link itself stays a link. A dangling link is followed one hop. The
// result names the same file before and after MCPlex creates it: for a
// missing file the nearest existing folder is resolved (a config folder
// may be a symlink, e.g. ~/.cursor into a dotfiles checkout), since
// manifests are keyed by this path.
func realPath(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("resolving %s: %w", p, err)
	}
	fi, lerr := os.Lstat(p)
	if lerr != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return resolveMissing(p) // simply missing
	}
	target, err := os.Readlink(p)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", p, err)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(p), target)
	}
	return resolveMissing(target)
}

// resolveMissing resolves the symlinks of the nearest existing ancestor of
// the missing file p and appends the rest of p to it.
func resolveMissing(p string) (string, error) {
	rest := filepath.Base(p)
	for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("resolving %s: %w", p, err)
		}
		if filepath.Dir(dir) == dir {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// readState reads path (at most maxFileSize bytes). A missing file is not
// an error: exists is false.
func readState(path string) (fileState, error) {
	st := fileState{path: path, mode: 0o600, sum: sha256.Sum256(nil)}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return st, fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return st, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return st, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return st, fmt.Errorf("%s is larger than %d MiB; MCPlex will not edit it", path, maxFileSize>>20)
	}
	st.data, st.exists, st.mode, st.sum = data, true, fi.Mode().Perm(), sha256.Sum256(data)
	return st, nil
}

// unchanged returns ErrConflict if the file no longer is what st read.
func (st fileState) unchanged() error {
	now, err := readState(st.path)
	if err != nil {
		return err
	}
	if now.exists != st.exists || now.sum != st.sum {
		return fmt.Errorf("%s: %w", st.path, ErrConflict)
	}
	return nil
}

// commit replaces the file st was read from with data: a temporary file in
// the same folder, fsynced, with the file's mode (0600 for a new file),
// renamed over it only if the file is still what st read. A new file is
// linked into place, which fails rather than replace a file that appeared
// meanwhile. hook, if set, runs just before the final check (tests).
func commit(st fileState, data []byte, hook func(string)) (err error) {
	dir := filepath.Dir(st.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(st.path)+".mcplex-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", st.path, err)
	}
	tmp := f.Name()
	defer func() {
		_ = f.Close() // already closed on the normal path
		if rmErr := os.Remove(tmp); err == nil && rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = fmt.Errorf("removing %s: %w", tmp, rmErr)
		}
	}()
	if err := writeSynced(f, data, st.mode); err != nil {
		return fmt.Errorf("writing %s: %w", st.path, err)
	}
	if hook != nil {
		hook(st.path)
	}
	if err := st.unchanged(); err != nil {
		return err
	}
	if st.exists {
		err = replaceFile(tmp, st.path)
	} else if err = os.Link(tmp, st.path); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", st.path, ErrConflict)
	} else if err != nil { // no hard links on this filesystem
		err = replaceFile(tmp, st.path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", st.path, err)
	}
	return atomicfile.SyncDir(dir)
}

func writeSynced(f *os.File, data []byte, mode fs.FileMode) error {
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// deleteFile removes the file st was read from, if it is unchanged.
func deleteFile(st fileState, hook func(string)) error {
	if hook != nil {
		hook(st.path)
	}
	if err := st.unchanged(); err != nil {
		return err
	}
	if err := os.Remove(st.path); err != nil {
		return fmt.Errorf("removing %s: %w", st.path, err)
	}
	return atomicfile.SyncDir(filepath.Dir(st.path))
}

// mkdirs creates dir and its missing parents (mode 0700) and returns the
// folders it created, outermost first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return created, fmt.Errorf("creating %s: %w", missing[i], err)
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// removeDirs removes folders mkdirs created, innermost first, as long as
// they are empty.
func removeDirs(dirs []string) {
	for i := len(dirs) - 1; i >= 0; i-- {
		if os.Remove(dirs[i]) != nil {
			return // not empty: the user put something there
		}
	}
}
