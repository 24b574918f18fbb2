#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make fuzz: libFuzzer on the dispatcher and the collector (fuzz_ops.c),
# ASan and UBSan, for FUZZ_SECONDS, from the seed corpus and what earlier
# runs found; prints executions per second and the coverage reached. A
# finding fails it, and its input is kept in tests/userland/build/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OBJHEAP_CACHE:-$HOME/.cache/objheap}
# The binary in this tree's build/ (objects of one source tree only); the
# corpus, which is only data, in the cache.
out=$here/build
corpus=$cache/fuzz-corpus
make -C "$here" OUT="$out" CC=clang FUZZ=1 fuzz
mkdir -p "$corpus"
tar -xJf "$here/corpus.tar.xz" -C "$corpus" --strip-components=1
cd "$corpus"
set +e
"$out/clang-address-undefined-fuzz/fuzz_ops" -max_total_time="${FUZZ_SECONDS:-300}" \
	-max_len=4096 -print_final_stats=1 -print_pcs=0 -artifact_prefix="$out/" . \
	> "$out/fuzz.log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+ +DONE|^stat::|mismatch|ERROR|SUMMARY|Test unit written' "$out/fuzz.log" || true
cov=$(grep -oE 'cov: [0-9]+' "$out/fuzz.log" | tail -n 1 | cut -d' ' -f2)
pcs=$(grep -oE 'inline 8-bit counters\): [0-9]+' "$out/fuzz.log" | head -n 1 | grep -oE '[0-9]+$')
echo "fuzz: $(grep -oE 'number_of_executed_units: [0-9]+' "$out/fuzz.log" | grep -oE '[0-9]+$') executions," \
	"$(grep -oE 'average_exec_per_sec: +[0-9]+' "$out/fuzz.log" | grep -oE '[0-9]+$')/s," \
	"coverage ${cov:-?} of ${pcs:-?} edges; corpus $(ls | wc -l) inputs in $corpus"
[ "$rc" = 0 ] || echo "fuzz: FAILED (status $rc); the input is in $out/crash-*: replay it with $out/gcc-address-undefined/fuzz_replay FILE (make -C tests/userland replay builds it)"
exit "$rc"
