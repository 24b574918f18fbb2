#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the manual pages (docs/man/*.[1-8]): mandoc's linter and
# man-db's groff warnings are silent, each page's NAME and .TH agree with
# its file name, and every ioctl of the ABI header and every function of
# liboheap's header is documented, so that a new one without a page fails.
# Needs mandoc and man-db.
# usage: man_test.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/host/common.sh
. "$(dirname "$0")/common.sh"
man_dir=$repo/docs/man
uapi=$repo/include/uapi/linux/objheap.h
lib_header=$repo/userspace/liboheap/oheap.h

silent() {	# silent COMMAND...: it succeeds and prints nothing at all
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 0 ] && [ -z "$out" ]
}

man_warnings() {	# man_warnings PAGE: groff's warnings, the page thrown away
	local err rc
	err=$(MANWIDTH=80 man --warnings -l -E UTF-8 "$1" 2>&1 > /dev/null)
	rc=$?
	printf '%s\n' "$err"
	[ "$rc" = 0 ] && [ -z "$err" ]
}

names_page() {	# names_page PAGE: .TH and NAME agree with the file name
	local page=$1 base name suffix title section names
	base=$(basename "$page")
	name=${base%.*}
	suffix=${base##*.}
	read -r title section < <(awk '$1 == ".TH" {
		gsub(/"/, ""); print $2, $3; exit }' "$page")
	if [ "${title,,}" != "${name,,}" ] || [ "$section" != "$suffix" ]; then
		echo ".TH says $title($section), the file is $name($suffix)"
		return 1
	fi
	# The names: the NAME section's text up to " \- ".
	names=$(awk '/^\.SH/ { f = $2 == "NAME"; next } f' "$page" |
		tr '\n' ' ' | sed 's/ \\- .*//; s/,/ /g')
	if ! tr -s ' ' '\n' <<< "$names" | grep -qxF "$name"; then
		echo "NAME lists '$names', not $name"
		return 1
	fi
}

documents() {	# documents PAGE NAME...: each NAME is a word of PAGE
	local page=$1 missing=
	shift
	for n in "$@"; do
		grep -qw -- "$n" "$page" || missing="$missing $n"
	done
	[ -z "$missing" ] || { echo "not in $(basename "$page"):$missing"; return 1; }
}

check "mandoc is installed" command -v mandoc
check "man-db's man is installed" sh -c 'man --version | grep -q "man "'
pages=()
for page in "$man_dir"/*.[1-8]; do
	[ -e "$page" ] && pages+=("$page")
done
check "docs/man has pages" test "${#pages[@]}" -gt 0
for page in "${pages[@]}"; do
	rel=docs/man/$(basename "$page")
	check "$rel: mandoc -T lint -W warning is silent" \
		silent mandoc -T lint -W warning "$page"
	check "$rel: man --warnings is silent" man_warnings "$page"
	check "$rel: .TH and NAME match the file name" names_page "$page"
done

# The ioctls: every OBJHEAP_IOC_* the header defines as a command.
mapfile -t ioctls < <(grep -oE '^#define[[:space:]]+OBJHEAP_IOC_[A-Z0-9_]+[[:space:]]+_IO' \
	"$uapi" | awk '{ print $2 }')
check "the ABI header defines ioctls" test "${#ioctls[@]}" -gt 0
check "objheap.4 documents every ioctl (${#ioctls[@]})" \
	documents "$man_dir/objheap.4" "${ioctls[@]}"

# The functions: every oheap_* the library header declares, except the
# debugfs helpers of the tools.
mapfile -t funcs < <(grep -oE '\boheap_[a-z0-9_]+[[:space:]]*\(' "$lib_header" |
	sed 's/[[:space:]]*($//' | grep -v '^oheap_debugfs_' | sort -u)
check "oheap.h declares functions" test "${#funcs[@]}" -gt 0
check "liboheap.3 documents every function (${#funcs[@]})" \
	documents "$man_dir/liboheap.3" "${funcs[@]}"
host_summary
