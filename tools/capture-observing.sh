#!/usr/bin/env bash
# Re-capture the outputs quoted in docs/observing.md: runs sig-counter and
# watches it with perf trace, strace, bpftrace, py-spy, its USDT probes and
# its own flags. Needs root (the tracers) and ./dev.sh test's set-up done
# (bpftrace, and a build with the probes); takes about 2.5 min.
#   tools/capture-observing.sh [OUTDIR [SECTION...]]   (default docs/captures, all)
# Sections: versions perf strace bpf signals pyspy builtin idle usdt.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/captures}
SECTIONS=" ${*:2} "
BIN=${SIG_COUNTER:-.venv/bin/sig-counter}
PY=$(dirname "$BIN")/python  # the interpreter sig-counter is installed for
PATH=$PATH:$(dirname "$BIN")  # py-spy, from the docs extra, is installed beside it
mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "capture-observing: run as root (the tracers need it)" >&2; exit 1; }

want() {  # want SECTION: was it asked for (or were none named)?
    [ "$SECTIONS" = "  " ] || [[ "$SECTIONS" == *" $1 "* ]]
}

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

if want versions; then
    echo "== versions" >"$OUT/versions.txt"
    { uname -sr; "$BIN" --version; perf --version; strace -V | head -1; bpftrace --version
      py-spy --version || echo "py-spy: not installed"; "$PY" --version; } >>"$OUT/versions.txt" 2>&1
fi

if want perf; then
    echo "capture: perf trace (5 s, one SIGUSR1)"
    start perf
    ( sleep 2.5; kill -USR1 "$PID" ) &
    tracer 5 "$OUT/perf-trace.txt" perf trace -p "$PID"
    tracer 5 "$OUT/perf-trace-summary.txt" perf trace -s -p "$PID"
    stop
fi

if want strace; then
    echo "capture: strace -c (10 s, two SIGUSR1, one SIGUSR2)"
    start strace
    ( sleep 2; kill -USR1 "$PID"; sleep 2; kill -USR2 "$PID"; sleep 2; kill -USR1 "$PID" ) &
    tracer 10 "$OUT/strace-c.txt" strace -c -f -p "$PID"
    stop
fi

if want bpf; then
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
fi

if want signals; then
    echo "capture: bpftrace signal_deliver vs signal_generate"
    start signals
    ( sleep 3; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 1; kill -USR1 "$PID" ) &
    tracer 6 "$OUT/bpftrace-signal-deliver.txt" bpftrace -e \
        "tracepoint:signal:signal_deliver /pid == $PID/ { printf(\"sig=%d comm=%s\\n\", args->sig, comm); }"
    ( sleep 3; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 1; kill -USR1 "$PID" ) &
    tracer 6 "$OUT/bpftrace-signal-generate.txt" bpftrace -e \
        "tracepoint:signal:signal_generate /args->pid == $PID/ { printf(\"sig=%d from pid=%d comm=%s result=%d ts=%llu\\n\", args->sig, pid, comm, args->result, nsecs); }"
    stop
fi

if want pyspy && ! command -v py-spy >/dev/null; then
    echo "capture: py-spy is not installed (pip install py-spy); its captures are left as they are"
elif want pyspy; then
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
fi

if want builtin; then
    echo "capture: --stats, --trace, --cpuprofile (12 s at 0.5 s, signals)"
    start builtin --interval 0.5 --stats --trace "$OUT/trace.json" --cpuprofile "$OUT/cpu.prof"
    sleep 3.2; kill -USR1 "$PID"; sleep 2; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 3
    kill -USR1 "$PID"; sleep 3.3
    stop
    printf 'sort cumtime\nstats 12\n' \
        | "$PY" -m pstats "$OUT/cpu.prof" >"$OUT/pstats.txt" 2>&1
fi

if want idle; then
    echo "capture: idle process figures"
    start idle
    sleep 3
    grep -E '^(Threads|VmRSS|voluntary_ctxt_switches|nonvoluntary_ctxt_switches)' \
        "/proc/$PID/status" >"$OUT/proc-status.txt"
    stop
fi

logged() {  # logged FILE CMD...: append "$ CMD" and what it prints to FILE
    local file=$1
    shift
    echo "\$ $*" >>"$file"
    "$@" >>"$file" 2>&1 || true
}

if want usdt; then
    echo "capture: USDT probes (readelf, bpftrace 10 s at 0.1 s, perf 3 s + 3 s, objdump)"
    # The extension the probes are in, relative to the checkout as the docs show it.
    SO=$("$PY" -I -c 'from sigcounter.kernel.probes import EXTENSION_PATH as p; print(p)')
    SO=${SO#"$PWD/"}
    rm -f "$OUT"/usdt-*.txt
    readelf -n "$SO" | sed -n '/\.note\.stapsdt/,$p' >"$OUT/usdt-readelf.txt"
    logged "$OUT/usdt-list.txt" bpftrace -l "usdt:$SO:*"

    start usdt-run --interval 0.1
    ( sleep 3; kill -USR1 "$PID"; sleep 2; kill -USR1 "$PID"; kill -USR2 "$PID"; sleep 2
      kill -USR1 "$PID" ) &
    # $1 in the program is the first argument after it: the extension's path.
    tracer 10 "$OUT/usdt-bpftrace.txt" bpftrace -p "$PID" -e '
usdt:$1:sigcounter:signal { printf("signal %d from pid %d, uid %d, si_code %d\n", arg0, arg1, arg2, arg3); }
usdt:$1:sigcounter:emit { printf("  line written: kind %d, count %d\n", arg0, arg1); }
usdt:$1:sigcounter:tick { @lateness_us = hist(arg1 / 1000); @ticks = sum(arg0); }' "$SO"
    stop

    start usdt-perf
    logged "$OUT/usdt-perf.txt" perf buildid-cache --add "$SO"
    logged "$OUT/usdt-perf.txt" perf probe 'sdt_sigcounter:*'
    ( sleep 1.5; kill -USR1 "$PID" ) &
    tracer 3.2 "$OUT/usdt-perf-trace.txt" perf trace -e 'epoll_pwait,read,write,sdt_sigcounter:*' \
        -p "$PID"
    # perf record writes perf.data where it runs: somewhere scratch.
    perf_dir=$(mktemp -d)
    perf_log=$(realpath "$OUT/usdt-perf.txt")
    ( sleep 1.5; kill -USR1 "$PID" ) &
    ( cd "$perf_dir"
      logged "$perf_log" perf record -e 'sdt_sigcounter:*' -p "$PID" -- sleep 3.2
      logged "$perf_log" perf script )
    rm -r "$perf_dir"
    logged "$OUT/usdt-perf.txt" perf probe -d 'sdt_sigcounter:*'
    stop

    # The probe sites with nothing attached: a nop where the tick is counted,
    # and fire_emit(), the emit probe's function, whole.
    tick_site=$(readelf -n "$SO" | awk '/Name: tick$/ { getline; sub(",", "", $2); print $2 }')
    { echo "\$ objdump -d $SO   (around the tick probe's site, $tick_site)"
      objdump -d "$SO" | grep -B8 -A3 "^ *$(printf '%x' "$tick_site"):"
      echo
      echo "\$ objdump -d --disassemble=fire_emit $SO"
      objdump -d --disassemble=fire_emit "$SO" | sed -n '/<fire_emit>:/,/^$/p'
    } >"$OUT/usdt-objdump.txt"
fi

echo "capture: done, in $OUT"
