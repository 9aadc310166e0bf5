package osint

import (
	"path"
	"strconv"
	"strings"
)

// launchAgent is a launchd job for ~/Library/LaunchAgents. It is rendered
// here, in Go, for both plists MCPlex writes, so the bytes are tested on
// every OS (kardianos's launchd code only compiles on macOS).
type launchAgent struct {
	Label string
	// Program is the absolute executable, then its arguments.
	Program []string
	// KeepAlive restarts the job when it exits with an error (not after a
	// clean exit, as systemd's Restart=on-failure), at most every
	// ThrottleSec seconds (0: launchd's default of 10).
	KeepAlive   bool
	ThrottleSec int
	// WorkingDirectory and LogPath (stdout and stderr) are left out when "".
	WorkingDirectory string
	LogPath          string
}

// plistEscaper escapes XML text, quotes as numeric references as
// kardianos and encoding/xml do. It also turns { into a character
// reference, so a rendered plist never holds "{{" and kardianos's template
// engine, which gets the service plist as its LaunchdConfig, copies it
// byte for byte.
var plistEscaper = strings.NewReplacer(
	`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;", `{`, "&#123;")

func (a launchAgent) plist() []byte {
	var b strings.Builder
	str := func(indent, s string) { b.WriteString(indent + "<string>" + plistEscaper.Replace(s) + "</string>\n") }
	key := func(k string) { b.WriteString("\t<key>" + k + "</key>\n") }

	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
`)
	key("Label")
	str("\t", a.Label)
	key("ProgramArguments")
	b.WriteString("\t<array>\n")
	for _, arg := range a.Program {
		str("\t\t", arg)
	}
	b.WriteString("\t</array>\n")
	key("RunAtLoad")
	b.WriteString("\t<true/>\n")
	if a.KeepAlive {
		key("KeepAlive")
		b.WriteString("\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>\n")
	}
	if a.ThrottleSec > 0 {
		key("ThrottleInterval")
		b.WriteString("\t<integer>" + strconv.Itoa(a.ThrottleSec) + "</integer>\n")
	}
	if a.WorkingDirectory != "" {
		key("WorkingDirectory")
		str("\t", a.WorkingDirectory)
	}
	if a.LogPath != "" {
		key("StandardOutPath")
		str("\t", a.LogPath)
		key("StandardErrorPath")
		str("\t", a.LogPath)
	}
	b.WriteString("</dict>\n</plist>\n")
	return []byte(b.String())
}

// servicePlist is the gateway's LaunchAgent for spec, for a user whose home
// is home.
func servicePlist(spec ServiceSpec, home string) launchAgent {
	return launchAgent{
		Label:            ServiceName,
		Program:          append([]string{spec.Exe}, spec.Args()...),
		KeepAlive:        true,
		ThrottleSec:      3,
		WorkingDirectory: home,
		LogPath:          serviceLogPath(home),
	}
}

// serviceLogPath is where the macOS service's stderr (its log) goes. The
// path package, not filepath: this is a macOS path on any OS.
func serviceLogPath(home string) string {
	return path.Join(home, "Library", "Logs", "MCPlex", "gateway.log")
}
