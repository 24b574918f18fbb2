#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the licence metadata, kept as the kernel keeps it (COPYING,
# LICENSES/, Documentation/process/license-rules.rst): every tracked file
# of a kind that carries a licence header (C, shell, Python, Makefile,
# Kbuild, #! scripts such as tests/vm/init, man pages) has exactly one
# SPDX-License-Identifier line in its first 3 lines; every licence and
# exception an identifier names resolves to a file under LICENSES/ through
# that file's Valid-License-Identifier or SPDX-Exception-Identifier tag (as
# the kernel's scripts/spdxcheck.py reads them), an exception only WITH a
# licence its SPDX-Licenses tag names; every file under LICENSES/ is used,
# and COPYING names it and every identifier in use.
# "Tracked" is what git ls-files lists (the index: git add a new file to
# have it checked); LICENSES/ is read from the work tree.
# usage: license_test.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/host/common.sh
. "$(dirname "$0")/common.sh"
cd "$repo" || exit 1

list_files() {	# the tracked files, NUL-separated, into $tmp/files
	git ls-files -z > "$tmp/files" && [ -s "$tmp/files" ]
}
check "git lists the tracked files" list_files
[ -s "$tmp/files" ] || { host_summary; exit; }
mapfile -d '' -t files < "$tmp/files"

# One pass over the tracked files (a symlink has no header of its own; a
# file deleted in the work tree but still in the index has none to check):
# "F PATH N SHEBANG" per file, N its SPDX lines among lines 1-3, SHEBANG 1
# if it starts with #!; "E PATH EXPR" per identifier (tab-separated).
# shellcheck disable=SC2016 # the program is awk's
for f in "${files[@]}"; do
	[ -f "$f" ] && [ ! -L "$f" ] && printf '%s\0' "$f"
