package demo

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want float64
	}{
		{"1 + 2", 3},
		{"2 + 3 * 4", 14},
		{"(2 + 3) * 4", 20},
		{"10 - 4 - 3", 3},     // left-associative
		{"100 / 10 / 5", 2},   // left-associative
		{"2 ^ 3 ^ 2", 512},    // right-associative
		{"2 ** 3", 8},         // ** spelling
		{"-2 ^ 2", -4},        // power binds tighter than unary minus
		{"(-2) ^ 2", 4},       //
		{"2 ^ -1", 0.5},       // unary minus in the exponent
		{"-3 * -3", 9},        //
		{"--3", 3},            //
		{"+4", 4},             //
		{"7 % 3", 1},          //
		{"-7 % 3", -1},        // sign of the dividend, like Go and C
		{"7.5 % 2", 1.5},      //
		{"2 * 3 % 4", 2},      // same precedence, left to right
		{"1 + 2 * 3 ^ 2", 19}, //
		{"0.1 + 0.2", 0.3},    // rounded to 15 significant digits by roundNumber
		{".5 + 1.", 1.5},
		{"1.5e3 + 2E-1", 1500.2},
		{"((((1))))", 1},
		{"  1\t+\n2 ", 3},
		{"sqrt(16) + abs(-2)", 6},
		{"2 * pi", 2 * math.Pi},
		{"e ^ 1", math.E},
		{"ln(e)", 1},
		{"log10(1000) + log2(8)", 6},
		{"floor(2.7) + ceil(2.1) + round(2.5)", 8},
		{"SQRT(9)", 3},
		{"sin(0) + cos(0)", 1},
		{"-(3 + 4) * 2", -14},
		{"2^10", 1024},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			got, err := evaluate(tt.expr)
			if err != nil {
				t.Fatalf("evaluate(%q) error: %v", tt.expr, err)
			}
			if roundNumber(got) != roundNumber(tt.want) {
				t.Errorf("evaluate(%q) = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr, wantErr string
	}{
		{"empty", "", "empty"},
		{"blank", "   ", "empty"},
		{"division by zero", "1 / 0", "division by zero"},
		{"division by zero expression", "5 / (2 - 2)", "division by zero"},
		{"modulo by zero", "5 % 0", "division by zero"},
		{"trailing operator", "1 +", "position 4: expected a number"},
		{"leading operator", "* 2", "position 1"},
		{"unbalanced open", "(1 + 2", "expected ')'"},
		{"unbalanced close", "1 + 2)", `position 6: unexpected ")"`},
		{"empty parens", "()", "found \")\""},
		{"juxtaposition", "2 3", "unexpected number"},
		{"implicit multiplication", "2(3)", `unexpected "("`},
		{"bad character", "2 $ 3", `unexpected character '$'`},
		{"unicode character", "2 × 3", `unexpected character '×'`},
		{"two dots", "1.2.3", "invalid number"},
		{"dangling exponent", "2e", `unexpected "e"`},
		{"unknown name", "foo + 1", `unknown name "foo"`},
		{"function without parens", "sqrt 4", "expected '(' after function sqrt"},
		{"undefined", "sqrt(-1)", "undefined"},
		{"log of zero", "ln(0)", "out of range"},
		{"overflow", "10 ^ 400", "out of range"},
		{"overflow product", "1e300 * 1e300", "out of range"},
		{"too long", strings.Repeat("1+", maxExprLen) + "1", "longer than"},
		{"too deep", strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100), "nested more than"},
		{"too deep unary", strings.Repeat("-", 100) + "1", "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := evaluate(tt.expr)
			if err == nil {
				t.Fatalf("evaluate(%q) = %v, want error containing %q", tt.expr, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("evaluate(%q) error = %q, want it to contain %q", tt.expr, err, tt.wantErr)
			}
		})
	}
}

func TestEvaluateDivisionByZeroIsSentinel(t *testing.T) {
	t.Parallel()
	if _, err := evaluate("1/0"); !errors.Is(err, errDivisionByZero) {
		t.Errorf("evaluate(1/0) error = %v, want errDivisionByZero", err)
	}
}

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{14, "14"},
		{-2.5, "-2.5"},
		{0.1 + 0.2, "0.3"},
		{1e6, "1000000"},
		{1234567.5, "1234567.5"},
		{1e-5, "0.00001"},
		{1e20, "1e+20"},
		{1e-9, "1e-09"},
		{1.0 / 3, "0.333333333333333"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.in); got != tt.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{"1+2*3", "-(2^-3)%4", "sqrt(pi)/e", "((1)", "1e309", "2 ** 3 ** 4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		v, err := evaluate(expr) // must not panic or recurse without bound
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Errorf("evaluate(%q) = %v without error", expr, v)
		}
	})
}
