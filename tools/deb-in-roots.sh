#!/usr/bin/env bash
# The Debian package where its users stand: for each release, `./dev.sh deb`
# builds it from a fresh clone of this checkout's HEAD (on this machine when
# it runs that release, else inside a fresh minimal root of it), and
# tools/deb-installed-check.sh installs it into another fresh minimal root of
# the same release with `apt install ./sig-counter_*.deb` and checks it there.
# The roots come from tools/fresh-root.sh. Needs root and debootstrap; a few
# minutes per release once the roots and downloads are cached.
#   tools/deb-in-roots.sh [RELEASE...]     (default: bookworm trixie)
# The packages are left in $DEB_OUT (default dist/roots/RELEASE/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || set -- bookworm trixie
OUT=${DEB_OUT:-dist/roots}
say() { printf 'deb-in-roots: %s\n' "$*" >&2; }

clone=$(mktemp -d)
trap 'rm -rf "$clone"' EXIT
git clone -q "$PWD" "$clone/sig-counter"
git -C "$clone/sig-counter" checkout -q --detach "$(git rev-parse HEAD)"
rm -rf "$clone/sig-counter/.git"  # what a user unpacks: the sources, not the history

build() {  # build RELEASE DIR: the packages, built for RELEASE, into DIR
    if [ "$(. /etc/os-release && echo "$VERSION_CODENAME")" = "$1" ]; then
        say "$1: ./dev.sh deb on this machine"
        DIST="$2" "$clone/sig-counter/dev.sh" deb
    else
        say "$1: ./dev.sh deb in a fresh $1 root"
        # Its log goes to stderr; stdout carries the packages, as a tar stream.
        tools/fresh-root.sh --copy "$clone/sig-counter:/root/sig-counter" "$1" \
            'cd sig-counter && ./dev.sh deb >&2 && tar -C dist -cf - .' | tar -xf - -C "$2"
    fi
}

for release in "$@"; do
    dir=$(realpath -m "$OUT/$release")
    rm -rf "$dir"
    mkdir -p "$dir"
    build "$release" "$dir"
    debs=("$dir"/sig-counter_*.deb)
    [ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || { say "$release: no package in $dir"; exit 1; }
    deb=$(basename "${debs[0]}")
    say "$release: $deb into a fresh $release root"
    tools/fresh-root.sh --copy "${debs[0]}:/root/$deb" \
        --copy tools/deb-installed-check.sh:/root/deb-installed-check.sh \
        "$release" "./deb-installed-check.sh ./$deb"
    say "$release: passed"
done
