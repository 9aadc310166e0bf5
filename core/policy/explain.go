package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Step outcomes.
const (
	OutcomeSkip    = "skip"     // the rule is not set or does not apply
	OutcomeNoMatch = "no match" // a pattern was tried and did not match
	OutcomeMatch   = "match"    // a condition held; evaluation goes on
	OutcomeDeny    = "deny"     // this rule decided: deny
	OutcomeAllow   = "allow"    // this rule decided: allow
)

const (
	outSkip    = OutcomeSkip
	outNoMatch = OutcomeNoMatch
	outMatch   = OutcomeMatch
	outDeny    = OutcomeDeny
	outAllow   = OutcomeAllow
)

// Step is one rule considered by Explain.
type Step struct {
	Outcome string // one of the Outcome constants
	Rule    string // as in Decision.Rule
	Detail  string
}

// Explanation is every rule Explain considered, in order; the last step
// decided. Decision is what Decide returns for an authenticated identity
// with Role, calling the tool, getting the prompt or reading the resource.
type Explanation struct {
	Role     string
	Action   Action
	Target   Target
	Steps    []Step
	Decision Decision
}

// Explain evaluates t for role exactly as Decide does, recording each rule
// it considers; it backs `mcplex policy explain --role R server/tool`. The
// role is taken as given: the identity checks of Decide (authentication,
// keys removed by a reload) are not part of the explanation. The action is
// call for a tool, get for a prompt and read for a resource; the other
// actions decide the same.
func (e *Engine) Explain(role string, t Target) Explanation {
	x := Explanation{Role: role, Action: defaultAction(t.Kind), Target: t}
	tr := &tracer{}
	if e == nil {
		x.Decision = deny(RuleNoEngine, "no policy is loaded")
		tr.add(outDeny, RuleNoEngine, "", "")
	} else if d, ok := e.checkRequest(x.Action, t); !ok {
		x.Decision = d
		tr.add(outDeny, d.Rule, d.Reason, "")
	} else {
		tr.add(outSkip, "identity", "role taken as given, authentication not checked", "")
		x.Decision = e.evaluate(role, t, tr)
	}
	x.Steps = tr.steps
	return x
}

func defaultAction(k Kind) Action {
	switch k {
	case KindPrompt:
		return ActionGet
	case KindResource:
		return ActionRead
	}
	return ActionCall
}

// String renders x for the command line, e.g.
//
//	role "readonly", call tool database/drop_table:
//	   1. skip      identity: role taken as given, authentication not checked
//	   2. deny      servers[database].blocked_tools[0] "drop_table": matches name "drop_table"
//	=> deny by servers[database].blocked_tools[0] "drop_table" (blocked by the server's blocked_tools)
func (x Explanation) String() string {
	var b strings.Builder
	who := "no role"
	if x.Role != "" {
		who = "role " + strconv.Quote(x.Role)
	}
	fmt.Fprintf(&b, "%s, %s %s:\n", who, x.Action, x.Target)
	for i, s := range x.Steps {
		fmt.Fprintf(&b, "  %2d. %-9s %s", i+1, s.Outcome, s.Rule)
		if s.Detail != "" {
			b.WriteString(": " + s.Detail)
		}
		b.WriteByte('\n')
	}
	verdict := "deny"
	if x.Decision.Allow {
		verdict = "allow"
	}
	fmt.Fprintf(&b, "=> %s by %s (%s)\n", verdict, x.Decision.Rule, x.Decision.Reason)
	return b.String()
}

// tracer collects Explain's steps. Every method is a no-op on nil, so the
// evaluation Decide runs formats nothing.
type tracer struct{ steps []Step }

func (tr *tracer) add(outcome, rule, detail, subject string) {
	if tr == nil {
		return
	}
	if subject != "" {
		detail += " " + strconv.Quote(subject)
	}
	tr.steps = append(tr.steps, Step{Outcome: outcome, Rule: rule, Detail: detail})
}

func (tr *tracer) skipIf(cond bool, rule, detail string) {
	if cond {
		tr.add(outSkip, rule, detail, "")
	}
}

// addMatch records a pattern tried on t: on "server/name" for scoped role
// patterns, on the own name otherwise.
func (tr *tracer) addMatch(outcome string, rl *rule, t Target, verb string) {
	if tr == nil {
		return
	}
	if rl.scoped {
		tr.add(outcome, rl.id, verb, t.Server+"/"+t.Name)
		return
	}
	tr.add(outcome, rl.id, verb+" name", t.Name)
}

func (tr *tracer) noRole(role string) {
	if tr == nil {
		return
	}
	if role == "" {
		tr.add(outSkip, "roles", "the caller has no role", "")
		return
	}
	tr.add(outSkip, "roles."+tomlKey(role), "role is not defined", "")
}

func (tr *tracer) needWholeServer(server string) {
	if tr == nil {
		return
	}
	tr.add(outDeny, RuleRBACNoServer, "a resource needs a pattern naming the whole server, such as", server+"/*")
}
