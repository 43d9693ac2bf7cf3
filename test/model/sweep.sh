#!/usr/bin/env bash
# A sweep of the history test (docs/history-test.md): chunks of histories with random seeds, one
# worker on PGlite and one on PostgreSQL, at the lowest CPU priority, until SWEEP_MINUTES have gone
# by. One line per chunk in $SWEEP_DIR/results.tsv (time, commit, database, seed, exit code, and
# the test's own count or fast-check's "failed after N tests"); a chunk's whole output, with the
# seed, the shrunk history and its replay path, stays in $SWEEP_DIR/logs.
#
#   SWEEP_MINUTES=120 SWEEP_DIR=/tmp/sweep bash test/model/sweep.sh
#
# Run it on a checkout nobody edits meanwhile: a restart in a history loads the modules from disk.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=${SWEEP_DIR:-/tmp/history-sweep}
minutes=${SWEEP_MINUTES:-60}
chunk=${SWEEP_CHUNK:-800}
postgres=${SWEEP_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
mkdir -p "$dir/logs"
deadline=$(($(date +%s) + minutes * 60))
commit=$(git rev-parse --short HEAD)

worker() {
  local kind=$1
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local seed log rc summary
    seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    log="$dir/logs/$kind-$seed.log"
    if [ "$kind" = postgres ]; then
      DATABASE_URL=$postgres HISTORY_SEED=$seed HISTORY_RUNS=$chunk nice -n 19 npx vitest run test/model/history.test.ts >"$log" 2>&1
    else
      env -u DATABASE_URL HISTORY_SEED=$seed HISTORY_RUNS=$chunk nice -n 19 npx vitest run test/model/history.test.ts >"$log" 2>&1
    fi
    rc=$?
    summary=$(tr -d '\000' <"$log" | grep -a -o -E "history test \([a-z]+\): [0-9]+ histories in [0-9.]+ s|Property failed after [0-9]+ tests" | head -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$kind" "$seed" "$rc" "$summary" >>"$dir/results.tsv"
  done
}

worker pglite &
worker postgres &
wait
awk -F'\t' -v c="$commit" '$2 == c && $5 == 0 { split($6, w, " "); n[$3] += w[4] } $2 == c && $5 != 0 { f[$3]++ }
  END { for (k in n) printf "%s: %d histories passed, %d chunks failed\n", k, n[k], f[k] }' "$dir/results.tsv"
