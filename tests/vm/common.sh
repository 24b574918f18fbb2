# SPDX-License-Identifier: GPL-2.0
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
# The flavour selects the kernel: debug (tests) and bench (timing) are built
# from linux-source with a config fragment; stock is Debian's own linux-image,
# with the module built against its linux-headers package.
: "${FLAVOUR:=debug}"
OUT_DIR=$OBJHEAP_CACHE/out/$KVER-$FLAVOUR
if [ "$FLAVOUR" = stock ]; then
	# stock-kernel.sh writes the release it unpacked; sourced again after it.
	STOCK_DIR=$OBJHEAP_CACHE/stock/$KVER
	STOCK_RELEASE=$(cat "$STOCK_DIR/release" 2>/dev/null || true)
	KBUILD_DIR=$STOCK_DIR/root/usr/src/linux-headers-$STOCK_RELEASE
	KERNEL_IMAGE=$STOCK_DIR/root/boot/vmlinuz-$STOCK_RELEASE
	MODULES_META=$STOCK_DIR/root/lib/modules/$STOCK_RELEASE
else
	KBUILD_DIR=$OBJHEAP_CACHE/build/$KVER-$FLAVOUR
	KERNEL_IMAGE=$KBUILD_DIR/arch/x86/boot/bzImage
	MODULES_META=$KBUILD_DIR
fi

case "$KVER" in
6.12|6.1) ;;
*) echo "objheap: KVER must be 6.12 or 6.1 (got '$KVER')" >&2; exit 2 ;;
esac

log() { printf 'objheap: %s\n' "$*" >&2; }

# A copy of the work tree (uncommitted changes included, not the caches)
# in a new temporary directory, for planting a defect; prints its path.
work_copy() {
	local dir
	dir=$(mktemp -d)
	(cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dir")
	echo "$dir"
}
die() { printf 'objheap: error: %s\n' "$*" >&2; exit 1; }
