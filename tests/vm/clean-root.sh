#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's test command on a machine with no history: a clean Debian 12
# root made with debootstrap (minbase) from the archive this machine's apt
# uses, with bookworm, bookworm-updates and bookworm-security, plus only
# make and git; then `make check` inside it, from a clone of this tree's
# HEAD, with an empty cache. A package the project forgot to install makes
# it fail, whatever this machine has installed by hand.
#
# usage: [KVER=6.12|6.1] [TARGET=check|try|"fuzz FUZZ_SECONDS=30"|...] [CLEAN_ROOT=/var/tmp/objheap-clean-root]
#        clean-root.sh
# Needs root. Takes about as long as a cold `make check` plus some minutes
# for debootstrap and the packages. The root is left for a look; it is
# made anew on the next run.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || die "clean-root.sh needs root (debootstrap, chroot)"
ROOT=${CLEAN_ROOT:-/var/tmp/objheap-clean-root}

# The archive this machine's apt is configured with: deb822 or one-line.
mirror() {
	local uri
	uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || die "no Debian archive configured in /etc/apt"
	echo "$uri"
}

unmount_all() {
	local m
	for m in dev/pts dev proc sys; do
		mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m"
	done
	return 0
}

command -v debootstrap > /dev/null || {
	log "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null; } ||
		die "cannot install debootstrap"
}

t0=$(date +%s)
unmount_all
rm -rf "$ROOT"
log "debootstrap --variant=minbase bookworm $ROOT"
debootstrap --variant=minbase bookworm "$ROOT" "$(mirror)" > "$ROOT.debootstrap.log" 2>&1 ||
	{ tail -n 20 "$ROOT.debootstrap.log"; die "debootstrap failed"; }
# The same three suites as this machine, from the same archive.
rm -f "$ROOT/etc/apt/sources.list"
mkdir -p "$ROOT/etc/apt/sources.list.d"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$ROOT/etc/apt/sources.list.d/"
else
	grep -E '^deb .* bookworm(-updates|-security)? ' /etc/apt/sources.list > "$ROOT/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

trap unmount_all EXIT
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"

in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

log "apt-get install make git (all the README asks for before the first make)"
in_root apt-get update -qq
in_root apt-get install -y -qq make git > /dev/null

git clone -q --no-local "$REPO" "$ROOT/root/objheap"
in_root git -C /root/objheap log -1 --format='clean-root: at %h %s'
target=${TARGET:-check}
log "make $target KVER=$KVER in the clean root"
rc=0
t1=$(date +%s)
# $target may be several words: TARGET="fuzz FUZZ_SECONDS=30".
# shellcheck disable=SC2086
in_root make -C /root/objheap $target KVER="$KVER" JOBS="$JOBS" || rc=$?
echo "clean-root: make $target KVER=$KVER exit $rc in $(($(date +%s) - t1))s ($(($(date +%s) - t0))s with debootstrap)"
exit $rc
