package clients

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
)

// Claude Code rewrites ~/.claude.json itself, often and not atomically, so
// when its command is available MCPlex asks it to add or remove the entry
// ("claude mcp add --scope user ...") instead of editing the file.

func (j *job) connectCLI(ctx context.Context) (*Result, error) {
	st, doc, _, err := j.load()
	if err != nil {
		return nil, err
	}
	res := j.result(st)
	want := j.c.entry(j.target)
	cur, found := doc.get(EntryName)
	switch {
	case found && canonical(cur) == canonical(want):
		res.Action = Unchanged
		return res, nil
	case found && !ownedBy(cur, j.target, "") && !j.opts.Force:
		return nil, j.notOurs(cur)
	}
	var cmds [][]string
	if found {
		cmds = append(cmds, []string{"mcp", "remove", "--scope", "user", EntryName})
	}
	add := []string{"mcp", "add", "--scope", "user", "--transport", "http"}
	if j.target.Key != "" {
		add = append(add, "--header", "Authorization: Bearer "+j.target.Key)
	}
	cmds = append(cmds, append(add, EntryName, j.target.URL))
	res.Action = Updated
	return res, j.runCLI(ctx, st, res, cmds)
}

func (j *job) disconnectCLI(ctx context.Context) (*Result, error) {
	st, doc, _, err := j.load()
	if err != nil {
		return nil, err
	}
	res := j.result(st)
	cur, found := doc.get(EntryName)
	switch {
	case !found:
		res.Action = Absent
		return res, nil
	case !ownedBy(cur, j.target, "") && !j.opts.Force:
		return nil, j.notOurs(cur)
	}
	res.Action = Removed
	return res, j.runCLI(ctx, st, res, [][]string{{"mcp", "remove", "--scope", "user", EntryName}})
}

// runCLI backs the file up and runs the commands (or, in a dry run, only
// lists them).
func (j *job) runCLI(ctx context.Context, st fileState, res *Result, cmds [][]string) error {
	for _, args := range cmds {
		res.Commands = append(res.Commands, j.c.cli+" "+redact(args, j.target.Key))
	}
	if j.opts.DryRun {
		return nil
	}
	if st.exists {
		b, err := j.store.backup(st.data, time.Now())
		if err != nil {
			return err
		}
		res.Backup = b
	}
	for i, args := range cmds {
		out, err := j.env.run(ctx, j.cliPath, args...)
		if err != nil {
			return fmt.Errorf("%s: %w: %s", res.Commands[i], err, bytes.TrimSpace(out))
		}
		res.Changed = true
	}
	return nil
}

// redact joins args for display, hiding the key.
func redact(args []string, key string) string {
	s := strings.Join(args, " ")
	if key != "" {
		s = strings.ReplaceAll(s, key, "<key>")
	}
	return s
}
