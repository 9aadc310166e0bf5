package osint

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// autostartID names the tray's login item: the LaunchAgent label and the
// XDG autostart file's base name.
const autostartID = "io.mcplex.desktop"

// Autostart starts the tray app at login: a LaunchAgent in
// ~/Library/LaunchAgents on macOS, an XDG autostart entry in
// $XDG_CONFIG_HOME/autostart on Linux and the BSDs, the HKCU Run key on
// Windows. It is off until Enable is called. Enabling only registers the
// app for the next login; it starts nothing now.
//
// The zero value uses the current user's directories; tests set the fields.
// Both are ignored on Windows.
type Autostart struct {
	// Home is the home directory; "" means os.UserHomeDir.
	Home string
	// ConfigHome is the XDG config directory; "" means $XDG_CONFIG_HOME,
	// else Home/.config.
	ConfigHome string
}

func checkAutostartExe(exe string) error {
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("start at login needs an absolute executable path, not %q", exe)
	}
	if strings.ContainsFunc(exe, isControl) {
		return fmt.Errorf("executable path %q contains a control character", exe)
	}
	return nil
}

// loginAgent is the tray's macOS login item.
func loginAgent(exe string) launchAgent {
	return launchAgent{Label: autostartID, Program: []string{exe}}
}

// desktopEntry is the tray's XDG autostart entry.
func desktopEntry(exe string) []byte {
	return []byte("[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=MCPlex\n" +
		"Comment=MCPlex tray: one MCP gateway for all your MCP servers\n" +
		"Exec=" + desktopExec(exe) + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n")
}

// desktopReserved are the characters that make the Desktop Entry spec
// require quoting an Exec argument.
const desktopReserved = " \t\n\"'\\><~|&;$*?#()`"

// desktopExec quotes exe as an Exec argument: in double quotes when it has
// a reserved character, with " ` $ \ backslash-escaped inside; then the
// string-value escaping doubles every backslash (so a literal backslash is
// four), and % (a field code) is doubled.
func desktopExec(exe string) string {
	arg := exe
	if strings.ContainsAny(exe, desktopReserved) {
		arg = `"` + strings.NewReplacer(`"`, `\"`, "`", "\\`", `$`, `\$`, `\`, `\\`).Replace(exe) + `"`
	}
	return strings.NewReplacer(`\`, `\\`, `%`, `%%`).Replace(arg)
}

// xdgEnabled reports whether an autostart entry is on: desktop settings
// turn one off by adding Hidden=true or X-GNOME-Autostart-enabled=false.
func xdgEnabled(entry []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(entry))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if ok && (k == "Hidden" && v == "true" || k == "X-GNOME-Autostart-enabled" && v == "false") {
			return false
		}
	}
	return true
}
