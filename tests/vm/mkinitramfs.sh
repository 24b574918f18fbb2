#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the VM's initramfs: busybox, the kmod tools with their libraries,
# the modules (with depmod data, so modprobe works) and the test binaries.
# usage: mkinitramfs.sh OUTPUT.cpio.gz KERNELRELEASE MODULE.ko... -- BINARY...
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$1 krel=$2
shift 2
mods=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do mods+=("$1"); shift; done
[ $# -gt 0 ] && shift
bins=("$@")

root=$(mktemp -d)
# mktemp makes it 0700: every user of the VM must reach /dev and /tmp.
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,lib,lib64,selftests} "$root/lib/modules/$krel/extra"
chmod 1777 "$root/tmp"

cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done

# kmod is dynamically linked: bring its libraries and loader along.
kmod=$(command -v kmod)
cp "$kmod" "$root/sbin/kmod"
for tool in insmod rmmod modprobe lsmod modinfo depmod; do
	rm -f "$root/bin/$tool"
	ln -sf kmod "$root/sbin/$tool"
done
ldd "$kmod" | grep -o '/[^ ]*' | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

for m in "${mods[@]}"; do
	cp "$m" "$root/lib/modules/$krel/extra/"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp "$MODULES_META/$f" "$root/lib/modules/$krel/" 2>/dev/null || : > "$root/lib/modules/$krel/$f"
done
depmod -b "$root" "$krel"

for b in "${bins[@]}"; do
	case "$(basename "$b")" in
	*_test|*_test_32) cp "$b" "$root/selftests/" ;;
	*) cp "$b" "$root/bin/" ;;
	esac
done

# The benchmark VM: Debian's python3 and the script it runs.
if [ -n "${OHVM_PYTHON:-}" ]; then
	"$VMDIR/pack-python.sh" "$root" "$OHVM_PYTHON"
fi

cp "$VMDIR/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
