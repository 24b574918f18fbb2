#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the VM kernel under QEMU/TCG with an initramfs.
# usage: run-vm.sh JOB INITRAMFS [LOGDIR] | run-vm.sh --print-command
#   JOB check|demo: console -> LOGDIR/console.log, results -> LOGDIR/results.log,
#                   files the VM hands back (ttyS2) -> LOGDIR/files.log,
#                   killed after VM_TIMEOUT seconds (exit 124)
#   JOB shell:      interactive serial console on this terminal
set -euo pipefail
. "$(dirname "$0")/common.sh"

job=$1 initrd=${2:-} logdir=${3:-}
: "${VM_TIMEOUT:=2400}"
: "${VM_MEM:=2048}"
: "${VM_APPEND:=}"
kernel=$KERNEL_IMAGE
[ -f "$kernel" ] || die "no kernel at $kernel (run tests/vm/build-kernel.sh or stock-kernel.sh)"

# VM_ACCEL=kvm only where tests/vm/accel.sh said KVM boots (make try,
# make demo); the checks run under TCG, as CI's machines do.
case "${VM_ACCEL:-tcg}" in
kvm) accel=(-accel kvm -cpu host) ;;
tcg) accel=(-accel "tcg,thread=${VM_TCG_THREAD:-multi}" -cpu max) ;;
*) die "VM_ACCEL must be kvm or tcg (got '$VM_ACCEL')" ;;
esac
qemu=(qemu-system-x86_64 -machine q35 "${accel[@]}"
      -smp 2 -m "$VM_MEM" -nodefaults -no-reboot -display none
      -kernel "$kernel" -initrd "$initrd")
append="console=ttyS0 panic=-1 ohvm=$job $VM_APPEND"
# The debug kernel's runs check the collector's lists at every phase.
[ "$FLAVOUR" != debug ] || append="$append objheap.gc_validate=1"
# One debug kernel (6.1) runs everything with the freelists off: a freed
# object goes straight back to the slab, where KASAN's quarantine watches
# it; the tests of the freelists turn them on for themselves.
# OBJHEAP_FREELISTS=on|off overrides.
freelists=${OBJHEAP_FREELISTS:-$([ "$FLAVOUR" = debug ] && [ "$KVER" = 6.1 ] && echo off || echo on)}
[ "$freelists" = on ] || append="$append objheap.freelist_max=0"

# The machine, for the benchmark report.
if [ "$job" = --print-command ]; then
	echo "${qemu[*]:0:11}"
	exit 0
fi

if [ "$job" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial null -serial null -append "$append"
fi

mkdir -p "$logdir"
rm -f "$logdir/console.log" "$logdir/results.log" "$logdir/files.log"
# </dev/null: QEMU must not read the caller's terminal or CI's stdin.
timeout --kill-after=10 "$VM_TIMEOUT" "${qemu[@]}" \
	-serial "file:$logdir/console.log" -serial "file:$logdir/results.log" \
	-serial "file:$logdir/files.log" -append "$append" </dev/null
