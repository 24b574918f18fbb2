#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the log judge (report.py), run on the host before the VM:
#  - every recorded splat in testdata/splats/ must be caught;
#  - every clean log in testdata/clean/ must pass the scanner;
#  - every recorded run in testdata/runs/<name>/ must be judged as its
#    "expect" file says (pass or fail).
# usage: test_report.sh PATH/TO/kunit.py
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kunit_py=$1
passed=0 failed=0

check() {	# check NAME EXPECTED-STATUS COMMAND...
	local name=$1 want=$2 got
	shift 2
	"$@" > /tmp/objheap-report-selftest.$$ 2>&1
	got=$?
	if { [ "$want" = fail ] && [ $got != 0 ]; } || { [ "$want" = pass ] && [ $got = 0 ]; }; then
		passed=$((passed + 1))
		echo "ok $name ($want)"
	else
		failed=$((failed + 1))
		echo "not ok $name: expected $want, judge exited $got"
		sed 's/^/    /' /tmp/objheap-report-selftest.$$
	fi
}

for f in "$here"/testdata/splats/*.log; do
	check "splat $(basename "$f")" fail "$here/report.py" --scan-only "$f"
done
for f in "$here"/testdata/clean/*.log; do
	[ -e "$f" ] || continue
	check "clean $(basename "$f")" pass "$here/report.py" --scan-only "$f"
done
for d in "$here"/testdata/runs/*/; do
	[ -e "$d/expect" ] || continue
	read -r want suites < "$d/expect"
	tmp=$(mktemp -d)
	cp "$d"/*.log "$tmp/"
	check "run $(basename "$d")" "$want" "$here/report.py" --kunit-py "$kunit_py" \
		--suites "$suites" "$tmp"
	rm -rf "$tmp"
done
# Recorded mutation runs (mutants.sh --record): each must show its mutant
# killed, by a failed selftest or a kernel report.
survives() {
	! grep -qE '^not ok [0-9]+ ' "$1/results.log" &&
		"$here/report.py" --scan-only "$1/console.log" > /dev/null
}
for d in "$here"/testdata/mutants/*/; do
	[ -e "$d/results.log" ] || continue
	check "mutant $(basename "$d") killed" fail survives "$d"
done
rm -f /tmp/objheap-report-selftest.$$
echo "host: $passed passed, $failed failed"
[ $failed = 0 ]
