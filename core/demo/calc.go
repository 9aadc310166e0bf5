package demo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits that keep a hostile expression from costing more than a trivial one.
const (
	maxExprLen   = 1000 // bytes
	maxExprDepth = 64   // nesting of parentheses, unary operators and powers
)

// errDivisionByZero is returned for x/0 and x%0.
var errDivisionByZero = errors.New("division by zero")

// calcError is a syntax error at a byte offset of the expression.
type calcError struct {
	pos int
	msg string
}

func (e *calcError) Error() string {
	return fmt.Sprintf("syntax error at position %d: %s", e.pos+1, e.msg)
}

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokNum
	tokIdent
	tokOp // one of + - * / % ^ ( )
)

type token struct {
	kind tokenKind
	pos  int     // byte offset in the expression
	text string  // operator or identifier
	num  float64 // value of a tokNum
}

// constants and functions are the names an expression may use.
var (
	constants = map[string]float64{"pi": math.Pi, "e": math.E}
	functions = map[string]func(float64) float64{
		"abs": math.Abs, "sqrt": math.Sqrt, "cbrt": math.Cbrt,
		"floor": math.Floor, "ceil": math.Ceil, "round": math.Round,
		"ln": math.Log, "log10": math.Log10, "log2": math.Log2, "exp": math.Exp,
		"sin": math.Sin, "cos": math.Cos, "tan": math.Tan,
	}
)

