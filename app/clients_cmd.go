package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mcplex/mcplex/app/clients"
	"github.com/mcplex/mcplex/core/config"
)

const clientsUsage = `usage: mcplex clients list
       mcplex clients status [NAME]
       mcplex clients connect NAME [--dry-run] [--force] [--url URL] [--key KEY]
       mcplex clients disconnect NAME|--all [--dry-run] [--force]
       mcplex clients import NAME [--replace] [--dry-run] [--force]`

// clientsFlags are the flags of every "mcplex clients" action.
type clientsFlags struct {
	common   commonFlags
	url      string
	key      string
	path     string
	dryRun   bool
	force    bool
	fileOnly bool
	replace  bool
	all      bool
}

// clientExe is StableExecutable, the binary bridge entries run. Tests
// point it at a fixed path: a test binary lives in a go-build temporary
// folder, which StableExecutable rightly refuses.
var clientExe = StableExecutable

// runClients: "mcplex clients ACTION [NAME]" writes, removes and inspects
// the MCPlex entry in MCP clients' config files, and imports their servers.
func runClients(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(env.Stderr, clientsUsage)
		return errUsage
	}
	action := args[0]
	var f clientsFlags
	fs := newFlagSet(env, "clients "+action, &f.common)
	fs.StringVar(&f.url, "url", "", "the gateway's MCP endpoint (default: http://[gateway] listen/mcp from the config)")
	fs.StringVar(&f.key, "key", "", "API key the client sends (see 'mcplex keys new')")
	fs.StringVar(&f.path, "path", "", "edit this config file instead of the client's usual one")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the change as a diff; write nothing")
	fs.BoolVar(&f.force, "force", false, "replace or remove an \"mcplex\" entry MCPlex did not write")
	fs.BoolVar(&f.fileOnly, "file-only", false, "edit the file even if the client's own command (claude mcp) is available")
	fs.BoolVar(&f.replace, "replace", false, "import: replace the imported servers in the client with the MCPlex entry")
	fs.BoolVar(&f.all, "all", false, "disconnect: every client MCPlex connected, best effort (the uninstaller runs this)")
	names, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	run, ok := map[string]func(context.Context, *Env, *clientsFlags, []string) error{
		"list": clientsList, "status": clientsStatus, "connect": clientsConnect,
		"disconnect": clientsDisconnect, "import": clientsImport,
	}[action]
	if !ok {
		fmt.Fprintf(env.Stderr, "mcplex clients: unknown action %q\n%s\n", action, clientsUsage)
		return errUsage
	}
	return run(ctx, env, &f, names)
}

// parseInterspersed parses flags that may come after positional arguments
// ("connect cursor --dry-run") and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// options turns the flags into clients.Options, reading the gateway URL
// from the config unless --url is given.
func (f *clientsFlags) options(env *Env) (clients.Options, *config.Config, error) {
	o := f.baseOptions()
	if f.url != "" {
		return o, nil, nil
	}
	cfg, err := loadConfig(env, &f.common)
	if err != nil {
		return o, nil, err
	}
	o.URL = gatewayURL(cfg.Gateway.Listen)
	return o, cfg, nil
}

// baseOptions are the options the flags give directly. Bridge entries are
// recognized by this binary's stable path; from a temporary place the
// running binary is used, which is what connect --force points at.
func (f *clientsFlags) baseOptions() clients.Options {
	o := clients.Options{Path: f.path, URL: f.url, Key: f.key, DryRun: f.dryRun, Force: f.force,
		FileOnly: f.fileOnly, Replace: f.replace}
	if exe, err := clientExe(); err == nil {
		o.Exe = exe
	}
	return o
}

// gatewayURL is the MCP endpoint a local client reaches for a listen
// address: a wildcard host (0.0.0.0, ::, "") means 127.0.0.1.
func gatewayURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/mcp"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/mcp"
}

// stableExe points a bridge entry at this binary only if it lives in a
// place that lasts (not a download, a temporary folder or a translocated
// app); --force accepts any place.
func (f *clientsFlags) stableExe(c *clients.Client, o *clients.Options) error {
	if !c.Bridge || f.force {
		return nil
	}
	exe, err := clientExe()
	if err != nil {
		return fmt.Errorf("%w\nRun 'mcplex install-binary', then run this command with the installed mcplex (or pass --force)", err)
	}
	o.Exe = exe
	return nil
}

func oneClient(env *Env, names []string) (*clients.Client, error) {
	if len(names) != 1 {
		fmt.Fprintln(env.Stderr, clientsUsage)
		return nil, errUsage
	}
	return clients.Lookup(names[0])
}

func clientsList(_ context.Context, env *Env, _ *clientsFlags, names []string) error {
	if len(names) > 0 {
		fmt.Fprintln(env.Stderr, clientsUsage)
		return errUsage
	}
	e := clients.OSEnv()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCLIENT\tINSTALLED\tCONFIG")
	for _, c := range clients.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Display, yesNo(c.Installed(e)), c.Path(e))
	}
	return tw.Flush()
}

