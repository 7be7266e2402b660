#!/usr/bin/env bash
# The README's Quick start (tools/quickstart.sh) on a fresh clone of this
# checkout's HEAD, in a fresh minimal Debian root (tools/fresh-root.sh), as
# root or, with --user, as an ordinary user with sudo. Committed work only:
# the clone has what HEAD has. Needs root and debootstrap.
#   tools/quickstart-in-root.sh [--user] trixie|bookworm [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
user=()
if [ "${1:-}" = --user ]; then user=(--user); shift; fi
[ "$#" -ge 1 ] || { sed -n '6s/^# *//p' "$0" >&2; exit 2; }
release=$1
shift
clone=$(mktemp -d)
trap 'rm -rf "$clone"' EXIT
git clone -q "$PWD" "$clone/sig-counter"
git -C "$clone/sig-counter" checkout -q --detach "$(git rev-parse HEAD)"
echo "quickstart-in-root: $(git log --oneline -1 | cut -c1-72)" >&2
home=/root
[ "${#user[@]}" -eq 0 ] || home=/home/user
tools/fresh-root.sh "${user[@]}" --copy "$clone/sig-counter:$home/sig-counter" "$release" \
    "cd sig-counter && tools/quickstart.sh $(printf '%q ' "$@")"
