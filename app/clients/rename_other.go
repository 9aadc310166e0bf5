//go:build !windows

package clients

import "os"

func replaceFile(tmp, path string) error { return os.Rename(tmp, path) }
