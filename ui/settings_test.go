package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

// viewWindow opens a headless window of size w x h for a view's content.
func viewWindow(t *testing.T, content fyne.CanvasObject, w, h float32) fyne.Window {
	t.Helper()
	win := test.NewTempWindow(t, content)
	win.Resize(fyne.NewSize(w, h))
	return win
}

// fakeConfig reads the fake's "file on disk".
func fakeConfig(t *testing.T, f *apptest.Fake) *app.Config {
	t.Helper()
	c, err := f.Config(context.Background())
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	return c
}

func countCalls(f *apptest.Fake, name string) int {
	n := 0
	for _, c := range f.Calls() {
		if c == name {
			n++
		}
	}
	return n
}

// retype replaces an entry's text the way a user does: select all, type.
func retype(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

func newTestSettings(t *testing.T, f *apptest.Fake) (*settingsView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	v := newSettingsView(f)
	w := viewWindow(t, v.content, 900, 1400)
	v.reload()
	v.jobs.Wait()
	return v, w
}

func TestSettingsLoadsTheConfig(t *testing.T) {
	f := apptest.New()
	v, w := newTestSettings(t, f)
	if v.topK.Text != "5" || v.listen.Text != "127.0.0.1:3100" || v.strategy.Selected != "keyword" {
		t.Fatalf("form not filled: top_k %q listen %q strategy %q", v.topK.Text, v.listen.Text, v.strategy.Selected)
	}
	if !v.autostart.Disabled() {
		t.Error("the start-at-login check is enabled before the OS integration lands")
	}
	test.AssertRendersToMarkup(t, "settings_loaded.xml", w.Canvas())
}

func TestSettingsSavesTopK(t *testing.T) {
	f := apptest.New()
	v, _ := newTestSettings(t, f)
	retype(v.topK, "8")
	v.cachePatterns.SetText("expensive_*\n\n  my_tool \n")
	test.Tap(v.save)
	v.jobs.Wait()
	c := fakeConfig(t, f)
	if c.Router.TopK != 8 {
		t.Errorf("top_k = %d, want 8", c.Router.TopK)
	}
	if want := []string{"expensive_*", "my_tool"}; !slices.Equal(c.Cache.Patterns, want) {
		t.Errorf("cache.patterns = %q, want %q", c.Cache.Patterns, want)
	}
	if f.Writes() != 1 || v.status.Text != "Saved." {
		t.Errorf("writes %d, status %q", f.Writes(), v.status.Text)
	}
}

func TestSettingsInvalidValueKeepsInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry func(v *settingsView) *widget.Entry
		text  string
		key   string
	}{
		{"top_k", func(v *settingsView) *widget.Entry { return v.topK }, "-1", "router.top_k"},
		{"similarity", func(v *settingsView) *widget.Entry { return v.similarity }, "2", "router.similarity_threshold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := apptest.New()
			v, w := newTestSettings(t, f)
			retype(tc.entry(v), tc.text)
			test.Tap(v.save)
			v.jobs.Wait()
			if f.Writes() != 0 {
				t.Fatal("an invalid config was written")
			}
			if got := tc.entry(v).Text; got != tc.text {
				t.Errorf("input %q replaced by %q", tc.text, got)
			}
			if !v.errText.Visible() || !strings.Contains(v.errText.Text, tc.key) {
				t.Errorf("error %q does not name %s", v.errText.Text, tc.key)
			}
			if tc.name == "top_k" {
				test.AssertRendersToMarkup(t, "settings_invalid.xml", w.Canvas())
			}
		})
	}
}

func TestSettingsNonNumberIsRefusedBeforeSaving(t *testing.T) {
	f := apptest.New()
	v, _ := newTestSettings(t, f)
	retype(v.ttl, "soon")
	test.Tap(v.save)
	v.jobs.Wait()
	if n := countCalls(f, "UpdateConfig"); n != 0 {
		t.Fatalf("UpdateConfig called %d times for a non-number", n)
	}
	if !strings.Contains(v.errText.Text, "cache.ttl_seconds") {
		t.Errorf("error %q", v.errText.Text)
	}
}

func TestSettingsSaysWhenRestartIsNeeded(t *testing.T) {
	f := apptest.New()
	v, _ := newTestSettings(t, f)
	retype(v.listen, "127.0.0.1:3200")
	test.Tap(v.save)
	v.jobs.Wait()
	if !strings.Contains(v.status.Text, "Restart the gateway for gateway.listen") {
		t.Errorf("status %q", v.status.Text)
	}
	if got := fakeConfig(t, f).Gateway.Listen; got != "127.0.0.1:3200" {
		t.Errorf("listen = %q", got)
	}
}

func TestSettingsConfigThatDoesNotLoad(t *testing.T) {
	f := apptest.New()
	bad := fakeConfig(t, f)
	bad.Router.TopK = -3 // the fake's Config re-parses the file, which fails
	f.SetConfig(bad)
	v, w := newTestSettings(t, f)
	if !strings.Contains(v.errText.Text, "does not load") {
		t.Fatalf("error %q", v.errText.Text)
	}
	test.AssertRendersToMarkup(t, "settings_load_error.xml", w.Canvas())
}

func TestShowSettingsReloadsTheFile(t *testing.T) {
	f := apptest.New()
	s := New(test.NewTempApp(t), f)
	s.ShowSettings()
	w := s.window("settings", "", nil)
	v, ok := paneView[*settingsView](w)
	if !ok {
		t.Fatal("the settings window holds no settings view")
	}
	v.jobs.Wait()
	c := fakeConfig(t, f)
	c.Router.TopK = 9 // a hand edit
	f.SetConfig(c)
	s.ShowSettings()
	v.jobs.Wait()
	if v.topK.Text != "9" {
		t.Errorf("top_k shows %q after a hand edit, want 9", v.topK.Text)
	}
}
