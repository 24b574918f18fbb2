# SPDX-License-Identifier: GPL-2.0
# objheap top-level Makefile.
#
#   make                  build objheap.ko against KDIR, and the userspace tools
#   make check [KVER=6.1] KUnit + selftests in a QEMU VM on a debug kernel,
#                         then the selftests on Debian's stock kernel
#   make demo  [KVER=6.1] the module at work in the VM
#   make vm    [KVER=6.1] an interactive shell in the VM, module loaded
#   make stress [SEED=n]   the model-checked stress test, long (docs/RELIABILITY.md)
#   make check-clean-root  make check in a clean Debian 12 root (debootstrap)
#   make mutants [RECORD=1] mutation testing of the algorithms (tests/vm/mutants.sh)
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

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

userspace:
	$(MAKE) -C userspace STATIC=

# liboheap (library, header, pkg-config file) and the tools; PREFIX, DESTDIR.
install:
	$(MAKE) -C userspace STATIC= install

# The debug kernel (KUnit, selftests, lint, host tests), then Debian's stock
# kernel of the same version (selftests against its linux-headers build).
check:
	tests/vm/vmtest.sh check; s=$$?; FLAVOUR=stock tests/vm/vmtest.sh check || s=1; exit $$s

demo:
	tests/vm/vmtest.sh demo

vm:
	tests/vm/vmtest.sh shell

# The benchmark suite on a kernel without debug options: objheap against
# the slab, the syscall floor and CPython, one VM run; updates bench/.
# QUICK=1: a small run whose report stays in the cache.
bench:
	BENCH_QUICK=$(if $(QUICK),1,0) FLAVOUR=bench tests/vm/vmtest.sh bench

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
	tests/vm/clean-root.sh

# Plant known defects one at a time and check that `make check` fails.
negative-controls:
	tests/vm/negative-controls.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/selftests clean

.PHONY: all modules modules_install userspace install check check-clean-root mutants demo vm bench stress negative-controls clean
