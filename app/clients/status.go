package clients

// ConnState says whether a client has an MCPlex entry and where it points.
type ConnState int

// The connection states.
const (
	// NotConnected: no "mcplex" entry (or no config file).
	NotConnected ConnState = iota
	// Connected: the entry runs this binary as the bridge, or points at
	// the gateway's URL.
	Connected
	// Elsewhere: an "mcplex" entry points at another binary or URL (an
	// older install, another port, or not MCPlex at all); see Status.Points.
	Elsewhere
)

func (s ConnState) String() string {
	switch s {
	case Connected:
		return "connected"
	case Elsewhere:
		return "points elsewhere"
	}
	return "not connected"
}

// Status is what MCPlex knows about one client on this machine.
type Status struct {
	Client *Client
	// Installed is true when the client's config folder exists (or, for
	// Claude Code, its command is on PATH).
	Installed bool
	// Path is the config file the client uses.
	Path string
	// Exists is true when that file exists.
	Exists bool
	State  ConnState
	// Points is where an existing "mcplex" entry points: the bridge
	// binary (and its --url) or the URL.
	Points string
	// Err is why the file could not be read or parsed (State is then
	// NotConnected).
	Err error
}

// StatusOf inspects one client. opts.URL (and opts.Exe) say what
// "connected" points at; only Env, Path, URL and Exe are used.
func StatusOf(c *Client, opts Options) Status {
	s := Status{Client: c}
	opts.Key = "" // no token file needed to look
	j, err := opts.job(c)
	if err != nil {
		s.Err = err
		return s
	}
	s.Path, s.Installed = j.shown, c.Installed(j.env)
	st, err := readState(j.path)
	if err != nil {
		s.Err = err
		return s
	}
	s.Exists = st.exists
	if !st.exists {
		return s
	}
	doc, err := parseDoc(c, j.path, st.data)
	if err != nil {
		s.Err = err
		return s
	}
	cur, found := doc.get(EntryName)
	if !found {
		return s
	}
	command, bridge, url := entryTarget(cur)
	switch {
	case bridge:
		s.Points = command + " (bridge to " + url + ")"
	case url != "":
		s.Points = url
	default:
		s.Points = command
	}
	s.State = Elsewhere
	urlOK := opts.URL == "" || url != "" && sameURL(url, opts.URL)
	if ownedBy(cur, j.target, "") && urlOK {
		s.State = Connected
	}
	return s
}

// StatusAll inspects every known client.
func StatusAll(opts Options) []Status {
	out := make([]Status, 0, len(registry))
	for _, c := range registry {
		out = append(out, StatusOf(c, opts))
	}
	return out
}
