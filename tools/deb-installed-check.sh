#!/usr/bin/env bash
# Inside a fresh Debian root, as root: install the package the way a user
# does (`apt install ./sig-counter_*.deb`), check what it promises, remove it
# and purge it, and check that nothing of it is left. tools/deb-in-roots.sh
# runs it; each check prints one "ok" line, and the first failure ends it with
# status 1.
#   tools/deb-installed-check.sh PACKAGE.deb
set -euo pipefail
[ "$#" -eq 1 ] || { sed -n '7s/^# *//p' "$0" >&2; exit 2; }
DEB=$(realpath "$1")
SCRATCH=$(mktemp -d)
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
ok() { printf 'deb-check: ok: %s\n' "$*" >&2; }
fail() { printf 'deb-check: FAIL: %s\n' "$*" >&2; exit 1; }

files() {  # every path on the root's own filesystem, but for what changes by itself
    find / -xdev \( -path /tmp -o -path /var/tmp -o -path /var/log -o -path /var/cache \
        -o -path /var/lib/apt/lists -o -path /root -o -path /run \) -prune -o -print | sort
}

wait_for() {  # wait_for FILE REGEX: poll FILE for a line matching REGEX, for up to 20 s
    local deadline=$((SECONDS + 20))
    until grep -Eq "$2" "$1"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "no line matching '$2' in $1: $(cat "$1")"
        sleep 0.05
    done
}

no_compiler() {  # no_compiler WHEN
    local found
    found=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' \
        | grep -E '^(gcc|cpp|g\+\+|clang|tcc)(-[0-9.]+)?$' || true)
    [ -z "$found" ] && ! command -v cc >/dev/null || fail "a compiler is installed $1: $found"
    ok "no compiler installed $1"
}

install_package() {
    apt-get update -qq
    files >"$SCRATCH/fresh"
    apt install -y "$DEB" >"$SCRATCH/install.log" 2>&1 || fail "apt install: $(cat "$SCRATCH/install.log")"
    ok "apt install $(basename "$DEB")"
    no_compiler "after apt install"
    [ "$(command -v sig-counter)" = /usr/bin/sig-counter ] || fail "sig-counter is not /usr/bin"
    local version
    version=$(sig-counter --version)
    [[ $version == "sig-counter "*" (USDT probes sigcounter:tick, "* ]] || fail "--version: $version"
    ok "$version"
}

run_and_signal() {  # a run that answers SIGUSR1, SIGUSR2 and SIGTERM
    local out=$SCRATCH/run.out err=$SCRATCH/run.err pid status=0
    : >"$out"
    : >"$err"
    sig-counter --interval 0.05 >"$out" 2>"$err" &
    pid=$!
    wait_for "$err" "^sig-counter: pid $pid ready"
    kill -USR1 "$pid"
    wait_for "$out" '^Ticker count: [0-9]+$'
    kill -USR2 "$pid"
    wait_for "$out" '^Resetting ticker count to zero$'
    kill -TERM "$pid"
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || fail "SIGTERM: exit status $status; stderr: $(cat "$err")"
    [ "$(tail -n1 "$out")" = "received terminated — shutting down" ] \
        || fail "the last line after SIGTERM: $(tail -n1 "$out")"
    ok "a run answered SIGUSR1, SIGUSR2 and SIGTERM (status 0)"
}

check_man_and_unit() {  # with the tools these checks need, which the package does not
    apt-get install -y -qq man-db systemd >"$SCRATCH/tools.log" 2>&1 \
        || fail "installing man-db and systemd: $(cat "$SCRATCH/tools.log")"
    local page unit=/usr/lib/systemd/system/sig-counter.service verify
    page=$(man -w sig-counter)
    [ "$page" = /usr/share/man/man1/sig-counter.1.gz ] || fail "man -w sig-counter: $page"
    ok "man -w sig-counter: $page"
    grep -qx 'ExecStart=/usr/bin/sig-counter' "$unit" || fail "$unit has no ExecStart=/usr/bin/sig-counter"
    verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $verify"
    [ -z "$verify" ] || fail "systemd-analyze verify said: $verify"
    ok "systemd-analyze verify $unit: nothing to say"
    [ -z "$(find /etc/systemd -name 'sig-counter*')" ] || fail "installing it enabled the unit"
    ok "the unit is not enabled"
    no_compiler "after man-db and systemd"
}

named_after_it() {  # the paths that carry the package's name
    files | grep -E 'sig-counter|sigcounter|sig_counter' || true
}

remove_and_purge() {
    local owned
    files >"$SCRATCH/installed"
    dpkg -L sig-counter >"$SCRATCH/owned"
    apt remove -y sig-counter >"$SCRATCH/remove.log" 2>&1 || fail "apt remove: $(cat "$SCRATCH/remove.log")"
    owned=$(while read -r path; do [ ! -f "$path" ] || echo "$path"; done <"$SCRATCH/owned")
    [ -z "$owned" ] || fail "apt remove left the package's files: $owned"
    # dpkg keeps a removed package's postrm until the purge, and the state
    # deb-systemd-helper keeps to disable the unit then.
    local left
    left=$(named_after_it | grep -Ev '^/var/lib/(dpkg/info/sig-counter\.(list|postrm)|systemd/deb-systemd-helper-[a-z]+/sig-counter\.service(\.dsh-also)?)$|^/var/lib/systemd/deb-systemd-helper-[a-z]+$' || true)
    [ -z "$left" ] || fail "after apt remove: $left"
    ok "apt remove: nothing left but dpkg's record and deb-systemd-helper's state until the purge"
    apt purge -y sig-counter >"$SCRATCH/purge.log" 2>&1 || fail "apt purge: $(cat "$SCRATCH/purge.log")"
    left=$(named_after_it)
    [ -z "$left" ] || fail "after apt purge: $left"
    files >"$SCRATCH/purged"
    local added
    added=$(comm -13 "$SCRATCH/installed" "$SCRATCH/purged")
    [ -z "$added" ] || fail "removing it added: $added"
    ok "apt purge: nothing named after it anywhere, and no path added"
}

remove_dependencies() {  # what apt installed for it goes with apt autoremove
    apt-get autoremove -y --purge >"$SCRATCH/autoremove.log" 2>&1 \
        || fail "apt-get autoremove: $(cat "$SCRATCH/autoremove.log")"
    local package
    for package in python3-prctl python3-cffi-backend; do
        ! dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' \
            || fail "$package is still installed after apt autoremove"
    done
    ok "apt autoremove --purge: python3-prctl and python3-cffi-backend went with it"
}

install_package
run_and_signal
check_man_and_unit
remove_and_purge
remove_dependencies
rm -rf "$SCRATCH"
