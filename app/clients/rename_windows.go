package clients

import (
	"os"
	"time"
)

// replaceFile renames tmp over path, retrying briefly: on Windows a client
// that has the file open without FILE_SHARE_DELETE makes the rename fail
// for a moment.
func replaceFile(tmp, path string) error {
	var err error
	for range 10 {
		if err = os.Rename(tmp, path); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}
