//go:build unix

package integrity

import (
	"errors"
	"os"
)

// syncDir flushes a directory entry (a rename) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		return errors.Join(err, d.Close())
	}
	return d.Close()
}
