#!/usr/bin/env bash
# The README's Quick start, checked where this checkout is: `./dev.sh run`
# must reach its ready line and answer SIGUSR1 and SIGTERM with the exact
# lines, then `./dev.sh test` (with any arguments given here) must pass.
# The first run installs what is missing, so it may take minutes.
#   tools/quickstart.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'quickstart: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

wait_for() {  # wait_for SECONDS PID FILE TEXT: until FILE holds TEXT, while PID lives
    local deadline=$((SECONDS + $1))
    until grep -qsF -- "$4" "$3"; do
        kill -0 "$2" 2>/dev/null || return 1
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

say "./dev.sh run"
./dev.sh run >"$OUT/stdout" 2>"$OUT/stderr" &
pid=$!  # dev.sh ends by exec'ing sig-counter: the same PID
if ! wait_for 1800 "$pid" "$OUT/stderr" "pid $pid ready"; then
    kill -TERM "$pid" 2>/dev/null || true
    cat "$OUT/stderr" >&2
    fail "./dev.sh run never said 'pid $pid ready'"
fi
kill -USR1 "$pid"
wait_for 10 "$pid" "$OUT/stdout" "Ticker count: " || fail "no 'Ticker count' line after SIGUSR1"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || fail "sig-counter ended with status $status after SIGTERM"
grep -qxF 'received terminated — shutting down' "$OUT/stdout" || fail "no shutdown line"
say "./dev.sh run answered: $(grep -m1 'Ticker count' "$OUT/stdout"), then shut down with status 0"

say "./dev.sh test $*"
./dev.sh test "$@" || fail "./dev.sh test $*"
say "passed"
