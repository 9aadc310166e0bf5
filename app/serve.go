package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/upstream"
)

var errCheckFailed = errors.New("config check failed")

// loadConfig finds and loads the config: --config, then $MCPLEX_CONFIG, then
// ./mcplex.toml, then the user config dir (written with a commented default
// whose upstream is the built-in demo server, if missing).
func loadConfig(env *Env, cf *commonFlags) (*config.Config, error) {
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
			return nil, err
		}
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("locating this program for the default config: %w", err)
		}
		if abs, err := filepath.EvalSymlinks(self); err == nil {
			self = abs
		}
		created, err := config.EnsureDefault(def, self, []string{"demo-server"})
		if err != nil {
			return nil, fmt.Errorf("writing the default config: %w", err)
		}
		if created {
			fmt.Fprintf(env.Stderr, "MCPlex: wrote a default config to %s (edit it to add your MCP servers)\n", def)
		}
		path = def
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
	fs := newFlagSet(env, "serve", &cf)
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
	reloadOnSIGHUP(ctx, gw)
	gw.Start() // upstreams start now, in the background; Run serves meanwhile
	releaseStartupMemory(ctx, gw)
	return gw.Run(ctx, func(addr net.Addr) {
		log.Info("MCPlex gateway listening", "url", "http://"+addr.String()+"/mcp")
	})
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
