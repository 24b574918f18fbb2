#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mutation testing: break the algorithms themselves, one mutant at a time,
# in a copy of the tree, and require the selftests to fail on each (a
# failed test or a kernel report). Negative controls (negative-controls.sh)
# plant defects in the harness's way; these plant them in objheap's logic.
#
# usage: KVER=6.12 mutants.sh [--record] [MUTANT...]
#   --record  keep each run's logs in tests/vm/testdata/mutants/<mutant>/,
#             which test_report.sh replays on every make check: each must
#             still show the mutant killed.
# One selftest VM run per mutant (ONLY=$MUTANT_TESTS, 64-bit), some minutes
# each on the debug kernel: too slow for CI, hence its own command.
set -euo pipefail
. "$(dirname "$0")/common.sh"

record=0
if [ "${1:-}" = --record ]; then record=1; shift; fi
. "$(dirname "$0")/mutate.sh"
mutants=("$@")
[ ${#mutants[@]} -gt 0 ] || mutants=("${all[@]}")
: "${MUTANT_TESTS:=ops_test gc_test stress_test finalize_test introspect_test}"

survived=()
for m in "${mutants[@]}"; do
	work=$(work_copy)
	mutate "$m" "$work"
	log "mutant $m: running the selftests ($MUTANT_TESTS)"
	rc=0
	logs=$OUT_DIR/logs/selftest
	rm -rf "$logs"	# a mutant that does not build leaves no run to judge
	ONLY="$MUTANT_TESTS" VM_TIMEOUT=${VM_TIMEOUT:-1200} \
		"$work/tests/vm/vmtest.sh" selftest > "$work/run.log" 2>&1 || rc=$?
	killers=$(grep -E '^not ok [0-9]+ ' "$logs/results.log" 2>/dev/null |
		awk '{ print $4 }' | tr '\n' ' ' || true)
	report=$("$VMDIR/report.py" --scan-only "$logs/console.log" 2>/dev/null | head -n 1 || true)
	if [ $rc = 0 ] || { [ -z "$killers" ] && [ -z "$report" ]; }; then
		echo "mutant $m: SURVIVED"
		survived+=("$m")
	else
		echo "mutant $m: killed by ${killers:-no failed test}${report:+; kernel report: $report}"
	fi
	if [ $record = 1 ]; then
		dest=$VMDIR/testdata/mutants/$m
		rm -rf "$dest"
		mkdir -p "$dest"
		cp "$logs/console.log" "$logs/results.log" "$dest/"
	fi
	rm -rf "$work"
done

echo "mutants: ${#mutants[@]} run, $((${#mutants[@]} - ${#survived[@]})) killed${survived:+, survived: ${survived[*]}}"
[ ${#survived[@]} = 0 ]
