#!/usr/bin/env bash
# Official MCP conformance suite, run through the MCPlex gateway.
#
#   .ci/conformance.sh            three legs: the go-sdk fixture as the only upstream over stdio, over HTTP,
#                                 and over stdio with an API key configured (the suite sends it via AUTH_HEADER)
#   LEGS=stdio .ci/conformance.sh one leg only (stdio | http | key)
#
# env: MCPLEX_BIN     prebuilt mcplex binary (default: built here from the repo)
#      MCPLEX_SHARED  the shared/ dir (default: $repo/../shared)
#      TOOLS          Node 22 + the suite, installed once per machine (default: ~/.cache/mcplex-conformance)
#      OUT            results (default: $repo/conformance-results)
#      MCPLEX_RACE=1  build mcplex with -race; a data race in its log fails the leg
#
# Each leg runs the whole suite once, then re-runs every failed scenario alone once (the suite's
# sampling/elicitation round-trips are known to time out now and then, also without a gateway).
# probe.sh (HTTP edge cases) runs once against the stdio leg; its output is saved and printed.
# The last line is "conformance: N passed, M failed" (checks, after retries); exit 1 if M > 0.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${MCPLEX_SHARED:-$repo/../shared}"
if [ ! -x "$shared/conformance/run.sh" ] && [ ! -f "$shared/conformance/run.sh" ]; then
  echo "conformance.sh: $shared/conformance/run.sh not found (set MCPLEX_SHARED)" >&2
  exit 1
fi
shared="$(cd "$shared" && pwd)"
export TOOLS="${TOOLS:-$HOME/.cache/mcplex-conformance}"
OUT="${OUT:-$repo/conformance-results}"
LEGS="${LEGS:-stdio http key}"
mkdir -p "$OUT"
work="$(mktemp -d "${TMPDIR:-/tmp}/mcplex-conformance.XXXXXX")"

pids=()
cleanup() {
  local p
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] || continue
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '[conformance %(%H:%M:%S)T] %s\n' -1 "$*"; }

# free_port prints a loopback TCP port nobody listens on (a short race remains; callers check startup).
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "conformance.sh: no free port found" >&2
  return 1
}

wait_port() { # wait_port PORT PID SECONDS
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$2" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_ready ADDR PID LOG: /health answers 200 and reports no server still starting.
wait_ready() {
  local addr="$1" pid="$2" logf="$3" body="" deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "conformance.sh: gateway exited during startup; its log:" >&2
      tail -n 50 "$logf" >&2 || true
      return 1
    fi
    if body="$(curl -fsS -m 2 "http://$addr/health" 2>/dev/null)"; then
      if grep -qi '"ready"' <<<"$body" && ! grep -qiE '"(starting|restarting)"' <<<"$body"; then
        return 0
      fi
    fi
    sleep 0.2
  done
  echo "conformance.sh: gateway not ready after 60 s; last /health: ${body:-<none>}; its log:" >&2
  tail -n 50 "$logf" >&2 || true
  return 1
}

if [ -n "${MCPLEX_BIN:-}" ]; then
  bin="$MCPLEX_BIN"
else
  bin="$work/mcplex"
  race=()
  [ "${MCPLEX_RACE:-0}" = 1 ] && race=(-race)
  log "building mcplex ${race[*]:-}"
  (cd "$repo" && go build "${race[@]}" -o "$bin" .)
fi
fixture="$work/everything-server"
log "building the go-sdk conformance fixture"
(cd "$repo" && go build -o "$fixture" github.com/modelcontextprotocol/go-sdk/conformance/everything-server)

# Install Node 22 + the suite once (run.sh does it on first use; do it up front so it is timed apart).
if [ ! -x "$TOOLS/node_modules/node/bin/node" ] || [ ! -x "$TOOLS/node_modules/.bin/conformance" ]; then
  log "installing Node 22 + @modelcontextprotocol/conformance into $TOOLS"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"conformance-tools","private":true}' >"$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-fund --no-audit node@22 @modelcontextprotocol/conformance@0.1.16 undici@7 >/dev/null)
fi

grand_pass=0
grand_fail=0
leg_auth="" # Authorization header the suite sends in the current leg
summary=()

