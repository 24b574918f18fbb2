#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build everything for one kernel and run a job in the QEMU VM.
# usage: KVER=6.12|6.1 [FLAVOUR=debug|bench|stock] vmtest.sh JOB
#   check:      lint, build, KUnit + selftests in the VM, judge the logs
#   try:        the module at work in a VM on Debian's stock kernel: no
#               kernel build, KVM if a probe boot works, else TCG
#   demo:       the same on the debug kernel if it is built, else as try
#   shell:      an interactive shell in the VM with the module loaded
#   bench:      the benchmark suite (use FLAVOUR=bench); BENCH_QUICK=1 runs
#               a small version and leaves bench/ alone
#   selftest:   only the selftests named in ONLY (e.g. ONLY="gc_test
#               ops_test_32"), no KUnit: a quick loop while writing a test
set -euo pipefail
flavour_given=${FLAVOUR:-}
. "$(dirname "$0")/common.sh"

job=${1:-check}
case "$job" in check|try|demo|shell|bench|selftest) ;; *) die "unknown job '$job'" ;; esac
# try is the demo on the stock kernel; demo falls back to it until make
# check (or FLAVOUR=debug make demo) has built the debug kernel.
if [ "$job" = try ] ||
   { [ "$job" = demo ] && [ -z "$flavour_given" ] && [ ! -f "$KERNEL_IMAGE" ]; }; then
	[ "$job" = try ] || echo "demo: no debug kernel in $KBUILD_DIR yet: on Debian's stock kernel, as make try (FLAVOUR=debug make demo builds one)"
	export FLAVOUR=stock
	. "$VMDIR/common.sh"
fi
# What the VM shows a user (try, demo) runs under KVM where it works.
demo_job() { [ "$job" = try ] || [ "$job" = demo ]; }

LOGDIR=$OUT_DIR/logs/$job
mkdir -p "$OUT_DIR"
RUN_START=$(date +%s)

phase() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	printf '== %s (kernel %s)\n' "$name" "$KVER"
	"$@" || rc=$?
	printf '== %s: %ss%s\n' "$name" $(($(date +%s) - t0)) \
		"$([ $rc = 0 ] || echo ", FAILED (status $rc)")"
	return $rc
}

fail_run() {
	echo "FAIL: $*"
	echo "0 passed, 1 failed"
	exit 1
}

# Lint: checkpatch --strict on every C file of ours, with the tree's script.
lint() {
	local files
	# Not the userland shim: it re-creates kernel headers (typedefs, the
	# kernel's own macros), as tools/include does, outside checkpatch's rules.
	mapfile -t files < <(cd "$REPO" && git ls-files -co --exclude-standard \
		'*.c' '*.h' ':!tests/userland/shim/*' 2>/dev/null ||
		find module include tests userspace -name '*.[ch]' -not -path '*/userland/shim/*')
	local out rc=0
	out=$(cd "$REPO" && "$SRC_DIR/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types --ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
		-f "${files[@]}" 2>&1) || rc=$?
	grep -Ev '^(total: 0 errors, 0 warnings, 0 checks.*)?$' <<<"$out" || true
	echo "checkpatch --strict: ${#files[@]} files"
	return $rc
}

# The module is built from a copy in the cache, so that the two kernels'
# objects never mix and the work tree stays clean. Objects built from other
# sources (a negative control, a worktree) are never reused: when the
# sources' digest changes, the copy starts clean. W=1 and sparse must be
# silent: any warning fails the build.
build_module() {
	local kmod=$OUT_DIR/kmod out digest sources
	# The one list of what Kbuild compiles: hashed, and copied when changed.
	sources=$(cd "$REPO" && find Kbuild module include tests/kunit tests/bench \
		-type f \( -name '*.[ch]' -o -name Kbuild \) 2>/dev/null | sort)
	digest=$(cd "$REPO" && xargs sha256sum <<<"$sources" | sha256sum)
	if [ "$(cat "$kmod/digest" 2>/dev/null)" != "$digest" ]; then
		rm -rf "$kmod"
		mkdir -p "$kmod"
		(cd "$REPO" && cpio -pdm --quiet "$kmod/src" <<<"$sources")
	fi
	# sparse doubles the build: what a user runs (try, demo) skips it.
	local sparse=(C=2 CHECK=sparse)
	! demo_job || sparse=()
	out=$(make -C "$KBUILD_DIR" M="$kmod/src" W=1 "${sparse[@]}" \
		-j"$JOBS" modules 2>&1) || { echo "$out"; return 1; }
	echo "$digest" > "$kmod/digest"
	if grep -E 'warning:|error:' <<<"$out"; then
		echo "module build is not W=1/sparse clean"
		return 1
	fi
}

