package integrity

import (
	"errors"
	"os"
	"path/filepath"
)

// writeAtomic replaces the file at path with data: a temporary file in the
// same directory with mode 0600, fsync, rename over path, fsync of the
// directory. A crash leaves either the old file or the new one, never a
// torn one, and Open never has to guess.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if err != nil && !renamed {
			_ = f.Close() // may be closed already; the first error is the one to report
			err = errors.Join(err, os.Remove(tmp))
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it explicit and independent
	// of that detail.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	renamed = true
	return syncDir(dir)
}
