//go:build !unix

package atomicfile

// SyncDir does nothing where directories cannot be synced (Windows): the
// rename itself is atomic there, only its durability is weaker.
func SyncDir(string) error { return nil }
