# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the host tests: a scratch directory and check(), which runs
# one named test and prints "ok NAME" or "not ok NAME" with its output.
# Sourced, not run; the caller ends with host_summary.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() {	# check NAME COMMAND...
	local name=$1
	shift
	if "$@" > "$tmp/out" 2>&1; then
		passed=$((passed + 1))
		echo "ok $name"
	else
		failed=$((failed + 1))
		echo "not ok $name"
		sed 's/^/    /' "$tmp/out"
	fi
}

host_summary() {	# the line vmtest.sh counts; fails if any test did
	echo "host: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}
