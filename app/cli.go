package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Version is the build version, set by main.
var Version = "dev"

// errUsage marks a command-line mistake: the usage was already printed.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the gateway over Streamable HTTP (the default)", runServe},
		{"check", "validate a config file and exit", runCheck},
		{"stdio", "serve the gateway over stdin/stdout", runStdio},
		{"bridge", "bridge stdio to a running gateway's HTTP endpoint", runBridge},
		{"demo-server", "run the built-in demo MCP server over stdio", runDemo},
		{"route", "rank tools for a query (the routing playground)", runRoute},
		{"keys", "keys new --role NAME: make a new API key", runKeys},
		{"policy", "policy explain --role R server/tool: which rule decides", runPolicy},
		{"audit", "audit verify FILES...: check the audit log's hash chain", runAudit},
		{"tools", "tools approve [--list] [server[/tool]]: review changed tool definitions", runTools},
		{"clients", "clients list|status|connect|disconnect|import: connect MCP client apps", runClients},
		{"service", "service install|uninstall|start|stop|status: the gateway as a per-user service", runService},
		{"autostart", "autostart on|off|status: start the MCPlex tray at login", runAutostart},
		{"install-binary", "copy this program to the stable per-user location", runInstallBinary},
	}
}

// Env is what a command needs from the process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(args []string) int {
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, env, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	case errors.Is(err, errCheckFailed):
		return 1
	default:
		fmt.Fprintln(env.Stderr, "mcplex:", err)
		return 1
	}
}

// Run dispatches args to a subcommand; with none (or only flags) it serves.
func Run(ctx context.Context, env *Env, args []string) error {
	name := "serve"
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		name = "help" // "mcplex -h": the command list; "mcplex serve -h": serve's flags
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		name, args = args[0], args[1:]
	}
	switch name {
	case "help":
		usage(env.Stdout)
		return nil
	case "version":
		fmt.Fprintln(env.Stdout, "mcplex", Version)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args)
		}
	}
	fmt.Fprintf(env.Stderr, "mcplex: unknown command %q\n\n", name)
	usage(env.Stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "MCPlex %s: one smart, safe MCP gateway for all your MCP servers.\n\nUsage:\n  mcplex [command] [flags]\n\nCommands:\n", Version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'mcplex COMMAND -h' for the flags of a command.\n")
}

// commonFlags are the seed's flags, accepted by every gateway command.
type commonFlags struct {
	config    string
	verbose   bool
	listen    string
	dashboard string
	check     bool
	version   bool
}

func newFlagSet(env *Env, name string, cf *commonFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("mcplex "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if cf != nil {
		fs.StringVar(&cf.config, "config", "", "config file (default: ./mcplex.toml, else the user config dir)")
		fs.StringVar(&cf.config, "c", "", "shorthand for --config")
		fs.BoolVar(&cf.verbose, "verbose", false, "verbose (debug) logging")
		fs.BoolVar(&cf.verbose, "v", false, "shorthand for --verbose")
		fs.StringVar(&cf.listen, "listen", "", "override [gateway] listen")
		fs.StringVar(&cf.dashboard, "dashboard", "", "override [gateway] dashboard")
		fs.BoolVar(&cf.check, "check", false, "validate the config and exit")
		fs.BoolVar(&cf.version, "version", false, "print the version and exit")
		fs.BoolVar(&cf.version, "V", false, "shorthand for --version")
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
