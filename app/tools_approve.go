package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcplex/mcplex/core/gateway"
	"github.com/mcplex/mcplex/core/integrity"
)

// runTools: "mcplex tools approve [--list] [server[/tool]]" reviews tool
// pins: lists them, or approves the latest definition of a changed tool
// (or of every tool of a server). A running gateway picks the change up at
// its next catalog refresh.
func runTools(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "approve" {
		fmt.Fprintln(env.Stderr, "usage: mcplex tools approve [-c FILE] [--list] [server[/tool]]")
		return errUsage
	}
	var cf commonFlags
	fs := newFlagSet(env, "tools approve", &cf)
	list := fs.Bool("list", false, "list pins and which tools are quarantined")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 1 {
		return errUsage
	}
	cfg, err := loadConfig(env, &cf)
	if err != nil {
		return err
	}
	path := gateway.PinsPath(cfg)
	st, err := integrity.Open(path)
	if err != nil {
		return err
	}
	if *list || fs.NArg() == 0 {
		for _, p := range st.List() {
			mark := "ok         "
			if p.Quarantined() {
				mark = "QUARANTINED"
			}
			fmt.Fprintf(env.Stdout, "%s %s/%s approved %s latest %s\n", mark, p.Server, p.Tool, short(p.Approved), short(p.Latest))
		}
		return nil
	}
	server, tool, one := strings.Cut(fs.Arg(0), "/")
	if one {
		if err := st.Approve(server, tool); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "approved the current definition of %s/%s (%s)\n", server, tool, path)
		return nil
	}
	n, err := st.ApproveAll(server)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "approved %d tools of %s (%s)\n", n, server, path)
	return nil
}

func short(h string) string {
	h = strings.TrimPrefix(h, "sha256:")
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
