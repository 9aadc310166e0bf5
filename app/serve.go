package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/mcplex/mcplex/core/admin"
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/upstream"
)

var errCheckFailed = errors.New("config check failed")

// loadConfig finds the config with findConfig and loads it, with the
// command-line overrides applied.
func loadConfig(env *Env, cf *commonFlags) (*config.Config, error) {
	path, err := findConfig(env, cf)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if _, err := policy.New(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cf.listen != "" {
		cfg.Gateway.Listen = cf.listen
	}
	if cf.dashboard != "" {
		cfg.Gateway.Dashboard = cf.dashboard
	}
	if cf.listen != "" || cf.dashboard != "" {
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("command-line overrides: %w", err)
		}
	}
	return cfg, nil
}

// findConfig finds the config file: --config, then $MCPLEX_CONFIG, then
// ./mcplex.toml, then the user config dir (written with a commented default
// whose upstream is the built-in demo server, if missing).
func findConfig(env *Env, cf *commonFlags) (string, error) {
	path := cf.config
	if path == "" {
		path = os.Getenv("MCPLEX_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("mcplex.toml"); err == nil {
			path = "mcplex.toml"
		}
	}
	if path == "" {
		def, err := config.DefaultPath()
		if err != nil {
			return "", err
		}
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("locating this program for the default config: %w", err)
		}
		if abs, err := filepath.EvalSymlinks(self); err == nil {
			self = abs
		}
		created, err := config.EnsureDefault(def, self, []string{"demo-server"})
		if err != nil {
			return "", fmt.Errorf("writing the default config: %w", err)
		}
		if created {
			fmt.Fprintf(env.Stderr, "MCPlex: wrote a default config to %s (edit it to add your MCP servers)\n", def)
		}
		path = def
	}
	return path, nil
}

// check prints the config summary, or every error, and reports failure.
func check(env *Env, cf *commonFlags) error {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return errCheckFailed
	}
	fmt.Fprintf(env.Stdout, "%s: OK\n%s", cfg.Path, cfg.Summary())
	return nil
}

func runCheck(ctx context.Context, env *Env, args []string) error {
	var cf commonFlags
	fs := newFlagSet(env, "check", &cf)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return check(env, &cf)
}

func runServe(ctx context.Context, env *Env, args []string) error {
	var cf commonFlags
	var af adminFlags
	fs := newFlagSet(env, "serve", &cf)
	fs.BoolVar(&af.on, "admin", false, "run as the desktop app's service: serve the loopback admin API and announce it in --admin-dir")
	fs.StringVar(&af.dir, "admin-dir", "", "where --admin writes admin.json and admin.token (default: $MCPLEX_ADMIN_DIR, else mcplex in the user config dir)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cf.version {
		fmt.Fprintln(env.Stdout, "mcplex", Version)
		return nil
	}
	if cf.check {
		return check(env, &cf)
	}
	if af.on {
		return serveAdmin(ctx, env, &cf, af.dir)
	}
	cfg, err := loadConfig(env, &cf)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cf.verbose)
	upstream.Version = Version
	gw, err := gateway.New(cfg, &gateway.Options{Logger: log, Version: Version})
	if err != nil {
		return err
	}
	log.Info("MCPlex starting", "config", cfg.Path, "servers", len(cfg.Servers), "mode", cfg.Router.Mode)
	tuneMemory()
	// The gateway logs, publishes and audits the outcome of a reload.
	reloadOnSIGHUP(ctx, func() { _, _ = gw.ReloadFile() })
	gw.Start() // upstreams start now, in the background; Run serves meanwhile
	releaseStartupMemory(ctx, gw)
	return gw.Run(ctx, func(addr net.Addr) {
		log.Info("MCPlex gateway listening", "url", "http://"+addr.String()+"/mcp")
	})
}

// adminFlags are serve's flags for running under the desktop app.
type adminFlags struct {
	on  bool
	dir string
}

// adminShutdown bounds how long serve --admin waits for the gateway to
// stop on the way out (its own grace period for calls in flight included).
const adminShutdown = time.Minute

// serveAdmin serves the gateway the way the desktop app's service runs it:
// an admin.Host owns the gateway and the config file, and a loopback admin
// API, announced by the discovery files in dir, lets the desktop start,
// stop, edit and watch it. A gateway that fails to start (a port in use, a
// broken config) does not end serve: the host reports why in its snapshot,
// and the desktop can fix the config and start it again.
func serveAdmin(ctx context.Context, env *Env, cf *commonFlags, dir string) (err error) {
	if cf.listen != "" || cf.dashboard != "" {
		return errors.New("--listen and --dashboard cannot be used with --admin: set [gateway] listen and dashboard in the config file")
	}
	path, err := findConfig(env, cf)
	if err != nil {
		return err
	}
	if dir == "" {
		if dir, err = admin.DefaultDir(); err != nil {
			return err
		}
	}
	log := newLogger(env.Stderr, cf.verbose)
	upstream.Version, admin.Version = Version, Version
	host := admin.NewHost(admin.HostOptions{ConfigPath: path, Logger: log, Version: Version, Mode: admin.ModeService})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("admin API: %w", err)
	}
	url := "http://" + ln.Addr().String()
	token, removeDiscovery, err := admin.WriteDiscovery(dir, url)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer removeDiscovery() // also on a panic; calling it twice is harmless
	tuneMemory()
	_ = host.Start(ctx) // the host logs a failure and reports it in its snapshot
	reloadOnSIGHUP(ctx, func() { _ = host.Reload() })
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), adminShutdown)
		defer cancel()
		err = errors.Join(err, host.Stop(stopCtx))
	}()
	log.Info("MCPlex admin API listening", "url", url, "discovery", dir) // never the token
	return serveUntil(ctx, ln, admin.Handler(host, token), removeDiscovery)
}

// serveUntil serves h on ln until ctx ends. Then it calls leaving (so no
// new client finds the server), ends the requests in flight, event streams
// included, and returns.
func serveUntil(ctx context.Context, ln net.Listener, h http.Handler, leaving func()) error {
	base, endStreams := context.WithCancel(context.WithoutCancel(ctx))
	defer endStreams()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("admin API: %w", err)
	case <-ctx.Done():
	}
	leaving()
	endStreams()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx) // a request still running after 5 s is cut off by Close
	_ = srv.Close()
	<-errc
	return nil
}

func runStdio(ctx context.Context, env *Env, args []string) error {
	var cf commonFlags
	fs := newFlagSet(env, "stdio", &cf)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env, &cf)
	if err != nil {
		return err
	}
	upstream.Version = Version
	gw, err := gateway.New(cfg, &gateway.Options{Logger: newLogger(env.Stderr, cf.verbose), Version: Version})
	if err != nil {
		return err
	}
	if key := os.Getenv("MCPLEX_API_KEY"); key != "" {
		if err := gw.UseStdioKey(key); err != nil {
			return fmt.Errorf("MCPLEX_API_KEY: %w", err)
		}
	}
	return gw.ServeStdio(ctx, nil)
}
