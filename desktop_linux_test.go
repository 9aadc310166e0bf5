//go:build linux

// The desktop app for real, under Xvfb: each window opens at 1280x800 and
// draws its content. The screenshots go to $MCPLEX_SCREENSHOT_DIR (CI sets
// it, see .ci/run), else to a temporary directory the log names.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	// deskWidth and deskHeight are the screen's size and ui.WindowSize.
	deskWidth, deskHeight = 1280, 800
	// deskDeadline bounds each wait: the window mapped, its content drawn.
	deskDeadline = 60 * time.Second
	// deskSettle bounds waiting, once content shows and the gateway is
	// up, for the frame to hold still across deskStill.
	deskSettle = 10 * time.Second
	// deskExitWait bounds the exit after SIGTERM: the app stops its
	// gateway (up to 15 s) first. Generous, because CI runs a race build
	// while other packages' tests load both cores.
	deskExitWait = 60 * time.Second
	// deskStill is longer than the app's snapshot poll (1 s): a frame that
	// holds across it shows the gateway's state as it is.
	deskStill = 1200 * time.Millisecond
	// deskMarkerVar, in the app's environment, finds it and the servers it
	// starts in /proc.
	deskMarkerVar = "MCPLEX_XVFB_MARKER"
)

// deskWindow is one window the app opens with --show (the main one without).
type deskWindow struct {
	show    string  // the --show argument; "" for the main window
	title   string  // the window title, exactly
	minInk  float64 // the share of pixels far from the background
	minHues int     // distinct colours (anti-aliased text has many)
}

var deskWindows = []deskWindow{
	// The main window is mostly text: state, endpoint, paths, servers.
	{show: "", title: "MCPlex", minInk: 0.008, minHues: 300},
	{show: "servers", title: "MCPlex servers", minInk: 0.002, minHues: 100},
	{show: "roles", title: "MCPlex roles & keys", minInk: 0.002, minHues: 100},
	{show: "playground", title: "MCPlex routing playground", minInk: 0.002, minHues: 100},
	{show: "metrics", title: "MCPlex metrics", minInk: 0.002, minHues: 100},
	{show: "settings", title: "MCPlex settings", minInk: 0.002, minHues: 100},
	{show: "clients", title: "MCPlex clients", minInk: 0.002, minHues: 100},
}

func (w deskWindow) name() string {
	if w.show == "" {
		return "main"
	}
	return w.show
}

// TestDesktopWindowsUnderXvfb runs `mcplex gui -c CFG --show WINDOW` for
// each window on an Xvfb screen of 1280x800, waits until the window is
// mapped at that size and its content is drawn, and takes a screenshot.
func TestDesktopWindowsUnderXvfb(t *testing.T) {
	needXTools(t, "Xvfb", "import", "xwininfo")
	bin := mcplexBin(t)
	dir := screenshotDir(t)
	display := startXvfb(t)
	for _, w := range deskWindows {
		t.Run(w.name(), func(t *testing.T) {
			began := time.Now()
			app := startDesktop(t, bin, display, w.show)
			id := waitMapped(t, app, w.title)
			mapped := time.Since(began)
			(&gateway{t: t, addr: app.addr, out: app.out, done: app.exited}).waitHealthy(deskDeadline)
			shot, st := waitDrawn(t, app, w)
			path := filepath.Join(dir, w.name()+".png")
			if err := os.WriteFile(path, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			app.stop(t)
			t.Logf("%s: window %s %dx%d mapped after %v, drawn after %v (%d colours, %.1f%% background, %.1f%% ink): %s",
				w.name(), id, deskWidth, deskHeight, mapped.Round(time.Millisecond), time.Since(began).Round(time.Millisecond),
				st.colours, 100*st.background, 100*st.ink, path)
		})
	}
}

// needXTools fails (in CI) or skips (elsewhere) when a tool is missing.
func needXTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s not found on PATH: the Xvfb screenshot test needs xvfb, imagemagick and x11-utils", tool)
			if inCI() {
				t.Fatal(msg + " (CI installs them: .ci/run)")
			}
			t.Skip(msg)
		}
	}
}

// screenshotDir is $MCPLEX_SCREENSHOT_DIR (created), else a temp dir.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MCPLEX_SCREENSHOT_DIR")
	if dir == "" {
		return t.TempDir()
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("MCPLEX_SCREENSHOT_DIR: %v", err)
	}
	return dir
}

// startXvfb starts an X server on a free display (Xvfb picks it and says
// which through -displayfd) and returns ":N". It is stopped when the test
// ends.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := &logBuffer{}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp",
		"-screen", "0", fmt.Sprintf("%dx%dx24", deskWidth, deskHeight))
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("starting Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := waitExit(cmd, 10*time.Second); err != nil {
			t.Errorf("Xvfb: %v", err)
		}
	})
	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
	}()
	select {
	case n := <-num:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb gave no display number (%q):\n%s", n, out.tail(2000))
		}
		return ":" + n
	case <-time.After(deskDeadline):
		t.Fatalf("Xvfb did not start in %v:\n%s", deskDeadline, out.tail(2000))
	}
	return ""
}

