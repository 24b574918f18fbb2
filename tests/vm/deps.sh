#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing objheap needs
# (usage: deps.sh [PKG...]).
# Only Debian's archive is used; nothing is downloaded from elsewhere.
set -euo pipefail
. "$(dirname "$0")/common.sh"

pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
      clang libclang-rt-14-dev valgrind
      python3 perl rsync kmod busybox-static qemu-system-x86 sparse
      gcc-multilib gnuplot-nox pkg-config dwarves openssl mandoc man-db
      "linux-source-$KVER")
# dkms without its recommends: they would pull in the headers of Debian's
# current kernel, which the checks do not use (they build for the stock
# kernel they fetch).
norecs=(dkms)
# deps.sh PKG...: only those (make fuzz, make bench-native need a few).
if [ $# -gt 0 ]; then pkgs=("$@"); norecs=(); fi
missing=() missing_norecs=()
installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${norecs[@]}"; do installed "$p" || missing_norecs+=("$p"); done
[ ${#missing[@]} -eq 0 ] && [ ${#missing_norecs[@]} -eq 0 ] && exit 0

log "installing Debian packages: ${missing[*]} ${missing_norecs[*]}"
if [ "$(id -u)" != 0 ]; then
	die "need root to install: apt-get install ${missing[*]} ${missing_norecs[*]}"
fi
export DEBIAN_FRONTEND=noninteractive
# apt_install [--no-install-recommends] PACKAGE...: nothing to do without a package.
apt_install() {
	local opts=()
	[ "${1:-}" != --no-install-recommends ] || { opts=("$1"); shift; }
	[ $# -gt 0 ] || return 0
	apt-get install -y -qq "${opts[@]}" "$@" >/dev/null
}
if ! apt_install "${missing[@]}" || ! apt_install --no-install-recommends "${missing_norecs[@]}"; then
	apt-get update -qq || die "apt-get update failed; install by hand: ${missing[*]} ${missing_norecs[*]}"
	apt_install "${missing[@]}" && apt_install --no-install-recommends "${missing_norecs[@]}" ||
		die "apt-get install failed; install by hand: ${missing[*]} ${missing_norecs[*]}"
fi