# run_leg NAME: config for the leg is $work/NAME.toml
run_leg() {
  local leg="$1" cfg="$work/$1.toml" port addr url gpid legout logf
  legout="$OUT/$leg"
  rm -rf "$legout"
  mkdir -p "$legout"
  logf="$legout/gateway.log"
  port="$(free_port)"
  addr="127.0.0.1:$port"
  url="http://$addr/mcp"
  log "[$leg] starting mcplex serve on $addr"
  "$bin" serve -c "$cfg" --listen "$addr" >"$logf" 2>&1 &
  gpid=$!
  pids+=("$gpid")
  wait_ready "$addr" "$gpid" "$logf"

  if [ "$leg" = stdio ] || [ "$LEGS" = "$leg" ]; then
    log "[$leg] probe.sh $url -> $legout/probe.txt"
    bash "$shared/conformance/probe.sh" "$url" >"$legout/probe.txt" 2>&1 || true
    sed 's/^/  probe: /' "$legout/probe.txt"
  fi

  log "[$leg] conformance suite (all) against $url"
  local rc=0
  (cd "$work" && OUT="$legout/full" AUTH_HEADER="$leg_auth" bash "$shared/conformance/run.sh" "$url" all) >"$legout/run.log" 2>&1 || rc=$?
  sed -n '/=== SUMMARY ===/,$p' "$legout/run.log"
  if ! grep -q '^Total: ' "$legout/run.log"; then
    echo "conformance.sh: [$leg] the suite printed no Total line (exit $rc); last lines:" >&2
    tail -n 40 "$legout/run.log" >&2
    grand_fail=$((grand_fail + 1))
    summary+=("$leg: suite did not complete")
    stop_gateway "$gpid"
    return 0
  fi

  # Per-scenario counts from the summary: "✓ name: 1 passed, 0 failed" / "✗ name: ...".
  declare -A pass=() fail=()
  local name p f
  while read -r name p f; do
    pass[$name]=$p
    fail[$name]=$f
  done < <(sed -n '/=== SUMMARY ===/,$p' "$legout/run.log" |
    sed -nE 's/^(✓|✗) ([^:]+): ([0-9]+) passed, ([0-9]+) failed$/\2 \3 \4/p')

  local retried=() still=()
  for name in "${!fail[@]}"; do
    [ "${fail[$name]}" -gt 0 ] || continue
    log "[$leg] retrying $name alone"
    local rlog="$legout/retry-$name.log" rrc=0
    (cd "$work" && OUT="$legout/retry" AUTH_HEADER="$leg_auth" bash "$shared/conformance/run.sh" "$url" all --scenario "$name") >"$rlog" 2>&1 || rrc=$?
    local line
    line="$(grep -E '^Passed: [0-9]+/[0-9]+, [0-9]+ failed' "$rlog" | tail -n 1 || true)"
    if [ -n "$line" ]; then
      pass[$name]="$(sed -E 's/^Passed: ([0-9]+)\/.*/\1/' <<<"$line")"
      fail[$name]="$(sed -E 's/^Passed: [0-9]+\/[0-9]+, ([0-9]+) failed.*/\1/' <<<"$line")"
    fi
    if [ "$rrc" -ne 0 ] && [ "${fail[$name]}" -eq 0 ]; then fail[$name]=1; fi
    if [ "${fail[$name]}" -gt 0 ]; then
      still+=("$name")
      echo "--- [$leg] $name failed again (full output: $rlog):"
      sed -n '/=== Failed Checks ===/,$p' "$rlog" | grep -E '^ +(- |Error|Expected|Got)' | head -n 20 || true
    else
      retried+=("$name")
    fi
  done

  local lp=0 lf=0
  for name in "${!pass[@]}"; do
    lp=$((lp + pass[$name]))
    lf=$((lf + fail[$name]))
  done
  stop_gateway "$gpid"
  if grep -q 'WARNING: DATA RACE' "$logf"; then
    echo "--- [$leg] the gateway reported a data race (see $logf):"
    sed -n '/WARNING: DATA RACE/,/^==================/p' "$logf" | head -n 60
    lf=$((lf + 1))
    still+=("data-race")
  fi
  grand_pass=$((grand_pass + lp))
  grand_fail=$((grand_fail + lf))
  local s="$leg: $lp passed, $lf failed"
  [ ${#retried[@]} -gt 0 ] && s+=" (passed on retry: ${retried[*]})"
  [ ${#still[@]} -gt 0 ] && s+=" (FAILED: ${still[*]})"
  summary+=("$s")
  log "[$leg] $s"
}

stop_gateway() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

for leg in $LEGS; do
  case "$leg" in
  stdio)
    cat >"$work/stdio.toml" <<EOF
[gateway]
name = "mcplex-conformance"
[router]
mode = "passthrough"
[[servers]]
name = "everything"
command = "$fixture"
EOF
    run_leg stdio
    ;;
  http)
    fport="$(free_port)"
    log "[http] starting the fixture on 127.0.0.1:$fport (stateful Streamable HTTP)"
    "$fixture" -http "127.0.0.1:$fport" -stateless=false >"$work/fixture-http.log" 2>&1 &
    fpid=$!
    pids+=("$fpid")
    if ! wait_port "$fport" "$fpid" 20; then
      echo "conformance.sh: fixture did not start:" >&2
      cat "$work/fixture-http.log" >&2
      exit 1
    fi
    cat >"$work/http.toml" <<EOF
[gateway]
name = "mcplex-conformance"
[router]
mode = "passthrough"
[[servers]]
name = "everything"
url = "http://127.0.0.1:$fport/mcp"
EOF
    run_leg http
    stop_gateway "$fpid"
    ;;
  key)
    key="conformance-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    cat >"$work/key.toml" <<EOF
[gateway]
name = "mcplex-conformance"
api_key = "$key"
[router]
mode = "passthrough"
[[servers]]
name = "everything"
command = "$fixture"
EOF
    leg_auth="Authorization: Bearer $key"
    run_leg key
    leg_auth=""
    ;;
  *)
    echo "conformance.sh: unknown leg $leg (want stdio, http, key)" >&2
    exit 2
    ;;
  esac
done

echo
echo "=== conformance through mcplex ==="
for s in "${summary[@]}"; do echo "  $s"; done
echo "results: $OUT"
echo "conformance: $grand_pass passed, $grand_fail failed"
[ "$grand_fail" -eq 0 ]
