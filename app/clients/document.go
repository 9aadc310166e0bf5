package clients

// document is a parsed client config file that can change one entry of its
// server map and give back the whole file with everything else unchanged.
type document interface {
	// entries lists the servers in the file's order (TOML: by name).
	entries() []namedEntry
	// get returns the decoded entry called name.
	get(name string) (any, bool)
	// set adds or replaces the entry called name.
	set(name string, v any) error
	// remove deletes the entry called name, reporting whether it existed.
	remove(name string) (bool, error)
	// bytes returns the file's new content.
	bytes() []byte
}

// namedEntry is one server of a client's map, decoded.
type namedEntry struct {
	Name  string
	Value any
}

// parseDoc parses a client's config file for editing.
func parseDoc(c *Client, path string, data []byte) (document, error) {
	switch c.Format {
	case TOML:
		return parseTOMLDoc(path, c.Container, data)
	case JSONC:
		return parseJSONDoc(path, c.Container, data, false)
	}
	return parseJSONDoc(path, c.Container, data, true)
}