done | xargs -0 -r awk '
	function out() { if (cur != "") print "F\t" cur "\t" n "\t" sb }
	FNR == 1 { out(); cur = FILENAME; n = 0; sb = /^#!/ }
	FNR <= 3 && /SPDX-License-Identifier:/ {
		n++
		e = $0
		sub(/\r$/, "", e)
		sub(/.*SPDX-License-Identifier:[ \t]*/, "", e)
		sub(/[ \t]*\*\/[ \t]*$/, "", e)
		sub(/[ \t]+$/, "", e)
		print "E\t" FILENAME "\t" e
	}
	END { out() }' > "$tmp/scan"

declare -A spdx_lines=() shebang=()
while IFS=$'\t' read -r t f n sb; do
	[ "$t" = F ] || continue
	spdx_lines[$f]=$n shebang[$f]=$sb
done < "$tmp/scan"

# The kinds of file that carry a licence header, each checked on its own.
kind_of() {	# kind_of PATH: sets kind to its kind, or to nothing
	kind=
	case $1 in
	LICENSES/*) ;;
	*.c | *.h) kind="c" ;;
	*.sh) kind="sh" ;;
	*.py) kind="py" ;;
	Makefile | */Makefile | Kbuild | */Kbuild) kind="make" ;;
	docs/man/*) kind="man" ;;
	*) [ "${shebang[$1]:-0}" != 1 ] || kind="script" ;;
	esac
}
declare -A kind_name=([c]="C sources and headers" [sh]="shell scripts"
	[py]="Python scripts" [make]="Makefiles and Kbuild"
	[script]="other #! scripts (tests/vm/init ...)" [man]="man pages")
for k in c sh py make script man; do : > "$tmp/kind.$k"; done
for f in "${files[@]}"; do
	if [ ! -f "$f" ] || [ -L "$f" ]; then continue; fi
	kind_of "$f"
	[ -z "$kind" ] || printf '%s\0' "$f" >> "$tmp/kind.$kind"
done
# The identifiers in use: those of every file's header lines, not the
# licence texts' usage guides nor COPYING's quotes of them.
awk -F '\t' '$1 == "E" && $2 !~ /^LICENSES\// && $2 != "COPYING" { print $2 "\t" $3 }' \
	"$tmp/scan" > "$tmp/exprs"

headers() {	# headers KIND: each file of KIND has one SPDX line in lines 1-3
	local f n at rc=0
	while IFS= read -r -d '' f; do
		n=${spdx_lines[$f]:-0}
		[ "$n" != 1 ] || continue
		rc=1
		if [ "$n" = 0 ]; then
			at=$(grep -n -m 1 'SPDX-License-Identifier:' -- "$f" | cut -d: -f1)
			echo "$f: no SPDX-License-Identifier line in its first 3 lines${at:+ (one on line $at)}"
		else
			echo "$f: $n SPDX-License-Identifier lines in its first 3 lines"
		fi
	done < "$tmp/kind.$1"
	return $rc
}
for k in c sh py make script man; do
	# Man pages only once there are some.
	[ "$k" != man ] || [ -s "$tmp/kind.man" ] || continue
	check "SPDX line in the first 3 lines: ${kind_name[$k]}" headers "$k"
done

# What LICENSES/ provides: "licence ID FILE", "exception ID FILE" and
# "allows EXCEPTION LICENCE" lines (an exception's SPDX-Licenses tag).
find LICENSES -type f 2> /dev/null | LC_ALL=C sort > "$tmp/license_files"
while IFS= read -r f; do
	case $f in
	LICENSES/exceptions/*)
		awk -v f="$f" '{ sub(/\r$/, "") }
			/^SPDX-Exception-Identifier:/ { ex = $2; print "exception", ex, f }
			/^SPDX-Licenses:/ {
				gsub(/,/, " ")
				for (i = 2; i <= NF; i++)
					allowed[++n] = $i
			}
			END { for (i = 1; i <= n && ex != ""; i++) print "allows", ex, allowed[i] }' "$f" ;;
	LICENSES/preferred/* | LICENSES/dual/* | LICENSES/deprecated/*)
		awk -v f="$f" '{ sub(/\r$/, "") }
			/^Valid-License-Identifier:/ { print "licence", $2, f }' "$f" ;;
	esac
done < "$tmp/license_files" > "$tmp/provided"

lookup() {	# lookup licence|exception ID: the file under LICENSES/ it is in
	awk -v k="$1" -v id="$2" '$1 == k && $2 == id { print $3; exit }' "$tmp/provided"
}

# resolve EXPR: every licence and exception of the SPDX expression EXPR
# (identifiers joined by OR, AND, WITH, parentheses) resolves; the files
# it resolves to are appended to $tmp/used.
resolve() {
	local e=$1 tok prev="" with=0 f rc=0 n=0 toks
	read -ra toks <<< "${e//[()]/ }"
	for tok in "${toks[@]}"; do
		case $tok in
		OR | AND)
			with=0 ;;
		WITH)
			[ -n "$prev" ] || { echo "'$e': WITH follows no licence"; rc=1; }
			with=1 ;;
		*)
			n=$((n + 1))
			if ! [[ $tok =~ ^[A-Za-z0-9.+-]+$ ]]; then
				echo "'$e': '$tok' is not an SPDX identifier"; rc=1
			elif [ "$with" = 1 ]; then
				f=$(lookup exception "$tok")
				if [ -z "$f" ]; then
					echo "'$e': exception $tok: no LICENSES/exceptions/ file has 'SPDX-Exception-Identifier: $tok'"; rc=1
				else
					echo "$f" >> "$tmp/used"
					grep -qxF "allows $tok $prev" "$tmp/provided" ||
						{ echo "'$e': $f does not list $prev in its SPDX-Licenses"; rc=1; }
				fi
			else
				f=$(lookup licence "$tok")
				if [ -z "$f" ]; then
					echo "'$e': licence $tok: no LICENSES/{preferred,dual,deprecated}/ file has 'Valid-License-Identifier: $tok'"; rc=1
				else
					echo "$f" >> "$tmp/used"
				fi
				prev=$tok
			fi
			with=0 ;;
		esac
	done
	[ "$n" -gt 0 ] || { echo "'$e': names no licence"; rc=1; }
	[ "$rc" = 0 ] && echo "'$e' resolves"
	return $rc
}

copying_names() {	# copying_names TEXT [LINE]: COPYING has TEXT, or LINE as a line
	[ -f COPYING ] || { echo "no COPYING"; return 1; }
	if [ $# = 2 ]; then
		grep -qxF -- "$2" <(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' COPYING) && return
	else
		grep -qF -- "$1" COPYING && return
	fi
	echo "COPYING does not name $1${2:+ (no line: $2)}"
	return 1
}

: > "$tmp/used"
cut -f 2 "$tmp/exprs" | LC_ALL=C sort -u > "$tmp/distinct"
while IFS= read -r e; do
	uses=$(awk -F '\t' -v e="$e" '$2 == e { n++ }
		END { print n, n == 1 ? "file" : "files" }' "$tmp/exprs")
	check "'$e' ($uses) resolves in LICENSES/" resolve "$e"
	check "COPYING names '$e'" copying_names "$e" "SPDX-License-Identifier: $e"
done < "$tmp/distinct"

used() {	# used FILE: some identifier in use resolves to FILE
	grep -qxF -- "$1" "$tmp/used" && return
	if ! awk -v f="$1" '$3 == f && $1 != "allows" { found = 1 } END { exit !found }' "$tmp/provided"; then
		echo "$1 has no Valid-License-Identifier or SPDX-Exception-Identifier tag"
	else
		echo "no SPDX-License-Identifier in the tree names $1's identifiers:"
		awk -v f="$1" '$3 == f && $1 != "allows" { print "    " $2 }' "$tmp/provided"
	fi
	return 1
}
check "LICENSES/ has licence texts" test -s "$tmp/license_files"
while IFS= read -r f; do
	check "$f is used" used "$f"
	check "COPYING names $f" copying_names "$f"
done < "$tmp/license_files"
host_summary
