//go:build linux

package osint

import (
	"fmt"
	"strings"
)

// systemdUnit replaces kardianos's built-in unit, which says
// WantedBy=multi-user.target (a target the user manager never reaches, so
// the unit would never start at login) and RestartSec=120. It is written in
// kardianos v1.3.0's own template syntax ({{Key}}, {{Key | fn}}, {{range}}),
// which kardianos renders at install: Path is the executable through
// cmdEscape (spaces become \x20), each argument goes through cmd (double
// quotes, " escaped). See systemdArgs for the rest of the escaping.
//
// WorkingDirectory=~ is the user's home: nothing depends on it, since the
// executable and the config are absolute and the config resolves its own
// relative paths against its directory.
//
// StartLimitIntervalSec/StartLimitBurst (in [Unit], where systemd reads
// them) stop the restarts after 5 failures within 60 s: a config that
// cannot load would otherwise restart the gateway every 3 s forever.
const systemdUnit = `[Unit]
Description={{Description}}
StartLimitIntervalSec=60
StartLimitBurst=5

[Service]
Type=simple
ExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}
WorkingDirectory=~
Restart=on-failure
RestartSec=3

[Install]
WantedBy=default.target
`

// systemdArgEscaper escapes what kardianos's cmd function leaves alone but
// systemd still interprets inside a double-quoted word: backslash (C
// escapes), % (specifiers) and $ (environment variables).
var systemdArgEscaper = strings.NewReplacer(`\`, `\\`, `%`, `%%`, `$`, `$$`)

// systemdArgs returns spec's arguments ready for {{. | cmd}}.
func systemdArgs(spec ServiceSpec) []string {
	args := spec.Args()
	for i, a := range args {
		args[i] = systemdArgEscaper.Replace(a)
	}
	return args
}

// checkSystemdExe refuses an executable path that the unquoted first word
// of ExecStart cannot carry: kardianos escapes only its spaces, and systemd
// would read quotes, backslashes, specifiers or variables in it. The stable
// location (~/.local/bin) never has them unless the home directory does.
func checkSystemdExe(exe string) error {
	if i := strings.IndexAny(exe, `"'\%$`); i >= 0 {
		return fmt.Errorf("a systemd unit cannot run %q: its path contains %q; install MCPlex where the path has none of \" ' \\ %% $", exe, exe[i])
	}
	return nil
}
