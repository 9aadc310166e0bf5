package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mcplex/mcplex/core/bridge"
	"github.com/mcplex/mcplex/core/demo"
	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/policy"
	"github.com/mcplex/mcplex/core/rank"
)

// headerFlags collects repeated --header "Name: value" flags.
type headerFlags map[string]string

func (h headerFlags) String() string { return fmt.Sprint(map[string]string(h)) }

func (h headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want \"Name: value\", got %q", v)
	}
	h[strings.TrimSpace(k)] = strings.TrimSpace(val)
	return nil
}

func runBridge(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "bridge", nil)
	opts := bridge.Options{Headers: headerFlags{}}
	var verbose bool
	fs.StringVar(&opts.URL, "url", envOr("MCPLEX_GATEWAY", "http://127.0.0.1:3100/mcp"), "the gateway's MCP endpoint ($MCPLEX_GATEWAY)")
	fs.StringVar(&opts.APIKey, "api-key", os.Getenv("MCPLEX_API_KEY"), "API key ($MCPLEX_API_KEY); prefer --token-file")
	fs.StringVar(&opts.TokenFile, "token-file", "", "file holding the API key (re-read on 401)")
	fs.Var(headerFlags(opts.Headers), "header", `extra HTTP header "Name: value" (repeatable)`)
	fs.BoolVar(&opts.AllowRemote, "allow-remote", false, "allow a non-loopback gateway (https only)")
	fs.StringVar(&opts.ClientName, "client", "", "client name sent as X-MCPlex-Client")
	fs.DurationVar(&opts.StartupWait, "startup-wait", 20*time.Second, "how long to wait for the gateway to come up")
	fs.BoolVar(&verbose, "v", false, "verbose logging to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts.Logger = newLogger(env.Stderr, verbose)
	return bridge.Run(ctx, env.Stdin, env.Stdout, opts)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "demo-server", nil)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return demo.Run(ctx, Version)
}

// runRoute ranks tools: against a catalog file in batch mode (the routing
// benchmark contract), or against the configured gateway's live catalog.
func runRoute(ctx context.Context, env *Env, args []string) error {
	var cf commonFlags
	fs := newFlagSet(env, "route", &cf)
	var catalogPath, batch, strategy string
	var topK int
	var stats bool
	fs.BoolVar(&stats, "stats", false, "print the token cost of tools/list in passthrough vs metatool mode for the live catalog")
	fs.StringVar(&catalogPath, "catalog", "", "rank against this catalog JSON file instead of the gateway's")
	fs.StringVar(&batch, "batch", "", "JSONL file of queries; prints one JSON line per query")
	fs.IntVar(&topK, "top-k", 0, "how many tools to rank (default: 20 in batch mode, else the config's top_k)")
	fs.StringVar(&strategy, "strategy", "", "semantic, keyword or passthrough (default: the config's)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if batch != "" || catalogPath != "" {
		if batch == "" || catalogPath == "" {
			fmt.Fprintln(env.Stderr, "mcplex route: --catalog and --batch go together")
			return errUsage
		}
		if topK <= 0 {
			topK = 20
		}
		if strategy == "" {
			strategy = rank.StrategySemantic
		}
		return rank.RunBatch(catalogPath, batch, topK, strategy, env.Stdout)
	}
	query := strings.Join(fs.Args(), " ")
	if stats {
		return routeStats(ctx, env, &cf)
	}
	if strings.TrimSpace(query) == "" {
		fmt.Fprintln(env.Stderr, `usage: mcplex route [-c FILE] "what you want to do"`)
		return errUsage
	}
	return routeLive(ctx, env, &cf, query, topK, strategy)
}

// liveGateway starts the configured upstreams and waits for them.
func liveGateway(ctx context.Context, env *Env, cf *commonFlags, strategy string) (*gateway.Gateway, error) {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return nil, err
	}
	if strategy != "" {
		cfg.Router.Strategy = strategy
	}
	gw, err := gateway.New(cfg, &gateway.Options{Logger: newLogger(env.Stderr, cf.verbose), Version: Version})
	if err != nil {
		return nil, err
	}
	gw.Start()
	if err := gw.WaitReady(ctx, 30*time.Second); err != nil {
		fmt.Fprintln(env.Stderr, "warning:", err)
	}
	return gw, nil
}

func routeStats(ctx context.Context, env *Env, cf *commonFlags) error {
	gw, err := liveGateway(ctx, env, cf, "")
	if err != nil {
		return err
	}
	defer gw.Close()
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(gw.TokenStats(nil))
}

// routeLive ranks the live catalog of the configured gateway.
func routeLive(ctx context.Context, env *Env, cf *commonFlags, query string, topK int, strategy string) error {
	gw, err := liveGateway(ctx, env, cf, strategy)
	if err != nil {
		return err
	}
	defer gw.Close()
	matches := gw.Find(&gateway.Caller{Identity: policy.Local()}, query, topK, "")
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(matches)
}
