package ui

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/mcplex/mcplex/app"
	"github.com/mcplex/mcplex/app/apptest"
)

func TestParseLaunchArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		err  bool
	}{
		{nil, "", false},
		{[]string{"-c", "a.toml"}, "a.toml", false},
		{[]string{"--config", "b.toml"}, "b.toml", false},
		{[]string{"--config=c.toml"}, "c.toml", false},
		{[]string{"serve"}, "", true},
		{[]string{"--listen", ":1"}, "", true},
		{[]string{"--show", "servers", "-c", "d.toml"}, "d.toml", false},
		{[]string{"--show", "nope"}, "", true},
	} {
		var stderr bytes.Buffer
		o, err := parseLaunchArgs(tc.args, &stderr)
		if (err != nil) != tc.err || o.config != tc.want {
			t.Errorf("%q: config %q, err %v", tc.args, o.config, err)
		}
	}
	if _, err := parseLaunchArgs([]string{"-h"}, &bytes.Buffer{}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestHeadlessReason(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		goos     string
		getenv   func(string) string
		headless bool
	}{
		{"linux", env(), true},
		{"linux", env("DISPLAY", ":0"), false},
		{"linux", env("WAYLAND_DISPLAY", "wayland-0"), false},
		{"freebsd", env(), true},
		{"darwin", env(), false},
		{"windows", env(), false},
	} {
		if got := headlessReason(tc.goos, tc.getenv) != ""; got != tc.headless {
			t.Errorf("%s: headless %v, want %v", tc.goos, got, tc.headless)
		}
	}
}

// swapLaunch replaces the launch seams for one test.
func swapLaunch(t *testing.T, open func(context.Context, string) (app.Controller, string, error), headless func([]string) int) {
	t.Helper()
	oldOpen, oldHeadless := openController, runHeadless
	openController, runHeadless = open, headless
	t.Cleanup(func() { openController, runHeadless = oldOpen, oldHeadless })
}

func TestLaunchWithoutDisplayRunsHeadless(t *testing.T) {
	if headlessReason(runtime.GOOS, func(string) string { return "" }) == "" {
		t.Skip("only X11/Wayland systems run headless")
	}
	var got []string
	swapLaunch(t, func(context.Context, string) (app.Controller, string, error) {
		t.Fatal("a controller was opened with no display")
		return nil, "", nil
	}, func(args []string) int { got = args; return 7 })
	var stderr bytes.Buffer
	newApp := func() fyne.App { t.Fatal("a Fyne app was made with no display"); return nil }
	code := launch([]string{"-c", "x.toml", "--show", "metrics"}, newApp, &stderr, func(string) string { return "" })
	if code != 7 || strings.Join(got, " ") != "serve --config x.toml" {
		t.Errorf("code %d, headless args %q", code, got)
	}
	if !strings.Contains(stderr.String(), "no graphical display") || !strings.Contains(stderr.String(), "mcplex serve") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// launch opens the controller for -c, shows the shell (the test app's Run
// returns at once) and, in-process, stops the gateway on the way out; a
// service keeps running.
func TestLaunchStopsOnlyAnInProcessGateway(t *testing.T) {
	for _, mode := range []string{"in-process", "service"} {
		t.Run(mode, func(t *testing.T) {
			f := apptest.New()
			snap := f.Snapshot()
			snap.Mode = mode
			f.SetSnapshot(snap)
			var path string
			swapLaunch(t, func(_ context.Context, p string) (app.Controller, string, error) {
				path = p
				return f, mode, nil
			}, nil)
			display := func(k string) string { return map[string]string{"DISPLAY": ":99"}[k] }
			code := launch([]string{"--config", "my.toml"}, func() fyne.App { return test.NewTempApp(t) }, &bytes.Buffer{}, display)
			if code != 0 || path != "my.toml" {
				t.Fatalf("code %d, config %q", code, path)
			}
			stopped := strings.Contains(strings.Join(f.Calls(), ","), "Stop")
			if stopped != (mode == "in-process") {
				t.Errorf("%s: Stop called = %v (calls %v)", mode, stopped, f.Calls())
			}
		})
	}
}

func TestLaunchBadFlag(t *testing.T) {
	var stderr bytes.Buffer
	if code := launch([]string{"--nope"}, nil, &stderr, nil); code != 2 {
		t.Errorf("code %d", code)
	}
}

// With no tray, the main window says why, and closing it quits.
func TestRunWithoutTrayShowsTheReason(t *testing.T) {
	s, _ := newShellForTest(t)
	s.Run() // the test app is no desktop.App, and its Run returns at once
	v := s.mainView()
	if v == nil || v.banner.Hidden || !strings.Contains(v.bannerText.Text, "No system tray") {
		t.Fatalf("no banner: %+v", v)
	}
}
