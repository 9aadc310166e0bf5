//go:build !unix

package integrity

// syncDir does nothing where directories cannot be synced (Windows): the
// rename itself is atomic there, only its durability is weaker.
func syncDir(string) error { return nil }
