package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mcplex/mcplex/core/audit"
	"github.com/mcplex/mcplex/core/policy"
)

// runKeys: "mcplex keys new --role NAME [--description TEXT]" prints a new
// random key once, and the config lines to add (with the key stored hashed).
func runKeys(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "new" {
		fmt.Fprintln(env.Stderr, "usage: mcplex keys new --role NAME [--description TEXT]")
		return errUsage
	}
	fs := newFlagSet(env, "keys new", nil)
	role := fs.String("role", "", "role the key maps to ([roles.NAME])")
	desc := fs.String("description", "", "what the key is for (shown in the audit log)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *role == "" {
		fmt.Fprintln(env.Stderr, "mcplex keys new: --role is required")
		return errUsage
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(key))
	if *desc == "" {
		*desc = *role + " key"
	}
	fmt.Fprintf(env.Stdout, "New API key (shown once; store it now):\n\n  %s\n\nAdd to mcplex.toml (the key is stored as its SHA-256):\n\n[api_keys.\"sha256:%s\"]\nrole = %q\ndescription = %q\n",
		key, hex.EncodeToString(sum[:]), *role, *desc)
	return nil
}

// newKey returns "mcplex_" + 32 random bytes, base64url.
func newKey() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "mcplex_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// runPolicy: "mcplex policy explain --role R server/tool" prints every rule
// considered, in order, and the one that decides.
func runPolicy(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "explain" {
		fmt.Fprintln(env.Stderr, "usage: mcplex policy explain [-c FILE] --role R [--prompt|--resource] server/name")
		return errUsage
	}
	var cf commonFlags
	fs := newFlagSet(env, "policy explain", &cf)
	role := fs.String("role", "", "the role to evaluate (empty: no role)")
	prompt := fs.Bool("prompt", false, "the target is a prompt")
	resource := fs.Bool("resource", false, "the target is a resource URI (server/URI)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "usage: mcplex policy explain [-c FILE] --role R [--prompt|--resource] server/name")
		return errUsage
	}
	server, name, ok := strings.Cut(fs.Arg(0), "/")
	if !ok || server == "" || name == "" {
		fmt.Fprintf(env.Stderr, "mcplex policy explain: want server/name, got %q\n", fs.Arg(0))
		return errUsage
	}
	cfg, err := loadConfig(env, &cf)
	if err != nil {
		return err
	}
	pol, err := policy.New(cfg)
	if err != nil {
		return err
	}
	kind := policy.KindTool
	switch {
	case *prompt:
		kind = policy.KindPrompt
	case *resource:
		kind = policy.KindResource
	}
	fmt.Fprintln(env.Stdout, pol.Explain(*role, policy.Target{Kind: kind, Server: server, Name: name}).String())
	return nil
}

// runAudit: "mcplex audit verify FILES..." checks the hash chain and reports
// the first edited, inserted or deleted line.
func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) < 2 || args[0] != "verify" {
		fmt.Fprintln(env.Stderr, "usage: mcplex audit verify FILE... (e.g. logs/audit.jsonl.5 ... logs/audit.jsonl)")
		return errUsage
	}
	rep, err := audit.Verify(args[1:]...)
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(env.Stdout, "FAILED after %d good lines: %s\n", rep.Lines, rep.Problem)
		return errCheckFailed
	}
	fmt.Fprintf(env.Stdout, "OK: %d lines in %d files, chain intact (seq %d..%d, head %s)\n", rep.Lines, len(rep.Files), rep.FirstSeq, rep.LastSeq, rep.Head)
	return nil
}
