#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Negative controls: plant one known defect at a time in a copy of the
# repository and check that `make check` fails on it. A test harness that
# cannot fail proves nothing.
#
# usage: KVER=6.12 negative-controls.sh [--record] [CONTROL...]
#   --record  keep each failing run's logs in tests/vm/testdata/runs/<control>/
#             so that test_report.sh replays them on every make check
# Controls: kunit-fail selftest-fail warn leak hang
set -euo pipefail
. "$(dirname "$0")/common.sh"

record=0
if [ "${1:-}" = --record ]; then record=1; shift; fi
controls=("$@")
[ ${#controls[@]} -gt 0 ] || controls=(kunit-fail selftest-fail warn leak hang)

# plant CONTROL DIR: make the one change that the control is about.
plant() {
	case "$1" in
	kunit-fail)	# a KUnit expectation that cannot hold
		sed -i 's/^\tobjheap_heap_destroy(a);$/\tKUNIT_EXPECT_EQ(test, 1, 2);\n&/' \
			"$2/tests/kunit/heap_test.c" ;;
	selftest-fail)	# a selftest expectation that cannot hold
		sed -i 's/^\tEXPECT_EQ(ESPIPE, errno);$/&\n\tEXPECT_EQ(1, 2);/' \
			"$2/tests/selftests/device_test.c" ;;
	warn)		# WARN_ON(1) when the module loads
		sed -i 's/^\tret = objheap_dev_init();$/\tWARN_ON(1);\n&/' \
			"$2/module/main.c" ;;
	leak)		# every heap is leaked instead of freed
		sed -i 's/^\tobjheap_reclaim_free_heap(heap);$/\t\/* leaked on purpose *\//' \
			"$2/module/heap.c" ;;
	hang)		# module init never returns: the VM never finishes
		sed -i 's/^\tret = objheap_dev_init();$/\tfor (;;)\n\t\tssleep(1);\n&/' \
			"$2/module/main.c"
		sed -i 's/^#include <linux\/module.h>$/&\n#include <linux\/delay.h>/' \
			"$2/module/main.c" ;;
	*) die "unknown control $1" ;;
	esac
	! diff -qr "$REPO/module" "$2/module" >/dev/null ||
		! diff -qr "$REPO/tests" "$2/tests" >/dev/null ||
		die "control $1 changed nothing (the sed no longer matches)"
}

failed_to_fail=()
for c in "${controls[@]}"; do
	work=$(work_copy)
	plant "$c" "$work"
	log "control $c: running make check on a planted defect"
	timeout=300
	[ "$c" = hang ] && timeout=120
	rc=0
	VM_TIMEOUT=$timeout "$work/tests/vm/vmtest.sh" check > "$work/check.log" 2>&1 || rc=$?
	tail -n 4 "$work/check.log" | sed 's/^/    /' >&2
	if [ $rc = 0 ]; then
		log "control $c: make check PASSED on a planted defect"
		failed_to_fail+=("$c")
	else
		log "control $c: make check failed, as it must"
		if [ $record = 1 ]; then
			dest=$VMDIR/testdata/runs/$c
			mkdir -p "$dest"
			cp "$OUT_DIR/logs/check/console.log" "$OUT_DIR/logs/check/results.log" "$dest/"
			suites=$(cat "$REPO"/tests/kunit/*.c |
				grep -cE '^(static )?struct kunit_suite [a-z0-9_]+ = \{')
			echo "fail $suites" > "$dest/expect"
		fi
	fi
	rm -rf "$work"
done

if [ ${#failed_to_fail[@]} -gt 0 ]; then
	echo "negative controls that did not fail the check: ${failed_to_fail[*]}"
	exit 1
fi
echo "negative controls: all ${#controls[@]} failed the check, as they must"
