// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input, in one table: every objheap ioctl against every malformed
 * argument that applies to it (handles not open in the heap, slots and
 * payload ranges out of bounds or wrapping, huge sizes, bad user pointers,
 * nonzero reserved and unused fields, wrong op codes, bad BATCH headers
 * and arrays, wrong command sizes and directions, unknown commands), the
 * GC event stream, the device's other file operations, debugfs control and
 * the module parameters. Each case must fail with the errno docs/abi.md
 * documents and leave the heap exactly as it was: HEAP_STATS, limits,
 * collector parameters and statistics, INFO of every object, slots,
 * payload bytes and the event stream, compared before and after.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define PARAMS		"/sys/module/objheap/parameters/"

/* A kernel address as a __u64 field, also for a 32-bit caller. */
#define KERNEL_U64	0xffff800000000000ULL
#if UINTPTR_MAX > 0xffffffffU
#define KERNEL_PTR	((void *)(uintptr_t)KERNEL_U64)
#else
/* A compat task's address space ends at 0xffffe000: as close as it gets. */
#define KERNEL_PTR	((void *)0xfffff000U)
#endif

/* The fixture's objects, limits and collector settings. */
#define BOX_SLOTS	2
#define BOX_SIZE	16
#define LEAF_SIZE	32
#define OTHER_HANDLE	40	/* open in the second heap only */
#define LIM_BYTES	0x1000000ULL	/* 16 MiB */
#define LIM_OBJECTS	1000
#define LIM_HANDLES	1000
#define MAX_EXTRA	1024	/* handles a "full table" setup may open */
#define OPS_OFF		1024	/* where a batch's operations sit in argp */
#define REC		sizeof(struct objheap_gc_event)
#define SREC		sizeof(struct objheap_gc_record)
#define OP_RESULT	offsetof(struct objheap_op, result)

enum family {
	FAM_OPS, FAM_INFO, FAM_GC, FAM_BATCH, FAM_PTRS, FAM_CMDS,
	FAM_EVENTS, FAM_DEV, FAM_DEBUGFS, FAM_PARAMS,
};

enum kind {
	K_IOCTL,	/* ioctl(cmd, argument) */
	K_READ,		/* read() of the event stream */
	K_WRITE,	/* write() on the device */
	K_PWRITE,
	K_PREAD,
	K_LSEEK,
	K_MMAP,
	K_CONTROL,	/* write() to debugfs objheap/control */
	K_DFS_READ,	/* read() of a debugfs file */
	K_DFS_WRITE,	/* write() to a debugfs file */
	K_PARAM,	/* write() to a module parameter */
};

/* How a row expands into cases. */
enum expand {
	XP_ONE,
	XP_BADH,	/* handle: 0, dropped, another heap's, 999999, ~0 */
	XP_BADREF,	/* ref: as XP_BADH but 0, which clears a slot */
	XP_WRONGOP,	/* op: every other code and unknown ones */
	XP_IOC,		/* cmd: other direction, size, magic, number */
	XP_UNKNOWN_NR,	/* cmd: numbers objheap does not use */
	XP_PTRS,	/* argument: NULL, unmapped, kernel, straddling */
};

/* Symbolic handles, resolved against the fixture. */
enum hsym { H_KEEP, H_ZERO, H_BOX, H_LEAF, H_GONE, H_OTHER, H_BIG, H_MAX };

/* Symbolic user buffers (op.buf, batch.ops, garbage.handles, read()). */
enum bsym {
	B_KEEP,		/* as the valid argument has it */
	B_NULL,
	B_RW,		/* a writable page */
	B_RO,		/* a read-only page */
	B_HOLE,		/* an unmapped page (mmap + munmap) */
	B_EDGE,		/* straddling the end of a mapping */
	B_KERNEL,	/* a kernel address */
	B_BIG,		/* OBJHEAP_MAX_PAYLOAD + a page, writable */
	B_HIGH,		/* a good 32-bit pointer with bit 32 set */
};

/* Where the ioctl argument itself is. */
enum at { AT_RW, AT_RO, AT_NULL, AT_HOLE, AT_EDGE, AT_KERNEL };

enum setup {
	SU_NONE,
	SU_EVENT,	/* exactly one record waits in the event stream */
	SU_EVENT_SIZED,	/* as SU_EVENT, the stream in OBJHEAP_EVENTS_SIZED */
	SU_EMPTY,	/* no record waits */
	SU_FULL,	/* every entry of the handle table is in use */
	SU_E2BIG,	/* batch ops of 48 bytes, the second with a nonzero tail */
	SU_E2BIG1,	/* one batch op of 41 bytes, its last byte nonzero */
};

enum { M_IOCTL = 1, M_BATCH = 2, M_BOTH = 3 };

/* Set one field of the argument: offset, width, value. */
struct poke {
	unsigned short off, size;
	__u64 val;
};

#define P32(s, f, v)	{ offsetof(struct objheap_##s, f), 4, (v) }
#define P64(s, f, v)	{ offsetof(struct objheap_##s, f), 8, (v) }
#define O32(f, v)	P32(op, f, v)
#define DONE(n)		((n) + 1)

struct bad_case {
	const char *name;
	enum family fam;
	enum kind kind;
	unsigned long cmd;
	enum expand xp;
	unsigned int modes;	/* K_IOCTL: M_IOCTL, M_BATCH (as a BATCH op) */
	struct poke pk[2];
	enum hsym h, r;
	enum bsym b;
	enum at at;
	enum setup su;
	const char *data;	/* K_CONTROL, K_PARAM: what to write */
	size_t len;		/* K_READ, K_CONTROL: bytes */
	char fill;		/* K_CONTROL without data: len bytes of this */
	const char *path;	/* K_PARAM, K_DFS_*: the file */
	int whence;		/* K_LSEEK */
	bool nonblock;		/* K_READ */
	bool only32;		/* only in a 32-bit (compat) caller */
	int done;		/* BATCH: DONE(expected done), 0 unchecked */
	int err;		/* the errno docs/abi.md gives */
};

#define OP1(c, n, e, ...) { .name = n, .fam = FAM_OPS, \
	.cmd = OBJHEAP_IOC_##c, .modes = M_BOTH, .err = e, __VA_ARGS__ }
#define ONE(f, c, n, e, ...) { .name = n, .fam = f, \
	.cmd = OBJHEAP_IOC_##c, .modes = M_IOCTL, .err = e, __VA_ARGS__ }
#define PTR(c, n, a) ONE(FAM_PTRS, c, n, EFAULT, .at = a)
#define PTRS(c, n) ONE(FAM_PTRS, c, n, EFAULT, .xp = XP_PTRS)
#define IOC(c, n) ONE(FAM_CMDS, c, n, ENOTTY, .xp = XP_IOC)
#define RD(n, e, ...) { .name = n, .fam = FAM_EVENTS, .kind = K_READ, \
	.err = e, __VA_ARGS__ }
#define CTL(n, s, e, ...) { .name = n, .fam = FAM_DEBUGFS, \
	.kind = K_CONTROL, .data = s, .len = sizeof(s) - 1, .err = e, \
	__VA_ARGS__ }
#define PARAM(p, s, e, ...) { .name = "module parameter", \
	.fam = FAM_PARAMS, .kind = K_PARAM, .path = p, .data = s, .err = e, \
	__VA_ARGS__ }