func clientsStatus(_ context.Context, env *Env, f *clientsFlags, names []string) error {
	if len(names) > 1 {
		fmt.Fprintln(env.Stderr, clientsUsage)
		return errUsage
	}
	o, _, err := f.options(env)
	if err != nil {
		return err
	}
	var list []clients.Status
	if len(names) == 1 {
		c, err := clients.Lookup(names[0])
		if err != nil {
			return err
		}
		list = append(list, clients.StatusOf(c, o))
	} else {
		list = clients.StatusAll(o)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tINSTALLED\tSTATUS\tCONFIG")
	for _, s := range list {
		state := s.State.String()
		switch {
		case s.Err != nil:
			state = "error: " + s.Err.Error()
		case s.State == clients.Elsewhere:
			state += ": " + s.Points
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Client.Name, yesNo(s.Installed), state, s.Path)
	}
	return tw.Flush()
}

func clientsConnect(ctx context.Context, env *Env, f *clientsFlags, names []string) error {
	c, err := oneClient(env, names)
	if err != nil {
		return err
	}
	o, cfg, err := f.options(env)
	if err != nil {
		return err
	}
	if err := f.stableExe(c, &o); err != nil {
		return err
	}
	if cfg != nil && f.key == "" && (cfg.Gateway.APIKey != "" || len(cfg.APIKeys) > 0) {
		fmt.Fprintln(env.Stderr, "note: this gateway requires an API key; pass --key KEY (make one with 'mcplex keys new --role NAME')")
	}
	res, err := clients.Connect(ctx, c, o)
	if err != nil {
		return err
	}
	printResult(env, res)
	return nil
}

func clientsDisconnect(ctx context.Context, env *Env, f *clientsFlags, names []string) error {
	if f.all && len(names) == 0 && f.path == "" {
		return clientsDisconnectAll(ctx, env, f)
	}
	if f.all {
		fmt.Fprintln(env.Stderr, "mcplex clients disconnect: --all takes no client name and no --path")
		return errUsage
	}
	c, err := oneClient(env, names)
	if err != nil {
		return err
	}
	o, _, err := f.options(env)
	if err != nil {
		return err
	}
	res, err := clients.Disconnect(ctx, c, o)
	if err != nil {
		return err
	}
	printResult(env, res)
	return nil
}

// clientsDisconnectAll undoes every change MCPlex has a record of (files
// edited with --path included) and removes this MCPlex's entries it finds
// without one ("claude mcp add" leaves none). A failure does not stop the
// others; the failures are returned together.
func clientsDisconnectAll(ctx context.Context, env *Env, f *clientsFlags) error {
	o := f.baseOptions()
	o.URL = f.knownURL(env)
	todo, err := disconnectTargets(env, o, f.force)
	errs := []error{err}
	for _, r := range todo {
		one := o
		one.Path = r.Path
		res, err := clients.Disconnect(ctx, r.Client, one)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Client.Display, err))
			continue
		}
		printResult(env, res)
	}
	if len(todo) == 0 && err == nil {
		fmt.Fprintln(env.Stdout, "No MCP client is connected to MCPlex.")
	}
	return errors.Join(errs...)
}

// disconnectTargets returns what MCPlex has recorded writing, plus the
// clients whose usual config holds an entry of this MCPlex without a
// record (with force, any "mcplex" entry). It reports the clients it
// leaves alone.
func disconnectTargets(env *Env, o clients.Options, force bool) ([]clients.Record, error) {
	todo, err := clients.Records(o)
	for _, c := range clients.All() {
		s := clients.StatusOf(c, o)
		real, rerr := filepath.EvalSymlinks(s.Path)
		if rerr != nil {
			real = s.Path
		}
		switch {
		case slices.Contains(todo, clients.Record{Client: c, Path: real}):
		case s.State == clients.Connected || force && s.State == clients.Elsewhere:
			todo = append(todo, clients.Record{Client: c}) // its usual file (or command)
		case s.State == clients.Elsewhere:
			fmt.Fprintf(env.Stdout, "%s: left alone: its \"mcplex\" entry points at %s, not at this MCPlex (--force removes it)\n", c.Display, s.Points)
		case s.Err != nil:
			fmt.Fprintf(env.Stdout, "%s: not checked (MCPlex never changed it): %v\n", c.Display, s.Err)
		}
	}
	return todo, err
}