// waitExit waits for cmd to end (however it ends), killing it after
// timeout.
func waitExit(cmd *exec.Cmd, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("did not exit within %v of SIGTERM; killed", timeout)
	}
}

// desktopApp is a running `mcplex gui`.
type desktopApp struct {
	cmd     *exec.Cmd
	display string
	addr    string // the gateway's listen address
	marker  string
	out     *logBuffer
	exited  chan struct{}
	stopped bool
}

// startDesktop writes a config with the demo server and starts the app
// on display, showing window show ("" = only the main window). Its home,
// config and admin directories are the test's own, so no installed
// service is found and nothing outside the test is written.
func startDesktop(t *testing.T, bin, display, show string) *desktopApp {
	t.Helper()
	home := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cfg := writeConfig(t, gatewayConfig(fmt.Sprintf("listen = %s\n", tomlString(addr)),
		upstream{Name: "demo", Command: bin, Args: []string{"demo-server"}}))
	args := []string{"gui", "-c", cfg}
	if show != "" {
		args = append(args, "--show", show)
	}
	a := &desktopApp{display: display, addr: addr, out: &logBuffer{}, exited: make(chan struct{}),
		marker: fmt.Sprintf("%s-%d-%d", strings.ReplaceAll(t.Name(), "/", "-"), os.Getpid(), time.Now().UnixNano())}
	a.cmd = exec.Command(bin, args...)
	a.cmd.Dir = home
	a.cmd.Env = append(deskEnv(),
		"DISPLAY="+display, "LANG=en_US.UTF-8", "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "MCPLEX_ADMIN_DIR="+filepath.Join(home, "admin"),
		// No session bus: no tray host, so the main window says why, and
		// nothing reaches the desktop of whoever runs the test.
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(home, "no-bus"),
		deskMarkerVar+"="+a.marker)
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting mcplex gui: %v", err)
	}
	go func() {
		_ = a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() {
		a.stop(t)
		if t.Failed() {
			t.Logf("mcplex gui output:\n%s", a.out.tail(6000))
		}
	})
	return a
}

// deskEnv is this process's environment without what would point the app
// at another display, bus, home or config.
func deskEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "HOME", "LANG", "LC_ALL",
			"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "MCPLEX_CONFIG", "MCPLEX_ADMIN_DIR":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// stop ends the app as a desktop session would (SIGTERM), waits for it,
// and checks that it left no process behind (the demo servers it ran).
func (a *desktopApp) stop(t *testing.T) {
	t.Helper()
	if a.stopped {
		return
	}
	a.stopped = true
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.exited:
	case <-time.After(deskExitWait):
		_ = a.cmd.Process.Kill()
		<-a.exited
		t.Errorf("mcplex gui did not exit within %v of SIGTERM; killed", deskExitWait)
	}
	checkRaces(t, "mcplex gui", a.out)
	deadline := time.Now().Add(15 * time.Second)
	for left := procsWithEnv(a.marker); len(left) > 0; left = procsWithEnv(a.marker) {
		if time.Now().After(deadline) {
			for _, pid := range left {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			t.Errorf("processes left behind by mcplex gui (killed): %v", left)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// procsWithEnv returns the live processes whose environment has the
// marker (the app and everything it started).
func procsWithEnv(marker string) []int {
	want := []byte(deskMarkerVar + "=" + marker + "\x00")
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(env, want) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
				continue // a zombie its parent has yet to reap
			}
		}
		pids = append(pids, pid)
	}
	return pids
}

// x runs an X client on the app's display and returns its stdout.
func (a *desktopApp) x(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+a.display)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

var (
	// treeLineRE is a window in xwininfo -root -tree: id and "title".
	treeLineRE = regexp.MustCompile(`(?m)^\s*(0x[0-9a-f]+) "((?:[^"\\]|\\.)*)":`)
	mapStateRE = regexp.MustCompile(`Map State: (\w+)`)
	widthRE    = regexp.MustCompile(`Width: (\d+)`)
	heightRE   = regexp.MustCompile(`Height: (\d+)`)
)

