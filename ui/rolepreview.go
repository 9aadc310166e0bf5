package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// compileRoleLines compiles one pattern per line with the policy's rules,
// returning the patterns that compile and a message naming the others.
func compileRoleLines(text string, block bool) ([]*app.RolePattern, string) {
	var pats []*app.RolePattern
	var problems []string
	n := 0
	for line := range strings.Lines(text) {
		n++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, err := app.CompileRolePattern(line, block)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d, %q: %v", n, line, err))
			continue
		}
		pats = append(pats, p)
	}
	return pats, strings.Join(problems, "\n")
}

// previewRow is one catalog tool as a role sees it.
type previewRow struct {
	id    string
	state int // previewAllowed, previewBlocked or previewDenied
}

const (
	previewAllowed = iota
	previewBlocked
	previewDenied
)

func (r previewRow) show(l *widget.Label) {
	text := [...]string{"✓ ", "✕ ", "· "}[r.state] + r.id +
		[...]string{"", "  (blocked)", "  (not allowed)"}[r.state]
	l.Importance = [...]widget.Importance{widget.SuccessImportance, widget.DangerImportance, widget.MediumImportance}[r.state]
	l.TextStyle.Italic = r.state == previewDenied // muted as newMutedLabel, yet readable
	l.SetText(text)
}

// previewRole decides each tool as the policy does for a role: a blocked
// pattern wins, otherwise an allowed pattern must match.
func previewRole(tools []app.Tool, allow, block []*app.RolePattern) (rows []previewRow, allowed, blocked int) {
	matches := func(ps []*app.RolePattern, server, name string) bool {
		return slices.ContainsFunc(ps, func(p *app.RolePattern) bool { return p.MatchTool(server, name) })
	}
	for _, t := range tools {
		server, name, ok := strings.Cut(t.ID, "/")
		if !ok {
			server, name = t.Server, t.ID
		}
		r := previewRow{id: t.ID, state: previewDenied}
		switch {
		case matches(block, server, name):
			r.state = previewBlocked
			blocked++
		case matches(allow, server, name):
			r.state = previewAllowed
			allowed++
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b previewRow) int {
		if a.state != b.state {
			return a.state - b.state
		}
		return strings.Compare(a.id, b.id)
	})
	return rows, allowed, blocked
}
