#!/usr/bin/env bash
# packaging/build.sh linux|windows|all: build the release packages into dist/ (see README,
# "Packages"). Reproducible: the same commit gives byte-identical files (-trimpath, no build
# id, SOURCE_DATE_EPOCH for every timestamp, sorted archives, fixed owners and modes).
# Nothing is written to the work tree outside dist/ (which is git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. packaging/lib.sh
umask 022

WORK="$DIST/.work"

# gobuild OUT GOOS CC [LDFLAGS...]: the cgo build of the main package (Fyne needs cgo).
gobuild() {
	local out="$1" goos="$2" cc="$3"
	shift 3
	echo "go build $goos -> $out"
	env CGO_ENABLED=1 GOOS="$goos" GOARCH=amd64 CC="$cc" \
		"$GO" build -trimpath -buildvcs=false \
		-ldflags "-s -w -buildid= -X main.version=$VERSION $*" -o "$out" .
}

# stamp DIR: every file and directory below DIR gets SOURCE_DATE_EPOCH as its mtime.
stamp() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# icon_check: the app icon is a 512x512 PNG (hicolor/512x512, pixmaps, the .exe and installer
# icons are made from it).
icon_check() {
	[ -f "$ICON" ] || die "app icon $ICON is missing (set ICON=path/to/icon.png)"
	ICON_SIZE="$(png_size "$ICON")" || die "$ICON is not a PNG"
	[ "$ICON_SIZE" = 512x512 ] || die "$ICON is $ICON_SIZE, want 512x512"
}

# share_tree ROOT EXEC: the desktop entry (Exec=EXEC) and the icons under ROOT/share.
share_tree() {
	local root="$1" exec="$2"
	install -d "$root/share/applications" "$root/share/icons/hicolor/$ICON_SIZE/apps" "$root/share/pixmaps"
	sed "s|^Exec=mcplex\$|Exec=$exec|" packaging/linux/$APP_ID.desktop >"$root/share/applications/$APP_ID.desktop"
	chmod 0644 "$root/share/applications/$APP_ID.desktop"
	install -m 0644 "$ICON" "$root/share/icons/hicolor/$ICON_SIZE/apps/$APP_ID.png"
	install -m 0644 "$ICON" "$root/share/pixmaps/$APP_ID.png"
}

build_tarball() {
	local stage="$WORK/linux/$LINUX_NAME"
	install -d "$stage/bin"
	install -m 0755 "$WORK/linux/mcplex" "$stage/bin/mcplex"
	share_tree "$stage" mcplex # install.sh writes the absolute path
	install -m 0755 packaging/linux/install.sh "$stage/install.sh"
	install -m 0644 packaging/linux/README "$stage/README"
	install -m 0644 LICENSE "$stage/LICENSE"
	stamp "$stage"
	tar --sort=name --format=gnu --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		-C "$WORK/linux" -cf - "$LINUX_NAME" | xz -T1 -6 >"$LINUX_TAR.tmp"
	mv "$LINUX_TAR.tmp" "$LINUX_TAR"
	echo "built $LINUX_TAR"
}

# Depends: what dpkg-shlibdeps derives from the binary's NEEDED libraries (libGL, libX11, libm,
# libc) on Debian 12; packaging/check.sh fails when a NEEDED library is not covered, so the
# list cannot silently rot. GLFW dlopens the X extension libraries and works without them
# (no custom cursors, no multi-monitor info), so they are only recommended.
DEB_DEPENDS="libc6 (>= 2.34), libgl1, libx11-6 (>= 2:1.2.99.901)"
DEB_RECOMMENDS="gnome-shell-extension-appindicator, libxcursor1, libxi6, libxinerama1, libxrandr2, libxxf86vm1"