build_userspace() {
	local only=() t name
	if demo_job; then
		make -s -C "$REPO/userspace" OUT="$OUT_DIR/userspace" WERROR=1 -j"$JOBS"
		return
	fi
	if [ "$job" = selftest ]; then
		rm -f "$OUT_DIR"/selftests/*_test*
		for t in ${ONLY:-}; do only+=("$OUT_DIR/selftests/$t"); done
		[ ${#only[@]} -gt 0 ] || die "selftest: name the tests in ONLY"
	fi
	# A test whose source is gone must not run from an old build.
	for t in "$OUT_DIR"/selftests/*_test*; do
		[ -e "$t" ] || continue
		name=${t##*/}
		[ -f "$REPO/tests/selftests/${name%_32}.c" ] || rm -f "$t"
	done
	make -s -C "$REPO/tests/selftests" OUT="$OUT_DIR/selftests" \
		KSFT_DIR="$SRC_DIR/tools/testing/selftests" -j"$JOBS" "${only[@]}"
	# Every test source must give both binaries: the selftests' Makefile
	# leaves out the 32-bit ones when gcc-multilib is missing, which must
	# not drop the compat coverage silently.
	if [ "$job" = check ]; then
		for t in "$REPO"/tests/selftests/*_test.c; do
			name=${t##*/}
			name=${name%.c}
			for b in "$name" "${name}_32"; do
				[ -x "$OUT_DIR/selftests/$b" ] ||
					{ echo "selftest $b was not built"; return 1; }
			done
		done
	fi
	make -s -C "$REPO/userspace" OUT="$OUT_DIR/userspace" WERROR=1 -j"$JOBS"
	make -s -C "$REPO/tests/bench" OUT="$OUT_DIR/bench" -j"$JOBS"
}

