#!/usr/bin/env bash
# packaging/macos/build.sh: MCPlex.app (universal arm64 + x86_64, tray-only) and a .dmg, into
# dist/. Runs on macOS only (cgo against Cocoa/OpenGL needs the macOS SDK): CI runs it in
# .github/workflows/macos.yml; it is not part of `make package` on Linux.
# The .app is signed ad hoc: it runs on the machine that built it, and a downloaded copy needs
# `xattr -dr com.apple.quarantine MCPlex.app` until a Developer ID signature and notarization
# are added (the signing identity has to be imported into a keychain first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. packaging/lib.sh
[ "$(uname -s)" = Darwin ] || die "packaging/macos/build.sh needs macOS"
[ -f "$ICON" ] || die "app icon $ICON is missing (set ICON=path/to/icon.png)"

work="$DIST/.work/macos"
app="$DIST/MCPlex.app"
dmg="$DIST/mcplex-${VERSION}-macos-universal.dmg"
rm -rf "$work" "$app" "$dmg"
mkdir -p "$work" "$app/Contents/MacOS" "$app/Contents/Resources"
export MACOSX_DEPLOYMENT_TARGET=11.0

for arch in arm64 amd64; do
	carch="$arch"
	[ "$arch" = amd64 ] && carch=x86_64
	echo "go build darwin/$arch"
	env CGO_ENABLED=1 GOOS=darwin GOARCH="$arch" CC="clang -arch $carch" \
		"$GO" build -trimpath -buildvcs=false \
		-ldflags "-s -w -buildid= -X main.version=$VERSION" -o "$work/mcplex-$arch" .
done
lipo -create -output "$app/Contents/MacOS/mcplex" "$work/mcplex-arm64" "$work/mcplex-amd64"

# Info.plist: CFBundleShortVersionString must be numeric (x.y.z); the full version goes into
# CFBundleVersion.
short="${VERSION4%.0}"
sed -e "s|@SHORT_VERSION@|$short|" -e "s|@BUNDLE_VERSION@|$VERSION|" packaging/macos/Info.plist \
	>"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"

iconset="$work/icon.iconset"
mkdir -p "$iconset"
for s in 16 32 128 256 512; do
	sips -z "$s" "$s" "$ICON" --out "$iconset/icon_${s}x${s}.png" >/dev/null
	sips -z $((s * 2)) $((s * 2)) "$ICON" --out "$iconset/icon_${s}x${s}@2x.png" >/dev/null
done
iconutil -c icns "$iconset" -o "$app/Contents/Resources/icon.icns"

codesign --force --deep --sign - "$app"
codesign --verify --deep --strict "$app"

# The checks a user would notice: universal binary, tray-only, version, signature.
lipo -archs "$app/Contents/MacOS/mcplex" | grep -q arm64
lipo -archs "$app/Contents/MacOS/mcplex" | grep -q x86_64
[ "$(/usr/libexec/PlistBuddy -c 'Print :LSUIElement' "$app/Contents/Info.plist")" = true ]
out="$("$app/Contents/MacOS/mcplex" --version)"
[ "$out" = "mcplex $VERSION" ] || die "--version printed '$out', want 'mcplex $VERSION'"

mkdir -p "$work/dmg"
cp -R "$app" "$work/dmg/"
ln -s /Applications "$work/dmg/Applications"
# hdiutil sometimes fails with "Resource busy" on hosted runners; a retry is the usual cure.
for try in 1 2 3; do
	hdiutil create -volname MCPlex -srcfolder "$work/dmg" -ov -format UDZO "$dmg" && break
	[ "$try" = 3 ] && die "hdiutil create failed 3 times"
	sleep 5
done
hdiutil verify "$dmg"
rm -rf "$work"
echo "built $app and $dmg"
