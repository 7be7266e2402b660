#!/usr/bin/env bash
# Re-capture the outputs quoted in docs/observing.md: runs sig-counter and
# watches it with perf trace, strace, bpftrace, py-spy and its own flags.
# Needs root (the tracers) and ./dev.sh run's set-up done; takes about 2 min.
#   tools/capture-observing.sh [OUTDIR]      (default docs/captures)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/captures}
BIN=${SIG_COUNTER:-.venv/bin/sig-counter}
mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "capture-observing: run as root (the tracers need it)" >&2; exit 1; }

started=()
cleanup() { for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

start() {  # start NAME ARGS...: run sig-counter in the background, wait for its ready line
    local name=$1
    shift
    "$BIN" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" &
    started+=("$!")
    PID=$!
    until grep -q ready "$OUT/$name.stderr" 2>/dev/null; do sleep 0.05; done
}

stop() {  # stop: SIGTERM the last started program and wait for it
    kill -TERM "$PID"
    wait "$PID" || true
}

tracer() {  # tracer SECONDS FILE CMD...: run a tracer for SECONDS, then Ctrl-C it
    local seconds=$1 file=$2
    shift 2
    "$@" >"$file" 2>&1 &
    local tracer_pid=$!
    sleep "$seconds"
    kill -INT "$tracer_pid"
    wait "$tracer_pid" || true
}

echo "== versions" >"$OUT/versions.txt"
{ uname -sr; "$BIN" --version; perf --version; strace -V | head -1; bpftrace --version
  py-spy --version; .venv/bin/python --version; } >>"$OUT/versions.txt" 2>&1

echo "capture: perf trace (5 s, one SIGUSR1)"
start perf
( sleep 2.5; kill -USR1 "$PID" ) &
tracer 5 "$OUT/perf-trace.txt" perf trace -p "$PID"
tracer 5 "$OUT/perf-trace-summary.txt" perf trace -s -p "$PID"
stop

echo "capture: strace -c (10 s, two SIGUSR1, one SIGUSR2)"
start strace
( sleep 2; kill -USR1 "$PID"; sleep 2; kill -USR2 "$PID"; sleep 2; kill -USR1 "$PID" ) &
tracer 10 "$OUT/strace-c.txt" strace -c -f -p "$PID"
stop

echo "capture: bpftrace syscall counts, fast and slow forms (20 s each)"
start bpf
( sleep 5; kill -USR1 "$PID"; sleep 5; kill -USR2 "$PID"; sleep 5; kill -USR1 "$PID" ) &
tracer 20 "$OUT/bpftrace-raw-syscalls.txt" bpftrace -e \
    "tracepoint:raw_syscalls:sys_enter /pid == $PID/ { @[args->id] = count(); }"
( sleep 5; kill -USR1 "$PID"; sleep 5; kill -USR2 "$PID"; sleep 5; kill -USR1 "$PID" ) &
began=$(date +%s.%N)
tracer 20 "$OUT/bpftrace-sys-enter-wildcard.txt" bpftrace -e \
    "tracepoint:syscalls:sys_enter_* /pid == $PID/ { @sys[probe] = count(); }"
echo "wall time including attach and detach: $(echo "$(date +%s.%N) - $began" | bc) s" \
    >>"$OUT/bpftrace-sys-enter-wildcard.txt"
stop

echo "capture: bpftrace signal_deliver vs signal_generate"
start signals
( sleep 3; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 1; kill -USR1 "$PID" ) &
tracer 6 "$OUT/bpftrace-signal-deliver.txt" bpftrace -e \
    "tracepoint:signal:signal_deliver /pid == $PID/ { printf(\"sig=%d comm=%s\\n\", args->sig, comm); }"
( sleep 3; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 1; kill -USR1 "$PID" ) &
tracer 6 "$OUT/bpftrace-signal-generate.txt" bpftrace -e \
    "tracepoint:signal:signal_generate /args->pid == $PID/ { printf(\"sig=%d from pid=%d comm=%s result=%d ts=%llu\\n\", args->sig, pid, comm, args->result, nsecs); }"
stop

echo "capture: py-spy dump and record --idle"
start pyspy
py-spy dump --native --pid "$PID" >"$OUT/py-spy-dump.txt" 2>&1
# py-spy top draws on a terminal: give it one with script(1), keep its last screen.
TERM=xterm script -q -c "timeout -s INT 4 py-spy top --idle --pid $PID" /dev/null 2>&1 \
    | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tr '\r' '\n' | grep -v '^[[:space:]]*$' \
    | tail -9 >"$OUT/py-spy-top.txt" || true
py-spy record --idle --duration 5 --rate 100 --format raw --native --pid "$PID" \
    -o "$OUT/py-spy-record.txt" >"$OUT/py-spy-record.log" 2>&1 || true
stop

echo "capture: --stats, --trace, --cpuprofile (12 s at 0.5 s, signals)"
start builtin --interval 0.5 --stats --trace "$OUT/trace.json" --cpuprofile "$OUT/cpu.prof"
sleep 3.2; kill -USR1 "$PID"; sleep 2; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 3
kill -USR1 "$PID"; sleep 3.3
stop
.venv/bin/python -m pstats "$OUT/cpu.prof" >"$OUT/pstats.txt" 2>&1 <<'PSTATS'
sort cumtime
stats 12
PSTATS

echo "capture: idle process figures"
start idle
sleep 3
grep -E '^(Threads|VmRSS|voluntary_ctxt_switches|nonvoluntary_ctxt_switches)' \
    "/proc/$PID/status" >"$OUT/proc-status.txt"
stop
echo "capture: done, in $OUT"
