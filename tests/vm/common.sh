# shellcheck shell=bash
# Shared settings for the VM scripts: which kernel, where the cache lives.
# Sourced, not run.

: "${KVER:=6.12}"
: "${OBJHEAP_CACHE:=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/objheap}"
: "${JOBS:=$(nproc)}"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMDIR=$REPO/tests/vm
SRC_TARBALL=/usr/src/linux-source-$KVER.tar.xz
SRC_DIR=$OBJHEAP_CACHE/src/linux-source-$KVER
# The flavour selects the config fragment: debug for tests, bench for timing.
: "${FLAVOUR:=debug}"
KBUILD_DIR=$OBJHEAP_CACHE/build/$KVER-$FLAVOUR
OUT_DIR=$OBJHEAP_CACHE/out/$KVER-$FLAVOUR

case "$KVER" in
6.12|6.1) ;;
*) echo "objheap: KVER must be 6.12 or 6.1 (got '$KVER')" >&2; exit 2 ;;
esac

log() { printf 'objheap: %s\n' "$*" >&2; }
die() { printf 'objheap: error: %s\n' "$*" >&2; exit 1; }