build_deb() {
	local root="$WORK/deb/root"
	install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/doc/mcplex"
	install -m 0755 "$WORK/linux/mcplex" "$root/usr/bin/mcplex"
	share_tree "$root/usr" /usr/bin/mcplex
	install -m 0644 LICENSE "$root/usr/share/doc/mcplex/copyright"
	local kib
	kib="$(find "$root/usr" -type f -printf '%s\n' | awk '{k += int(($1 + 1023) / 1024)} END {print k}')"
	sed -e "s|@DEB_VERSION@|$DEB_VERSION|" -e "s|@INSTALLED_SIZE@|$kib|" -e "s|@DEPENDS@|$DEB_DEPENDS|" \
		-e "s|@RECOMMENDS@|$DEB_RECOMMENDS|" \
		packaging/linux/control.in >"$root/DEBIAN/control"
	(cd "$root" && find usr -type f | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
	chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
	stamp "$root"
	dpkg-deb --root-owner-group -Zxz --threads-max=1 --build "$root" "$DEB.tmp" >/dev/null
	mv "$DEB.tmp" "$DEB"
	echo "built $DEB"
}

build_linux() {
	icon_check
	rm -rf "$WORK/linux" "$WORK/deb"
	mkdir -p "$WORK/linux"
	gobuild "$WORK/linux/mcplex" linux "${CC:-gcc}"
	build_tarball
	build_deb
}

# winres EXE DESCRIPTION: embed icon, manifest and version info into a built .exe.
winres() {
	local exe="$1" desc="$2" res="$WORK/windows/res"
	sed -e "s|@EXE@|$(basename "$exe")|" -e "s|@DESC@|$desc|" -e "s|@VERSION4@|$VERSION4|" packaging/windows/winres.json >"$res/winres.json"
	"$GO" run "$GO_WINRES" patch --in "$res/winres.json" --no-backup \
		--product-version "$VERSION" --file-version "$VERSION4" "$exe"
}

build_windows() {
	icon_check
	command -v "$WIN_CC" >/dev/null || die "$WIN_CC not found (apt-get install gcc-mingw-w64-x86-64)"
	command -v makensis >/dev/null || die "makensis not found (apt-get install nsis)"
	local w="$WORK/windows"
	rm -rf "$w" "$WIN_DIR"
	mkdir -p "$w/res" "$w/ico"
	install -m 0644 "$ICON" "$w/res/icon.png"
	# GUI subsystem for the tray (no console window at login); console subsystem for the CLI,
	# the service commands and the stdio bridge. The second build only relinks.
	gobuild "$w/mcplexw.exe" windows "$WIN_CC" -H=windowsgui
	gobuild "$w/mcplex.exe" windows "$WIN_CC"
	winres "$w/mcplexw.exe" "MCPlex"
	winres "$w/mcplex.exe" "MCPlex command line"
	sed 's/$/\r/' LICENSE >"$w/LICENSE.txt"
	# The installer's own icon: the .ico that go-winres made from the PNG.
	"$GO" run "$GO_WINRES" extract --dir "$w/ico" "$w/mcplexw.exe" >/dev/null
	local ico
	ico="$(find "$w/ico" -name '*.ico' | sort | head -n 1)"
	[ -n "$ico" ] || die "no .ico found in the resources of mcplexw.exe"
	chmod 0644 "$w"/*.exe "$w/LICENSE.txt"
	stamp "$w"
	makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$VERSION" -DVERSION4="$VERSION4" \
		-DSRCDIR="$w" -DOUTFILE="$SETUP.tmp" -DICON="$ico" \
		packaging/windows/installer.nsi
	mv "$SETUP.tmp" "$SETUP"
	install -d "$WIN_DIR"
	install -m 0644 "$w/mcplexw.exe" "$w/mcplex.exe" "$w/LICENSE.txt" "$WIN_DIR/"
	echo "built $SETUP and $WIN_DIR/{mcplexw.exe,mcplex.exe}"
}

# SHA256SUMS over every package of this version that exists in dist/ (and the loose exes).
# `make -j2 package` runs the linux and windows builds side by side and each ends here: the
# sums are computed into a private temp file and renamed into place, under a lock (where
# flock exists) so that an older listing never replaces a newer one. The job that finishes
# last lists both jobs' finished packages.
sums() {
	local tmp="$DIST/.SHA256SUMS.$$.tmp"
	(
		if command -v flock >/dev/null 2>&1; then flock 9; fi
		(cd "$DIST" && find . -maxdepth 2 -type f ! -name '*.tmp' \( -name "mcplex*${VERSION}*" -o \
			-path "./$(basename "$WIN_DIR")/*" \) -printf '%P\n' | sort | xargs -r sha256sum) >"$tmp"
		mv "$tmp" "$DIST/SHA256SUMS"
	) 9>"$DIST/.SHA256SUMS.lock"
}

main() {
	local what="${1:-all}"
	mkdir -p "$DIST"
	echo "version $VERSION (deb $DEB_VERSION, windows $VERSION4), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
	case "$what" in
	linux) build_linux ;;
	windows) build_windows ;;
	all) # not `build_linux && build_windows`: set -e does not apply left of && (a failed
		# go build would still go on to package)
		build_linux
		build_windows
		;;
	*) die "usage: packaging/build.sh linux|windows|all" ;;
	esac
	sums
	# Only this step's scratch dirs: `make -j2 package` runs linux and windows side by side.
	if [ -z "${KEEP_WORK:-}" ]; then
		case "$what" in
		linux) rm -rf "$WORK/linux" "$WORK/deb" ;;
		windows) rm -rf "$WORK/windows" ;;
		all) rm -rf "$WORK" ;;
		esac
		rmdir "$WORK" 2>/dev/null || true
	fi
}

main "$@"
