#!/bin/bash
# Host test of "make install": liboheap's files land under DESTDIR/PREFIX,
# and a program finds them through pkg-config and builds against them.
# usage: install_test.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/host/common.sh
. "$(dirname "$0")/common.sh"

dest=$tmp/root
check "make install DESTDIR PREFIX" make -s -C "$repo/userspace" OUT="$tmp/build" \
	STATIC= DESTDIR="$dest" PREFIX=/opt/oh install
for f in bin/ohctl bin/ohprof lib/liboheap.a lib/pkgconfig/liboheap.pc \
	 include/oheap.h include/linux/objheap.h; do
	check "installed $f" test -f "$dest/opt/oh/$f"
done
check "nothing outside PREFIX" test "$(ls "$dest")" = opt

cat > "$tmp/prog.c" <<'PROG'
#include <oheap.h>
int main(void)
{
	struct objheap_version v;
	int fd = oheap_open();

	return fd >= 0 && !oheap_version(fd, &v) ? 0 : 1;
}
PROG
export PKG_CONFIG_PATH=$dest/opt/oh/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
check "pkg-config knows liboheap" pkg-config --exists liboheap
# shellcheck disable=SC2046 # word splitting of the flags is intended
check "a program builds with pkg-config's flags" \
	cc -Wall -Werror -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs liboheap)
host_summary
