package policy

// Pattern is one compiled role pattern (allowed_tools or blocked_tools of a
// [roles.NAME] table), for previews: it matches exactly as the policy does.
type Pattern struct {
	r     rule
	block bool
}

// CompilePattern compiles a role pattern. block selects blocked_tools
// semantics, where '*' and '?' also match '/'.
func CompilePattern(src string, block bool) (*Pattern, error) {
	g, err := compileGlob(src)
	if err != nil {
		return nil, err
	}
	r := rule{g: g, id: src}
	r.srv, r.scoped, r.whole = g.serverPart()
	return &Pattern{r: r, block: block}, nil
}

// MatchTool reports whether the pattern names the tool called name
// (its original, upstream name) on server.
func (p *Pattern) MatchTool(server, name string) bool {
	return p.r.matchRole(!p.block, Target{Kind: KindTool, Server: server, Name: name})
}
