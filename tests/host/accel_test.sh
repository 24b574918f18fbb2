#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of tests/vm/accel.sh, the KVM probe of make try: with a fake
# qemu-system-x86_64 first in PATH, KVM is chosen only when the probe
# boot reaches init's "done"; a missing device, QEMU failing at once (an
# MSR -cpu host cannot set), "KVM internal error" while QEMU lives on,
# and silence all give TCG, each within its time.
# usage: accel_test.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/host/common.sh
. "$(dirname "$0")/common.sh"

mkdir -p "$tmp/bin"
# The fake QEMU: $FAKE_QEMU says what it does; the second -serial file:
# is init's results port.
cat > "$tmp/bin/qemu-system-x86_64" <<'FAKE'
#!/bin/bash
serials=()
while [ $# -gt 0 ]; do
	[ "$1" = -serial ] && serials+=("${2#file:}")
	shift
done
case "$FAKE_QEMU" in
boots) echo "objheap-vm: done" > "${serials[1]}" ; sleep 30 ;;
msr) echo "qemu-system-x86_64: error: failed to set MSR 0x48d to 0x5600000016" >&2; exit 1 ;;
internal) echo "KVM internal error. Suberror: 1" >&2; echo "emulation failure" >&2; sleep 30 ;;
silent) sleep 30 ;;
esac
FAKE
chmod +x "$tmp/bin/qemu-system-x86_64"

probe() {	# probe FAKE KVM_DEV: the verdict, then the seconds it took
	local t0=$SECONDS
	PATH=$tmp/bin:$PATH FAKE_QEMU=$1 KVM_DEV=$2 ACCEL_PROBE_SECONDS=3 \
		"$repo/tests/vm/accel.sh" /dev/null
	echo "took $((SECONDS - t0))"
}
expect() {	# expect NAME FAKE KVM_DEV VERDICT-REGEX MAX-SECONDS
	local out
	out=$(probe "$2" "$3")
	check "$1" sh -c 'printf "%s\n" "$1"; printf "%s\n" "$1" | head -n 1 | grep -Eq "$2" &&
		[ "$(printf "%s\n" "$1" | sed -n "s/^took //p")" -le "$3" ]' sh "$out" "$4" "$5"
}
expect "no device: TCG" boots "$tmp/none" '^tcg: no ' 1
expect "a probe boot that reaches init: KVM" boots /dev/null '^kvm$' 2
expect "QEMU fails at once (MSR): TCG, with its message" msr /dev/null \
	'^tcg: a KVM boot failed \(qemu-system-x86_64: error: failed to set MSR' 2
expect "KVM internal error: TCG without waiting for the limit" internal /dev/null \
	'^tcg: a KVM boot failed \(KVM internal error' 2
expect "no result within the limit: TCG" silent /dev/null \
	'^tcg: a KVM boot failed \(no result in 3s\)' 5
check "no fake QEMU is left running" sh -c \
	'! grep -lsF "$1/bin/qemu-system" /proc/[0-9]*/cmdline > /dev/null' sh "$tmp"
host_summary