// knownURL is the gateway URL that --all recognizes entries by: --url, or
// the config's, if there is a config. The uninstaller runs --all, so no
// default config is written, and a broken one only narrows what is found.
func (f *clientsFlags) knownURL(env *Env) string {
	if f.url != "" {
		return f.url
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if f.common.config == "" && os.Getenv("MCPLEX_CONFIG") == "" && !exists("mcplex.toml") {
		if def, err := config.DefaultPath(); err != nil || !exists(def) {
			return ""
		}
	}
	cfg, err := loadConfig(env, &f.common)
	if err != nil {
		fmt.Fprintf(env.Stderr, "note: %v\n(entries MCPlex has no record of are recognized by this binary's path only)\n", err)
		return ""
	}
	return gatewayURL(cfg.Gateway.Listen)
}

// printResult tells the user what changed, where the backup is and what to
// do next.
func printResult(env *Env, r *clients.Result) {
	w := env.Stdout
	if r.DryRun {
		if r.Diff != "" {
			fmt.Fprint(w, r.Diff)
		}
		for _, c := range r.Commands {
			fmt.Fprintln(w, "would run:", c)
		}
		fmt.Fprintf(w, "%s: would be %s (dry run: nothing was written)\n", r.Client.Display, r.Action)
		return
	}
	what := map[clients.Action]string{
		clients.Created:   "created %s with the MCPlex entry",
		clients.Updated:   "added the MCPlex entry to %s",
		clients.Unchanged: "already connected (%s)",
		clients.Restored:  "restored %s as it was before MCPlex changed it",
		clients.Deleted:   "deleted %s, which MCPlex had created",
		clients.Removed:   "removed the MCPlex entry from %s",
		clients.Absent:    "not connected (%s)",
	}[r.Action]
	if what == "" {
		what = string(r.Action) + " %s"
	}
	fmt.Fprintf(w, "%s: "+what+"\n", r.Client.Display, r.Path)
	for _, c := range r.Commands {
		fmt.Fprintln(w, "  ran:", c)
	}
	if r.Backup != "" {
		fmt.Fprintln(w, "  backup of the previous file:", r.Backup)
	}
	if r.Original != "" {
		fmt.Fprintln(w, "  original (restored by disconnect):", r.Original)
	}
	if r.TokenFile != "" && (r.Action == clients.Created || r.Action == clients.Updated) {
		fmt.Fprintln(w, "  API key file for the bridge:", r.TokenFile)
	}
	if hint := r.Restart(); hint != "" {
		fmt.Fprintln(w, hint+".")
	}
}

func clientsImport(ctx context.Context, env *Env, f *clientsFlags, names []string) error {
	c, err := oneClient(env, names)
	if err != nil {
		return err
	}
	o, cfg, err := f.options(env)
	if err != nil {
		return err
	}
	if cfg == nil { // --url given: the config still receives the servers
		if cfg, err = loadConfig(env, &f.common); err != nil {
			return err
		}
	}
	if f.replace {
		if err := f.stableExe(c, &o); err != nil {
			return err
		}
	}
	plan, err := clients.Import(ctx, c, o)
	if err != nil {
		return err
	}
	comment := fmt.Sprintf("imported from %s (%s)", c.Display, plan.Path)
	res, err := plan.Apply(appendToConfig(cfg.Path, comment, f.dryRun))
	printImport(env, plan, res, cfg.Path, f.dryRun)
	if err != nil {
		return err
	}
	if res.Client != nil {
		printResult(env, res.Client)
	}
	return nil
}

// appendToConfig returns an update function for ImportPlan.Apply that adds
// the new servers to the end of the config file as text, so the comments
// and layout of mcplex.toml survive; a running gateway reloads it.
func appendToConfig(path, comment string, dryRun bool) func(func(*config.Config) error) error {
	return func(edit func(*config.Config) error) error {
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		cfg, err := config.Parse(src, path)
		if err != nil {
			return err
		}
		n := len(cfg.Servers)
		if err := edit(cfg); err != nil {
			return err
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
		if dryRun {
			return nil
		}
		out := clients.AppendServers(src, comment, cfg.Servers[n:])
		back, err := config.Parse(out, path)
		if err != nil {
			return fmt.Errorf("the imported servers would make the config invalid: %w", err)
		}
		if len(back.Servers) != len(cfg.Servers) {
			return errors.New("the config declares servers in a form new ones cannot be appended to; add them by hand")
		}
		return config.WriteFile(path, out)
	}
}

func printImport(env *Env, plan *clients.ImportPlan, res *clients.ImportResult, cfgPath string, dryRun bool) {
	w := env.Stdout
	fmt.Fprintf(w, "%s (%s):\n", plan.Client.Display, plan.Path)
	if res != nil {
		for _, a := range res.Added {
			if a.As != a.From {
				fmt.Fprintf(w, "  + %s (as %s)\n", a.From, a.As)
			} else {
				fmt.Fprintf(w, "  + %s\n", a.From)
			}
		}
	}
	for _, s := range plan.Servers {
		for _, warn := range s.Warnings {
			fmt.Fprintf(w, "  ! %s: %s\n", s.From, warn)
		}
	}
	for _, s := range plan.Skipped {
		fmt.Fprintf(w, "  - %s: skipped, %s\n", s.Name, s.Reason)
	}
	switch {
	case res == nil:
	case dryRun:
		fmt.Fprintf(w, "would add %d servers to %s (dry run: nothing was written)\n", len(res.Added), cfgPath)
	default:
		fmt.Fprintf(w, "added %d servers to %s (previous version: %s.bak)\n", len(res.Added), cfgPath, cfgPath)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
