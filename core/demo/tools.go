package demo

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the OS has no zoneinfo (Windows without Go)

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxWait bounds the wait tool so a test or a confused model cannot park a
// request for long.
const maxWait = 30 * time.Second

func addTools(s *mcp.Server) {
	mcp.AddTool(s, &mcp.Tool{
		Name:  "get_current_time",
		Title: "Current time",
		Description: "Returns the current date and time in an IANA time zone (for example Europe/Paris), " +
			"or in the host's local time zone if none is given, with the UTC offset, weekday and Unix time.",
		Annotations: toolAnnotations("Current time", false),
	}, currentTime)

	mcp.AddTool(s, &mcp.Tool{
		Name:  "calculate",
		Title: "Calculator",
		Description: "Evaluates an arithmetic expression exactly as written and returns the number. " +
			"Supports + - * / % (remainder), ^ or ** (power, right-associative), parentheses, unary minus, " +
			"decimal and scientific numbers (1.5e3), the constants pi and e, and the functions " +
			"abs, sqrt, cbrt, floor, ceil, round, ln, log10, log2, exp, sin, cos, tan (radians). " +
			"Use it instead of doing arithmetic in your head.",
		Annotations: toolAnnotations("Calculator", true),
	}, calculate)

	mcp.AddTool(s, &mcp.Tool{
		Name:  "convert_units",
		Title: "Unit converter",
		Description: "Converts a value between units of length (m, km, mi, ft, in, ...), mass (kg, g, lb, oz, ...), " +
			"temperature (C, F, K, R) or data size (B, kB, MB, GB, KiB, MiB, GiB, bit, Mbit, ...). " +
			"Full names such as \"miles\" or \"celsius\" are accepted. " +
			"The full list per category is in the resource " + unitsURIPrefix + "{category}.",
		Annotations: toolAnnotations("Unit converter", true),
	}, convertUnits)

	mcp.AddTool(s, &mcp.Tool{
		Name:  "wait",
		Title: "Wait",
		Description: "Waits for the given number of milliseconds (at most 30000) and then returns. " +
			"Reports progress after each step if the request carries a progress token, " +
			"and stops early when the request is cancelled. Useful for testing timeouts, progress and cancellation.",
		InputSchema: inputSchema[waitInput](func(p map[string]*jsonschema.Schema) {
			p["milliseconds"].Minimum, p["milliseconds"].Maximum = new(0.0), new(float64(maxWait.Milliseconds()))
			p["steps"].Minimum, p["steps"].Maximum = new(1.0), new(100.0)
			p["steps"].Default = defaultOf(10)
		}),
		Annotations: toolAnnotations("Wait", true),
	}, wait)
}

type timeInput struct {
	Timezone string `json:"timezone,omitempty" jsonschema:"IANA time zone name such as Europe/Paris, America/New_York or UTC; defaults to the host's local time zone"`
}

type timeOutput struct {
	Timezone     string `json:"timezone" jsonschema:"the time zone used"`
	Datetime     string `json:"datetime" jsonschema:"date and time in RFC 3339 format"`
	Date         string `json:"date" jsonschema:"date as YYYY-MM-DD"`
	Time         string `json:"time" jsonschema:"time of day as HH:MM:SS"`
	Weekday      string `json:"weekday"`
	UTCOffset    string `json:"utc_offset" jsonschema:"offset from UTC such as +02:00"`
	Abbreviation string `json:"abbreviation" jsonschema:"time zone abbreviation such as CEST"`
	DST          bool   `json:"dst" jsonschema:"whether daylight saving time is in effect"`
	Unix         int64  `json:"unix" jsonschema:"seconds since 1970-01-01T00:00:00Z"`
}

func currentTime(_ context.Context, _ *mcp.CallToolRequest, in timeInput) (*mcp.CallToolResult, timeOutput, error) {
	loc := time.Local
	if name := strings.TrimSpace(in.Timezone); name != "" {
		l, err := time.LoadLocation(name)
		if err != nil {
			return nil, timeOutput{}, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Paris, America/New_York or UTC", name)
		}
		loc = l
	}
	now := time.Now().In(loc)
	abbr, _ := now.Zone()
	out := timeOutput{
		Timezone:     loc.String(),
		Datetime:     now.Format(time.RFC3339),
		Date:         now.Format(time.DateOnly),
		Time:         now.Format(time.TimeOnly),
		Weekday:      now.Weekday().String(),
		UTCOffset:    now.Format("-07:00"),
		Abbreviation: abbr,
		DST:          now.IsDST(),
		Unix:         now.Unix(),
	}
	return textResult("%s %s (%s, %s, UTC%s)", out.Weekday, now.Format("2006-01-02 15:04:05"), out.Timezone, abbr, out.UTCOffset), out, nil
}

