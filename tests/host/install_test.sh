#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of "make install" as a packager runs it: every file lands
# under DESTDIR/PREFIX (LIBDIR where asked), liboheap.so.1 exports the
# public API and nothing else, versioned; a program builds through
# pkg-config against the shared library and against the static archive,
# and runs; make uninstall takes it all away; the release's version is
# the same everywhere it is written.
# usage: install_test.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/host/common.sh
. "$(dirname "$0")/common.sh"

dest=$tmp/root
prefix=/opt/oh
libdir=$prefix/lib64	# not PREFIX/lib: LIBDIR must be obeyed
mk() { make -s -C "$repo/userspace" OUT="$tmp/build" STATIC= WERROR=1 \
	DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$libdir" "$@"; }
check "make install DESTDIR PREFIX LIBDIR" mk install
files=(bin/ohctl bin/ohprof lib64/liboheap.a lib64/liboheap.so.1.7.0
       lib64/pkgconfig/liboheap.pc include/oheap.h include/linux/objheap.h
       share/man/man4/objheap.4 share/man/man3/liboheap.3
       share/man/man8/ohctl.8 share/man/man1/ohprof.1)
for f in "${files[@]}"; do
	check "installed $f" test -f "$dest$prefix/$f"
done
check "liboheap.so.1 and liboheap.so are links to the library" sh -c \
	'[ "$(readlink "$1/liboheap.so.1")" = liboheap.so.1.7.0 ] &&
	 [ "$(readlink "$1/liboheap.so")" = liboheap.so.1 ]' sh "$dest$libdir"
check "nothing outside PREFIX" test "$(ls "$dest")" = opt
check "the tools' private header is not installed" \
	sh -c '! find "$1" -name "ohtool*" | grep -q .' sh "$dest"

lib=$dest$libdir/liboheap.so.1.7.0
check "soname liboheap.so.1" sh -c \
	'readelf -d "$1" | grep -q "SONAME.*\[liboheap.so.1\]"' sh "$lib"
# The API: what oheap.h declares, what the version script lists, what the
# library exports; all three the same, each symbol at its version node.
grep -oE '^[a-z_ *]*oheap_[a-z_]+\(' "$repo/userspace/liboheap/oheap.h" |
	grep -oE 'oheap_[a-z_]+' | sort -u > "$tmp/declared"
grep -oE '^\s+oheap_[a-z_]+;' "$repo/userspace/liboheap/liboheap.map" |
	tr -d ' \t;' | sort -u > "$tmp/mapped"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' > "$tmp/exported.v"
sed 's/@.*//' "$tmp/exported.v" | sort -u > "$tmp/exported"
check "oheap.h declares the API" test -s "$tmp/declared"
check "the version script lists what oheap.h declares" diff "$tmp/declared" "$tmp/mapped"
check "the library exports exactly oheap.h's functions" diff "$tmp/declared" "$tmp/exported"
# Each symbol at the version node the script lists it in (1.0, 1.6, 1.7, ...).
awk '/^LIBOHEAP_[0-9.]+ *\{/ { node = $1 } /^[ \t]+oheap_[a-z_]+;/ {
	sub(/;/, "", $1); print $1 "@@" node }' "$repo/userspace/liboheap/liboheap.map" |
	sort > "$tmp/versioned"
sort "$tmp/exported.v" > "$tmp/exported.sorted"
check "every export is at the version node that lists it" \
	diff "$tmp/versioned" "$tmp/exported.sorted"
check "the tools' debugfs helpers are not exported" \
	sh -c '! nm -D "$1" | grep -q ohtool' sh "$lib"

cat > "$tmp/prog.c" <<'PROG'
#include <errno.h>
#include <stdio.h>
#include <oheap.h>
int main(void)
{
	struct objheap_version v;
	int fd;

	if (oheap_lib_version_major() != OHEAP_LIB_VERSION_MAJOR ||
	    oheap_lib_version_minor() != OHEAP_LIB_VERSION_MINOR)
		return 1;
	printf("liboheap %d.%d\n", oheap_lib_version_major(),
	       oheap_lib_version_minor());
	/* No module on the host: the library says so, errno-style. */
	fd = oheap_open();
	if (fd >= 0)
		return oheap_version(fd, &v) ? 1 : 0;
	return errno == ENOENT || errno == ENODEV || errno == EACCES ? 0 : 1;
}
PROG
export PKG_CONFIG_PATH=$dest$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
check "pkg-config knows liboheap 1.7.0" sh -c '[ "$(pkg-config --modversion liboheap)" = 1.7.0 ]'
check "pkg-config's libdir is LIBDIR" \
	sh -c '[ "$(pkg-config --variable=libdir liboheap)" = "$1" ]' sh "$dest$libdir"
