#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Which accelerator can run the VM: prints "kvm", or "tcg: <why not kvm>".
# /dev/kvm existing is not enough: on some hosts KVM opens but fails once
# the guest runs (an MSR -cpu host cannot set, or "KVM internal error ...
# emulation failure" on a nested hypervisor), and QEMU's -accel kvm:tcg
# falls back only when KVM cannot open. So a real boot decides: the VM
# kernel with the initramfs given, job "boot" (init marks itself and
# powers off), under KVM, for at most ACCEL_PROBE_SECONDS (20). Anything
# else, or any doubt, is TCG.
# usage: accel.sh INITRAMFS (KVM_DEV: the device, for the host test)
set -uo pipefail
. "$(dirname "$0")/common.sh"

initrd=$1
limit=${ACCEL_PROBE_SECONDS:-20}
kvm=${KVM_DEV:-/dev/kvm}
if [ ! -c "$kvm" ]; then
	echo "tcg: no $kvm"
	exit 0
fi
if [ ! -r "$kvm" ] || [ ! -w "$kvm" ]; then
	echo "tcg: $kvm is not readable and writable here"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
qemu-system-x86_64 -machine q35 -accel kvm -cpu host -smp 1 -m 512 -nodefaults \
	-no-reboot -display none -kernel "$KERNEL_IMAGE" -initrd "$initrd" \
	-serial "file:$dir/console" -serial "file:$dir/results" -serial null \
	-append "console=ttyS0 panic=-1 ohvm=boot" </dev/null > "$dir/qemu" 2>&1 &
pid=$!
verdict=
for _ in $(seq $((limit * 4))); do
	if grep -q 'objheap-vm: done' "$dir/results" 2>/dev/null; then
		verdict=kvm
		break
	fi
	if grep -q 'KVM internal error\|emulation failure' "$dir/qemu"; then
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.25
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
grep -q 'objheap-vm: done' "$dir/results" 2>/dev/null && verdict=kvm
if [ "$verdict" = kvm ]; then
	echo kvm
else
	why=$(grep -m1 -v '^\s*$' "$dir/qemu" | cut -c1-120)
	echo "tcg: a KVM boot failed (${why:-no result in ${limit}s})"
fi