// waitMapped polls xwininfo until a window titled title is viewable at
// 1280x800 and returns its id.
func waitMapped(t *testing.T, a *desktopApp, title string) string {
	t.Helper()
	deadline := time.Now().Add(deskDeadline)
	last := "no window yet"
	for {
		id, problem := a.findWindow(title)
		if problem == "" {
			return id
		}
		last = problem
		select {
		case <-a.exited:
			t.Fatalf("mcplex gui exited before its window %q showed:\n%s", title, a.out.tail(4000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("window %q not viewable at %dx%d after %v: %s", title, deskWidth, deskHeight, deskDeadline, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// findWindow returns the id of the window titled title and "" when it is
// viewable at 1280x800, else what is wrong.
func (a *desktopApp) findWindow(title string) (id, problem string) {
	tree, err := a.x("xwininfo", "-root", "-tree")
	if err != nil {
		return "", err.Error()
	}
	problem = fmt.Sprintf("no window titled %q", title)
	for _, m := range treeLineRE.FindAllStringSubmatch(string(tree), -1) {
		if m[2] != title {
			continue
		}
		info, err := a.x("xwininfo", "-id", m[1])
		if err != nil {
			return m[1], err.Error()
		}
		state, w, h := firstSub(mapStateRE, info), firstSub(widthRE, info), firstSub(heightRE, info)
		if state == "IsViewable" && w == strconv.Itoa(deskWidth) && h == strconv.Itoa(deskHeight) {
			return m[1], ""
		}
		problem = fmt.Sprintf("window %s %q is %s at %sx%s", m[1], title, state, w, h)
	}
	return "", problem
}

func firstSub(re *regexp.Regexp, b []byte) string {
	if m := re.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// shotStats are the pixel statistics of a screenshot.
type shotStats struct {
	colours    int     // distinct colours
	background float64 // share of the most common colour
	ink        float64 // share of pixels far from that colour (text, icons, lines)
}

// waitDrawn screenshots the screen until it shows content (enough colours
// and ink for w), then until the frame holds still across deskStill (the
// lists loaded, the gateway's state drawn) or deskSettle passes, and
// returns the last frame as PNG.
func waitDrawn(t *testing.T, a *desktopApp, w deskWindow) ([]byte, shotStats) {
	t.Helper()
	deadline := time.Now().Add(deskDeadline)
	var (
		still   image.Image // the frame the next one is compared with
		stillAt time.Time
		settle  time.Time // when content first showed
	)
	for {
		img, raw, err := a.screenshot()
		problem := ""
		var st shotStats
		if err != nil {
			problem = err.Error()
		} else {
			st = pixelStats(img)
			problem = st.lacks(w)
		}
		switch {
		case problem != "":
			if time.Now().After(deadline) {
				t.Fatalf("the %s window shows no content after %v: %s", w.name(), deskDeadline, problem)
			}
		case still == nil:
			still, stillAt, settle = img, time.Now(), time.Now()
		case time.Since(stillAt) >= deskStill:
			if framesAgree(still, img) {
				return raw, st
			}
			if time.Since(settle) > deskSettle {
				t.Logf("the %s window still changes after %v; keeping the last frame", w.name(), deskSettle)
				return raw, st
			}
			still, stillAt = img, time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// screenshot takes the whole screen (import -window root), decoded and raw.
func (a *desktopApp) screenshot() (image.Image, []byte, error) {
	raw, err := a.x("import", "-window", "root", "png:-")
	if err != nil {
		return nil, nil, err
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the screenshot: %w", err)
	}
	if b := img.Bounds(); b.Dx() != deskWidth || b.Dy() != deskHeight {
		return nil, nil, fmt.Errorf("screenshot is %dx%d", b.Dx(), b.Dy())
	}
	return img, raw, nil
}

// lacks says what the screenshot lacks to count as drawn content, or "".
func (s shotStats) lacks(w deskWindow) string {
	switch {
	case s.colours < w.minHues:
		return fmt.Sprintf("%d distinct colours, want at least %d", s.colours, w.minHues)
	case s.background > 0.97:
		return fmt.Sprintf("a near-uniform frame (%.1f%% one colour)", 100*s.background)
	case s.ink < w.minInk:
		return fmt.Sprintf("%.2f%% ink, want at least %.2f%%", 100*s.ink, 100*w.minInk)
	}
	return ""
}

func pixelStats(img image.Image) shotStats {
	counts := map[uint32]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[rgbKey(img, x, y)]++
		}
	}
	var bg uint32
	for c, n := range counts {
		if n > counts[bg] {
			bg = c
		}
	}
	ink := 0
	for c, n := range counts {
		if lumaDiff(c, bg) > 64 {
			ink += n
		}
	}
	total := float64(b.Dx() * b.Dy())
	return shotStats{colours: len(counts), background: float64(counts[bg]) / total, ink: float64(ink) / total}
}

func rgbKey(img image.Image, x, y int) uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return r>>8<<16 | g>>8<<8 | b>>8
}

// lumaDiff is the difference in brightness of two rgbKey colours (0-255).
func lumaDiff(a, b uint32) int {
	luma := func(c uint32) int { return int(299*(c>>16&0xff)+587*(c>>8&0xff)+114*(c&0xff)) / 1000 }
	d := luma(a) - luma(b)
	if d < 0 {
		d = -d
	}
	return d
}

// framesAgree reports whether two frames differ in at most 0.1% of their
// pixels (a blinking text cursor is allowed; a list still loading is not).
func framesAgree(a, b image.Image) bool {
	r := a.Bounds()
	diff, limit := 0, r.Dx()*r.Dy()/1000
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if rgbKey(a, x, y) != rgbKey(b, x, y) {
				if diff++; diff > limit {
					return false
				}
			}
		}
	}
	return true
}
