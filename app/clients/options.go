package clients

import (
	"fmt"
	"os"
	"path/filepath"
)

// Options says how to connect, disconnect, inspect or import a client.
// Only URL is needed to connect; the zero value of everything else means
// "the usual place on this machine".
type Options struct {
	// Env describes the machine; nil means OSEnv().
	Env *Env
	// Path is the config file to edit instead of the client's usual one
	// (a VS Code profile, a project's .mcp.json, a test fixture).
	Path string
	// URL is the gateway's MCP endpoint, e.g. http://127.0.0.1:3100/mcp.
	URL string
	// Key is the gateway API key the client should send ("" for none).
	// HTTP clients get it as an Authorization header in their file; bridge
	// clients get it in a 0600 token file the bridge reads.
	Key string
	// Exe is the absolute path of the mcplex binary for bridge entries;
	// "" means the running binary.
	Exe string
	// StateDir holds snapshots, manifests and backups (mode 0700); ""
	// means <user config dir>/mcplex/client-backups.
	StateDir string
	// TokenDir holds the bridge token files; "" means
	// <user config dir>/mcplex/tokens.
	TokenDir string
	// DryRun computes the change (Result.Diff) without writing anything.
	DryRun bool
	// Force replaces or removes an "mcplex" entry MCPlex did not write,
	// and accepts a binary in a temporary folder.
	Force bool
	// FileOnly edits the file even when the client has its own installer
	// command (claude mcp add) on PATH.
	FileOnly bool
	// Replace (Import only) swaps the imported servers in the client for
	// the single MCPlex entry.
	Replace bool

	// beforeCommit runs between reading the file and replacing it (tests).
	beforeCommit func(path string)
}

// job is one operation on one client's file, with every default resolved.
type job struct {
	c       *Client
	opts    Options
	env     Env
	shown   string // the config path as the client names it
	path    string // the file really edited (symlinks resolved)
	target  Target
	store   store
	token   string // where a bridge entry's key file goes ("" for HTTP clients)
	cliPath string // the client's installer command, when used
}

func (o Options) job(c *Client) (*job, error) {
	j := &job{c: c, opts: o, env: OSEnv()}
	if o.Env != nil {
		j.env = *o.Env
	}
	j.shown = o.Path
	if j.shown == "" {
		j.shown = c.Path(j.env)
	}
	if j.shown == "" {
		return nil, fmt.Errorf("%s: cannot tell where its config is (home folder unknown)", c.Display)
	}
	// The manifest and backups are keyed by the real path: a relative
	// --path must name the same file from any working directory.
	var err error
	if j.shown, err = filepath.Abs(j.shown); err != nil {
		return nil, fmt.Errorf("resolving %s: %w", j.shown, err)
	}
	if j.path, err = realPath(j.shown); err != nil {
		return nil, err
	}
	state, err := defaultDir(o.StateDir, "client-backups")
	if err != nil {
		return nil, err
	}
	j.store = openStore(state, c, j.path)
	j.target = Target{URL: o.URL, Key: o.Key, Exe: o.Exe}
	if c.Bridge && j.target.Exe == "" {
		if j.target.Exe, err = selfPath(); err != nil {
			return nil, err
		}
	}
	if c.Bridge {
		tokens, err := defaultDir(o.TokenDir, "tokens")
		if err != nil {
			return nil, err
		}
		j.token = filepath.Join(tokens, c.Name)
		if o.Key != "" {
			j.target.TokenFile = j.token
		}
	}
	if c.cli != "" && !o.FileOnly && o.Path == "" && j.env.LookPath != nil {
		if p, err := j.env.LookPath(c.cli); err == nil {
			j.cliPath = p
		}
	}
	return j, nil
}

// defaultDir returns dir, or <user config dir>/mcplex/<name>.
func defaultDir(dir, name string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config folder: %w", err)
	}
	return filepath.Join(cfg, "mcplex", name), nil
}

// Action says what an operation did (or, in a dry run, would do) to a file.
type Action string

// The actions.
const (
	Created   Action = "created"       // a new config file with the MCPlex entry
	Updated   Action = "updated"       // the MCPlex entry added or changed
	Unchanged Action = "unchanged"     // already as wanted: nothing written
	Restored  Action = "restored"      // the original file put back byte for byte
	Deleted   Action = "deleted"       // the file MCPlex had created removed
	Removed   Action = "removed"       // only the MCPlex entry taken out
	Absent    Action = "not connected" // nothing to undo
)

// Result describes one change to one client.
type Result struct {
	Client *Client
	// Path is the file changed (the target, if the config is a symlink).
	Path   string
	Action Action
	// Changed is true when something was written (never in a dry run).
	Changed bool
	DryRun  bool
	// Diff is the unified diff of the file ("" when nothing changes or
	// the client's own installer command does the edit).
	Diff string
	// Backup is a copy of the file as it was just before this change.
	Backup string
	// Original is the copy of the file from before MCPlex first wrote it.
	Original string
	// Commands are the installer commands run (or to run), keys redacted.
	Commands []string
	// TokenFile is the file holding the API key for a bridge entry.
	TokenFile string
}

// Restart tells the user how to make the client load the change, or ""
// when nothing changed or the client reloads by itself.
func (r *Result) Restart() string {
	if !r.Changed && !r.DryRun || r.Action == Unchanged || r.Action == Absent {
		return ""
	}
	return r.Client.Restart
}

func (j *job) result(st fileState) *Result {
	return &Result{Client: j.c, Path: st.path, DryRun: j.opts.DryRun, TokenFile: j.target.TokenFile}
}

// notOurs explains an entry MCPlex will not touch without Force.
func (j *job) notOurs(v any) error {
	command, _, url := entryTarget(v)
	what := url
	if command != "" {
		what = command
	}
	if what == "" {
		what = canonical(v)
	}
	return fmt.Errorf("%s: %w (it points at %s); force (--force) to replace or remove it anyway",
		j.path, ErrNotOurs, what)
}