static const struct bad_case cases[] = {
	/* NEW: type, count (slots), size (payload) -> handle. */
	OP1(NEW, "new: 4097 slots", EINVAL,
	    .pk = { O32(count, OBJHEAP_MAX_SLOTS + 1) }),
	OP1(NEW, "new: 0x80000000 slots", EINVAL,
	    .pk = { O32(count, 0x80000000U) }),
	OP1(NEW, "new: 0xffffffff slots", EINVAL,
	    .pk = { O32(count, 0xffffffffU) }),
	OP1(NEW, "new: payload over the maximum", EINVAL,
	    .pk = { O32(size, OBJHEAP_MAX_PAYLOAD + 1) }),
	OP1(NEW, "new: 0x80000000 payload bytes", EINVAL,
	    .pk = { O32(size, 0x80000000U) }),
	OP1(NEW, "new: 0xffffffff payload bytes", EINVAL,
	    .pk = { O32(size, 0xffffffffU) }),
	OP1(NEW, "new: nonzero ref", EINVAL, .r = H_LEAF),
	OP1(NEW, "new: unknown flag in index", EINVAL, .pk = { O32(index, 2) }),
	OP1(NEW, "new: flag 1 << 31 in index", EINVAL,
	    .pk = { O32(index, 1U << 31) }),
	OP1(NEW, "new: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, NEW, "new:", EINVAL, .xp = XP_WRONGOP),

	/* DUP: handle -> ref. */
	OP1(DUP, "dup:", EBADF, .xp = XP_BADH),
	OP1(DUP, "dup: nonzero index", EINVAL, .pk = { O32(index, 1) }),
	OP1(DUP, "dup: nonzero count", EINVAL, .pk = { O32(count, 1) }),
	OP1(DUP, "dup: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(DUP, "dup: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	OP1(DUP, "dup: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, DUP, "dup:", EINVAL, .xp = XP_WRONGOP),

	/* WEAKREF: handle (referent), type, index (flags) -> ref. */
	OP1(WEAKREF, "weakref:", EBADF, .xp = XP_BADH),
	OP1(WEAKREF, "weakref: unknown flag", EINVAL, .pk = { O32(index, 2) }),
	OP1(WEAKREF, "weakref: nonzero count", EINVAL, .pk = { O32(count, 1) }),
	OP1(WEAKREF, "weakref: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	OP1(WEAKREF, "weakref: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, WEAKREF, "weakref:", EINVAL, .xp = XP_WRONGOP),

	/* DEREF: handle (a weak reference) -> ref. */
	OP1(DEREF, "deref:", EBADF, .xp = XP_BADH),
	OP1(DEREF, "deref: an object that is not a weak reference", EINVAL),
	OP1(DEREF, "deref: nonzero index", EINVAL, .pk = { O32(index, 1) }),
	OP1(DEREF, "deref: nonzero count", EINVAL, .pk = { O32(count, 1) }),
	OP1(DEREF, "deref: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(DEREF, "deref: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	OP1(DEREF, "deref: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, DEREF, "deref:", EINVAL, .xp = XP_WRONGOP),

	/* DROP: handle. */
	OP1(DROP, "drop:", EBADF, .xp = XP_BADH),
	OP1(DROP, "drop: nonzero ref", EINVAL, .r = H_LEAF),
	OP1(DROP, "drop: nonzero index", EINVAL, .pk = { O32(index, 1) }),
	OP1(DROP, "drop: nonzero count", EINVAL, .pk = { O32(count, 1) }),
	OP1(DROP, "drop: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(DROP, "drop: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	OP1(DROP, "drop: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, DROP, "drop:", EINVAL, .xp = XP_WRONGOP),

	/* SET: handle, index (slot), ref. */
	OP1(SET, "set:", EBADF, .xp = XP_BADH),
	OP1(SET, "set:", EBADF, .xp = XP_BADREF),
	OP1(SET, "set: slot 2 of 2", ERANGE, .pk = { O32(index, BOX_SLOTS) }),
	OP1(SET, "set: slot 0x80000000", ERANGE,
	    .pk = { O32(index, 0x80000000U) }),
	OP1(SET, "set: slot 0xffffffff", ERANGE,
	    .pk = { O32(index, 0xffffffffU) }),
	OP1(SET, "set: slot 0 of an object without slots", ERANGE,
	    .h = H_LEAF, .r = H_BOX, .pk = { O32(index, 0) }),
	OP1(SET, "set: nonzero count", EINVAL, .pk = { O32(count, 1) }),
	OP1(SET, "set: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(SET, "set: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	OP1(SET, "set: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, SET, "set:", EINVAL, .xp = XP_WRONGOP),

	/* GET: handle, index -> ref. */
	OP1(GET, "get:", EBADF, .xp = XP_BADH),
	OP1(GET, "get: slot 2 of 2", ERANGE, .pk = { O32(index, BOX_SLOTS) }),
	OP1(GET, "get: slot 0x80000000", ERANGE,
	    .pk = { O32(index, 0x80000000U) }),
	OP1(GET, "get: slot 0xffffffff", ERANGE,
	    .pk = { O32(index, 0xffffffffU) }),
	OP1(GET, "get: slot 0 of an object without slots", ERANGE,
	    .h = H_LEAF),
	OP1(GET, "get: nonzero count", EINVAL, .pk = { O32(count, 1) }),
	OP1(GET, "get: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(GET, "get: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	OP1(GET, "get: nonzero buf", EINVAL, .b = B_RW),
	ONE(FAM_OPS, GET, "get:", EINVAL, .xp = XP_WRONGOP),

	/* WRITE: handle, index (offset), count, buf; the leaf has 32 bytes. */
	OP1(WRITE, "write:", EBADF, .xp = XP_BADH),
	OP1(WRITE, "write: 33 bytes of 32", ERANGE, .b = B_BIG,
	    .pk = { O32(count, LEAF_SIZE + 1) }),
	OP1(WRITE, "write: 1 byte at the end", ERANGE, .b = B_BIG,
	    .pk = { O32(index, LEAF_SIZE), O32(count, 1) }),
	OP1(WRITE, "write: 0 bytes past the end", ERANGE, .b = B_BIG,
	    .pk = { O32(index, LEAF_SIZE + 1), O32(count, 0) }),
	OP1(WRITE, "write: 2 bytes across the end", ERANGE, .b = B_BIG,
	    .pk = { O32(index, LEAF_SIZE - 1), O32(count, 2) }),
	OP1(WRITE, "write: offset 0xffffffff + 2 wraps", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 0xffffffffU), O32(count, 2) }),
	OP1(WRITE, "write: offset 0xfffffff0 + 0x20 wraps", ERANGE,
	    .b = B_BIG, .pk = { O32(index, 0xfffffff0U), O32(count, 0x20) }),
	OP1(WRITE, "write: offset 16 + 0xfffffff0 wraps", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 16), O32(count, 0xfffffff0U) }),
	OP1(WRITE, "write: offset 0x80000000", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 0x80000000U), O32(count, 0) }),
	OP1(WRITE, "write: OBJHEAP_MAX_PAYLOAD bytes", ERANGE, .b = B_BIG,
	    .pk = { O32(count, OBJHEAP_MAX_PAYLOAD) }),
	OP1(WRITE, "write: count over OBJHEAP_MAX_PAYLOAD", ERANGE, .b = B_BIG,
	    .pk = { O32(count, OBJHEAP_MAX_PAYLOAD + 1) }),
	OP1(WRITE, "write: count 0x80000000", ERANGE, .b = B_BIG,
	    .pk = { O32(count, 0x80000000U) }),
	OP1(WRITE, "write: count 0xffffffff", ERANGE, .b = B_BIG,
	    .pk = { O32(count, 0xffffffffU) }),
	OP1(WRITE, "write: 1 byte at the end of the box", ERANGE, .h = H_BOX,
	    .b = B_BIG, .pk = { O32(index, BOX_SIZE), O32(count, 1) }),
	OP1(WRITE, "write: NULL buffer", EFAULT, .b = B_NULL,
	    .pk = { O32(count, 16) }),
	OP1(WRITE, "write: unmapped buffer", EFAULT, .b = B_HOLE,
	    .pk = { O32(count, 16) }),
	OP1(WRITE, "write: kernel address buffer", EFAULT, .b = B_KERNEL,
	    .pk = { O32(count, 16) }),
	OP1(WRITE, "write: buffer straddling a mapping's end", EFAULT,
	    .b = B_EDGE, .pk = { O32(count, 16) }),
	OP1(WRITE, "write: buffer address with bit 32 set", EFAULT,
	    .b = B_HIGH, .only32 = true, .pk = { O32(count, 16) }),
	OP1(WRITE, "write: nonzero ref", EINVAL, .r = H_LEAF),
	OP1(WRITE, "write: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(WRITE, "write: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	ONE(FAM_OPS, WRITE, "write:", EINVAL, .xp = XP_WRONGOP),

	/* READ: as WRITE, and the kernel writes the buffer. */
	OP1(READ, "read:", EBADF, .xp = XP_BADH),
	OP1(READ, "read: 33 bytes of 32", ERANGE, .b = B_BIG,
	    .pk = { O32(count, LEAF_SIZE + 1) }),
	OP1(READ, "read: 1 byte at the end", ERANGE, .b = B_BIG,
	    .pk = { O32(index, LEAF_SIZE), O32(count, 1) }),
	OP1(READ, "read: 0 bytes past the end", ERANGE, .b = B_BIG,
	    .pk = { O32(index, LEAF_SIZE + 1), O32(count, 0) }),
	OP1(READ, "read: 2 bytes across the end", ERANGE, .b = B_BIG,
	    .pk = { O32(index, LEAF_SIZE - 1), O32(count, 2) }),
	OP1(READ, "read: offset 0xffffffff + 2 wraps", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 0xffffffffU), O32(count, 2) }),
	OP1(READ, "read: offset 0xfffffff0 + 0x20 wraps", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 0xfffffff0U), O32(count, 0x20) }),
	OP1(READ, "read: offset 16 + 0xfffffff0 wraps", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 16), O32(count, 0xfffffff0U) }),
	OP1(READ, "read: offset 0x80000000", ERANGE, .b = B_BIG,
	    .pk = { O32(index, 0x80000000U), O32(count, 0) }),
	OP1(READ, "read: OBJHEAP_MAX_PAYLOAD bytes", ERANGE, .b = B_BIG,
	    .pk = { O32(count, OBJHEAP_MAX_PAYLOAD) }),
	OP1(READ, "read: count over OBJHEAP_MAX_PAYLOAD", ERANGE, .b = B_BIG,
	    .pk = { O32(count, OBJHEAP_MAX_PAYLOAD + 1) }),
	OP1(READ, "read: count 0x80000000", ERANGE, .b = B_BIG,
	    .pk = { O32(count, 0x80000000U) }),
	OP1(READ, "read: count 0xffffffff", ERANGE, .b = B_BIG,
	    .pk = { O32(count, 0xffffffffU) }),
	OP1(READ, "read: 1 byte at the end of the box", ERANGE, .h = H_BOX,
	    .b = B_BIG, .pk = { O32(index, BOX_SIZE), O32(count, 1) }),
	OP1(READ, "read: NULL buffer", EFAULT, .b = B_NULL,
	    .pk = { O32(count, 16) }),
	OP1(READ, "read: unmapped buffer", EFAULT, .b = B_HOLE,
	    .pk = { O32(count, 16) }),
	OP1(READ, "read: read-only buffer", EFAULT, .b = B_RO,
	    .pk = { O32(count, 16) }),
	OP1(READ, "read: kernel address buffer", EFAULT, .b = B_KERNEL,
	    .pk = { O32(count, 16) }),
	OP1(READ, "read: buffer straddling a mapping's end", EFAULT,
	    .b = B_EDGE, .pk = { O32(count, 16) }),
	OP1(READ, "read: buffer address with bit 32 set", EFAULT,
	    .b = B_HIGH, .only32 = true, .pk = { O32(count, 16) }),
	OP1(READ, "read: nonzero ref", EINVAL, .r = H_LEAF),
	OP1(READ, "read: nonzero type", EINVAL, .pk = { O32(type, 1) }),
	OP1(READ, "read: nonzero size", EINVAL, .pk = { O32(size, 1) }),
	ONE(FAM_OPS, READ, "read:", EINVAL, .xp = XP_WRONGOP),

	/* INFO and the limits. */
	ONE(FAM_INFO, INFO, "info:", EBADF, .xp = XP_BADH),
	ONE(FAM_INFO, INFO, "info: nonzero pad", EINVAL,
	    .pk = { P32(info, pad, 1) }),
	ONE(FAM_INFO, INFO, "info: nonzero reserved[0]", EINVAL,
	    .pk = { P64(info, reserved[0], 1) }),
	ONE(FAM_INFO, INFO, "info: nonzero reserved[1]", EINVAL,
	    .pk = { P64(info, reserved[1], 1ULL << 63) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: nonzero reserved[0]", EINVAL,
	    .pk = { P64(limits, reserved[0], 1) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: nonzero reserved[1]", EINVAL,
	    .pk = { P64(limits, reserved[1], 1ULL << 63) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: max_bytes + 1", EPERM,
	    .pk = { P64(limits, max_bytes, LIM_BYTES + 1) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: max_objects + 1", EPERM,
	    .pk = { P32(limits, max_objects, LIM_OBJECTS + 1) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: max_handles + 1", EPERM,
	    .pk = { P32(limits, max_handles, LIM_HANDLES + 1) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: max_bytes ~0", EPERM,
	    .pk = { P64(limits, max_bytes, ~0ULL) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: max_objects 0xffffffff", EPERM,
	    .pk = { P32(limits, max_objects, 0xffffffffU) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: max_handles 0x80000000", EPERM,
	    .pk = { P32(limits, max_handles, 0x80000000U) }),
	ONE(FAM_INFO, SET_LIMITS, "set_limits: lower one, raise another", EPERM,
	    .pk = { P64(limits, max_bytes, LIM_BYTES / 2),
		    P32(limits, max_objects, LIM_OBJECTS + 1) }),

	/* The collector. */
	ONE(FAM_GC, GC_COLLECT, "gc_collect: generation 3", EINVAL,
	    .pk = { P32(gc_collect, generation, OBJHEAP_GC_GENERATIONS) }),
	ONE(FAM_GC, GC_COLLECT, "gc_collect: generation 0x80000000", EINVAL,
	    .pk = { P32(gc_collect, generation, 0x80000000U) }),
	ONE(FAM_GC, GC_COLLECT, "gc_collect: generation 0xffffffff", EINVAL,
	    .pk = { P32(gc_collect, generation, 0xffffffffU) }),
	ONE(FAM_GC, GC_COLLECT, "gc_collect: flags 1", EINVAL,
	    .pk = { P32(gc_collect, flags, 1) }),
	ONE(FAM_GC, GC_COLLECT, "gc_collect: flags 1 << 31", EINVAL,
	    .pk = { P32(gc_collect, flags, 1U << 31) }),
	ONE(FAM_GC, GC_COLLECT, "gc_collect: nonzero reserved", EINVAL,
	    .pk = { P64(gc_collect, reserved, 1) }),
	ONE(FAM_GC, GC_COLLECT, "gc_collect: reserved 1 << 63", EINVAL,
	    .pk = { P64(gc_collect, reserved, 1ULL << 63) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: unknown flag 1 << 2", EINVAL,
	    .pk = { P32(gc_params, flags, OBJHEAP_GC_SAVEALL | 1U << 2) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: unknown flag 1 << 31", EINVAL,
	    .pk = { P32(gc_params, flags, OBJHEAP_GC_SAVEALL | 1U << 31) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: flags 0xffffffff", EINVAL,
	    .pk = { P32(gc_params, flags, 0xffffffffU) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: threshold[0] over max",
	    EINVAL, .pk = { P32(gc_params, threshold[0],
				OBJHEAP_GC_THRESHOLD_MAX + 1) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: threshold[1] over max",
	    EINVAL, .pk = { P32(gc_params, threshold[1],
				OBJHEAP_GC_THRESHOLD_MAX + 1) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: threshold[2] over max",
	    EINVAL, .pk = { P32(gc_params, threshold[2],
				OBJHEAP_GC_THRESHOLD_MAX + 1) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: threshold[0] 0xffffffff",
	    EINVAL, .pk = { P32(gc_params, threshold[0], 0xffffffffU) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: threshold[2] 0x80000000",
	    EINVAL, .pk = { P32(gc_params, threshold[2], 0x80000000U) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: good flags, bad threshold",
	    EINVAL, .pk = { P32(gc_params, flags, OBJHEAP_GC_ENABLED),
			    P32(gc_params, threshold[1], 0xffffffffU) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: nonzero reserved[0]", EINVAL,
	    .pk = { P64(gc_params, reserved[0], 1) }),
	ONE(FAM_GC, GC_SET_PARAMS, "gc_set_params: nonzero reserved[1]", EINVAL,
	    .pk = { P64(gc_params, reserved[1], 1ULL << 63) }),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: flags 1", EINVAL,
	    .pk = { P32(gc_garbage, flags, 1) }),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: flags 1 << 31", EINVAL,
	    .pk = { P32(gc_garbage, flags, 1U << 31) }),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: nonzero reserved", EINVAL,
	    .pk = { P64(gc_garbage, reserved, 1) }),
	ONE(FAM_GC, GC_FINALIZE, "gc_finalize: flags 1", EINVAL,
	    .pk = { P32(gc_garbage, flags, 1) }),
	ONE(FAM_GC, GC_FINALIZE, "gc_finalize: nonzero reserved", EINVAL,
	    .pk = { P64(gc_garbage, reserved, 1) }),
	ONE(FAM_GC, WEAK_CALLBACKS, "weak_callbacks: flags 1 << 31", EINVAL,
	    .pk = { P32(gc_garbage, flags, 1U << 31) }),
	ONE(FAM_GC, WEAK_CALLBACKS, "weak_callbacks: nonzero reserved", EINVAL,
	    .pk = { P64(gc_garbage, reserved, 1ULL << 63) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: flags 1", EINVAL,
	    .pk = { P32(gc_objects, flags, 1) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: nonzero reserved[0]", EINVAL,
	    .pk = { P64(gc_objects, reserved[0], 1) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: reserved[1] 1 << 63", EINVAL,
	    .pk = { P64(gc_objects, reserved[1], 1ULL << 63) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: ntargets 1", EINVAL,
	    .pk = { P32(gc_objects, ntargets, 1) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: nonzero targets", EINVAL,
	    .pk = { P64(gc_objects, targets, 8) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: generation OBJHEAP_GEN_FINALIZE",
	    EINVAL, .pk = { P32(gc_objects, generation, OBJHEAP_GEN_FINALIZE) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: generation 6", EINVAL,
	    .pk = { P32(gc_objects, generation, 6) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: generation OBJHEAP_GEN_UNTRACKED",
	    EINVAL, .pk = { P32(gc_objects, generation, OBJHEAP_GEN_UNTRACKED) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: NULL array", EFAULT, .b = B_NULL),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: NULL array, count 0xffffffff",
	    EFAULT, .b = B_NULL, .pk = { P32(gc_objects, count, 0xffffffffU) }),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: unmapped array", EFAULT,
	    .b = B_HOLE),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: read-only array", EFAULT,
	    .b = B_RO),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: kernel address array", EFAULT,
	    .b = B_KERNEL),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: array straddling a mapping's end",
	    EFAULT, .b = B_EDGE),
	ONE(FAM_GC, GC_OBJECTS, "gc_objects: array address with bit 32 set",
	    EFAULT, .b = B_HIGH, .only32 = true),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: generation 1", EINVAL,
	    .pk = { P32(gc_objects, generation, 1) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: flags 1 << 31", EINVAL,
	    .pk = { P32(gc_objects, flags, 1U << 31) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: nonzero reserved[1]", EINVAL,
	    .pk = { P64(gc_objects, reserved[1], 1) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: ntargets 0", EINVAL,
	    .pk = { P32(gc_objects, ntargets, 0) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: ntargets OBJHEAP_REFERRERS_MAX + 1",
	    EINVAL, .pk = { P32(gc_objects, ntargets, OBJHEAP_REFERRERS_MAX + 1) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: ntargets 0xffffffff", EINVAL,
	    .pk = { P32(gc_objects, ntargets, 0xffffffffU) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: NULL targets", EFAULT,
	    .pk = { P64(gc_objects, targets, 0) }),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: kernel address targets", EFAULT,
	    .pk = { P64(gc_objects, targets, KERNEL_U64) }),
	/* The target: 0, dropped, another heap's, never opened. */
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: target", EBADF,
	    .xp = XP_BADH),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: unmapped array", EFAULT,
	    .b = B_HOLE),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: read-only array", EFAULT,
	    .b = B_RO),
	ONE(FAM_GC, GC_REFERRERS, "gc_referrers: kernel address array", EFAULT,
	    .b = B_KERNEL),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: NULL array", EFAULT, .b = B_NULL),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: NULL array, count 0xffffffff",
	    EFAULT, .b = B_NULL, .pk = { P32(gc_garbage, count, 0xffffffffU) }),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: unmapped array", EFAULT,
	    .b = B_HOLE),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: read-only array", EFAULT,
	    .b = B_RO),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: kernel address array", EFAULT,
	    .b = B_KERNEL),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: array straddling a mapping's end",
	    EFAULT, .b = B_EDGE),
	ONE(FAM_GC, GC_GARBAGE, "gc_garbage: array address with bit 32 set",
	    EFAULT, .b = B_HIGH, .only32 = true),

	/* BATCH headers and arrays; its operations are the OP1 rows. */
	ONE(FAM_BATCH, BATCH, "batch: flags 1", EINVAL,
	    .pk = { P32(batch, flags, 1) }),
	ONE(FAM_BATCH, BATCH, "batch: flags 1 << 31", EINVAL,
	    .pk = { P32(batch, flags, 1U << 31) }),
	ONE(FAM_BATCH, BATCH, "batch: nonzero reserved", EINVAL,
	    .pk = { P64(batch, reserved, 1) }),
	ONE(FAM_BATCH, BATCH, "batch: reserved 1 << 63", EINVAL,
	    .pk = { P64(batch, reserved, 1ULL << 63) }),
	ONE(FAM_BATCH, BATCH, "batch: count OBJHEAP_BATCH_MAX + 1", EINVAL,
	    .pk = { P32(batch, count, OBJHEAP_BATCH_MAX + 1) }),
	ONE(FAM_BATCH, BATCH, "batch: count 0x80000000", EINVAL,
	    .pk = { P32(batch, count, 0x80000000U) }),
	ONE(FAM_BATCH, BATCH, "batch: count 0xffffffff", EINVAL,
	    .pk = { P32(batch, count, 0xffffffffU) }),
	ONE(FAM_BATCH, BATCH, "batch: op_size 0", EINVAL,
	    .pk = { P32(batch, op_size, 0) }),
	ONE(FAM_BATCH, BATCH, "batch: op_size 1", EINVAL,
	    .pk = { P32(batch, op_size, 1) }),
	ONE(FAM_BATCH, BATCH, "batch: op_size 39", EINVAL,
	    .pk = { P32(batch, op_size, sizeof(struct objheap_op) - 1) }),
	ONE(FAM_BATCH, BATCH, "batch: NULL array", EFAULT, .b = B_NULL,
	    .done = DONE(0)),
	ONE(FAM_BATCH, BATCH, "batch: unmapped array", EFAULT, .b = B_HOLE,
	    .done = DONE(0)),
	ONE(FAM_BATCH, BATCH, "batch: read-only array", EFAULT, .b = B_RO,
	    .done = DONE(0)),
	ONE(FAM_BATCH, BATCH, "batch: kernel address array", EFAULT,
	    .b = B_KERNEL, .done = DONE(0)),
	ONE(FAM_BATCH, BATCH, "batch: op 0 straddling a mapping's end", EFAULT,
	    .b = B_EDGE, .done = DONE(0)),
	ONE(FAM_BATCH, BATCH, "batch: op 2 straddling a mapping's end", EFAULT,
	    .b = B_EDGE, .pk = { P32(batch, count, 3) }, .done = DONE(2)),
	ONE(FAM_BATCH, BATCH, "batch: array address with bit 32 set", EFAULT,
	    .b = B_HIGH, .only32 = true, .done = DONE(0)),
	ONE(FAM_BATCH, BATCH, "batch: op_size 48, op 1 with a nonzero tail",
	    E2BIG, .su = SU_E2BIG, .done = DONE(1)),
	ONE(FAM_BATCH, BATCH, "batch: op_size 41, op 0 with a nonzero tail",
	    E2BIG, .su = SU_E2BIG1, .done = DONE(0)),
	/* Operations only a batch can carry (M_BATCH: after a NOP). */
	{ .name = "batch: unknown op code OBJHEAP_OP_COUNT", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(op, OBJHEAP_OP_COUNT) } },
	{ .name = "batch: unknown op code 0x80000000", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(op, 0x80000000U) } },
	{ .name = "batch: unknown op code 0xffffffff", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(op, 0xffffffffU) } },
	{ .name = "batch: NOP with nonzero handle", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .h = H_LEAF },
	{ .name = "batch: NOP with nonzero ref", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .r = H_LEAF },
	{ .name = "batch: NOP with nonzero index", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(index, 1) } },
	{ .name = "batch: NOP with nonzero count", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(count, 1) } },
	{ .name = "batch: NOP with nonzero type", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(type, 1) } },
	{ .name = "batch: NOP with nonzero size", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .pk = { O32(size, 1) } },
	{ .name = "batch: NOP with nonzero buf", .fam = FAM_BATCH,
	  .cmd = OBJHEAP_IOC_NOP, .modes = M_BATCH, .err = EINVAL,
	  .b = B_RW },

	/* The argument pointer of every ioctl that takes one. */
	PTRS(VERSION, "version:"),
	PTRS(NEW, "new:"),
	PTRS(DUP, "dup:"),
	PTRS(DROP, "drop:"),
	PTRS(SET, "set:"),
	PTRS(GET, "get:"),
	PTRS(WRITE, "write:"),
	PTRS(READ, "read:"),
	PTRS(INFO, "info:"),
	PTRS(BATCH, "batch:"),
	PTRS(GET_LIMITS, "get_limits:"),
	PTRS(SET_LIMITS, "set_limits:"),
	PTRS(GC_COLLECT, "gc_collect:"),
	PTRS(GC_GET_PARAMS, "gc_get_params:"),
	PTRS(GC_SET_PARAMS, "gc_set_params:"),
	PTRS(GC_STATS, "gc_stats:"),
	PTRS(GC_GARBAGE, "gc_garbage:"),
	PTRS(GC_OBJECTS, "gc_objects:"),
	PTRS(GC_REFERRERS, "gc_referrers:"),
	PTRS(HEAP_STATS, "heap_stats:"),
	PTRS(GET_EVENT_FORMAT, "get_event_format:"),
	PTRS(SET_EVENT_FORMAT, "set_event_format:"),
	/* Read-only, where the kernel answers through the argument. */
	PTR(VERSION, "version: read-only argument", AT_RO),
	ONE(FAM_PTRS, NEW, "new: read-only argument", EFAULT, .at = AT_RO),
	PTR(DUP, "dup: read-only argument", AT_RO),
	PTR(GET, "get: read-only argument", AT_RO),
	PTR(INFO, "info: read-only argument", AT_RO),
	PTR(BATCH, "batch: read-only argument", AT_RO),
	PTR(GET_LIMITS, "get_limits: read-only argument", AT_RO),
	ONE(FAM_PTRS, GC_COLLECT, "gc_collect: read-only argument", EFAULT,
	    .at = AT_RO),
	PTR(GC_GET_PARAMS, "gc_get_params: read-only argument", AT_RO),
	PTR(GC_STATS, "gc_stats: read-only argument", AT_RO),
	PTR(GC_GARBAGE, "gc_garbage: read-only argument", AT_RO),
	PTR(GC_OBJECTS, "gc_objects: read-only argument", AT_RO),
	PTR(GC_REFERRERS, "gc_referrers: read-only argument", AT_RO),
	PTR(HEAP_STATS, "heap_stats: read-only argument", AT_RO),
	PTR(GET_EVENT_FORMAT, "get_event_format: read-only argument", AT_RO),
	/* ... with the handle table full, so that an answer needs it grown. */
	ONE(FAM_PTRS, NEW, "new: read-only argument, handle table full",
	    EFAULT, .at = AT_RO, .su = SU_FULL),
	ONE(FAM_PTRS, DUP, "dup: read-only argument, handle table full",
	    EFAULT, .at = AT_RO, .su = SU_FULL),
	ONE(FAM_PTRS, GET, "get: read-only argument, handle table full",
	    EFAULT, .at = AT_RO, .su = SU_FULL),

	/* Command numbers: every command with its size, direction or magic
	 * changed, numbers nobody uses, other drivers' commands.
	 */
	IOC(VERSION, "version:"),
	IOC(NEW, "new:"),
	IOC(DUP, "dup:"),
	IOC(DROP, "drop:"),
	IOC(SET, "set:"),
	IOC(GET, "get:"),
	IOC(WRITE, "write:"),
	IOC(READ, "read:"),
	IOC(INFO, "info:"),
	IOC(BATCH, "batch:"),
	IOC(GET_LIMITS, "get_limits:"),
	IOC(SET_LIMITS, "set_limits:"),
	IOC(NOP, "nop:"),
	IOC(GC_COLLECT, "gc_collect:"),
	IOC(GC_GET_PARAMS, "gc_get_params:"),
	IOC(GC_SET_PARAMS, "gc_set_params:"),
	IOC(GC_STATS, "gc_stats:"),
	IOC(GC_FREEZE, "gc_freeze:"),
	IOC(GC_UNFREEZE, "gc_unfreeze:"),
	IOC(GC_GARBAGE, "gc_garbage:"),
	IOC(GC_FINALIZE, "gc_finalize:"),
	IOC(WEAK_CALLBACKS, "weak_callbacks:"),
	IOC(GC_OBJECTS, "gc_objects:"),
	IOC(GC_REFERRERS, "gc_referrers:"),
	IOC(WEAKREF, "weakref:"),
	IOC(DEREF, "deref:"),
	IOC(HEAP_STATS, "heap_stats:"),
	IOC(GET_EVENT_FORMAT, "get_event_format:"),
	IOC(SET_EVENT_FORMAT, "set_event_format:"),
	{ .name = "unknown", .fam = FAM_CMDS, .xp = XP_UNKNOWN_NR,
	  .modes = M_IOCTL, .err = ENOTTY },
	{ .name = "command 0", .fam = FAM_CMDS, .cmd = 0, .modes = M_IOCTL,
	  .err = ENOTTY },
	{ .name = "command 0xffffffff", .fam = FAM_CMDS, .cmd = 0xffffffffU,
	  .modes = M_IOCTL, .err = ENOTTY },
	{ .name = "TCGETS", .fam = FAM_CMDS, .cmd = TCGETS, .modes = M_IOCTL,
	  .err = ENOTTY },
	{ .name = "VERSION with magic 0xBD", .fam = FAM_CMDS,
	  .cmd = _IOR(0xBD, 0x00, struct objheap_version), .modes = M_IOCTL,
	  .err = ENOTTY },
	{ .name = "NOP with magic 0", .fam = FAM_CMDS, .cmd = _IO(0, 0x0c),
	  .modes = M_IOCTL, .err = ENOTTY },

	/* The GC event stream: read() on the heap's file. */
	RD("events: read 1 byte", EINVAL, .su = SU_EVENT, .b = B_RW, .len = 1),
	RD("events: read one record less a byte", EINVAL, .su = SU_EVENT,
	   .b = B_RW, .len = REC - 1),
	RD("events: short buffer, nothing to read, blocking", EINVAL,
	   .su = SU_EMPTY, .b = B_RW, .len = REC - 1),
	RD("events: short buffer, nothing to read, O_NONBLOCK", EINVAL,
	   .su = SU_EMPTY, .b = B_RW, .len = 1, .nonblock = true),
	RD("events: NULL buffer", EFAULT, .su = SU_EVENT, .b = B_NULL,
	   .len = REC),
	RD("events: unmapped buffer", EFAULT, .su = SU_EVENT, .b = B_HOLE,
	   .len = REC),
	RD("events: read-only buffer", EFAULT, .su = SU_EVENT, .b = B_RO,
	   .len = REC),
	RD("events: kernel address buffer", EFAULT, .su = SU_EVENT,
	   .b = B_KERNEL, .len = REC),
	RD("events: buffer straddling a mapping's end", EFAULT, .su = SU_EVENT,
	   .b = B_EDGE, .len = REC),
	RD("events: nothing to read, O_NONBLOCK", EAGAIN, .su = SU_EMPTY,
	   .b = B_RW, .len = REC, .nonblock = true),
	RD("events: nothing to read, O_NONBLOCK, a page of room", EAGAIN,
	   .su = SU_EMPTY, .b = B_RW, .len = 4096, .nonblock = true),
	/* ... in the sized format, whose records are longer. */
	RD("events, sized: read one record less a byte", EINVAL,
	   .su = SU_EVENT_SIZED, .b = B_RW, .len = SREC - 1),
	RD("events, sized: room for a fixed record only", EINVAL,
	   .su = SU_EVENT_SIZED, .b = B_RW, .len = REC),
	RD("events, sized: read-only buffer", EFAULT, .su = SU_EVENT_SIZED,
	   .b = B_RO, .len = SREC),
	RD("events, sized: buffer straddling a mapping's end", EFAULT,
	   .su = SU_EVENT_SIZED, .b = B_EDGE, .len = SREC),
	/* The stream's format. */
	ONE(FAM_EVENTS, SET_EVENT_FORMAT, "set_event_format: format 2", EINVAL,
	    .pk = { P32(event_format, format, OBJHEAP_EVENTS_SIZED + 1) }),
	ONE(FAM_EVENTS, SET_EVENT_FORMAT, "set_event_format: format 0xffffffff",
	    EINVAL, .pk = { P32(event_format, format, 0xffffffffU) }),
	ONE(FAM_EVENTS, SET_EVENT_FORMAT, "set_event_format: flags 1", EINVAL,
	    .pk = { P32(event_format, format, OBJHEAP_EVENTS_SIZED),
		    P32(event_format, flags, 1) }),
	ONE(FAM_EVENTS, SET_EVENT_FORMAT, "set_event_format: flags 1 << 31",
	    EINVAL, .pk = { P32(event_format, flags, 1U << 31) }),
	ONE(FAM_EVENTS, SET_EVENT_FORMAT, "set_event_format: nonzero reserved",
	    EINVAL, .pk = { P32(event_format, format, OBJHEAP_EVENTS_SIZED),
			    P64(event_format, reserved, 1) }),
	ONE(FAM_EVENTS, SET_EVENT_FORMAT, "set_event_format: reserved 1 << 63",
	    EINVAL, .pk = { P64(event_format, reserved, 1ULL << 63) }),

	/* The device's other file operations: not in docs/abi.md (see the
	 * report); these are the VFS's answers for a stream (stream_open())
	 * without write or mmap methods.
	 */
	{ .name = "device: write()", .fam = FAM_DEV, .kind = K_WRITE,
	  .err = EINVAL },
	{ .name = "device: pwrite()", .fam = FAM_DEV, .kind = K_PWRITE,
	  .err = ESPIPE },
	{ .name = "device: pread()", .fam = FAM_DEV, .kind = K_PREAD,
	  .su = SU_EVENT, .err = ESPIPE },
	{ .name = "device: lseek(SEEK_SET)", .fam = FAM_DEV, .kind = K_LSEEK,
	  .whence = SEEK_SET, .err = ESPIPE },
	{ .name = "device: lseek(SEEK_END)", .fam = FAM_DEV, .kind = K_LSEEK,
	  .whence = SEEK_END, .err = ESPIPE },
	{ .name = "device: mmap()", .fam = FAM_DEV, .kind = K_MMAP,
	  .err = ENODEV },

	/* debugfs objheap/control takes "collect" and nothing else. */
	CTL("control: empty write", "", EINVAL),
	CTL("control: scan", "scan", EINVAL),
	CTL("control: collec", "collec", EINVAL),
	CTL("control: collectx", "collectx", EINVAL),
	CTL("control: COLLECT", "COLLECT", EINVAL),
	CTL("control: collect 1", "collect 1", EINVAL),
	CTL("control: 1", "1\n", EINVAL),
	CTL("control: -1", "-1\n", EINVAL),
	CTL("control: 0x7fffffffffffffff", "0x7fffffffffffffff\n", EINVAL),
	CTL("control: collect, newline, junk", "collect\njunk", EINVAL),
	CTL("control: collectcollectcollect", "collectcollectcollect", EINVAL),
	CTL("control: collect, 8 spaces, junk", "collect        junk", EINVAL),
	CTL("control: collect, NUL, junk", "collect\0junk", EINVAL),
	{ .name = "control: a page of x", .fam = FAM_DEBUGFS,
	  .kind = K_CONTROL, .fill = 'x', .len = 4096, .err = EINVAL },
	CTL("control: NULL buffer", "collect", EFAULT, .b = B_NULL),
	CTL("control: unmapped buffer", "collect", EFAULT, .b = B_HOLE),
	CTL("control: kernel address buffer", "collect", EFAULT,
	    .b = B_KERNEL),
	CTL("control: buffer straddling a mapping's end", "collect", EFAULT,
	    .b = B_EDGE),
	/* Not in docs/abi.md: the VFS's answer without a read/write method. */
	{ .name = "control: read()", .fam = FAM_DEBUGFS, .kind = K_DFS_READ,
	  .path = "control", .err = EINVAL },
	{ .name = "stats: write()", .fam = FAM_DEBUGFS, .kind = K_DFS_WRITE,
	  .path = "stats", .err = EINVAL },

	/* Module parameters: thresholds above 2^30 are EINVAL. */
	PARAM("gc_threshold0", "1073741825", EINVAL),
	PARAM("gc_threshold1", "0x40000001", EINVAL),
	PARAM("gc_threshold2", "4294967295", EINVAL),
	PARAM("gc_threshold0", "4294967296", EINVAL),
	PARAM("gc_threshold1", "-1", EINVAL),
	PARAM("gc_threshold2", "abc", EINVAL),
	PARAM("gc_enabled", "maybe", EINVAL),
	PARAM("gc_saveall", "2", EINVAL),
	PARAM("max_bytes", "1e9", EINVAL),
	PARAM("max_objects", "x", EINVAL),
	PARAM("max_handles", "-5", EINVAL),
	PARAM("freelist_max", "ten", EINVAL),
};

union arg {
	struct objheap_op op;
	struct objheap_version version;
	struct objheap_info info;
	struct objheap_batch batch;
	struct objheap_limits limits;
	struct objheap_gc_params params;
	struct objheap_gc_collect collect;
	struct objheap_gc_stats gc_stats;
	struct objheap_gc_garbage garbage;
	struct objheap_gc_objects objects;
	struct objheap_heap_stats heap_stats;
	struct objheap_event_format event_format;
};

/* One case of a row: what its expansion changed. */
struct inst {
	unsigned long cmd;
	enum hsym h, r;
	enum at at;
	bool op_set;
	__u32 op;
	char what[64];
};

struct ctx {
	int fd, fd2;
	long page;
	__u32 box, leaf, spare, gone;
	__u32 target[H_MAX + 1];	/* handle_of() each, for GC_REFERRERS */
	char *argp;	/* the argument, the batch header and ops */
	char *rop;	/* read-only, but while an argument is put in it */
	char *pay;	/* a writable page */
	char *edge;	/* end of a mapping whose next page is unmapped */
	char *hole;	/* an unmapped page */
	char *big;	/* OBJHEAP_MAX_PAYLOAD + a page */
	size_t big_len;
	__u64 ev_seq;	/* SU_EVENT: the waiting record's seq */
	bool sized;	/* SU_EVENT_SIZED: the stream is sized until cleanup */
	__u32 extra[MAX_EXTRA];
	unsigned int nextra;
};

/* What a heap looks like: taken before and after each case. */
struct snap {
	struct objheap_heap_stats hs;
	struct objheap_heap_stats hs2;	/* the other heap */
	struct objheap_limits lim;
	struct objheap_gc_params params;
	struct objheap_gc_stats gc;
	struct objheap_event_format fmt;
	struct objheap_info info[3];	/* box, leaf, spare */
	__u64 slot[BOX_SLOTS];		/* ids of the box's referents */
	unsigned char box[BOX_SIZE];
	unsigned char leaf[LEAF_SIZE];
	int ready;			/* poll(): a record waits */
	int err;			/* a call taking the snapshot failed */
};

static const struct {
	const char *name;
	size_t off, size;
} snap_parts[] = {
	{ "HEAP_STATS", offsetof(struct snap, hs), sizeof(struct objheap_heap_stats) },
	{ "other heap's HEAP_STATS", offsetof(struct snap, hs2),
	  sizeof(struct objheap_heap_stats) },
	{ "GET_LIMITS", offsetof(struct snap, lim), sizeof(struct objheap_limits) },
	{ "GC_GET_PARAMS", offsetof(struct snap, params),
	  sizeof(struct objheap_gc_params) },
	{ "GC_STATS", offsetof(struct snap, gc), sizeof(struct objheap_gc_stats) },
	{ "GET_EVENT_FORMAT", offsetof(struct snap, fmt),
	  sizeof(struct objheap_event_format) },
	{ "INFO(box)", offsetof(struct snap, info[0]), sizeof(struct objheap_info) },
	{ "INFO(leaf)", offsetof(struct snap, info[1]), sizeof(struct objheap_info) },
	{ "INFO(spare)", offsetof(struct snap, info[2]), sizeof(struct objheap_info) },
	{ "box's slots", offsetof(struct snap, slot), BOX_SLOTS * sizeof(__u64) },
	{ "box's payload", offsetof(struct snap, box), BOX_SIZE },
	{ "leaf's payload", offsetof(struct snap, leaf), LEAF_SIZE },
	{ "event stream readiness", offsetof(struct snap, ready), sizeof(int) },
	{ "snapshot errno", offsetof(struct snap, err), sizeof(int) },
};

/* Fields worth naming when a snapshot part changes. */
#define HS(f)	{ offsetof(struct snap, hs.f), #f }
#define GS(f)	{ offsetof(struct snap, gc.f), #f }
static const struct {
	size_t off;
	const char *name;
} snap_fields[] = {
	HS(id), HS(objects), HS(bytes), HS(peak_bytes), HS(allocs), HS(frees),
	HS(handles), HS(handles_cap), HS(freelisted), HS(freelist_hits),
	HS(freelist_misses), HS(reserved),
	GS(count), GS(state), GS(tracked), GS(frozen), GS(garbage),
	GS(automatic), GS(finalizing), GS(callbacks), GS(gen[0]), GS(gen[1]), GS(gen[2]),
};

/* Cases run, shared by the harness's children. */
static unsigned int *counts;

static void __attribute__((constructor)) counts_init(void)
{
	counts = mmap(NULL, sizeof(*counts), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		counts = NULL;
}

/* In the harness's parent, at its exit: one line for the report. */
static void __attribute__((destructor)) counts_report(void)
{
	if (!counts)
		return;
	printf("badinput: cases=%u\n", *counts);
	fflush(stdout);
}

/* The single-operation ioctls and their op codes. */
static const struct {
	unsigned long cmd;
	__u32 op;
} op_cmds[] = {
	{ OBJHEAP_IOC_NOP, OBJHEAP_OP_NOP },
	{ OBJHEAP_IOC_NEW, OBJHEAP_OP_NEW },
	{ OBJHEAP_IOC_DUP, OBJHEAP_OP_DUP },
	{ OBJHEAP_IOC_DROP, OBJHEAP_OP_DROP },
	{ OBJHEAP_IOC_SET, OBJHEAP_OP_SET },
	{ OBJHEAP_IOC_GET, OBJHEAP_OP_GET },
	{ OBJHEAP_IOC_WRITE, OBJHEAP_OP_WRITE },
	{ OBJHEAP_IOC_READ, OBJHEAP_OP_READ },
	{ OBJHEAP_IOC_WEAKREF, OBJHEAP_OP_WEAKREF },
	{ OBJHEAP_IOC_DEREF, OBJHEAP_OP_DEREF },
};

/* The op code of a single-operation ioctl, or -1. */
static int opcode_of(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(op_cmds); i++)
		if (op_cmds[i].cmd == cmd)
			return op_cmds[i].op;
	return -1;
}

static __u32 handle_of(const struct ctx *c, enum hsym h)
{
	const __u32 val[] = {
		[H_BOX] = c->box, [H_LEAF] = c->leaf, [H_GONE] = c->gone,
		[H_OTHER] = OTHER_HANDLE, [H_BIG] = 999999,
		[H_MAX] = 0xffffffffU,
	};

	return h < ARRAY_SIZE(val) ? val[h] : 0;
}

static const char *const handle_names[] = {
	[H_ZERO] = "0", [H_GONE] = "dropped", [H_OTHER] = "another heap's",
	[H_BIG] = "999999 (never opened)", [H_MAX] = "0xffffffff",
};

/* A user buffer of @n bytes, as a pointer. */
static void *buf_ptr(const struct ctx *c, enum bsym b, size_t n)
{
	if (b == B_RW)
		return c->pay;
	if (b == B_RO)
		return c->rop;
	if (b == B_HOLE)
		return c->hole;
	if (b == B_EDGE)	/* the second half past the end */
		return c->edge - (n > 1 ? n / 2 : 1);
	if (b == B_KERNEL)
		return KERNEL_PTR;
	if (b == B_BIG)
		return c->big;
	return NULL;
}

/* The same as a __u64 field, where a 32-bit caller can name any address. */
static __u64 buf_u64(const struct ctx *c, enum bsym b, size_t n)
{
	if (b == B_KERNEL)
		return KERNEL_U64;
	if (b == B_HIGH)
		return 1ULL << 32 | (uintptr_t)c->pay;
	return (uintptr_t)buf_ptr(c, b, n);
}

/* A valid argument for @cmd: what each row then spoils in one place. */
static void valid_arg(const struct ctx *c, unsigned long cmd, union arg *a)
{
	memset(a, 0, sizeof(*a));
	switch (cmd) {
	case OBJHEAP_IOC_NEW:
		a->op.type = 9;
		a->op.size = 8;
		break;
	case OBJHEAP_IOC_DUP:
	case OBJHEAP_IOC_WEAKREF:
	case OBJHEAP_IOC_DEREF:
		a->op.handle = c->leaf;
		break;
	case OBJHEAP_IOC_INFO:
		a->info.handle = c->leaf;
		break;
	case OBJHEAP_IOC_DROP:
		a->op.handle = c->spare;
		break;
	case OBJHEAP_IOC_SET:
		a->op.handle = c->box;
		a->op.index = 1;
		a->op.ref = c->leaf;
		break;
	case OBJHEAP_IOC_GET:
		a->op.handle = c->box;
		break;
	case OBJHEAP_IOC_WRITE:
	case OBJHEAP_IOC_READ:
		a->op.handle = c->leaf;
		a->op.count = 4;
		a->op.buf = (uintptr_t)c->pay;
		break;
	case OBJHEAP_IOC_BATCH:	/* one NOP */
		a->batch.ops = (uintptr_t)(c->argp + OPS_OFF);
		a->batch.count = 1;
		a->batch.op_size = sizeof(struct objheap_op);
		break;
	case OBJHEAP_IOC_GC_SET_PARAMS:	/* the fixture's, unchanged */
		a->params.flags = OBJHEAP_GC_SAVEALL;
		a->params.threshold[0] = 700;
		a->params.threshold[1] = 10;
		a->params.threshold[2] = 10;
		break;
	case OBJHEAP_IOC_GC_GARBAGE:
	case OBJHEAP_IOC_GC_FINALIZE:
	case OBJHEAP_IOC_WEAK_CALLBACKS:
		a->garbage.handles = (uintptr_t)c->pay;
		a->garbage.count = 4;
		break;
	case OBJHEAP_IOC_GC_OBJECTS:
		a->objects.handles = (uintptr_t)c->pay;
		a->objects.count = 4;
		break;
	case OBJHEAP_IOC_GC_REFERRERS:	/* of the leaf, which the box holds */
		a->objects.handles = (uintptr_t)c->pay;
		a->objects.count = 4;
		a->objects.targets = (uintptr_t)&c->leaf;
		a->objects.ntargets = 1;
		break;
	}
	/* SET_LIMITS: all 0 keeps every limit; GC_COLLECT: generation 0. */
}

static void poke(union arg *a, const struct poke *p)
{
	__u32 v32 = p->val;

	if (p->size == 4)
		memcpy((char *)a + p->off, &v32, 4);
	else if (p->size == 8)
		memcpy((char *)a + p->off, &p->val, 8);
}

static const unsigned int ioc_dirs[] = {
	_IOC_NONE, _IOC_WRITE, _IOC_READ, _IOC_READ | _IOC_WRITE,
};

static const char *const ioc_dir_names[] = { "_IO", "_IOW", "_IOR", "_IOWR" };

static const char *const ioc_size_names[] = {
	"size 0", "size - 1", "size - 8", "size + 1", "size + 8", "size * 2",
};

/* Case @i of a command with one thing changed; false past the last. */
static bool ioc_variant(unsigned long cmd, unsigned int i, struct inst *in)
{
	unsigned int dir = _IOC_DIR(cmd), type = _IOC_TYPE(cmd);
	unsigned int nr = _IOC_NR(cmd), d, k = 0;
	int size = _IOC_SIZE(cmd);

	for (d = 0; d < ARRAY_SIZE(ioc_dirs); d++) {
		if (ioc_dirs[d] == dir)
			continue;
		if (k++ == i) {
			in->cmd = _IOC(ioc_dirs[d], type, nr, size);
			snprintf(in->what, sizeof(in->what), "as %s",
				 ioc_dir_names[d]);
			return true;
		}
	}
	for (d = 0; d < ARRAY_SIZE(ioc_size_names); d++) {
		int s[] = { 0, size - 1, size - 8, size + 1, size + 8, 2 * size };

		/* No size below 0 or as it is, and 0 only once. */
		if (s[d] < 0 || s[d] == (int)size || (d && !s[d]))
			continue;
		if (k++ == i) {
			in->cmd = _IOC(dir, type, nr, s[d]);
			snprintf(in->what, sizeof(in->what), "%s",
				 ioc_size_names[d]);
			return true;
		}
	}
	if (k++ == i) {
		in->cmd = _IOC(dir, 0xBF, nr, size);
		snprintf(in->what, sizeof(in->what), "magic 0xBF");
		return true;
	}
	if (k++ == i) {
		in->cmd = _IOC(dir, type, nr + 0x40, size);
		snprintf(in->what, sizeof(in->what), "number + 0x40");
		return true;
	}
	return false;
}

static bool nr_is_used(unsigned int nr)
{
	return nr <= 0x0e || (nr >= 0x10 && nr <= 0x1a) || nr == 0x20;
}

/* Numbers objheap does not use, in its range and past it. */
static bool unknown_nr(unsigned int i, struct inst *in)
{
	static const unsigned int past[] = { 0x40, 0x41, 0x7f, 0x80, 0xfe, 0xff };
	unsigned int enc = i % 3, n = i / 3, nr, k = 0;

	for (nr = 0; nr < 0x40; nr++) {
		if (nr_is_used(nr))
			continue;
		if (k++ == n)
			goto found;
	}
	if (n - k >= ARRAY_SIZE(past))
		return false;
	nr = past[n - k];
found:
	if (enc == 0)
		in->cmd = _IO(OBJHEAP_IOC_MAGIC, nr);
	else if (enc == 1)
		in->cmd = _IOR(OBJHEAP_IOC_MAGIC, nr, struct objheap_version);
	else
		in->cmd = _IOWR(OBJHEAP_IOC_MAGIC, nr, struct objheap_op);
	snprintf(in->what, sizeof(in->what), "%s number %#x",
		 enc == 0 ? "_IO" : enc == 1 ? "_IOR" : "_IOWR", nr);
	return true;
}

static const __u32 wrong_ops[] = {
	OBJHEAP_OP_NEW, OBJHEAP_OP_DUP, OBJHEAP_OP_DROP, OBJHEAP_OP_SET,
	OBJHEAP_OP_GET, OBJHEAP_OP_WRITE, OBJHEAP_OP_READ, OBJHEAP_OP_WEAKREF,
	OBJHEAP_OP_DEREF, OBJHEAP_OP_COUNT,
	0x80000000U, 0xffffffffU,
};

static const enum at ptr_ats[] = { AT_NULL, AT_HOLE, AT_KERNEL, AT_EDGE };

static const char *const ptr_names[] = {
	"NULL argument", "unmapped argument", "kernel address argument",
	"argument straddling a mapping's end",
};

/* Case @i of a row; false past its last. */
static bool expand(const struct bad_case *bc, unsigned int i, struct inst *in)
{
	static const enum hsym bad[] = { H_ZERO, H_GONE, H_OTHER, H_BIG, H_MAX };
	unsigned int k, n;

	memset(in, 0, sizeof(*in));
	in->cmd = bc->cmd;
	in->h = bc->h;
	in->r = bc->r;
	in->at = bc->at;
	switch (bc->xp) {
	case XP_ONE:
		if (bc->kind == K_PARAM)
			snprintf(in->what, sizeof(in->what), "%s=%s", bc->path,
				 bc->data);
		return i == 0;
	case XP_PTRS:
		if (i >= ARRAY_SIZE(ptr_ats))
			return false;
		in->at = ptr_ats[i];
		snprintf(in->what, sizeof(in->what), "%s", ptr_names[i]);
		return true;
	case XP_BADH:
		if (i >= ARRAY_SIZE(bad))
			return false;
		in->h = bad[i];
		snprintf(in->what, sizeof(in->what), "%s handle",
			 handle_names[in->h]);
		return true;
	case XP_BADREF:
		if (i + 1 >= ARRAY_SIZE(bad))
			return false;
		in->r = bad[i + 1];
		snprintf(in->what, sizeof(in->what), "%s ref",
			 handle_names[in->r]);
		return true;
	case XP_WRONGOP:
		for (k = 0, n = 0; k < ARRAY_SIZE(wrong_ops); k++) {
			if (wrong_ops[k] == (__u32)opcode_of(bc->cmd))
				continue;
			if (n++ == i) {
				in->op_set = true;
				in->op = wrong_ops[k];
				snprintf(in->what, sizeof(in->what),
					 "op field %#x", in->op);
				return true;
			}
		}
		return false;
	case XP_IOC:
		return ioc_variant(bc->cmd, i, in);
	case XP_UNKNOWN_NR:
		return unknown_nr(i, in);
	}
	return false;
}

/* Build the argument of a case (for a batch: its operation). */
static void build(const struct ctx *c, const struct bad_case *bc,
		  const struct inst *in, unsigned int mode, union arg *a)
{
	unsigned int i;
	size_t n;

	valid_arg(c, bc->cmd, a);
	if (mode == M_BATCH)
		a->op.op = opcode_of(bc->cmd);
	for (i = 0; i < ARRAY_SIZE(bc->pk); i++)
		poke(a, &bc->pk[i]);
	if (in->h && bc->cmd == OBJHEAP_IOC_INFO)
		a->info.handle = handle_of(c, in->h);
	else if (in->h && bc->cmd == OBJHEAP_IOC_GC_REFERRERS)
		a->objects.targets = (uintptr_t)&c->target[in->h];
	else if (in->h)
		a->op.handle = handle_of(c, in->h);
	if (in->r)
		a->op.ref = handle_of(c, in->r);
	if (in->op_set)
		a->op.op = in->op;
	if (bc->b == B_KEEP)
		return;
	switch (bc->cmd) {
	case OBJHEAP_IOC_BATCH:
		/* B_EDGE: the last operation straddles the end. */
		n = (size_t)a->batch.count * a->batch.op_size;
		a->batch.ops = buf_u64(c, bc->b, n);
		if (bc->b == B_EDGE)
			a->batch.ops = (uintptr_t)(c->edge - n +
						   a->batch.op_size / 2);
		break;
	case OBJHEAP_IOC_GC_GARBAGE:
	case OBJHEAP_IOC_GC_FINALIZE:
	case OBJHEAP_IOC_WEAK_CALLBACKS:
		a->garbage.handles = buf_u64(c, bc->b, 4 * a->garbage.count);
		break;
	case OBJHEAP_IOC_GC_OBJECTS:
	case OBJHEAP_IOC_GC_REFERRERS:
		a->objects.handles = buf_u64(c, bc->b, 4 * a->objects.count);
		break;
	default:
		a->op.buf = buf_u64(c, bc->b, a->op.count);
		break;
	}
}

static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* Keep the first error met while taking a snapshot. */
static void note(struct snap *s, int err)
{
	if (err && !s->err)
		s->err = err;
}

/* Take a snapshot; with @slots, GET each slot of the box (and drop). */
static void snap_take(const struct ctx *c, struct snap *s, bool slots)
{
	struct objheap_info info;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	__u32 h[3] = { c->box, c->leaf, c->spare }, ref;
	int i;

	memset(s, 0, sizeof(*s));
	/* Slots first: a GET may grow the handle table (SU_FULL skips it). */
	for (i = 0; slots && i < BOX_SLOTS; i++) {
		note(s, -oh_get(c->fd, c->box, i, &ref));
		if (ref) {
			note(s, -oh_info(c->fd, ref, &info));
			s->slot[i] = info.id;
			note(s, -oh_drop(c->fd, ref));
		}
	}
	note(s, ioc(c->fd, OBJHEAP_IOC_HEAP_STATS, &s->hs));
	note(s, ioc(c->fd2, OBJHEAP_IOC_HEAP_STATS, &s->hs2));
	note(s, ioc(c->fd, OBJHEAP_IOC_GET_LIMITS, &s->lim));
	note(s, ioc(c->fd, OBJHEAP_IOC_GC_GET_PARAMS, &s->params));
	note(s, ioc(c->fd, OBJHEAP_IOC_GC_STATS, &s->gc));
	note(s, ioc(c->fd, OBJHEAP_IOC_GET_EVENT_FORMAT, &s->fmt));
	for (i = 0; i < 3; i++)
		note(s, -oh_info(c->fd, h[i], &s->info[i]));
	note(s, -oh_rw(c->fd, OBJHEAP_IOC_READ, c->box, 0, s->box, BOX_SIZE));
	note(s, -oh_rw(c->fd, OBJHEAP_IOC_READ, c->leaf, 0, s->leaf, LEAF_SIZE));
	s->ready = poll(&p, 1, 0);
}

/* The field of a snapshot that @off is in; *start is where it starts. */
static const char *field_at(size_t off, size_t *start)
{
	const char *name = "?";
	size_t i;

	*start = 0;
	for (i = 0; i < ARRAY_SIZE(snap_fields) && snap_fields[i].off <= off;
	     i++) {
		name = snap_fields[i].name;
		*start = snap_fields[i].off;
	}
	return name;
}

/* Append to @why every 32-bit word that differs between two snapshots. */
static void snap_diff(const struct snap *a, const struct snap *b, char *why,
		      size_t n)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	const char *field;
	size_t i, w, len, start;

	for (i = 0; i < ARRAY_SIZE(snap_parts); i++) {
		/* Every part is 4-byte aligned and sized. */
		for (w = snap_parts[i].off / 4;
		     w < (snap_parts[i].off + snap_parts[i].size) / 4; w++) {
			if (x[w] == y[w])
				continue;
			/* HEAP_STATS and GC_STATS by field, others by byte. */
			start = snap_parts[i].off;
			field = "byte ";
			if (start == offsetof(struct snap, hs) ||
			    start == offsetof(struct snap, gc))
				field = field_at(w * 4, &start);
			len = strlen(why);
			snprintf(why + len, n - len,
				 "%sheap changed: %s %s+%zu: %#x -> %#x",
				 len ? "; " : "", snap_parts[i].name, field,
				 w * 4 - start, x[w], y[w]);
		}
	}
}

/* Append a reason to @why, after a "; " if it has one already. */
static void append(char *why, size_t n, const char *fmt, ...)
{
	size_t len = strlen(why);
	va_list ap;

	if (len && len + 2 < n)
		len += snprintf(why + len, n - len, "; ");
	va_start(ap, fmt);
	vsnprintf(why + len, n - len, fmt, ap);
	va_end(ap);
}

static int set_nonblock(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -errno;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags) ? -errno : 0;
}

/* Choose the event stream's format; 0 or -errno. */
static int event_format(struct ctx *c, __u32 format)
{
	struct objheap_event_format f = { .format = format };

	return -ioc(c->fd, OBJHEAP_IOC_SET_EVENT_FORMAT, &f);
}

/* Consume every waiting record; 0 or -errno. */
static int drain(struct ctx *c)
{
	struct objheap_gc_event ev[4];
	int ret = set_nonblock(c->fd, true);
	ssize_t n;

	while (!ret) {
		n = read(c->fd, ev, sizeof(ev));
		if (n < 0)
			ret = errno == EAGAIN ? 1 : -errno;
		else if (n == 0)
			ret = -EIO;	/* never: records are whole */
	}
	if (ret > 0)
		ret = set_nonblock(c->fd, false);
	return ret;
}

/* Prepare what a row's setup asks for; 0 or -errno. */
static int setup(struct ctx *c, const struct bad_case *bc)
{
	struct objheap_heap_stats hs;
	struct objheap_gc_collect col;
	struct objheap_gc_stats st;
	struct objheap_op op;
	int ret, g;

	c->nextra = 0;
	switch (bc->su) {
	case SU_EVENT_SIZED:
	case SU_EVENT:
		ret = drain(c);
		if (!ret && bc->su == SU_EVENT_SIZED) {
			c->sized = true;
			ret = event_format(c, OBJHEAP_EVENTS_SIZED);
		}
		if (!ret)
			ret = oh_collect(c->fd, 0, &col);
		if (!ret)
			ret = oh_gc_stats(c->fd, &st);
		c->ev_seq = 0;
		for (g = 0; !ret && g < OBJHEAP_GC_GENERATIONS; g++)
			c->ev_seq += st.gen[g].collections;
		return ret;
	case SU_EMPTY:
		return drain(c);
	case SU_FULL:
		for (;;) {
			ret = -ioc(c->fd, OBJHEAP_IOC_HEAP_STATS, &hs);
			if (ret || hs.handles >= hs.handles_cap)
				return ret;
			if (c->nextra == MAX_EXTRA)
				return -ENOSPC;
			op = (struct objheap_op){ .handle = c->leaf };
			ret = oh_op(c->fd, OBJHEAP_IOC_DUP, &op);
			if (ret)
				return ret;
			c->extra[c->nextra++] = op.ref;
		}
	default:
		return 0;
	}
}

static void cleanup(struct ctx *c)
{
	while (c->nextra)
		oh_drop(c->fd, c->extra[--c->nextra]);
	if (c->sized)
		event_format(c, OBJHEAP_EVENTS_FIXED);
	c->sized = false;
}

static void on_alarm(int sig)
{
}

/* Batch operations for SU_E2BIG(1) at argp + OPS_OFF; returns op_size. */
static __u32 e2big_ops(struct ctx *c, const struct bad_case *bc, __u32 *count)
{
	char *ops = c->argp + OPS_OFF;

	if (bc->su == SU_E2BIG) {
		/* Two NOPs of 48 bytes, the second with a nonzero tail. */
		ops[48 + 40 + 7] = 1;
		*count = 2;
		return 48;
	}
	ops[40] = 1;
	*count = 1;
	return 41;
}

/*
 * Run one case: @why is left empty when it went as documented, else says
 * why not. @mode: M_IOCTL, or M_BATCH to run the operation as a batch's
 * second, after a NOP.
 */
static void run_one(struct ctx *c, const struct bad_case *bc,
		    const struct inst *in, unsigned int mode, char *why,
		    size_t wn)
{
	struct objheap_op *ops = (void *)(c->argp + OPS_OFF);
	struct objheap_batch *hdr = (void *)c->argp;
	struct objheap_op expect[3];	/* at most 2 * 48 bytes */
	struct snap before, after;
	struct sigaction sa = { .sa_handler = on_alarm };
	char path[128], orig[64] = "", now[64] = "";
	size_t argsize = _IOC_SIZE(bc->cmd), n = 0;
	__u32 count = 0, op_size = sizeof(struct objheap_op);
	bool check_ops = false, slots = bc->su != SU_FULL;
	void *argp = c->argp, *p;
	long ret = -1;
	union arg a;
	int err = 0, fd;

	why[0] = '\0';
	ret = setup(c, bc);
	if (ret) {
		append(why, wn, "setup failed: %s", strerror((int)-ret));
		cleanup(c);
		return;
	}
	/* Fresh memory: NOP operations, a canary where arrays may land. */
	memset(c->argp, 0, c->page);
	memset(c->pay, 0xa5, c->page);
	memset(c->edge - c->page, bc->cmd == OBJHEAP_IOC_GC_GARBAGE ? 0xa5 : 0,
	       c->page);
	build(c, bc, in, mode, &a);

	if (bc->kind == K_IOCTL && mode == M_BATCH) {
		/* [NOP, the operation]: fails at 1, which takes no effect. */
		ops[1] = a.op;
		*hdr = (struct objheap_batch){
			.ops = (uintptr_t)ops, .count = 2,
			.op_size = sizeof(*ops),
		};
		memcpy(expect, ops, 2 * sizeof(*ops));
		expect[1].result = -bc->err;
		check_ops = true;
	} else if (bc->kind == K_IOCTL) {
		if (bc->su == SU_E2BIG || bc->su == SU_E2BIG1) {
			a.batch.op_size = e2big_ops(c, bc, &a.batch.count);
			count = a.batch.count;
			op_size = a.batch.op_size;
		}
		if (bc->cmd == OBJHEAP_IOC_BATCH && bc->b == B_KEEP) {
			/* The array must read back as written, but for the
			 * result of the failing operation.
			 */
			count = a.batch.count <= 2 ? a.batch.count : 0;
			op_size = a.batch.op_size;
			if (op_size <= 48 && count) {
				memcpy(expect, ops, count * op_size);
				check_ops = true;
				if (bc->done)
					memcpy((char *)expect + (bc->done - 1) *
					       op_size + OP_RESULT,
					       &(__s32){ -bc->err }, 4);
			}
		}
		switch (in->at) {
		case AT_RW:
			memcpy(c->argp, &a, sizeof(a));
			break;
		case AT_RO:
			mprotect(c->rop, c->page, PROT_READ | PROT_WRITE);
			memcpy(c->rop, &a, sizeof(a));
			mprotect(c->rop, c->page, PROT_READ);
			argp = c->rop;
			break;
		case AT_NULL:
			argp = NULL;
			break;
		case AT_HOLE:
			argp = c->hole;
			break;
		case AT_EDGE:
			/* Its last 8 bytes are past the end. */
			argp = c->edge - argsize + 8;
			memcpy(argp, &a, argsize - 8);
			break;
		case AT_KERNEL:
			argp = KERNEL_PTR;
			break;
		}
		if (bc->b == B_RO) {
			/* NOPs for a batch, anything for the others. */
			mprotect(c->rop, c->page, PROT_READ | PROT_WRITE);
			memset(c->rop, 0, c->page);
			mprotect(c->rop, c->page, PROT_READ);
		}
	}

	snap_take(c, &before, slots);
	/* The holes must still be holes: nothing may have been mapped there. */
	if (msync(c->hole, c->page, MS_ASYNC) != -1 ||
	    msync(c->edge, c->page, MS_ASYNC) != -1) {
		append(why, wn, "a hole got mapped");
		cleanup(c);
		return;
	}

	ret = -1;
	errno = 0;
	switch (bc->kind) {
	case K_IOCTL:
		if (mode == M_BATCH)
			ret = ioctl(c->fd, OBJHEAP_IOC_BATCH, hdr);
		else
			ret = ioctl(c->fd, in->cmd, argp);
		break;
	case K_READ:
		p = buf_ptr(c, bc->b, bc->len);
		if (set_nonblock(c->fd, bc->nonblock)) {
			append(why, wn, "fcntl: %s", strerror(errno));
			break;
		}
		/* A read that blocks in error is cut short, not hung. */
		sigaction(SIGALRM, &sa, NULL);
		alarm(bc->nonblock ? 0 : 5);
		errno = 0;
		ret = read(c->fd, p, bc->len);
		alarm(0);
		set_nonblock(c->fd, false);
		break;
	case K_WRITE:
		ret = write(c->fd, c->pay, 8);
		break;
	case K_PWRITE:
		ret = pwrite(c->fd, c->pay, 8, 0);
		break;
	case K_PREAD:
		ret = pread(c->fd, c->pay, REC, 0);
		break;
	case K_LSEEK:
		ret = lseek(c->fd, 0, bc->whence);
		break;
	case K_MMAP:
		p = mmap(NULL, c->page, PROT_READ, MAP_SHARED, c->fd, 0);
		if (p != MAP_FAILED) {
			munmap(p, c->page);
			ret = 0;
		}
		break;
	case K_CONTROL:
		if (bc->data)
			memcpy(c->pay, bc->data, bc->len);
		else
			memset(c->pay, bc->fill, bc->len);
		p = bc->b == B_KEEP ? c->pay : buf_ptr(c, bc->b, bc->len);
		if (bc->b == B_EDGE)	/* its start, up to the end */
			memcpy(p, bc->data, c->edge - (char *)p);
		fd = open(OBJHEAP_DEBUGFS "/control", O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			append(why, wn, "open control: %s", strerror(errno));
			break;
		}
		errno = 0;
		ret = write(fd, p, bc->len);
		err = errno;
		close(fd);
		errno = err;
		break;
	case K_DFS_READ:
	case K_DFS_WRITE:
		snprintf(path, sizeof(path), "%s/%s", OBJHEAP_DEBUGFS, bc->path);
		fd = open(path, (bc->kind == K_DFS_READ ? O_RDONLY : O_WRONLY) |
			  O_CLOEXEC);
		if (fd < 0) {
			append(why, wn, "open %s: %s", path, strerror(errno));
			break;
		}
		errno = 0;
		if (bc->kind == K_DFS_READ)
			ret = read(fd, c->pay, 64);
		else
			ret = write(fd, "1\n", 2);
		err = errno;
		close(fd);
		errno = err;
		break;
	case K_PARAM:
		snprintf(path, sizeof(path), PARAMS "%s", bc->path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, orig, sizeof(orig) - 1) <= 0) {
			append(why, wn, "read %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		close(fd);
		errno = 0;
		ret = -oh_write_file(path, bc->data, 0);
		err = (int)ret;
		ret = ret ? -1 : 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (read(fd, now, sizeof(now) - 1) < 0)
				now[0] = '\0';
			close(fd);
		}
		if (strcmp(orig, now)) {
			now[strcspn(now, "\n")] = '\0';
			append(why, wn, "%s changed to %s", bc->path, now);
			oh_write_file(path, orig, 0);
		}
		errno = err;
		break;
	}
	err = errno;

	snap_take(c, &after, slots);
	if (ret != -1)
		append(why, wn, "succeeded (returned %ld), docs say %s", ret,
		       strerror(bc->err));
	else if (err != bc->err)
		append(why, wn, "errno %d (%s), docs say %d (%s)", err,
		       strerror(err), bc->err, strerror(bc->err));
	snap_diff(&before, &after, why, wn);

	/* BATCH: where it stopped, and the array as documented. */
	if (bc->kind == K_IOCTL && mode == M_BATCH && hdr->done != 1)
		append(why, wn, "done %u, not 1", hdr->done);
	if (bc->kind == K_IOCTL && mode == M_IOCTL && bc->done &&
	    in->at == AT_RW && hdr->done != (__u32)bc->done - 1)
		append(why, wn, "done %u, not %d", hdr->done, bc->done - 1);
	if (check_ops) {
		n = mode == M_BATCH ? 2 * sizeof(*ops) : count * op_size;
		if (memcmp(expect, ops, n)) {
			size_t at = mode == M_BATCH ? sizeof(*ops) :
				    (bc->done ? bc->done - 1 : 0) * op_size;
			__s32 got, want;

			memcpy(&got, (char *)ops + at + OP_RESULT, 4);
			memcpy(&want, (char *)expect + at + OP_RESULT, 4);
			append(why, wn, "operation array: result %d, docs say %d%s",
			       got, want, got == want ? ", other bytes changed" : "");
		}
	}
	/* GC_GARBAGE: nothing handed out, the array as it was. */
	if (bc->cmd == OBJHEAP_IOC_GC_GARBAGE && bc->fam == FAM_GC) {
		for (n = 0; n < 16; n++)
			if (((__u32 *)c->pay)[n] != 0xa5a5a5a5U ||
			    ((__u32 *)c->edge)[-1 - (int)n] != 0xa5a5a5a5U)
				break;
		if (n < 16)
			append(why, wn, "the handle array was written");
	}
	/* The event stream: the waiting record was not consumed. */
	if (bc->su == SU_EVENT || bc->su == SU_EVENT_SIZED) {
		struct objheap_gc_record rec = { 0 };
		/* A fixed record is read into rec.gc, a sized one whole. */
		size_t n = c->sized ? sizeof(rec) : sizeof(rec.gc);
		void *at = c->sized ? (void *)&rec : (void *)&rec.gc;

		set_nonblock(c->fd, true);
		if (read(c->fd, at, n) != (ssize_t)n)
			append(why, wn, "the waiting record was consumed");
		else if (rec.gc.seq != c->ev_seq)
			append(why, wn, "record %llu, not %llu",
			       (unsigned long long)rec.gc.seq,
			       (unsigned long long)c->ev_seq);
		else if (c->sized && (rec.header.size != sizeof(rec) ||
				      rec.header.type != OBJHEAP_EVENT_GC))
			append(why, wn, "sized record of size %u, type %u",
			       rec.header.size, rec.header.type);
		set_nonblock(c->fd, false);
	}
	cleanup(c);
}

/* Count a case; false if it failed. */
static bool tally(const char *why)
{
	if (counts)
		__atomic_fetch_add(counts, 1, __ATOMIC_RELAXED);
	return !why[0];
}

/* Run every case of @fam; each failure names its case. */
static void run_family(struct __test_metadata *_metadata, struct ctx *c,
		       enum family fam)
{
	char name[192], why[1024];
	struct inst in;
	unsigned int r, i, mode, ran = 0;

	for (r = 0; r < ARRAY_SIZE(cases); r++) {
		const struct bad_case *bc = &cases[r];

		if (bc->fam != fam)
			continue;
		if (bc->only32 && sizeof(void *) > 4)
			continue;
		for (i = 0; expand(bc, i, &in); i++) {
			for (mode = M_IOCTL; mode <= M_BATCH; mode <<= 1) {
				if (bc->kind == K_IOCTL && !(bc->modes & mode))
					continue;
				if (bc->kind != K_IOCTL && mode != M_IOCTL)
					continue;
				snprintf(name, sizeof(name), "%s%s%s%s",
					 bc->name, in.what[0] ? " " : "",
					 in.what,
					 mode == M_BATCH ? " [in a batch]" : "");
				run_one(c, bc, &in, mode, why, sizeof(why));
				ran++;
				if (!tally(why))
					EXPECT_STREQ("", why)
						TH_LOG("case: %s", name);
			}
		}
	}
	fflush(stdout);
	EXPECT_LT(0, ran);
}

FIXTURE(bad) {
	struct ctx c;
};

/* A mapping of @len bytes, or NULL. */
static void *map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE_SETUP(bad)
{
	struct ctx *c = &self->c;
	struct objheap_limits lim = {
		.max_bytes = LIM_BYTES, .max_objects = LIM_OBJECTS,
		.max_handles = LIM_HANDLES,
	};
	struct objheap_gc_params params = {
		.flags = OBJHEAP_GC_SAVEALL, .threshold = { 700, 10, 10 },
	};
	struct objheap_gc_collect col;
	struct objheap_info info;
	unsigned char pat[LEAF_SIZE];
	__u32 loop, h = 0;
	int i;

	memset(c, 0, sizeof(*c));
	c->page = sysconf(_SC_PAGESIZE);
	c->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, c->fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
	c->fd2 = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, c->fd2);

	/* Every mapping now: no later one may land in the holes. */
	c->argp = map(c->page, PROT_READ | PROT_WRITE);
	c->rop = map(c->page, PROT_READ);
	c->pay = map(c->page, PROT_READ | PROT_WRITE);
	c->big_len = OBJHEAP_MAX_PAYLOAD + c->page;
	c->big = map(c->big_len, PROT_READ | PROT_WRITE);
	c->edge = map(2 * c->page, PROT_READ | PROT_WRITE);
	c->hole = map(c->page, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, c->argp);
	ASSERT_NE(NULL, c->rop);
	ASSERT_NE(NULL, c->pay);
	ASSERT_NE(NULL, c->big);
	ASSERT_NE(NULL, c->edge);
	ASSERT_NE(NULL, c->hole);
	c->edge += c->page;
	ASSERT_EQ(0, munmap(c->edge, c->page));
	ASSERT_EQ(0, munmap(c->hole, c->page));

	/* No automatic collection: nothing changes the heap but the cases. */
	ASSERT_EQ(0, oh_gc_params_set(c->fd, &params));
	ASSERT_EQ(0, ioctl(c->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	c->box = oh_new(c->fd, 1, BOX_SLOTS, BOX_SIZE);
	c->leaf = oh_new(c->fd, 2, 0, LEAF_SIZE);
	ASSERT_NE(0, c->box);
	ASSERT_NE(0, c->leaf);
	c->spare = oh_new(c->fd, 3, 0, 0);
	ASSERT_NE(0, c->spare);
	ASSERT_EQ(0, oh_set(c->fd, c->box, 0, c->leaf));
	for (i = 0; i < LEAF_SIZE; i++)
		pat[i] = 0x40 + i;
	ASSERT_EQ(0, oh_rw(c->fd, OBJHEAP_IOC_WRITE, c->leaf, 0, pat, LEAF_SIZE));
	ASSERT_EQ(0, oh_rw(c->fd, OBJHEAP_IOC_WRITE, c->box, 0, pat, BOX_SIZE));

	/* One saved self-loop, for GC_GARBAGE to (not) hand back. */
	loop = oh_new(c->fd, 4, 1, 0);
	ASSERT_NE(0, loop);
	ASSERT_EQ(0, oh_set(c->fd, loop, 0, loop));
	ASSERT_EQ(0, oh_drop(c->fd, loop));
	ASSERT_EQ(0, oh_collect(c->fd, 2, &col));
	ASSERT_EQ(1, col.saved);
	ASSERT_EQ(0, drain(c));

	c->gone = oh_new(c->fd, 5, 0, 0);
	ASSERT_NE(0, c->gone);
	ASSERT_EQ(0, oh_drop(c->fd, c->gone));

	/* The other heap: handle OTHER_HANDLE is open there, not here. */
	for (i = 0; i < OTHER_HANDLE; i++) {
		h = oh_new(c->fd2, 6, 0, 0);
		ASSERT_NE(0, h);
	}
	ASSERT_EQ(OTHER_HANDLE, h);
	for (i = 0; i <= H_MAX; i++)
		c->target[i] = handle_of(c, i);
	ASSERT_EQ(-EBADF, oh_info(c->fd, OTHER_HANDLE, &info));
}

FIXTURE_TEARDOWN(bad)
{
	struct ctx *c = &self->c;

	if (c->fd2 > 0)
		close(c->fd2);
	if (c->fd > 0)
		close(c->fd);
	if (c->argp)
		munmap(c->argp, c->page);
	if (c->rop)
		munmap(c->rop, c->page);
	if (c->pay)
		munmap(c->pay, c->page);
	if (c->big)
		munmap(c->big, c->big_len);
	if (c->edge)
		munmap(c->edge - c->page, c->page);
}

TEST_F_TIMEOUT(bad, single_operations, 600)
{
	run_family(_metadata, &self->c, FAM_OPS);
}

TEST_F_TIMEOUT(bad, info_and_limits, 300)
{
	run_family(_metadata, &self->c, FAM_INFO);
}

TEST_F_TIMEOUT(bad, collector, 300)
{
	run_family(_metadata, &self->c, FAM_GC);
}

TEST_F_TIMEOUT(bad, batch, 300)
{
	run_family(_metadata, &self->c, FAM_BATCH);
}

TEST_F_TIMEOUT(bad, argument_pointers, 300)
{
	run_family(_metadata, &self->c, FAM_PTRS);
}

TEST_F_TIMEOUT(bad, command_numbers, 600)
{
	run_family(_metadata, &self->c, FAM_CMDS);
}

TEST_F_TIMEOUT(bad, event_stream, 300)
{
	run_family(_metadata, &self->c, FAM_EVENTS);
}

TEST_F_TIMEOUT(bad, device_file_operations, 300)
{
	run_family(_metadata, &self->c, FAM_DEV);
}

TEST_F_TIMEOUT(bad, debugfs_control, 300)
{
	if (access(OBJHEAP_DEBUGFS "/control", F_OK))
		SKIP(return, "%s/control is absent", OBJHEAP_DEBUGFS);
	run_family(_metadata, &self->c, FAM_DEBUGFS);
}

TEST_F_TIMEOUT(bad, module_parameters, 300)
{
	if (access(PARAMS, F_OK))
		SKIP(return, "%s is absent", PARAMS);
	run_family(_metadata, &self->c, FAM_PARAMS);
}

TEST_HARNESS_MAIN
