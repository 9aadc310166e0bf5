#!/bin/sh
# Install MCPlex from this unpacked archive for the current user (no root needed):
#   ./install.sh                 into ~/.local (bin, share/applications, share/icons)
#   ./install.sh --prefix DIR    into DIR instead (e.g. --prefix /usr/local, as root)
#   ./install.sh --uninstall     remove what an earlier install put there
# The desktop entry gets the absolute path of the installed binary in Exec=, so the
# app menu works even when PREFIX/bin is not on the PATH of the desktop session.
set -eu

prefix="${HOME}/.local"
action=install
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) prefix="$2"; shift 2 ;;
	--prefix=*) prefix="${1#--prefix=}"; shift ;;
	--uninstall) action=uninstall; shift ;;
	-h|--help) sed -n '2,7p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

case "$prefix" in
/*) ;;
*) prefix="$PWD/$prefix" ;; # Exec= and the client entries need an absolute path
esac
here="$(cd "$(dirname "$0")" && pwd)"
id=io.mcplex.desktop
bin="$prefix/bin/mcplex"
desktop="$prefix/share/applications/$id.desktop"
icons="$prefix/share/icons/hicolor"

refresh_caches() { # best effort: menus pick the entry up without them, only later
	command -v update-desktop-database >/dev/null 2>&1 &&
		update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
	command -v gtk-update-icon-cache >/dev/null 2>&1 &&
		gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
}

# desktop_exec PATH prints PATH as the program of an Exec= line (Desktop Entry spec, "The
# Exec key"): double-quoted when it holds a reserved character, with " ` $ \ escaped inside
# the quotes and each backslash doubled again by the string-value escaping; % is %%.
desktop_exec() {
	case "$1" in
	*[!A-Za-z0-9/._+,:@=-]*)
		printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')" ;;
	*) printf '%s' "$1" ;;
	esac
}

# sed_repl TEXT prints TEXT escaped for the replacement of an s|...|...| command.
sed_repl() {
	printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'
}

if [ "$action" = uninstall ]; then
	# Best effort, before the binary goes: nothing may be left pointing at it (the systemd
	# user unit, the login autostart entry, MCP clients' bridge entries).
	if [ -x "$bin" ]; then
		"$bin" clients disconnect --all || true
		"$bin" service uninstall || true
		"$bin" autostart off || true
	fi
	rm -f "$bin" "$desktop"
	rm -f "$icons"/*/apps/"$id".png
	refresh_caches
	echo "MCPlex removed from $prefix"
	exit 0
fi

mkdir -p "$prefix/bin" "$prefix/share/applications"
install -m 0755 "$here/bin/mcplex" "$bin"
for png in "$here"/share/icons/hicolor/*/apps/"$id".png; do
	size="$(basename "$(dirname "$(dirname "$png")")")"
	mkdir -p "$icons/$size/apps"
	install -m 0644 "$png" "$icons/$size/apps/$id.png"
done
case "$bin" in
*"
"*) echo "install.sh: the prefix must not contain a newline" >&2; exit 2 ;;
esac
sed "s|^Exec=mcplex|Exec=$(sed_repl "$(desktop_exec "$bin")")|" \
	"$here/share/applications/$id.desktop" >"$desktop.tmp"
chmod 0644 "$desktop.tmp"
mv "$desktop.tmp" "$desktop"
refresh_caches
echo "MCPlex installed: $bin"
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "note: $prefix/bin is not on your PATH; the app menu entry works anyway" ;;
esac
