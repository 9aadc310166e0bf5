#!/usr/bin/env bash
# Install the pinned e2e npm packages into .ci/e2e/node_modules with `npm ci`,
# unless they are already installed from the same package-lock.json (then it takes milliseconds).
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/e2e" && pwd)"
stamp="$dir/node_modules/.mcplex-lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
  [ -f "$dir/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
  echo "e2e npm packages: up to date ($dir/node_modules)"
  exit 0
fi
echo "e2e npm packages: npm ci in $dir"
(cd "$dir" && npm ci --no-fund --no-audit --loglevel=error)
echo "$want" >"$stamp"
