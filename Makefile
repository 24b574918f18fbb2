# SPDX-License-Identifier: GPL-2.0
# objheap top-level Makefile.
#
#   make                  build objheap.ko against KDIR, and the userspace tools
#   make check [KVER=6.1] KUnit + selftests in a QEMU VM on a debug kernel,
#                         then the selftests on Debian's stock kernel
#   make try   [KVER=6.1] the module at work in a VM on Debian's stock kernel:
#                         no kernel to build, minutes from a clean clone
#   make demo  [KVER=6.1] the same on the debug kernel when it is built
#                         (by make check), else as make try
#   make vm    [KVER=6.1] an interactive shell in the VM, module loaded
#   make stress [SEED=n]   the model-checked stress test, long (docs/RELIABILITY.md)
#   make check-clean-root [TARGET=try]  make check (or TARGET) in a clean
#                         Debian 12 root (debootstrap)
#   make install, uninstall  liboheap, the tools, the man pages (PREFIX, LIBDIR,
#                         DESTDIR: userspace/Makefile)
#   make dkms-install, dkms-remove  the module under DKMS (as root)
#   make mutants [RECORD=1] mutation testing of the algorithms (tests/vm/mutants.sh)
#   make bench-native [QUICK=1]  the collector against CPython natively (no VM)
#   make userland          the module's core in user space: its tests under
#                         ASan/UBSan and TSan, the fuzzer's seed corpus
#                         (tests/userland, docs/userland.md); seconds
#   make fuzz [FUZZ_SECONDS=n]  libFuzzer on the dispatcher and collector
#
# The VM kernels are built from Debian's linux-source-$(KVER) into
# $(OBJHEAP_CACHE) (default ~/.cache/objheap) once and reused.

KDIR ?= /lib/modules/$(shell uname -r)/build
KVER ?= 6.12
export KVER
ifdef OBJHEAP_CACHE
export OBJHEAP_CACHE
endif

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Into /lib/modules/<release>/updates/ (INSTALL_MOD_DIR), then depmod:
# modprobe objheap finds it. As root.
modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install

userspace:
	$(MAKE) -C userspace STATIC=

# liboheap (shared and static, header, pkg-config file), the tools and the
# man pages; PREFIX, LIBDIR, DESTDIR.
install:
	$(MAKE) -C userspace STATIC= install

uninstall:
	$(MAKE) -C userspace STATIC= uninstall

# DKMS: the module's source into $(DKMS_SOURCETREE)/objheap-<version>, then
# dkms add, build and install for KVERSION (default: the running kernel).
# DKMS_FLAGS passes more dkms options (the checks use private trees).
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SOURCETREE ?= /usr/src
DKMS_SRC = $(DKMS_SOURCETREE)/objheap-$(DKMS_VERSION)
DKMS_FILES := dkms.conf Kbuild COPYING $(wildcard LICENSES/*/*) \
	$(wildcard module/*.[ch]) include/uapi/linux/objheap.h
DKMS_K = $(if $(KVERSION),-k $(KVERSION))
dkms-install:
	$(MAKE) dkms-remove
	mkdir -p $(DKMS_SRC)
	cp --parents -t $(DKMS_SRC) $(DKMS_FILES)
	dkms add objheap/$(DKMS_VERSION) $(DKMS_FLAGS)
	dkms build objheap/$(DKMS_VERSION) $(DKMS_FLAGS) $(DKMS_K)
	dkms install objheap/$(DKMS_VERSION) $(DKMS_FLAGS) $(DKMS_K)

dkms-remove:
	if dkms status objheap/$(DKMS_VERSION) $(DKMS_FLAGS) | grep -q .; then \
		dkms remove objheap/$(DKMS_VERSION) --all $(DKMS_FLAGS); fi
	rm -rf $(DKMS_SRC)

# The debug kernel (KUnit, selftests, lint, host tests), then Debian's stock
# kernel of the same version (selftests against its linux-headers build).
check:
	tests/vm/vmtest.sh check; s=$$?; FLAVOUR=stock tests/vm/vmtest.sh check || s=1; exit $$s

try:
	tests/vm/vmtest.sh try

demo:
	tests/vm/vmtest.sh demo

vm:
	tests/vm/vmtest.sh shell

# The benchmark suite on a kernel without debug options: objheap against
# the slab, the syscall floor and CPython, one VM run; updates bench/.
# QUICK=1: a small run whose report stays in the cache.
bench: bench-native
	BENCH_QUICK=$(if $(QUICK),1,0) FLAVOUR=bench tests/vm/vmtest.sh bench

# The native half (no VM): the core built in user space against Debian's
# python3, interleaved, with callgrind's instruction counts; writes
# bench/NATIVE.md and native.json and its section of bench/RESULTS.md
# (QUICK=1: a small run, into $(OBJHEAP_CACHE)/bench-native).
NATIVE_OUT = $(if $(QUICK),$(or $(OBJHEAP_CACHE),$(HOME)/.cache/objheap)/bench-native,bench)
bench-native:
	tests/vm/deps.sh build-essential valgrind python3
	$(MAKE) -C tests/userland SAN= bench
	python3 tests/bench/native.py --objheap tests/userland/build/gcc-nosan/bench_native \
		--python /usr/bin/python3 --out $(NATIVE_OUT) $(if $(QUICK),--quick)

# The model-checked stress test, long: STRESS_OPS operations per worker
# (default 200000), at most STRESS_SECONDS (default 1800), SEED=n replays.
STRESS_OPS ?= 200000
STRESS_SECONDS ?= 1800
stress:
	ONLY="stress_test stress_test_32" VM_TIMEOUT=$$((2 * $(STRESS_SECONDS) + 600)) \
	VM_APPEND="OBJHEAP_STRESS_OPS=$(STRESS_OPS) OBJHEAP_STRESS_SECONDS=$(STRESS_SECONDS)$(if $(SEED), OBJHEAP_STRESS_SEED=$(SEED))" \
	tests/vm/vmtest.sh selftest

# Break the algorithms one mutant at a time; the selftests must fail on
# each. RECORD=1 keeps the runs for make check to replay.
mutants:
	tests/vm/mutants.sh $(if $(RECORD),--record)

# `make check` in a clean Debian 12 root made with debootstrap, from a
# clone of HEAD: proves the install list (tests/vm/clean-root.sh).
check-clean-root:
	TARGET="$(or $(TARGET),check)" tests/vm/clean-root.sh

# The module's core built and tested natively (tests/userland): the tests
# and the seed corpus under ASan and UBSan, the threads test under TSan.
userland:
	tests/vm/deps.sh build-essential xz-utils
	$(MAKE) -C tests/userland
	$(MAKE) -C tests/userland tsan

# libFuzzer (clang) from the seed corpus for FUZZ_SECONDS (default 300);
# the corpus grows in $(OBJHEAP_CACHE)/fuzz-corpus; a finding is kept as
# crash-* there and fails the run.
FUZZ_SECONDS ?= 300
fuzz:
	tests/vm/deps.sh clang libclang-rt-14-dev xz-utils
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/userland/fuzz.sh

# Plant known defects one at a time and check that `make check` fails.
negative-controls:
	tests/vm/negative-controls.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/selftests clean

.PHONY: userland fuzz bench-native all modules modules_install userspace install uninstall dkms-install dkms-remove \
	check check-clean-root mutants try demo vm bench stress negative-controls clean
