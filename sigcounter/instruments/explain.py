"""``--explain``: the commands that show this process from the outside,
with its PID filled in. docs/observing.md shows what each one prints."""

from __future__ import annotations

import sys

from sigcounter.kernel.probes import BUILT_WITH_PROBES, EXTENSION_PATH


def explain(pid: int, kill_commands: str, program: str = "sig-counter") -> str:
    """The commands, for ``pid``; ``kill_commands`` send it each of its signals'
    actions (the signal table's, which an instrument does not import)."""
    python_bin = sys.executable
    return f"""\
How to watch {program} (pid {pid}); the tracers need root. docs/observing.md explains the output.

  signals:        {kill_commands}
  syscalls, live: perf trace -p {pid}
                  strace -f -tt -p {pid}
  syscall counts: strace -c -f -p {pid}                       (Ctrl-C prints the table)
                  perf trace -s -p {pid}                      (Ctrl-C prints the summary)
                  bpftrace -e 'tracepoint:raw_syscalls:sys_enter /pid == {pid}/ {{
                    @[args->id] = count(); }}'
                  (ids, x86-64: 0 read, 1 write, 281 epoll_pwait; the sys_enter_* wildcard
                  names them but attaches ~360 probes and takes ~30 s to detach)
  who signals it: bpftrace -e 'tracepoint:signal:signal_generate /args->pid == {pid}/ {{
                    printf("sig=%d from pid=%d (%s)\\n", args->sig, pid, comm); }}'
                  (signal:signal_deliver stays silent: a signalfd dequeues, nothing is delivered)
  Python stacks:  py-spy dump --native --pid {pid}
                  py-spy top --idle --pid {pid}
                  py-spy record --idle --pid {pid} -o sig-counter.svg
  wake-ups:       grep ctxt_switches /proc/{pid}/status
  built in:       {program} --stats --trace trace.json --cpuprofile cpu.prof
                  (trace.json opens in ui.perfetto.dev; {python_bin} -m pstats cpu.prof)
{_usdt(pid)}"""


def _usdt(pid: int) -> str:
    """The static tracepoints: where they are, and bpftrace and perf on them."""
    if not BUILT_WITH_PROBES:
        return ("  USDT probes:    none in this build (built without <sys/sdt.h>: install\n"
                "                  systemtap-sdt-dev and reinstall, or run ./dev.sh run)\n")
    so = EXTENSION_PATH
    return f"""\
  USDT probes:    sigcounter:tick, signal, wake and emit, in
                  {so}
                  bpftrace -l 'usdt:{so}:*'
                  bpftrace -p {pid} -e 'usdt:$1:sigcounter:signal {{
                    printf("sig=%d from pid=%d uid=%d code=%d\\n", arg0, arg1, arg2, arg3); }}
                    usdt:$1:sigcounter:tick {{ @lateness_us = hist(arg1 / 1000); }}' \\
                    {so}
                  (the probes' arguments: docs/observing.md, "Static tracepoints")
                  perf buildid-cache --add {so}
                  perf probe 'sdt_sigcounter:*'              (again after each rebuild)
                  perf record -e 'sdt_sigcounter:*' -p {pid}   then: perf script
                  perf trace -e 'epoll_pwait,read,write,sdt_sigcounter:*' -p {pid}
                  perf probe -d 'sdt_sigcounter:*'           (removes the probe events)
"""
