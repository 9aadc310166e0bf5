package gateway

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's Chromium. Outside CI a missing browser skips the
// test; in CI (.ci/run installs it) it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found; .ci/run installs the Debian package chromium")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280,800", "--virtual-time-budget=4000"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return string(out)
}

// TestDashboardInBrowser loads the dashboard in headless Chromium after a
// call made through the gateway, checks the rendered DOM shows it, and saves
// a screenshot (to $MCPLEX_ARTIFACTS when set).
func TestDashboardInBrowser(t *testing.T) {
	bin := chromium(t)
	a := newFake("alpha")
	a.addEcho("lookup_weather")
	g, connect := newTestGateway(t, "passthrough", []*fakeServer{a}, nil)
	cs := connect(nil)
	callText(t, cs, "lookup_weather", map[string]any{"text": "Paris"})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: g.DashboardHandler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	url := "http://" + ln.Addr().String() + "/"

	dom := runChromium(t, bin, "--dump-dom", url)
	for _, want := range []string{`data-tool="lookup_weather"`, `data-kind="tool_call"`, "alpha", "ready"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered dashboard lacks %q", want)
		}
	}
	dir := os.Getenv("MCPLEX_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "dashboard.png")
	runChromium(t, bin, "--screenshot="+shot, url)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("dashboard screenshot: %s", shot)
}