pack() {
	local krel mods=("$OUT_DIR"/kmod/src/*.ko)
	local bins=("$OUT_DIR"/userspace/bin/*)
	# The stock kernel's check loads the module DKMS built and signed.
	[ "$job" != check ] || [ "$FLAVOUR" != stock ] || mods=("$OUT_DIR/dkms/objheap.ko")
	# The release the module was built for (Debian's 6.1 headers hold the
	# upstream one in include/config/kernel.release).
	krel=$(modinfo -F vermagic "${mods[0]}" | cut -d' ' -f1)
	# Only the benchmark VM carries Debian's python3 (some 10 MB).
	[ "$job" != bench ] || export OHVM_PYTHON=$REPO/tests/bench/cpython_bench.py
	demo_job || bins+=("$OUT_DIR"/selftests/*_test* "$OUT_DIR"/bench/ohbench-*)
	"$VMDIR/mkinitramfs.sh" "$OUT_DIR/initramfs.cpio.gz" "$krel" \
		"${mods[@]}" -- "${bins[@]}"
}

# DKMS as a user runs it (make dkms-install, make dkms-remove), for the
# stock kernel's headers, in private trees of the cache: Debian's dkms
# builds and signs objheap.ko (a MOK key made in the cache, never the
# machine's), installs it; the VM then loads that module. Nothing is
# written outside the cache.
DKMS_DIR=$OBJHEAP_CACHE/dkms/$KVER
dkms_module() {
	local d=$DKMS_DIR flags ko signer
	rm -rf "$d" "$OUT_DIR/dkms"
	mkdir -p "$d/tree" "$d/src" "$d/install/$STOCK_RELEASE" "$OUT_DIR/dkms"
	flags="--dkmstree $d/tree --sourcetree $d/src --installtree $d/install"
	flags="$flags --kernelsourcedir $KBUILD_DIR --no-depmod"
	export sign_file=$KBUILD_DIR/scripts/sign-file
	export mok_signing_key=$d/mok.key mok_certificate=$d/mok.pub
	make -s -C "$REPO" dkms-install DKMS_SOURCETREE="$d/src" \
		DKMS_FLAGS="$flags" KVERSION="$STOCK_RELEASE" > "$d/install.log" 2>&1 ||
		{ cat "$d/install.log"; echo "make dkms-install failed"; return 1; }
	# shellcheck disable=SC2086 # flags are words
	dkms status objheap $flags 2>/dev/null | tee "$d/status" |
		grep -q ", $STOCK_RELEASE, x86_64: installed" ||
		{ cat "$d/status"; echo "dkms status: not installed"; return 1; }
	ko=$d/install/$STOCK_RELEASE/updates/dkms/objheap.ko
	case "$(ls "$ko"* 2>/dev/null)" in
	*.xz) xz -dc "$ko.xz" > "$OUT_DIR/dkms/objheap.ko" ;;
	"$ko") cp "$ko" "$OUT_DIR/dkms/objheap.ko" ;;
	*) echo "dkms installed no objheap.ko in ${ko%/*}"; return 1 ;;
	esac
	signer=$(modinfo -F signer "$OUT_DIR/dkms/objheap.ko")
	[ "$signer" = "DKMS module signing key" ] ||
		{ echo "the DKMS module is not signed with DKMS's MOK key (signer '$signer')"; return 1; }
	[ "$(modinfo -F vermagic "$OUT_DIR/dkms/objheap.ko" | cut -d' ' -f1)" = "$STOCK_RELEASE" ] ||
		{ echo "the DKMS module is not built for $STOCK_RELEASE"; return 1; }
	echo "dkms: objheap $(modinfo -F version "$OUT_DIR/dkms/objheap.ko") built, signed ($signer) and installed for $STOCK_RELEASE"
	make -s -C "$REPO" dkms-remove DKMS_SOURCETREE="$d/src" DKMS_FLAGS="$flags" \
		> "$d/remove.log" 2>&1 || { cat "$d/remove.log"; echo "make dkms-remove failed"; return 1; }
	# shellcheck disable=SC2086 # flags are words
	if [ -n "$(dkms status objheap $flags 2>/dev/null)" ] || ls "$ko"* > /dev/null 2>&1 ||
	   [ -n "$(ls -A "$d/src")" ]; then
		echo "make dkms-remove left objheap behind"
		return 1
	fi
	echo "dkms: make dkms-remove removed it"
}

# The README's build on a real machine, for the stock kernel's headers,
# in a copy of the tree: make builds the module, liboheap and the tools
# where the README says; make modules_install puts the module where
# modprobe finds it (INSTALL_MOD_PATH: a scratch root, not this machine).
readme_build() {
	local copy root rel=$STOCK_RELEASE f rc=0
	copy=$(work_copy)
	root=$copy/.modroot
	make -s -C "$copy" KDIR="$KBUILD_DIR" > "$copy/.build.log" 2>&1 ||
		{ cat "$copy/.build.log"; rm -rf "$copy"; echo "make KDIR=... failed"; return 1; }
	for f in objheap.ko userspace/bin/ohctl userspace/bin/ohprof userspace/lib/liboheap.so.1 \
		 userspace/lib/liboheap.a; do
		[ -e "$copy/$f" ] || { echo "make built no $f"; rc=1; }
	done
	make -s -C "$copy" KDIR="$KBUILD_DIR" INSTALL_MOD_PATH="$root" modules_install \
		> "$copy/.install.log" 2>&1 || { cat "$copy/.install.log"; rc=1; }
	ls "$root/lib/modules/$rel/updates/objheap.ko"* > /dev/null 2>&1 ||
		{ echo "make modules_install put no objheap.ko in /lib/modules/$rel/updates/"; rc=1; }
	[ $rc != 0 ] || echo "make: objheap.ko, liboheap and the tools built for $rel; modules_install: /lib/modules/$rel/updates/"
	rm -rf "$copy"
	return $rc
}

# The accelerator of a VM a user watches: KVM if a probe boot under it
# works (tests/vm/accel.sh), else TCG, and say which.
choose_accel() {
	local verdict
	if [ -n "${VM_ACCEL:-}" ]; then
		echo "vm: accelerator ${VM_ACCEL} (VM_ACCEL)"
		return
	fi
	verdict=$("$VMDIR/accel.sh" "$OUT_DIR/initramfs.cpio.gz")
	if [ "$verdict" = kvm ]; then
		export VM_ACCEL=kvm
		echo "vm: accelerator KVM (a probe boot worked)"
	else
		export VM_ACCEL=tcg
		echo "vm: accelerator TCG, ${verdict#tcg: }"
	fi
}

# What ohctl demo must have shown: the list freed by counting, the cycle
# found by the collector, collections from the workqueue in the event
# stream, an empty heap at the end.
check_demo() {
	local log=$1 ok=1 line
	for line in "heap after the drops: 0 objects, 0 bytes" \
		    "heap with the cycle unreachable: 2 objects" \
		    "collect(0): scanned 2, collected 2, freed 2" \
		    "heap after the collection: 0 objects, 0 bytes" \
		    "heap at the end: 0 objects, 0 bytes"; do
		grep -qF "$line" "$log" || { echo "demo: missing \"$line\""; ok=0; }
	done
	grep -qE '^  \.\.\. [1-9][0-9]* collections reported by the event stream' "$log" ||
		{ echo "demo: the event stream reported no collection"; ok=0; }
	[ $ok = 1 ] && echo "demo: objheap works (counting, the cycle collector, the event stream)"
	[ $ok = 1 ]
}

# make try inside make check (stock kernel): what a new user runs first,
# its output checked.
try_phase() {
	local log=$OUT_DIR/try.log
	"$REPO/tests/vm/vmtest.sh" try > "$log" 2>&1 || { tail -n 30 "$log"; return 1; }
	grep -E '^vm: accelerator|^== try: ' "$log" || true
	grep -q '^vm: accelerator' "$log" || { echo "try: did not say its accelerator"; return 1; }
	check_demo "$log"
}

VM_STATUS=0
# The VM's init knows try as the demo.
vm_job=$job
[ "$job" != try ] || vm_job=demo
vm() {
	mkdir -p "$LOGDIR"
	rm -f "$LOGDIR/boot-retry.log"
	if demo_job; then
		# A user watches: the results as they come.
		"$VMDIR/run-vm.sh" "$vm_job" "$OUT_DIR/initramfs.cpio.gz" "$LOGDIR" &
		local qpid=$!
		sleep 0.5
		tail -n +1 -F --pid=$qpid "$LOGDIR/results.log" 2>/dev/null |
			grep --line-buffered -v '^objheap-vm: ' || true
		wait $qpid || VM_STATUS=$?
	else
		"$VMDIR/run-vm.sh" "$vm_job" "$OUT_DIR/initramfs.cpio.gz" "$LOGDIR" || VM_STATUS=$?
	fi
	# Under multi-threaded TCG a kernel can crash while it boots (seen:
	# Oops: int3 in a timer softirq, the kernel's int3-based code patching
	# racing with another vCPU). A kernel report before init's first
	# marker cannot be objheap's, whose module is not loaded yet: boot
	# once more, and say so. Anything later is never retried.
	if boot_crashed "$LOGDIR/console.log"; then
		mv "$LOGDIR/console.log" "$LOGDIR/boot-retry.log"
		echo "vm: the kernel crashed before init, objheap not loaded; booting once more:"
		"$VMDIR/report.py" --scan-only "$LOGDIR/boot-retry.log" /dev/null | head -n 3 | sed 's/^/vm:   /'
		VM_STATUS=0
		"$VMDIR/run-vm.sh" "$vm_job" "$OUT_DIR/initramfs.cpio.gz" "$LOGDIR" || VM_STATUS=$?
		! demo_job || grep -v '^objheap-vm: ' "$LOGDIR/results.log" || true
	fi
	[ "$VM_STATUS" != 124 ] || echo "the VM was killed after ${VM_TIMEOUT:-2400}s"
	return 0
}

# Did the kernel report a problem before init's first marker (or with no
# marker at all)?
boot_crashed() {
	local before
	before=$(sed '/objheap-vm: init/q' "$1" 2>/dev/null)
	grep -q 'objheap-vm: init' <<<"$before" && before=$(head -n -1 <<<"$before")
	! "$VMDIR/report.py" --scan-only <(printf '%s\n' "$before") /dev/null > /dev/null 2>&1
}

# Draw the ohprof CSV the VM handed back (ttyS2) on the host: the run
# must have sampled memory and seen collections, the plot must be a PNG.
plot_profile() {
	local csv=$LOGDIR/ohprof.csv png=$LOGDIR/ohprof.png
	tr -d '\r' < "$LOGDIR/files.log" > "$csv"
	awk -F, '/^[0-9]/ { n++; if ($4 > b) b = $4; c = $6 }
		END { if (n < 3 || b == 0 || c == 0) {
			printf "ohprof CSV: %d samples, max bytes %d, %d collections\n", n, b, c
			exit 1 } }' "$csv" || return 1
	rm -f "$png"
	"$OUT_DIR/userspace/bin/ohprof" plot -o "$png" "$csv" > /dev/null || return 1
	[ "$(head -c 4 "$png" | od -An -tx1 | tr -d ' ')" = 89504e47 ] ||
		{ echo "$png is not a PNG"; return 1; }
	echo "ohprof plot: $png"
}

# Tables, JSON and plots from the bench lines; a full run updates bench/.
bench_report() {
	local out=$REPO/bench
	[ "${BENCH_QUICK:-0}" = 0 ] || out=$LOGDIR/report
	python3 "$REPO/tests/bench/report.py" --results "$LOGDIR/results.log" \
		--config "$KBUILD_DIR/.config" --out "$out" \
		--native "$REPO/bench/NATIVE.md" \
		--qemu "$("$VMDIR/run-vm.sh" --print-command)" || return 1
	echo "benchmark report: $out/RESULTS.md"
}

# Host tests: the log judge against recorded logs, make install, the man
# pages' lint, the licence headers, make try's KVM probe, and the
# benchmark report against a recorded run, the userland harness.
host_selftest() {
	local rc=0
	"$VMDIR/test_report.sh" "$SRC_DIR/tools/testing/kunit/kunit.py" || rc=1
	"$REPO/tests/host/install_test.sh" || rc=1
	"$REPO/tests/host/man_test.sh" || rc=1
	"$REPO/tests/host/license_test.sh" || rc=1
	"$REPO/tests/host/accel_test.sh" || rc=1
	"$REPO/tests/host/bench_report_test.sh" || rc=1
	"$REPO/tests/host/userland_test.sh" || rc=1
	return $rc
}

phase deps "$VMDIR/deps.sh" || fail_run "dependencies"
if [ "$FLAVOUR" = stock ]; then
	# The source tree (the kselftest harness, kunit.py's parser), unpacked
	# but not built; what a user watches (try, demo) needs none of it.
	demo_job || phase source env FLAVOUR=debug "$VMDIR/build-kernel.sh" --source-only || fail_run "kernel source"
	phase kernel "$VMDIR/stock-kernel.sh" || fail_run "stock kernel download"
	. "$VMDIR/common.sh"	# the paths of the release just unpacked
	# The VM's init runs the selftests without KUnit and lets the tests
	# that need a debug kernel's fault injection skip.
	export VM_APPEND="ohstock=1 ${VM_APPEND:-}"
	# Its check loads the module DKMS built; the VM checks the signer.
	[ "$job" != check ] || VM_APPEND="ohdkms=1 $VM_APPEND"
else
	phase kernel "$VMDIR/build-kernel.sh" || fail_run "kernel build"
fi
if [ "$job" = check ] && [ "$FLAVOUR" != stock ]; then
	phase lint lint || fail_run "checkpatch --strict found problems"
fi
# The host tests do not depend on KVER: HOST_TESTS=0 skips them (CI runs
# them with its first kernel only).
if [ "$job" = check ] && [ "$FLAVOUR" != stock ] && [ "${HOST_TESTS:-1}" != 0 ]; then
	phase host-selftest host_selftest > "$OUT_DIR/host-selftest.log" 2>&1 ||
		{ cat "$OUT_DIR/host-selftest.log"; fail_run "host tests (log judge, make install, man pages, licences)"; }
	grep '^host: ' "$OUT_DIR/host-selftest.log"
fi
phase module build_module || fail_run "module build"
if [ "$job" = check ] && [ "$FLAVOUR" = stock ]; then
	phase readme-build readme_build || fail_run "the README's build and modules_install"
	phase dkms dkms_module || fail_run "DKMS"
fi
phase userspace build_userspace || fail_run "userspace build"
phase initramfs pack || fail_run "initramfs"

case "$job" in
shell)
	exec "$VMDIR/run-vm.sh" shell "$OUT_DIR/initramfs.cpio.gz"
	;;
try|demo|bench|selftest)
	[ "$job" != bench ] || [ "${BENCH_QUICK:-0}" = 0 ] || export VM_APPEND=ohbench=quick
	! demo_job || choose_accel
	phase vm vm
	! demo_job || phase plot plot_profile || fail_run "ohprof plot"
	[ "$job" != bench ] || phase bench-report bench_report || fail_run "benchmark report"

	demo_job || grep -v '^objheap-vm: ' "$LOGDIR/results.log" || true
	"$VMDIR/report.py" --scan-only "$LOGDIR/console.log" "$LOGDIR/results.log" ||
		fail_run "the kernel reported a problem during the $job"
	grep -q 'objheap-vm: done' "$LOGDIR/results.log" ||
		fail_run "the $job VM did not finish (status $VM_STATUS)"
	[ "$job" != selftest ] || ! grep -q '^not ok' "$LOGDIR/results.log" ||
		fail_run "a selftest failed"
	! demo_job || check_demo "$LOGDIR/results.log" || fail_run "ohctl demo did not show objheap at work"
	echo "$job logs: $LOGDIR (kernel $KVER-$FLAVOUR)"
	! demo_job || echo "== $job: $(($(date +%s) - RUN_START))s; the profile's plot: $LOGDIR/ohprof.png"
	;;
check)
	phase vm vm
	# Its verdict joins the report's (one more host test), not a run failure.
	host_failed=()
	plot_ok=0
	if phase plot plot_profile; then
		plot_ok=1
	else
		host_failed=(--host-failed "ohprof plot of the VM's profile")
	fi
	# The first run a user makes, on the stock kernel: one more host test.
	if [ "$FLAVOUR" = stock ]; then
		if phase try try_phase; then
			plot_ok=$((plot_ok + 1))
		else
			host_failed+=(--host-failed "make try")
		fi
	fi
	suites=$(cat "$REPO"/tests/kunit/*.c |
		grep -cE '^(static )?struct kunit_suite [a-z0-9_]+ = \{') || true
	stock=()
	[ "$FLAVOUR" != stock ] || { suites=0; stock=(--stock); }
	host_passed=$(awk '/^host: [0-9]+ passed/ { n += $2 } END { print n + 0 }' \
		"$OUT_DIR/host-selftest.log" 2>/dev/null || true)
	rc=0
	phase report "$VMDIR/report.py" --kunit-py "$SRC_DIR/tools/testing/kunit/kunit.py" \
		--suites "$suites" --vm-status "$VM_STATUS" \
		--host-passed "$((${host_passed:-0} + plot_ok))" "${host_failed[@]}" \
		"${stock[@]}" "$LOGDIR" > "$LOGDIR/report.txt" || rc=$?
	head -n -1 "$LOGDIR/report.txt"
	# The reliability tests' figures (docs/RELIABILITY.md), 64- and 32-bit.
	grep -hE '^ *(# )?(stress: seed=.* workers=|faults: |badinput: |lifecycle: |limits: |cgroup: )' \
		"$LOGDIR/results.log" | sed -E 's/^ *(# )?/figure: /' || true
	echo "== total: $(($(date +%s) - RUN_START))s (kernel $KVER-$FLAVOUR)"
	tail -n 1 "$LOGDIR/report.txt"
	exit $rc
	;;
esac
