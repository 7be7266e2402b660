#!/usr/bin/env bash
# Run one command in a fresh minimal Debian root, then take the root down.
#
#   tools/fresh-root.sh [--user] [--copy SRC:DEST]... [--keep] RELEASE COMMAND
#
# RELEASE is a Debian suite: trixie (Debian 13) or bookworm (Debian 12).
# COMMAND is one shell command line, run by a login bash in the home
# directory of root, or with --user of "user", an ordinary user made in the
# root who may use sudo (installed for it) with no password. --copy puts SRC
# (a host file or directory) at DEST in the root, owned by that user.
# --keep leaves the root's files for a look afterwards (never its mounts).
# The status is COMMAND's.
#
# The root is what `debootstrap --variant=minbase` makes from the host's
# Debian mirror, set up as a machine would be: / is a mount point, /proc,
# /sys and /dev come from the host, DNS and the CA bundle are the host's
# (with a pip.conf naming the bundle), and apt starts no daemon. Its mounts
# are taken down however COMMAND ends. The first root of a release is kept
# in $FRESH_ROOT_CACHE (default /var/cache/fresh-root) and copied for each
# later one, and the packages apt fetches inside a root are kept there too.
# $FRESH_ROOT_MIRROR overrides the mirror. Needs root and debootstrap.
set -euo pipefail

CACHE=${FRESH_ROOT_CACHE:-/var/cache/fresh-root}
AS_USER=no KEEP=no COPIES=()
say() { printf 'fresh-root: %s\n' "$*" >&2; }
usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }

while [ "$#" -gt 0 ]; do
    case $1 in
        --user) AS_USER=yes ;;
        --keep) KEEP=yes ;;
        --copy) [ "$#" -ge 2 ] || usage; COPIES+=("$2"); shift ;;
        -*) usage ;;
        *) break ;;
    esac
    shift
done
[ "$#" -eq 2 ] || usage
RELEASE=$1 COMMAND=$2
[ "$(id -u)" -eq 0 ] || { say "run as root (debootstrap, chroot and mount need it)"; exit 1; }
command -v debootstrap >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install debootstrap"; exit 1; }

mirror() {  # the host's Debian mirror: the first .../debian URI apt is set up with
    [ -z "${FRESH_ROOT_MIRROR:-}" ] || { echo "$FRESH_ROOT_MIRROR"; return; }
    local found
    found=$({
        cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n'
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\).*/\2/p'
    } | grep -E '^https?://.*/debian/?$' || true)
    [ -n "$found" ] || { say "no Debian mirror in /etc/apt (set FRESH_ROOT_MIRROR)"; exit 1; }
    echo "${found%%$'\n'*}"
}

cached_base() {  # the pristine minbase tree of $RELEASE, made once under a lock
    mkdir -p "$CACHE/apt-$RELEASE"
    (
        flock 9
        [ -d "$CACHE/$RELEASE" ] && exit 0
        rm -rf "$CACHE/$RELEASE.new"
        say "debootstrap --variant=minbase $RELEASE from $(mirror) (once; kept in $CACHE)"
        debootstrap --variant=minbase "$RELEASE" "$CACHE/$RELEASE.new" "$(mirror)" \
            >"$CACHE/$RELEASE.log" 2>&1 || { say "debootstrap failed: see $CACHE/$RELEASE.log"; exit 1; }
        mv "$CACHE/$RELEASE.new" "$CACHE/$RELEASE"
    ) 9>"$CACHE/$RELEASE.lock"
}

mounts_under() {  # the mount points at or below $ROOT, deepest first
    awk -v root="$ROOT" '$5 == root || index($5, root "/") == 1 { print $5 }' \
        /proc/self/mountinfo | sort -r
}

end_processes() {  # end what COMMAND left running in the root (a daemon, an agent), by PID
    local signal pid
    for signal in TERM KILL; do
        for pid in $(ls /proc | grep -E '^[0-9]+$'); do
            [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ] && kill "-$signal" "$pid" 2>/dev/null
        done
        sleep 0.2
    done
}

teardown() {
    local status=$?
    trap - EXIT INT TERM HUP
    end_processes || true
    mounts_under | while read -r point; do umount "$point" 2>/dev/null || umount -l "$point"; done
    if [ -n "$(mounts_under)" ]; then
        say "still mounted, $ROOT left in place: $(mounts_under | tr '\n' ' ')"
    elif [ "$KEEP" = yes ]; then
        say "kept the root's files in $ROOT"
    else
        rm -rf --one-file-system "$ROOT"
    fi
    exit "$status"
}

in_root() {  # in_root [--as UID:GID] HOME COMMAND: a login bash in the root, a clean environment
    local spec=()
    [ "$1" != --as ] || { spec=(--userspec="$2" --groups="${2#*:}"); shift 2; }
    chroot "${spec[@]}" "$ROOT" /usr/bin/env -i HOME="$1" TERM="${TERM:-dumb}" LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive /bin/bash -lc "cd && $2"
}

set_up() {  # what a machine has that a bare tree lacks; see the header
    mount --bind "$ROOT" "$ROOT"
    mount --make-private "$ROOT"
    mount --bind /proc "$ROOT/proc"
    mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys"
    mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"
    mount --bind "$CACHE/apt-$RELEASE" "$ROOT/var/cache/apt/archives"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$(hostname)" >"$ROOT/etc/hosts"
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    # The host's bundle holds its proxy's CA; a copy among the local CAs
    # survives update-ca-certificates when a package installs ca-certificates.
    mkdir -p "$ROOT/etc/ssl/certs" "$ROOT/usr/local/share/ca-certificates"
    cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
    cp /etc/ssl/certs/ca-certificates.crt "$ROOT/usr/local/share/ca-certificates/host-bundle.crt"
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$ROOT/etc/pip.conf"
}

make_user() {  # "user", who may use sudo, as on a desktop install
    in_root /root 'apt-get update -qq && apt-get install -y -qq sudo >/dev/null 2>&1' \
        || { say "could not install sudo in the root"; exit 1; }
    in_root /root 'useradd --create-home --shell /bin/bash user'
    printf 'user ALL=(ALL:ALL) NOPASSWD: ALL\n' >"$ROOT/etc/sudoers.d/user"
    chmod 440 "$ROOT/etc/sudoers.d/user"
}

copy_in() {  # copy_in OWNER SRC:DEST
    local src=${2%%:*} dest=$ROOT/${2#*:}
    mkdir -p "$(dirname "$dest")"
    cp -a "$src" "$dest"
    chown -R "$1" "$dest"
}

cached_base
ROOT=$(mktemp -d "${TMPDIR:-/var/tmp}/fresh-root-$RELEASE.XXXXXX")
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
cp -a "$CACHE/$RELEASE/." "$ROOT/"
chmod 755 "$ROOT"
set_up
owner=0:0 home=/root
if [ "$AS_USER" = yes ]; then
    make_user
    owner=$(awk -F: '$1 == "user" { print $3 ":" $4 }' "$ROOT/etc/passwd") home=/home/user
fi
for copy in "${COPIES[@]}"; do copy_in "$owner" "$copy"; done
say "$RELEASE root in $ROOT, running as $([ "$AS_USER" = yes ] && echo user || echo root): $COMMAND"
as=()
[ "$AS_USER" = no ] || as=(--as "$owner")
# In the background, so that a signal to this script is acted on at once:
# the trap ends what runs in the root and takes the root down.
in_root "${as[@]}" "$home" "$COMMAND" <&0 &
wait "$!"
