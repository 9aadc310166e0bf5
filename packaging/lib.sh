# Shared settings for packaging/build.sh and packaging/check.sh (sourced, not run).
# Every value can be overridden from the environment (make package VERSION=1.2.3 ...).

export LC_ALL=C
GO="${GO:-go}"
DIST="${DIST:-dist}"
case "$DIST" in /*) ;; *) DIST="$PWD/$DIST" ;; esac # the scripts run from the repo root
ICON="${ICON:-assets/Icon.png}"
APP_ID=io.mcplex.desktop
WIN_CC="${WIN_CC:-x86_64-w64-mingw32-gcc}"
# go-winres embeds the icon, manifest and version info into the built .exe files (go run
# module@version: go.mod stays untouched, nothing is generated in the tree).
GO_WINRES="${GO_WINRES:-github.com/tc-hib/go-winres@v0.3.3}"

# VERSION: a tag (v1.2.3 -> 1.2.3, 1.2.3-4-gabcdef0 after it), else 0.1.0-dev+<commit>,
# else (no git) 0.1.0-dev. "-dirty" marks uncommitted changes.
if [ -z "${VERSION:-}" ]; then
	_raw="$(git describe --tags --always --dirty 2>/dev/null || true)"
	if [ -z "$_raw" ]; then
		VERSION=0.1.0-dev
	elif [[ "$_raw" =~ ^v?[0-9]+\.[0-9]+ ]]; then
		VERSION="${_raw#v}"
	else # no tag yet: describe gave the abbreviated commit (which may start with a digit)
		VERSION="0.1.0-dev+$_raw"
	fi
fi
case "$VERSION" in v[0-9]*) VERSION="${VERSION#v}" ;; esac
VERSION="$(printf '%s' "$VERSION" | tr -c 'A-Za-z0-9.+~-' '_')"
export VERSION

# SOURCE_DATE_EPOCH: the last commit's time, so archives of the same commit are identical.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || true)"
	SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-315532800}"
fi
export SOURCE_DATE_EPOCH

# deb_version VERSION: Debian wants a leading digit and no "-" or "_" outside the revision.
# A pre-release sorts before its release through "~": 1.2.3-rc.1 -> 1.2.3~rc.1,
# 0.1.0-dev+abc-dirty -> 0.1.0~dev+abc+dirty. What git describe appends after a tag (commits
# since it, -dirty) sorts after it through "+": 1.2.3-4-gabcdef0 -> 1.2.3+4+gabcdef0,
# 1.2.3-rc.1-4-gabcdef0 -> 1.2.3~rc.1+4+gabcdef0.
deb_version() {
	local v="$1" core rest
	if [[ "$v" =~ ^([0-9]+(\.[0-9]+)*)-(.*)$ ]]; then
		core="${BASH_REMATCH[1]}" rest="${BASH_REMATCH[3]}"
		if [[ "$rest" =~ ^[0-9]+-g[0-9a-f]+(-|$) || "$rest" =~ ^dirty(-|$) ]]; then
			v="$core+$rest"
		else
			v="$core~$rest"
		fi
	fi
	v="${v//[-_]/+}"
	case "$v" in [0-9]*) ;; *) v="0~$v" ;; esac
	printf '%s' "$v"
}
DEB_VERSION="$(deb_version "$VERSION")"

# Windows fixed version fields are four numbers.
if [[ "$VERSION" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
	VERSION4="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.0"
else
	VERSION4=0.0.0.0
fi

LINUX_NAME="mcplex_${VERSION}_linux_amd64"
LINUX_TAR="$DIST/$LINUX_NAME.tar.xz"
DEB="$DIST/mcplex_${VERSION}_amd64.deb"
WIN_DIR="$DIST/mcplex_${VERSION}_windows_amd64"
SETUP="$DIST/mcplex-${VERSION}-setup.exe"

die() {
	echo "packaging: $*" >&2
	exit 1
}

# png_size FILE prints WIDTHxHEIGHT of a PNG, or fails if FILE is not one.
png_size() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || return 1
	printf '%sx%s\n' "$(od -An -tu4 --endian=big -j16 -N4 "$1" | tr -d ' ')" \
		"$(od -An -tu4 --endian=big -j20 -N4 "$1" | tr -d ' ')"
}
