#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The userland harness (tests/userland): its tests under ASan and UBSan,
# the seed corpus replayed against the model, the concurrent paths under
# ThreadSanitizer, a short libFuzzer run, and the algorithms' mutants,
# each of which both the tests and the corpus must kill.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/host/common.sh"
. "$repo/tests/vm/mutate.sh"
REPO=$repo
U=$repo/tests/userland
# A build of its own each run: objects of another clone (or of an older
# run) in a shared directory would pass make's timestamps as up to date.
out=$tmp/userland
mkdir -p "$out"

# Each utest line "ok N name" is one host test.
tap() {	# tap NAME BINARY
	local line
	"$2" > "$tmp/tap" 2>&1
	while read -r line; do
		case "$line" in
		"ok "*) passed=$((passed + 1)); echo "ok $1: ${line#ok * }" ;;
		"not ok "*) failed=$((failed + 1)); echo "not ok $1: ${line#not ok * }"
			grep '^#' "$tmp/tap" | sed 's/^/    /' ;;
		esac
	done < "$tmp/tap"
	grep -q '^1\.\.[1-9]' "$tmp/tap" || { failed=$((failed + 1)); echo "not ok $1: no test ran"; cat "$tmp/tap"; }
}

check "userland build (ASan, UBSan)" make -C "$U" OUT="$out" build \
	"$out/gcc-address-undefined/fuzz_replay"
tap userland "$out/gcc-address-undefined/core_test"
tap userland "$out/gcc-address-undefined/threads_test"
check "seed corpus replayed against the model" make -C "$U" OUT="$out" replay
check "userland build (TSan)" make -C "$U" OUT="$out" SAN=thread \
	"$out/gcc-thread/threads_test"
tap tsan "$out/gcc-thread/threads_test"

# libFuzzer from the seed corpus, briefly: no mismatch, report, leak.
fuzz_brief() {
	local corpus=$out/fuzz-brief
	make -C "$U" OUT="$out" CC=clang FUZZ=1 fuzz || return 1
	rm -rf "$corpus" && mkdir -p "$corpus" && tar -xJf "$U/corpus.tar.xz" -C "$corpus" || return 1
	(cd "$out" && "$out/clang-address-undefined-fuzz/fuzz_ops" -max_total_time="${FUZZ_BRIEF_SECONDS:-20}" \
		-max_len=4096 -print_final_stats=1 "$corpus/corpus")
}
check "libFuzzer, ${FUZZ_BRIEF_SECONDS:-20} s from the seed corpus" fuzz_brief
grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$tmp/out" | sed 's/^/figure: fuzz /'

# A mutant must fail the tests, and the corpus replay on its own.
mutant_run() {	# mutant_run MUTANT WHAT
	local work=$tmp/m-$1 rc
	rm -rf "$work" && mkdir -p "$work/tests"
	cp -r "$repo/module" "$repo/include" "$work/" &&
	cp -r "$repo/tests/userland" "$repo/tests/model" "$work/tests/" || return 2
	rm -rf "$work/tests/userland/build"
	mutate "$1" "$work" || return 2
	if [ "$2" = tests ]; then
		make -C "$work/tests/userland" OUT="$work/build" build > "$work/log" 2>&1 || return 2
		"$work/build/gcc-address-undefined/core_test" >> "$work/log" 2>&1
	else
		make -C "$work/tests/userland" OUT="$work/build" \
			"$work/build/gcc-address-undefined/fuzz_replay" > "$work/log" 2>&1 || return 2
		make -C "$work/tests/userland" OUT="$work/build" replay >> "$work/log" 2>&1
	fi
	rc=$?
	tail -n 5 "$work/log"
	[ $rc != 0 ]
}
for m in "${all[@]}"; do
	check "mutant $m killed by the userland tests" mutant_run "$m" tests
	check "mutant $m killed by the seed corpus" mutant_run "$m" corpus
done
host_summary