// evaluate parses and evaluates an arithmetic expression with the usual
// precedence: ^ (right-associative) binds tighter than unary minus, which binds
// tighter than * / %, which bind tighter than + -. So -2^2 is -4 and 2^3^2 is 512.
// It never panics; every failure is an error.
func evaluate(expr string) (float64, error) {
	if len(expr) > maxExprLen {
		return 0, fmt.Errorf("expression is longer than %d characters", maxExprLen)
	}
	toks, err := tokenize(expr)
	if err != nil {
		return 0, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tokEOF {
		return 0, errors.New("expression is empty")
	}
	v, err := p.expr()
	if err != nil {
		return 0, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return 0, &calcError{t.pos, fmt.Sprintf("unexpected %s", describe(t))}
	}
	return v, nil
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isDigit(c) || c == '.':
			t, n, err := scanNumber(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = n
		case isLetter(c):
			n := i
			for n < len(s) && (isLetter(s[n]) || isDigit(s[n])) {
				n++
			}
			toks = append(toks, token{kind: tokIdent, pos: i, text: strings.ToLower(s[i:n])})
			i = n
		case c == '*' && i+1 < len(s) && s[i+1] == '*': // ** is a common spelling of ^
			toks = append(toks, token{kind: tokOp, pos: i, text: "^"})
			i += 2
		case strings.IndexByte("+-*/%^()", c) >= 0:
			toks = append(toks, token{kind: tokOp, pos: i, text: string(c)})
			i++
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, &calcError{i, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(s)}), nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// scanNumber reads a decimal number with an optional exponent starting at i.
func scanNumber(s string, i int) (token, int, error) {
	n := i
	for n < len(s) && (isDigit(s[n]) || s[n] == '.') {
		n++
	}
	// An exponent only if digits follow, so that "2e" stays a syntax error
	// instead of silently meaning 2*e.
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		}
		if m < len(s) && isDigit(s[m]) {
			for m < len(s) && isDigit(s[m]) {
				m++
			}
			n = m
		}
	}
	v, err := strconv.ParseFloat(s[i:n], 64)
	if err != nil {
		return token{}, 0, &calcError{i, fmt.Sprintf("invalid number %q", s[i:n])}
	}
	return token{kind: tokNum, pos: i, num: v}, n, nil
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokNum:
		return "number"
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

// parser is a recursive-descent parser that evaluates as it goes.
type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(ops string) bool {
	t := p.peek()
	return t.kind == tokOp && strings.Contains(ops, t.text)
}

// enter bounds the recursion depth; every call must be paired with leave.
func (p *parser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return &calcError{p.peek().pos, fmt.Sprintf("expression is nested more than %d levels deep", maxExprDepth)}
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// expr = term { ("+" | "-") term }
func (p *parser) expr() (float64, error) {
	v, err := p.term()
	for err == nil && p.isOp("+-") {
		op := p.next()
		var r float64
		if r, err = p.term(); err == nil {
			v, err = apply(op, v, r)
		}
	}
	return v, err
}

// term = unary { ("*" | "/" | "%") unary }
func (p *parser) term() (float64, error) {
	v, err := p.unary()
	for err == nil && p.isOp("*/%") {
		op := p.next()
		var r float64
		if r, err = p.unary(); err == nil {
			v, err = apply(op, v, r)
		}
	}
	return v, err
}

// unary = ("-" | "+") unary | power
func (p *parser) unary() (float64, error) {
	if err := p.enter(); err != nil {
		return 0, err
	}
	defer p.leave()
	if p.isOp("+-") {
		op := p.next()
		v, err := p.unary()
		if op.text == "-" {
			v = -v
		}
		return v, err
	}
	return p.power()
}

// power = primary [ "^" unary ], so ^ is right-associative and 2^-1 works.
func (p *parser) power() (float64, error) {
	base, err := p.primary()
	if err != nil || !p.isOp("^") {
		return base, err
	}
	op := p.next()
	exp, err := p.unary()
	if err != nil {
		return 0, err
	}
	return apply(op, base, exp)
}

// primary = number | constant | function "(" expr ")" | "(" expr ")"
func (p *parser) primary() (float64, error) {
	t := p.next()
	switch {
	case t.kind == tokNum:
		return t.num, nil
	case t.kind == tokIdent:
		return p.ident(t)
	case t.kind == tokOp && t.text == "(":
		return p.group(t)
	}
	return 0, &calcError{t.pos, fmt.Sprintf("expected a number, name or '(' but found %s", describe(t))}
}

func (p *parser) group(open token) (float64, error) {
	if err := p.enter(); err != nil {
		return 0, err
	}
	defer p.leave()
	v, err := p.expr()
	if err != nil {
		return 0, err
	}
	if !p.isOp(")") {
		t := p.peek()
		return 0, &calcError{t.pos, fmt.Sprintf("expected ')' to close '(' at position %d but found %s", open.pos+1, describe(t))}
	}
	p.next()
	return v, nil
}

func (p *parser) ident(t token) (float64, error) {
	if v, ok := constants[t.text]; ok {
		return v, nil
	}
	fn, ok := functions[t.text]
	if !ok {
		return 0, &calcError{t.pos, fmt.Sprintf("unknown name %q", t.text)}
	}
	if !p.isOp("(") {
		return 0, &calcError{p.peek().pos, fmt.Sprintf("expected '(' after function %s", t.text)}
	}
	arg, err := p.group(p.next())
	if err != nil {
		return 0, err
	}
	return checkFinite(fn(arg), t.text+"("+formatNumber(arg)+")")
}

func apply(op token, l, r float64) (float64, error) {
	var v float64
	switch op.text {
	case "+":
		v = l + r
	case "-":
		v = l - r
	case "*":
		v = l * r
	case "/", "%":
		if r == 0 {
			return 0, errDivisionByZero
		}
		if v = l / r; op.text == "%" {
			v = math.Mod(l, r)
		}
	case "^":
		v = math.Pow(l, r)
	}
	return checkFinite(v, formatNumber(l)+" "+op.text+" "+formatNumber(r))
}

func checkFinite(v float64, what string) (float64, error) {
	if math.IsNaN(v) {
		return 0, fmt.Errorf("%s is undefined", what)
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is out of range", what)
	}
	return v, nil
}

// formatNumber renders v without binary floating-point noise (rounded to 15
// significant digits, so 0.1+0.2 prints as 0.3), in plain notation unless it is
// very large or very small.
func formatNumber(v float64) string {
	v = roundNumber(v)
	if a := math.Abs(v); a == 0 || a >= 1e-6 && a < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// roundNumber rounds v to 15 significant digits and turns -0 into 0.
func roundNumber(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v + 0 // -0 + 0 == +0
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		return v
	}
	return r
}
