#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Copy Debian's python3.11 into an initramfs root, just enough for
# `/usr/bin/python3 -S -I /bench/SCRIPT` to run there: the binary, its
# libraries and loader, and the stdlib files it loads to start plus those
# the scripts' top-level imports load (3.11 freezes most start-up modules).
# usage: pack-python.sh ROOT SCRIPT...
#   SCRIPT... are copied to ROOT/bench/
set -euo pipefail

root=$1
shift
# Debian's own, not a pyenv shim or whatever else is first on PATH.
py=/usr/bin/python3.11
ver=3.11
lib=/usr/lib/python$ver

mkdir -p "$root/usr/bin" "$root/bench" "$root$lib/lib-dynload"
cp "$py" "$root$py"
ln -sf "python$ver" "$root/usr/bin/python3"
ldd "$py" | grep -o '/[^ ]*' | while read -r so; do
	mkdir -p "$root$(dirname "$so")"
	cp -L "$so" "$root$so"
done

# Start the host's copy the way the VM will and list every module it
# loaded from a file (not frozen or built in): encodings and friends, and
# lib-dynload .so files if the scripts' imports need any.
files=$("$py" -S -I -c '
import sys
for s in sys.argv[1:]:
    for line in open(s):
        if line.startswith(("import ", "from ")):
            exec(line)
for m in list(sys.modules.values()):
    o = getattr(getattr(m, "__spec__", None), "origin", None)
    if o and o.startswith("/"):
        print(o)
' "$@")
# os.py is frozen but is also the landmark by which python finds its
# prefix; lib-dynload (made above) is the one for its exec prefix.
for f in $files "$lib/os.py"; do
	case $f in "$lib"/*) ;; *) continue ;; esac
	mkdir -p "$root$(dirname "$f")"
	cp -p "$f" "$root$f"
	# Debian's byte-compiled copy, if any: spares compiling under TCG.
	pyc=$(dirname "$f")/__pycache__/$(basename "$f" .py).cpython-${ver/./}.pyc
	if [ "${f%.py}" != "$f" ] && [ -f "$pyc" ]; then
		mkdir -p "$root$(dirname "$pyc")"
		cp -p "$pyc" "$root$pyc"
	fi
done

cp "$@" "$root/bench/"
