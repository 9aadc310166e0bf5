package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/mcplex/mcplex/app"
)

func TestKVEditorMasksSecrets(t *testing.T) {
	test.NewTempApp(t)
	e := newKVEditor("NAME", "Add")
	test.NewTempWindow(t, e)
	e.Set(map[string]string{"PATH": "/bin", "GITHUB_TOKEN": "ghp", "Authorization": "Bearer x"})
	masked := map[string]bool{}
	for _, r := range e.rows {
		masked[r.key.Text] = r.value.Password
	}
	want := map[string]bool{"Authorization": true, "GITHUB_TOKEN": true, "PATH": false}
	for k, w := range want {
		if masked[k] != w {
			t.Errorf("%s masked %v, want %v", k, masked[k], w)
		}
	}
	// Renaming a key to a secret one masks its value, and keeps it.
	changes := 0
	e.OnChange = func() { changes++ }
	path := e.rows[2] // sorted: Authorization, GITHUB_TOKEN, PATH
	path.key.SetText("DB_PASSWORD")
	if !path.value.Password || path.value.Text != "/bin" || changes == 0 {
		t.Errorf("after rename: masked %v value %q changes %d", path.value.Password, path.value.Text, changes)
	}
	if got := e.Map(); len(got) != 3 || got["DB_PASSWORD"] != "/bin" {
		t.Errorf("map %v", got)
	}
}

func TestKVEditorProblems(t *testing.T) {
	test.NewTempApp(t)
	e := newKVEditor("NAME", "Add")
	e.Set(map[string]string{"A": "1"})
	test.Tap(e.add)
	e.rows[1].value.SetText("orphan")
	if p := e.Problem(); p != "a row has a value but no name" {
		t.Errorf("problem %q", p)
	}
	e.rows[1].key.SetText("A")
	if p := e.Problem(); p != `"A" is set twice` {
		t.Errorf("problem %q", p)
	}
	test.Tap(e.rows[1].remove)
	if p := e.Problem(); p != "" || len(e.rows) != 1 {
		t.Errorf("after remove: problem %q, %d rows", p, len(e.rows))
	}
	if (&kvEditor{}).Map() != nil {
		t.Error("an empty editor's map is not nil")
	}
}

func TestServerStateText(t *testing.T) {
	for _, tc := range []struct {
		st   app.ServerStatus
		want string
	}{
		{app.ServerStatus{State: "ready", Tools: 1}, "ready (1 tool)"},
		{app.ServerStatus{State: "failed", Error: "boom"}, "failed: boom"},
		{app.ServerStatus{State: "restarting", Restarts: 2, Error: "EOF"}, "restarting (restart 2): EOF"},
		{app.ServerStatus{State: "starting"}, "starting"},
		{app.ServerStatus{State: "disabled"}, "disabled"},
		{app.ServerStatus{}, "not running"},
	} {
		if got := serverStateText(tc.st); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestClipText(t *testing.T) {
	if got := clipText("a  b\nc", 10); got != "a b c" {
		t.Errorf("%q", got)
	}
	if got := clipText("abcdef", 4); got != "abc…" {
		t.Errorf("%q", got)
	}
}

// variantTheme is a theme pinned to one variant, as a user who picked it.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// contrastRatio is the WCAG 2 contrast ratio of two opaque colors.
func contrastRatio(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		lin := func(v uint32) float64 {
			s := float64(v) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestSecondaryTextIsReadable checks the text colors the muted helpers
// render with against the background, in both variants of the default
// theme: WCAG AA asks for 4.5:1. A LowImportance label fails it.
func TestSecondaryTextIsReadable(t *testing.T) {
	for name, variant := range map[string]fyne.ThemeVariant{"dark": theme.VariantDark, "light": theme.VariantLight} {
		t.Run(name, func(t *testing.T) {
			a := test.NewTempApp(t)
			th := variantTheme{theme.DefaultTheme(), variant}
			a.Settings().SetTheme(th)
			bg := th.Color(theme.ColorNameBackground, variant)
			for _, o := range []fyne.CanvasObject{newMutedLabel("caption"), viewLowLabel("hint"), newViewEmptyNote("empty").box} {
				test.NewTempWindow(t, o)
				for _, obj := range test.LaidOutObjects(o) {
					if txt, ok := obj.(*canvas.Text); ok {
						if r := contrastRatio(txt.Color, bg); r < 4.5 {
							t.Errorf("%q: contrast %.2f:1, want at least 4.5:1", txt.Text, r)
						}
					}
				}
			}
		})
	}
}
