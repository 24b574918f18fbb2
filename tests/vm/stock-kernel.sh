#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's stock kernel for $KVER (linux-image, and the linux-headers
# and linux-kbuild packages the module is built against) from the Debian
# archive with apt-get download, and unpack them into the cache once. The
# newest packaged release is taken the first time; later runs reuse it.
set -euo pipefail
. "$(dirname "$0")/common.sh"

dir=$STOCK_DIR
if [ -f "$dir/.complete" ]; then
	log "stock kernel $(cat "$dir/release") is cached in $dir"
	exit 0
fi

case "$KVER" in
6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
6.1) pattern='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
esac
newest() { apt-cache search --names-only "$pattern" | awk '{ print $1 }' | sort -V | tail -n 1; }
image=$(newest)
if [ -z "$image" ]; then
	apt-get update -qq || die "apt-get update failed"
	image=$(newest)
fi
[ -n "$image" ] || die "no Debian linux-image package for $KVER in the archive"
release=${image#linux-image-}
release=${release%-unsigned}
# The headers name the common headers and the kbuild tools they need.
pkgs=("$image" "linux-headers-$release")
mapfile -t -O 2 pkgs < <(apt-cache depends "linux-headers-$release" |
	awk '$1 == "Depends:" && $2 ~ /^linux-(headers|kbuild)-/ { print $2 }')

log "fetching stock kernel $release: ${pkgs[*]}"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root "${pkgs[@]}" >/dev/null) ||
	die "apt-get download ${pkgs[*]} failed"
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
# The headers include their common part by its installed path: point them
# at the unpacked copy instead.
sed -i "s#^include /usr/src/#include $dir/root/usr/src/#" \
	"$dir/root/usr/src/linux-headers-$release/Makefile"
[ -f "$dir/root/boot/vmlinuz-$release" ] || die "no vmlinuz in $image"
# The VM loads no module but ours: keep only modules.builtin and the like.
rm -rf "$dir/debs" "$dir/root/lib/modules/$release/kernel"
echo "$release" > "$dir/release"
touch "$dir/.complete"
log "stock kernel $release unpacked in $dir"
