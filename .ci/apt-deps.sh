#!/usr/bin/env bash
# Install the Debian packages the build and the test suite need, only those that are missing
# (apt-get update only when something is). Used by .ci/run and by `make test` (target
# system-deps), so `make test` works on a fresh Debian machine too. Needs root or passwordless
# sudo when something is missing; otherwise prints the apt command to run and fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

# curl: conformance.sh and probe.sh; chromium: the dashboard browser test (core/gateway/browser_test.go).
want_pkgs=(curl procps make gcc chromium)
# Fyne (cgo, OpenGL + X11): the desktop app.
want_pkgs+=(pkg-config libgl1-mesa-dev xorg-dev)
want_pkgs+=(xvfb xauth imagemagick x11-utils) # desktop_linux_test.go: the app under Xvfb, xwininfo, import
# make package / package-check: mingw-w64 cross cgo for the Windows exes, NSIS for the installer,
# xz for the tarball; desktop-file-validate, 7z (lists the installer) and file for the checks.
want_pkgs+=(gcc-mingw-w64-x86-64 nsis xz-utils desktop-file-utils p7zip-full file)

command -v dpkg-query >/dev/null || { echo "system deps: not a Debian system; install the equivalents of: ${want_pkgs[*]}"; exit 0; }
need=()
for p in "${want_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "system deps: all present (${#want_pkgs[@]} packages)"
  exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "system deps missing: ${need[*]}"
    echo "install them with: sudo apt-get install -y --no-install-recommends ${need[*]}"
    exit 1
  fi
fi
echo "system deps: installing ${need[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