# shellcheck disable=SC2046 # word splitting of the flags is intended
check "a program links the shared library with pkg-config's flags" \
	cc -Wall -Werror -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs liboheap)
check "it needs liboheap.so.1" sh -c \
	'readelf -d "$1" | grep -q "NEEDED.*\[liboheap.so.1\]"' sh "$tmp/prog"
check "it runs against the installed library" \
	sh -c '[ "$(LD_LIBRARY_PATH="$1" "$2")" = "liboheap 1.7" ]' sh "$dest$libdir" "$tmp/prog"
# shellcheck disable=SC2046
check "a program links the static archive (pkg-config --static)" \
	cc -Wall -Werror -static -o "$tmp/prog-static" "$tmp/prog.c" \
	$(pkg-config --static --cflags --libs liboheap)
check "it needs no shared liboheap and runs" sh -c \
	'! readelf -d "$1" 2>/dev/null | grep -q liboheap && [ "$("$1")" = "liboheap 1.7" ]' \
	sh "$tmp/prog-static"

check "-Werror only with WERROR=1" sh -c \
	'! make -s -n -C "$1/userspace" OUT="$2/w" STATIC= | grep -q -- -Werror &&
	 make -s -n -C "$1/userspace" OUT="$2/w" STATIC= WERROR=1 | grep -q -- -Werror' \
	sh "$repo" "$tmp"
check "make uninstall removes every file" sh -c \
	'make -s -C "$1/userspace" OUT="$2/build" STATIC= DESTDIR="$3" PREFIX="$4" LIBDIR="$5" uninstall &&
	 [ -z "$(find "$3" ! -type d)" ]' sh "$repo" "$tmp" "$dest" "$prefix" "$libdir"

# The examples the README installs by hand: modules-load.d names the
# module; the udev rule matches what the VM checks /dev/objheap is (misc
# device objheap) and sets a group and mode only.
sys=$repo/userspace/system
check "modules-load.d/objheap.conf loads objheap" \
	sh -c '[ "$(grep -v "^#" "$1" | grep -v "^$")" = objheap ]' sh "$sys/objheap.conf"
check "60-objheap.rules: KERNEL==objheap, SUBSYSTEM==misc, GROUP, MODE 0660" \
	sh -c '[ "$(grep -v "^#" "$1")" = "KERNEL==\"objheap\", SUBSYSTEM==\"misc\", GROUP=\"objheap\", MODE=\"0660\"" ]' \
	sh "$sys/60-objheap.rules"

# One release number: dkms.conf, the module, liboheap's Makefile and
# header, the CHANGELOG's newest entry.
release=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
check "dkms.conf has a version" test -n "$release"
check "MODULE_VERSION is dkms.conf's" \
	grep -q "^MODULE_VERSION(\"$release\");" "$repo/module/main.c"
check "liboheap's VERSION is dkms.conf's" \
	grep -q "^VERSION := $release$" "$repo/userspace/Makefile"
check "OHEAP_LIB_VERSION_* is dkms.conf's" sh -c \
	'h=$1/userspace/liboheap/oheap.h
	 maj=$(awk "/define OHEAP_LIB_VERSION_MAJOR/ { print \$3 }" "$h")
	 min=$(awk "/define OHEAP_LIB_VERSION_MINOR/ { print \$3 }" "$h")
	 [ "$maj.$min.0" = "$2" ]' sh "$repo" "$release"
check "CHANGELOG.md's newest entry is the release" sh -c \
	'grep -m1 "^## " "$1/CHANGELOG.md" | grep -qF "${2%.0}"' sh "$repo" "$release"
host_summary
