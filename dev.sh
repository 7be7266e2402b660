#!/usr/bin/env bash
# Set up everything sig-counter needs on Debian/Ubuntu, then run it or test it.
#
#   ./dev.sh run [sig-counter options]   set up, build, run sig-counter
#   ./dev.sh test [pytest options]       set up, build, then ruff, mypy and pytest
#   ./dev.sh bench [--quick]             set up, build, run the benchmarks (bench/)
#
# Set-up: the system packages that are missing (via apt-get, with sudo when
# not root; systemtap-sdt-dev for the USDT probes, bpftrace for their tests),
# a virtual environment in $VENV (default .venv) made with $PYTHON (default
# python3), and the package with its native module built.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { printf 'dev.sh: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        say "need root or sudo to run: $*"
        exit 1
    fi
}

apt_install() {
    [ "$#" -gt 0 ] || return 0
    if ! command -v apt-get >/dev/null; then
        say "please install these with your package manager: $*"
        exit 1
    fi
    say "installing system packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

python_can() {  # python_can CODE: does $PYTHON run CODE without error?
    "$PYTHON" -c "$1" >/dev/null 2>&1
}

system_packages() {  # system_packages run|test
    local missing=()
    command -v "$PYTHON" >/dev/null || missing+=(python3)
    command -v gcc >/dev/null || missing+=(gcc libc6-dev)
    apt_install "${missing[@]}"
    missing=()
    python_can 'import ensurepip, venv' || missing+=(python3-venv)
    python_can 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        || missing+=(python3-dev)
    # python-prctl has no wheel: it compiles against libcap's header.
    echo '#include <sys/capability.h>' | gcc -E - >/dev/null 2>&1 || missing+=(libcap-dev)
    # The USDT probes are built in only when the compiler has sys/sdt.h.
    echo '#include <sys/sdt.h>' | gcc -E - >/dev/null 2>&1 || missing+=(systemtap-sdt-dev)
    if [ "$1" != run ]; then
        command -v strace >/dev/null || missing+=(strace)
    fi
    if [ "$1" = test ]; then
        command -v bpftrace >/dev/null || missing+=(bpftrace)
    fi
    apt_install "${missing[@]}"
    # perf counts syscalls best; the benchmarks fall back to strace without it.
    if [ "$1" = bench ] && ! command -v perf >/dev/null && command -v apt-get >/dev/null; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf \
            >/dev/null 2>&1 || say "no linux-perf package here; syscalls will be counted with strace"
    fi
}

python_env() {  # python_env EXTRA: a venv with the package (and EXTRA) installed
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$VENV"
    fi
    say "building and installing sig-counter into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check ".$1"
}

case "${1:-}" in
    run)
        shift
        system_packages run
        python_env ""
        exec "$VENV/bin/sig-counter" "$@"
        ;;
    test)
        shift
        system_packages test
        python_env "[test]"
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy"
        exec "$VENV/bin/pytest" "$@"
        ;;
    bench)
        shift
        system_packages bench
        python_env "[bench]"
        exec "$VENV/bin/python" bench/run.py "$@"
        ;;
    *)
        sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
