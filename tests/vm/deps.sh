#!/bin/bash
# Install the Debian packages that building and testing objheap needs.
# Only Debian's archive is used; nothing is downloaded from elsewhere.
set -euo pipefail
. "$(dirname "$0")/common.sh"

pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
      python3 perl rsync kmod busybox-static qemu-system-x86 sparse
      gcc-multilib gnuplot-nox pkg-config dwarves "linux-source-$KVER")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

log "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	die "need root to install: apt-get install ${missing[*]}"
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
	apt-get update -qq || die "apt-get update failed; install by hand: ${missing[*]}"
	apt-get install -y -qq "${missing[@]}" >/dev/null ||
		die "apt-get install failed; install by hand: ${missing[*]}"
fi
