#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How often does the VM kernel fail to boot? Boots the kernel of KVER and
# FLAVOUR BOOTS times with the initramfs of its last run (make check first)
# and the init job "boot" (reach init, power off), and counts the boots
# that did not reach init's end. A boot that fails keeps its console log.
# usage: [KVER=6.12] [FLAVOUR=debug|stock] [BOOTS=30] [VM_TCG_THREAD=multi|single] boot-rate.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ "$FLAVOUR" != stock ] || . "$VMDIR/common.sh"	# the stock release's paths

: "${BOOTS:=30}"
initrd=$OUT_DIR/initramfs.cpio.gz
[ -f "$initrd" ] || die "no $initrd: run make check (KVER=$KVER) first"
dir=$OUT_DIR/logs/boot-rate
rm -rf "$dir"
mkdir -p "$dir"
failed=0 t0=$(date +%s)
for i in $(seq 1 "$BOOTS"); do
	VM_TIMEOUT=${VM_TIMEOUT:-600} "$VMDIR/run-vm.sh" boot "$initrd" "$dir/run" > /dev/null 2>&1 || true
	if ! grep -q 'objheap-vm: done' "$dir/run/results.log" 2>/dev/null ||
	   ! "$VMDIR/report.py" --scan-only "$dir/run/console.log" > /dev/null 2>&1; then
		failed=$((failed + 1))
		cp "$dir/run/console.log" "$dir/failed-$i.log" 2>/dev/null || true
		echo "boot $i failed: $("$VMDIR/report.py" --scan-only "$dir/run/console.log" 2>/dev/null | head -n 1)"
	fi
done
echo "boot-rate: kernel=$KVER-$FLAVOUR tcg=${VM_TCG_THREAD:-multi} boots=$BOOTS failed=$failed seconds=$(($(date +%s) - t0))"
