#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the benchmark report (tests/bench/report.py) on a recorded
# run of "make bench": it writes the tables, JSON and plots, puts the aims
# first, and fails when a figure is missing, a line is malformed or a
# benchmark reported an error, so that a broken run cannot pass as results.
# usage: bench_report_test.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/host/common.sh
. "$(dirname "$0")/common.sh"
log=$repo/tests/bench/testdata/results.log
report=$repo/tests/bench/report.py

run() {	# run LOG OUTDIR: the report's exit status
	python3 "$report" --results "$1" --config /dev/null --qemu qemu --out "$2"
}

check "a recorded run is reported" run "$log" "$tmp/ok"
for f in RESULTS.md results.json gc_full.svg gc_young.svg; do
	check "it writes $f" test -s "$tmp/ok/$f"
done
check "the aims come first" sh -c "grep -m1 '^## ' '$tmp/ok/RESULTS.md' | grep -q Aims"
check "the JSON holds every figure" python3 -c "
import json, sys
d = json.load(open('$tmp/ok/results.json'))
n = sum(1 for l in open('$log') if l.startswith('bench: ') and 'group=meta' not in l)
sys.exit(0 if len(d['figures']) == n and len(d['aims']) >= 10 else 1)"
check "the VM's CPU and kernel are recorded" \
	grep -q 'kernel: 6.12' "$tmp/ok/RESULTS.md"

grep -v 'group=memory impl=cpython container=list2' "$log" > "$tmp/missing.log"
check "a missing figure fails the report" sh -c "! python3 '$report' --results '$tmp/missing.log' --config /dev/null --out '$tmp/m' 2> '$tmp/m.err' && grep -q 'missing figure: memory cpython' '$tmp/m.err'"
{ cat "$log"; echo "bench-error: ohbench-graph exited with status 1"; } > "$tmp/error.log"
check "a benchmark's error fails the report" sh -c "! python3 '$report' --results '$tmp/error.log' --config /dev/null --out '$tmp/e' 2>/dev/null"
{ cat "$log"; echo "bench: group=alloc impl=objheap median=x"; } > "$tmp/bad.log"
check "a malformed line fails the report" sh -c "! python3 '$report' --results '$tmp/bad.log' --config /dev/null --out '$tmp/b' 2>/dev/null"
host_summary
