#!/usr/bin/env bash
# step.sh LABEL CMD [ARGS...]: run one CI step with a header and a timing footer.
# With MCPLEX_TIMINGS=FILE set (by .ci/run), each step also appends "LABEL SECONDS STATUS" to FILE.
set -uo pipefail
label="$1"
shift
printf '\n=== %s ===\n' "$label"
t0=$SECONDS
"$@"
rc=$?
dt=$((SECONDS - t0))
status=ok
[ $rc -eq 0 ] || status="FAILED(exit $rc)"
printf -- '--- %s: %ss %s\n' "$label" "$dt" "$status"
if [ -n "${MCPLEX_TIMINGS:-}" ]; then
  printf '%s\t%s\t%s\n' "$label" "$dt" "$status" >>"$MCPLEX_TIMINGS"
fi
exit $rc