type calcInput struct {
	Expression string `json:"expression" jsonschema:"the expression to evaluate, for example (2 + 3) * 4 ^ 2 / 7 or sqrt(2) * pi"`
}

type calcOutput struct {
	Expression string  `json:"expression"`
	Result     float64 `json:"result" jsonschema:"the value, rounded to 15 significant digits"`
}

func calculate(_ context.Context, _ *mcp.CallToolRequest, in calcInput) (*mcp.CallToolResult, calcOutput, error) {
	v, err := evaluate(in.Expression)
	if err != nil {
		return nil, calcOutput{}, fmt.Errorf("cannot evaluate %q: %w", in.Expression, err)
	}
	out := calcOutput{Expression: strings.TrimSpace(in.Expression), Result: roundNumber(v)}
	return textResult("%s = %s", out.Expression, formatNumber(v)), out, nil
}

type convertInput struct {
	Value float64 `json:"value" jsonschema:"the quantity to convert"`
	From  string  `json:"from" jsonschema:"unit of value, for example km, lb, F or GiB"`
	To    string  `json:"to" jsonschema:"unit to convert to, of the same category as from"`
}

type convertOutput struct {
	Value    float64 `json:"value"`
	From     string  `json:"from" jsonschema:"canonical symbol of the source unit"`
	To       string  `json:"to" jsonschema:"canonical symbol of the target unit"`
	Result   float64 `json:"result" jsonschema:"the converted value, rounded to 15 significant digits"`
	Category string  `json:"category" jsonschema:"length, mass, temperature or data"`
}

func convertUnits(_ context.Context, _ *mcp.CallToolRequest, in convertInput) (*mcp.CallToolResult, convertOutput, error) {
	r, f, t, err := convert(in.Value, in.From, in.To)
	if err != nil {
		return nil, convertOutput{}, err
	}
	out := convertOutput{Value: in.Value, From: f.symbol, To: t.symbol, Result: r, Category: f.category}
	return textResult("%s %s = %s %s", formatNumber(in.Value), f.symbol, formatNumber(r), t.symbol), out, nil
}

type waitInput struct {
	Milliseconds int `json:"milliseconds" jsonschema:"how long to wait, from 0 to 30000"`
	Steps        int `json:"steps,omitempty" jsonschema:"number of equal steps; one progress notification is sent after each"`
}

type waitOutput struct {
	WaitedMS int64 `json:"waited_ms" jsonschema:"milliseconds actually waited"`
	Steps    int   `json:"steps"`
}

func wait(ctx context.Context, req *mcp.CallToolRequest, in waitInput) (*mcp.CallToolResult, waitOutput, error) {
	total := time.Duration(in.Milliseconds) * time.Millisecond
	if total < 0 || total > maxWait {
		return nil, waitOutput{}, fmt.Errorf("milliseconds must be between 0 and %d, got %d", maxWait.Milliseconds(), in.Milliseconds)
	}
	steps := in.Steps
	if steps <= 0 {
		steps = 10
	}
	if steps > 100 {
		return nil, waitOutput{}, fmt.Errorf("steps must be between 1 and 100, got %d", steps)
	}
	token := req.Params.GetProgressToken()
	start := time.Now()
	for i := 1; i <= steps; i++ {
		// Sleep until the i-th step boundary measured from start, so that
		// slow notifications do not stretch the total.
		if err := sleepUntil(ctx, start.Add(total*time.Duration(i)/time.Duration(steps))); err != nil {
			return nil, waitOutput{}, fmt.Errorf("wait cancelled after %d ms: %w", time.Since(start).Milliseconds(), err)
		}
		if token == nil {
			continue
		}
		err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
			ProgressToken: token,
			Progress:      float64(i),
			Total:         float64(steps),
			Message:       fmt.Sprintf("waited %d of %d ms", (total * time.Duration(i) / time.Duration(steps)).Milliseconds(), total.Milliseconds()),
		})
		if err != nil {
			return nil, waitOutput{}, fmt.Errorf("sending progress: %w", err)
		}
	}
	out := waitOutput{WaitedMS: time.Since(start).Milliseconds(), Steps: steps}
	return textResult("waited %d ms in %d steps", out.WaitedMS, steps), out, nil
}

// sleepUntil blocks until deadline or until ctx is done, whichever is first.
func sleepUntil(ctx context.Context, deadline time.Time) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
