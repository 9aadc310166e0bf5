package integrity

import "github.com/mcplex/mcplex/core/atomicfile"

// writeAtomic replaces the file at path with data (mode 0600): a crash
// leaves either the old file or the new one, never a torn one, and Open
// never has to guess.
func writeAtomic(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o600)
}
