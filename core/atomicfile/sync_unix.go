//go:build unix

package atomicfile

import (
	"errors"
	"os"
)

// SyncDir flushes a directory entry (a rename) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		return errors.Join(err, d.Close())
	}
	return d.Close()
}
