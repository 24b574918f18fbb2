#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract Debian's linux-source-$KVER into the cache and build the VM kernel
# once; later runs reuse it while the tarball, the config fragment and this
# script are unchanged. --source-only: extract, do not build (the stock
# kernel's check needs the kselftest harness and kunit.py, not a kernel).
set -euo pipefail
. "$(dirname "$0")/common.sh"

FRAGMENT=$VMDIR/kernel.config
[ "$FLAVOUR" = debug ] || FRAGMENT=$VMDIR/kernel-$FLAVOUR.config
[ -r "$SRC_TARBALL" ] || die "$SRC_TARBALL missing (apt-get install linux-source-$KVER)"

key=$( { stat -c '%n %s %Y' "$SRC_TARBALL"; cat "$FRAGMENT" "$0"; } | sha256sum | cut -c1-16)

if [ ! -f "$SRC_DIR/.objheap-extracted" ] ||
   [ "$(cat "$SRC_DIR/.objheap-extracted")" != "$(stat -c '%s %Y' "$SRC_TARBALL")" ]; then
	log "extracting $SRC_TARBALL"
	rm -rf "$SRC_DIR"
	mkdir -p "$(dirname "$SRC_DIR")"
	tar -C "$(dirname "$SRC_DIR")" -xf "$SRC_TARBALL"
	stat -c '%s %Y' "$SRC_TARBALL" > "$SRC_DIR/.objheap-extracted"
fi
if [ "${1:-}" = --source-only ]; then
	log "kernel source $KVER is in $SRC_DIR"
	exit 0
fi

if [ -f "$KBUILD_DIR/.objheap-key" ] && [ "$(cat "$KBUILD_DIR/.objheap-key")" = "$key" ] &&
   [ -f "$KBUILD_DIR/arch/x86/boot/bzImage" ]; then
	log "kernel $KVER-$FLAVOUR is cached in $KBUILD_DIR"
	exit 0
fi

log "building kernel $KVER-$FLAVOUR in $KBUILD_DIR (a few minutes, once)"
rm -rf "$KBUILD_DIR"
mkdir -p "$KBUILD_DIR"
grep -v '^\s*$' "$FRAGMENT" > "$KBUILD_DIR/.config"
kmake() { make -s -C "$SRC_DIR" O="$KBUILD_DIR" ARCH=x86_64 "$@"; }
kmake olddefconfig

# Every line of the fragment must have survived olddefconfig; a dependency
# that silently dropped an option would make the tests prove less.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$KBUILD_DIR/.config" || { log "config lost: $line"; missing=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$KBUILD_DIR/.config" || { log "config set but should not be: $opt"; missing=1; } ;;
	esac
done < "$FRAGMENT"
[ "$missing" = 0 ] || die "config fragment $FRAGMENT does not apply to $KVER"

kmake -j"$JOBS" bzImage modules_prepare
# Out-of-tree modules need Module.symvers; with no in-tree modules it is
# produced by `make modules`, which is quick here.
kmake -j"$JOBS" modules
echo "$key" > "$KBUILD_DIR/.objheap-key"
log "kernel $KVER-$FLAVOUR built"
