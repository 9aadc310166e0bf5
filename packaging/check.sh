#!/usr/bin/env bash
# packaging/check.sh: test the packages that packaging/build.sh put into dist/ for this
# VERSION. Every check prints "ok: ..." or "FAIL: ..."; any failure fails the run, and a
# missing package is a failure. Tools that a check needs but that may be absent on a
# developer machine (desktop-file-validate, 7z) downgrade that one check to a weaker one
# and say so; CI installs them (.ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. packaging/lib.sh

passed=0
failed=0
ok() {
	echo "ok: $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}
# check DESCRIPTION CMD...: ok when CMD succeeds.
check() {
	local what="$1"
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
has() { command -v "$1" >/dev/null 2>&1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/mcplex-pkgcheck.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# version_is BINARY: `BINARY --version` exits 0 and prints "mcplex VERSION" on stdout.
version_is() {
	local out
	out="$("$1" --version 2>"$tmp/stderr")" || {
		echo "  $1 --version failed: $out $(cat "$tmp/stderr")"
		return 1
	}
	echo "  $1 --version: $out"
	[ "$out" = "mcplex $VERSION" ]
}

# desktop_ok FILE EXEC: desktop-file-validate when present, and our required fields always.
desktop_ok() {
	local f="$1" exec="$2" rc=0 line
	if has desktop-file-validate; then
		# Hints (e.g. two main categories, which we want: Development and Utility) are not errors.
		desktop-file-validate "$f" >"$tmp/dfv" 2>&1 || rc=1
		grep -v ': hint: ' "$tmp/dfv" || true
	else
		echo "  (desktop-file-validate not installed: field checks only; apt-get install desktop-file-utils)"
	fi
	for line in '[Desktop Entry]' Type=Application Name=MCPlex "Exec=$exec" "Icon=$APP_ID" \
		'Categories=Development;Utility;' Terminal=false; do
		grep -qxF -- "$line" "$f" || {
			echo "  $f: missing line $line"
			rc=1
		}
	done
	return $rc
}

# png_512 FILE...: every FILE is a 512x512 PNG.
png_512() {
	local f
	for f in "$@"; do
		[ "$(png_size "$f")" = 512x512 ] || return 1
	done
}

# listed LISTFILE PATH...: every PATH is a line of LISTFILE.
listed() {
	local list="$1" p rc=0
	shift
	for p in "$@"; do
		grep -qxF -- "$p" "$list" || {
			echo "  missing from the archive: $p"
			rc=1
		}
	done
	return $rc
}

check_tarball() {
	echo "== $LINUX_TAR"
	[ -f "$LINUX_TAR" ] || {
		fail "$LINUX_TAR exists (run make package)"
		return
	}
	local top="$LINUX_NAME"
	tar -tJf "$LINUX_TAR" | sed 's|/$||' >"$tmp/tar.list"
	check "tar.xz lists binary, desktop file, icons, install.sh, README, LICENSE" listed "$tmp/tar.list" \
		"$top/bin/mcplex" "$top/share/applications/$APP_ID.desktop" "$top/share/pixmaps/$APP_ID.png" \
		"$top/share/icons/hicolor/512x512/apps/$APP_ID.png" "$top/install.sh" "$top/README" "$top/LICENSE"
	check "tar.xz has nothing outside $top/" bash -c "! grep -v '^$top\(/\|\$\)' '$tmp/tar.list'"
	check "tar.xz entries owned by 0/0 with the commit time" bash -c \
		"tar --numeric-owner -tvJf '$LINUX_TAR' | awk '\$2 != \"0/0\" {bad=1} END {exit bad}' &&
		 tar --full-time -tvJf '$LINUX_TAR' | awk '{print \$4\" \"\$5}' | sort -u | wc -l | grep -qx 1"
	mkdir -p "$tmp/tar"
	tar -xJf "$LINUX_TAR" -C "$tmp/tar"
	local x="$tmp/tar/$top"
	check "tar.xz desktop file is valid" desktop_ok "$x/share/applications/$APP_ID.desktop" mcplex
	check "tar.xz icons are 512x512 PNGs" png_512 "$x/share/pixmaps/$APP_ID.png" "$x/share/icons/hicolor/512x512/apps/$APP_ID.png"
	check "tar.xz bin/mcplex --version prints $VERSION" version_is "$x/bin/mcplex"

	# install.sh into a scratch prefix: binary, icon, and Exec= with the absolute path.
	local p="$tmp/prefix"
	check "install.sh --prefix installs" env HOME="$tmp/home" "$x/install.sh" --prefix "$p"
	check "installed desktop file has Exec=$p/bin/mcplex" desktop_ok "$p/share/applications/$APP_ID.desktop" "$p/bin/mcplex"
	check "installed icon and binary" test -x "$p/bin/mcplex" -a -f "$p/share/icons/hicolor/512x512/apps/$APP_ID.png"
	check "installed mcplex --version" version_is "$p/bin/mcplex"
	# --uninstall runs the binary's clients/service/autostart clean-up: keep it off this user's
	# real config folders, client configs and systemd user manager.
	check "install.sh --uninstall removes it" bash -c "env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME \
		HOME='$tmp/home' XDG_RUNTIME_DIR='$tmp/run' DBUS_SESSION_BUS_ADDRESS=unix:path='$tmp/run/none' \
		'$x/install.sh' --prefix '$p' --uninstall >/dev/null 2>&1 &&
		[ ! -e '$p/bin/mcplex' ] && [ ! -e '$p/share/applications/$APP_ID.desktop' ]"
}

# lib_package LIB: the Debian package that ships the shared library LIB (dpkg -S), trying the
# path ldconfig knows, its real path, and both with and without /usr (merged-/usr aliases).
lib_package() {
	local path p cand
	path="$(ldconfig -p | awk -v l="$1" '$1 == l && /x86-64/ {print $NF; exit}')"
	[ -n "$path" ] || return 1
	for p in "$path" "$(readlink -f "$path")"; do
		for cand in "$p" "${p#/usr}" "/usr$p"; do
			dpkg -S "$cand" 2>/dev/null | head -n 1 | cut -d: -f1 | grep . && return 0
		done
	done
	return 1
}

# depends_cover BINARY DEPENDS: each NEEDED library of BINARY belongs to a Debian package named
# in DEPENDS (looked up with dpkg on this machine).
depends_cover() {
	local bin="$1" deps="$2" lib pkg rc=0
	has dpkg && has ldconfig || {
		echo "  (no dpkg/ldconfig: NEEDED libraries not mapped to packages)"
		return 0
	}
	for lib in $(objdump -p "$bin" | awk '$1 == "NEEDED" {print $2}'); do
		if ! pkg="$(lib_package "$lib")"; then
			echo "  $lib: no Debian package found for it on this machine"
			rc=1
		elif [[ ", $deps," != *", $pkg"[\ ,]* ]]; then
			echo "  $lib comes from $pkg, which Depends does not name"
			rc=1
		else
			echo "  $lib -> $pkg"
		fi
	done
	return $rc
}

check_deb() {
	echo "== $DEB"
	[ -f "$DEB" ] || {
		fail "$DEB exists (run make package)"
		return
	}
	dpkg-deb --info "$DEB" >"$tmp/deb.info"
	dpkg-deb --contents "$DEB" | awk '{print $2, $6}' | sed 's|/$||' >"$tmp/deb.contents"
	awk '{print $2}' "$tmp/deb.contents" >"$tmp/deb.list"
	local depends
	depends="$(dpkg-deb --field "$DEB" Depends)"
	echo "  Depends: $depends"
	check "deb control: Package mcplex, Version $DEB_VERSION, amd64" bash -c \
		"[ \"\$(dpkg-deb --field '$DEB' Package Version Architecture | tr '\n' ' ')\" = 'Package: mcplex Version: $DEB_VERSION Architecture: amd64 ' ]"
	check "deb Depends names libgl1 and libx11-6" bash -c "[[ ', $depends,' == *', libgl1'[\ ,]* && ', $depends,' == *', libx11-6'[\ ,]* ]]"
	check "deb Recommends gnome-shell-extension-appindicator" grep -q '^ Recommends: gnome-shell-extension-appindicator' "$tmp/deb.info"
	check "deb has a Description" grep -q '^ Description: .' "$tmp/deb.info"
	check "deb contents: binary, desktop file, icons, copyright" listed "$tmp/deb.list" \
		./usr/bin/mcplex "./usr/share/applications/$APP_ID.desktop" \
		"./usr/share/icons/hicolor/512x512/apps/$APP_ID.png" "./usr/share/pixmaps/$APP_ID.png" \
		./usr/share/doc/mcplex/copyright
	check "deb files are owned by root/root" bash -c "awk '\$1 != \"root/root\" {bad=1} END {exit bad}' '$tmp/deb.contents'"
	mkdir -p "$tmp/deb"
	dpkg-deb -x "$DEB" "$tmp/deb"
	check "deb desktop file is valid, Exec=/usr/bin/mcplex" desktop_ok "$tmp/deb/usr/share/applications/$APP_ID.desktop" /usr/bin/mcplex
	check "deb usr/bin/mcplex --version prints $VERSION" version_is "$tmp/deb/usr/bin/mcplex"
	check "deb Depends covers every NEEDED shared library" depends_cover "$tmp/deb/usr/bin/mcplex" "$depends"
}

# subsystem EXE: "Windows GUI" or "Windows CUI" from the PE header.
subsystem() {
	local od=objdump
	has x86_64-w64-mingw32-objdump && od=x86_64-w64-mingw32-objdump
	"$od" -p "$1" | awk '$1 == "Subsystem" {sub(/^[^(]*\(/, ""); sub(/\).*$/, ""); print; exit}'
}

# pe_ok EXE KIND SUBSYSTEM: `file` says PE32+ (KIND) x86-64, objdump agrees on the subsystem.
pe_ok() {
	local exe="$1" kind="$2" want="$3" desc sub
	desc="$(file -b "$exe")"
	sub="$(subsystem "$exe")"
	echo "  $(basename "$exe"): $desc; Subsystem: $sub"
	[[ "$desc" == "PE32+ executable ($kind) x86-64"* && "$sub" == "$want" ]]
}

# resources_ok EXE: go-winres put in the version info (with VERSION), the manifest and the icon.
resources_ok() {
	local exe="$1" d="$tmp/res-$(basename "$1")" rc=0
	strings -el "$exe" | grep -qxF "$VERSION" || {
		echo "  no version string $VERSION in $exe"
		rc=1
	}
	grep -qa "name=\"$APP_ID\"" "$exe" || {
		echo "  no manifest for $APP_ID in $exe"
		rc=1
	}
	"$GO" run "$GO_WINRES" extract --dir "$d" "$exe" >/dev/null 2>&1 || true
	[ -n "$(find "$d" -name '*.ico' 2>/dev/null)" ] || {
		echo "  no icon resource in $exe"
		rc=1
	}
	return $rc
}

check_windows() {
	echo "== $WIN_DIR, $SETUP"
	local gui="$WIN_DIR/mcplexw.exe" cli="$WIN_DIR/mcplex.exe"
	[ -f "$gui" ] && [ -f "$cli" ] && [ -f "$SETUP" ] || {
		fail "$gui, $cli and $SETUP exist (run make package)"
		return
	}
	check "mcplexw.exe is PE32+ x86-64, GUI subsystem" pe_ok "$gui" GUI "Windows GUI"
	check "mcplex.exe is PE32+ x86-64, console subsystem" pe_ok "$cli" console "Windows CUI"
	check "mcplexw.exe has icon, manifest and version $VERSION" resources_ok "$gui"
	check "mcplex.exe has icon, manifest and version $VERSION" resources_ok "$cli"
	local desc
	desc="$(file -b "$SETUP")"
	echo "  $(basename "$SETUP"): $desc"
	check "installer is a Nullsoft installer" bash -c "[[ '$desc' == *'Nullsoft Installer'* ]]"
	if has 7z; then
		7z l "$SETUP" >"$tmp/setup.list" 2>&1 || true
		check "installer holds mcplexw.exe, mcplex.exe and LICENSE.txt" bash -c \
			"grep -q ' mcplexw.exe\$' '$tmp/setup.list' && grep -q ' mcplex.exe\$' '$tmp/setup.list' && grep -q ' LICENSE.txt\$' '$tmp/setup.list'"
		check "installer payload equals the checked exes" setup_payload_same
	else
		echo "  (7z not installed: installer contents not listed; apt-get install p7zip-full)"
	fi
}

# setup_payload_same: the exes inside the installer are byte for byte the ones checked above.
setup_payload_same() {
	mkdir -p "$tmp/setup"
	7z x -y -o"$tmp/setup" "$SETUP" mcplexw.exe mcplex.exe >/dev/null 2>&1 || return 1
	cmp "$tmp/setup/mcplexw.exe" "$WIN_DIR/mcplexw.exe" && cmp "$tmp/setup/mcplex.exe" "$WIN_DIR/mcplex.exe"
}

echo "packages for version $VERSION in $DIST/"
check_tarball
check_deb
check_windows
if [ -f "$DIST/SHA256SUMS" ]; then
	check "dist/SHA256SUMS matches the packages" bash -c "cd '$DIST' && sha256sum --quiet -c SHA256SUMS"
else
	fail "$DIST/SHA256SUMS exists"
fi
echo "package-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
