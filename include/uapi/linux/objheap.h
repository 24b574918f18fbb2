/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * objheap: a reference-counted, cycle-collected object heap driven through
 * ioctl calls on /dev/objheap.
 *
 * Conventions (Documentation/driver-api/ioctl.rst):
 *  - every structure has fixed-width fields and explicit padding, so the
 *    layout is the same for 32-bit and 64-bit processes;
 *  - user addresses travel as __u64;
 *  - fields named "reserved" or "pad" must be zero, or the call fails with
 *    EINVAL; this keeps them usable for later extensions;
 *  - an unknown command fails with ENOTTY, a bad user pointer with EFAULT.
 */
#ifndef _UAPI_LINUX_OBJHEAP_H
#define _UAPI_LINUX_OBJHEAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The ioctl type. Not registered in Documentation/userspace-api/ioctl/
 * ioctl-number.rst (objheap is out of tree); 0xBE is assigned to no driver
 * there as of Linux 6.12, and objheap uses numbers 0x00-0x3F of it. A
 * command number also encodes its argument's size and direction, and the
 * commands only reach the objheap device, so a foreign command sent to it
 * fails with ENOTTY; programs check OBJHEAP_IOC_VERSION first.
 */
#define OBJHEAP_IOC_MAGIC	0xBE

/*
 * ABI version. The major number changes only on an incompatible change;
 * the minor number grows when commands or fields are added.
 */
#define OBJHEAP_ABI_MAJOR	1
#define OBJHEAP_ABI_MINOR	7

/* struct objheap_version.features */
#define OBJHEAP_FEAT_GC		(1U << 0)	/* the cycle collector (ABI 1.1) */
#define OBJHEAP_FEAT_EVENTS	(1U << 1)	/* read()/poll() GC events (ABI 1.2) */
#define OBJHEAP_FEAT_HEAP_STATS	(1U << 2)	/* OBJHEAP_IOC_HEAP_STATS (ABI 1.2) */
#define OBJHEAP_FEAT_PINNED	(1U << 3)	/* every byte charged; user budget (ABI 1.3) */
#define OBJHEAP_FEAT_SIZED_EVENTS (1U << 4)	/* self-describing event records (ABI 1.4) */
#define OBJHEAP_FEAT_NOWAIT_READ (1U << 5)	/* read() honours RWF_NOWAIT (ABI 1.5) */
/* Weak references, finalizers, GC_FINALIZE and WEAK_CALLBACKS (ABI 1.6). */
#define OBJHEAP_FEAT_FINALIZE	(1U << 6)
/* OBJHEAP_IOC_GC_OBJECTS and OBJHEAP_IOC_GC_REFERRERS (ABI 1.7). */
#define OBJHEAP_FEAT_INTROSPECT	(1U << 7)

/**
 * struct objheap_version - answer of OBJHEAP_IOC_VERSION
 * @major: OBJHEAP_ABI_MAJOR of the running module
 * @minor: OBJHEAP_ABI_MINOR of the running module
 * @features: OBJHEAP_FEAT_* bits the running module supports
 * @reserved: zero
 */
struct objheap_version {
	__u16 major;
	__u16 minor;
	__u32 features;
	__u64 reserved[3];
};

/*
 * Sizes an object may have: larger ones fail with EINVAL in NEW; a READ or
 * WRITE count over OBJHEAP_MAX_PAYLOAD fails with ERANGE.
 */
#define OBJHEAP_MAX_SLOTS	4096
#define OBJHEAP_MAX_PAYLOAD	(1U << 20)
/*
 * Distinct type tags one heap holds at once (tags with live objects): a
 * NEW of one more tag fails with EDQUOT; tags already held still work.
 */
#define OBJHEAP_MAX_TYPES	(1U << 14)
/* Most operations one OBJHEAP_IOC_BATCH may carry. */
#define OBJHEAP_BATCH_MAX	4096

/* Operation codes, in struct objheap_op.op. */
enum objheap_opcode {
	OBJHEAP_OP_NOP = 0,	/* nothing; measures the call overhead */
	OBJHEAP_OP_NEW = 1,	/* type, count (slots), size (payload) -> handle */
	OBJHEAP_OP_DUP = 2,	/* handle -> ref, a second handle to the object */
	OBJHEAP_OP_DROP = 3,	/* handle: close it, releasing its reference */
	OBJHEAP_OP_SET = 4,	/* handle, index (slot), ref (handle or 0 = clear) */
	OBJHEAP_OP_GET = 5,	/* handle, index (slot) -> ref (new handle or 0 = empty) */
	OBJHEAP_OP_WRITE = 6,	/* handle, index (offset), count (bytes), buf */
	OBJHEAP_OP_READ = 7,	/* handle, index (offset), count (bytes), buf */
	OBJHEAP_OP_WEAKREF = 8,	/* handle (referent), type, index (flags) -> ref (1.6) */
	OBJHEAP_OP_DEREF = 9,	/* handle (weak ref) -> ref (new handle, 0: dead) (1.6) */
	OBJHEAP_OP_COUNT	/* number of operation codes */
};

/* NEW: struct objheap_op.index (ABI 1.6) */
#define OBJHEAP_NEW_FINALIZABLE	(1U << 0)	/* queued for finalization once, see GC_FINALIZE */

/* WEAKREF: struct objheap_op.index (ABI 1.6) */
#define OBJHEAP_WEAK_CALLBACK	(1U << 0)	/* WEAK_CALLBACKS gets it once the referent died */

/**
 * struct objheap_op - one operation on a heap
 * @op: OBJHEAP_OP_*; for a single-operation ioctl, zero or the ioctl's op
 * @result: out, in a batch: 0 or the negative errno of this operation
 * @handle: the object operated on; NEW: out, the new object's handle
 * @ref: SET: the handle to store (0 clears the slot); GET, DUP, WEAKREF,
 *	DEREF: out, the new handle (GET: 0 when the slot is empty; DEREF: 0
 *	when the referent is dead)
 * @index: SET, GET: the slot; READ, WRITE: the payload offset in bytes;
 *	NEW: OBJHEAP_NEW_* flags; WEAKREF: OBJHEAP_WEAK_* flags
 * @count: NEW: number of slots; READ, WRITE: number of bytes
 * @type: NEW, WEAKREF: the user's type tag, kept for statistics
 * @size: NEW: payload size in bytes
 * @buf: READ, WRITE: user address of @count bytes
 *
 * Fields an operation does not use must be zero (EINVAL otherwise); output
 * fields (NEW's handle, DUP's and GET's ref, result) are ignored on input,
 * so that a batch array can be run again as it is.
 */
struct objheap_op {
	__u32 op;
	__s32 result;
	__u32 handle;
	__u32 ref;
	__u32 index;
	__u32 count;
	__u32 type;
	__u32 size;
	__u64 buf;
};

/**
 * struct objheap_batch - argument of OBJHEAP_IOC_BATCH
 * @ops: user address of @count struct objheap_op, read and written back
 * @count: number of operations, at most OBJHEAP_BATCH_MAX
 * @op_size: sizeof(struct objheap_op) as the caller was built with
 * @done: out: operations that took effect; on failure, the index of the
 *	failing operation, which took no effect
 * @flags: zero
 * @reserved: zero
 */
struct objheap_batch {
	__u64 ops;
	__u32 count;
	__u32 op_size;
	__u32 done;
	__u32 flags;
	__u64 reserved;
};

/* struct objheap_info.flags */
#define OBJHEAP_INFO_CONTAINER	(1U << 0)	/* has slots */
#define OBJHEAP_INFO_TRACKED	(1U << 1)	/* the collector tracks it (ABI 1.6) */
#define OBJHEAP_INFO_WEAKREF	(1U << 2)	/* a weak reference (ABI 1.6) */
#define OBJHEAP_INFO_WEAKLY_REFERENCED (1U << 3) /* weak references point at it (ABI 1.6) */
#define OBJHEAP_INFO_FINALIZABLE (1U << 4)	/* created OBJHEAP_NEW_FINALIZABLE (ABI 1.6) */
#define OBJHEAP_INFO_FINALIZED	(1U << 5)	/* queued for finalization once (ABI 1.6) */

/* struct objheap_info.generation of objects outside the three generations */
#define OBJHEAP_GEN_PERMANENT	3		/* frozen (OBJHEAP_IOC_GC_FREEZE) */
#define OBJHEAP_GEN_GARBAGE	4		/* kept by OBJHEAP_GC_SAVEALL */
#define OBJHEAP_GEN_FINALIZE	5		/* waiting in GC_FINALIZE's queue (ABI 1.6) */
#define OBJHEAP_GEN_UNTRACKED	0xffffffffU	/* no slots: never collected */

/**
 * struct objheap_info - argument of OBJHEAP_IOC_INFO
 * @handle: in: the object
 * @refcount: out: handles to it plus slots that point at it
 * @type: out: its type tag
 * @nslots: out: its number of slots
 * @size: out: its payload size in bytes
 * @alloc_size: out: bytes it occupies, header and slots included
 * @size_class: out: the pool's object size, 0 for large (kvmalloc) objects
 * @flags: out: OBJHEAP_INFO_*
 * @generation: out: the collector's generation 0..2, or OBJHEAP_GEN_*
 *	(OBJHEAP_GEN_UNTRACKED: objects without slots, unless they are weak
 *	references or finalizable, which the collector tracks)
 * @pad: zero
 * @id: out: the object's identity within its heap (ABI 1.2): two handles
 *	name the same object when their ids are equal; not an address
 * @reserved: zero on input, zero on output (later ABI versions fill it)
 */
struct objheap_info {
	__u32 handle;
	__u32 refcount;
	__u32 type;
	__u32 nslots;
	__u32 size;
	__u32 alloc_size;
	__u32 size_class;
	__u32 flags;
	__u32 generation;
	__u32 pad;
	__u64 id;
	__u64 reserved[2];
};

/**
 * struct objheap_limits - argument of OBJHEAP_IOC_GET_LIMITS/SET_LIMITS
 * @max_bytes: kernel memory the heap may hold: objects live and freelisted,
 *	the handle table, type statistics, bounce buffers, the heap itself
 *	(ABI 1.3; before, live object bytes only)
 * @max_objects: live objects
 * @max_handles: open handles
 * @reserved: zero
 *
 * SET_LIMITS can only lower a limit (EPERM otherwise); 0 keeps it.
 * A limit below current use is allowed: it stops further growth.
 */
struct objheap_limits {
	__u64 max_bytes;
	__u32 max_objects;
	__u32 max_handles;
	__u64 reserved[2];
};

/* The cycle collector (ABI 1.1): generations 0 (youngest) to 2 (oldest). */
#define OBJHEAP_GC_GENERATIONS	3

/* struct objheap_gc_params.flags */
#define OBJHEAP_GC_ENABLED	(1U << 0)	/* automatic collections */
#define OBJHEAP_GC_SAVEALL	(1U << 1)	/* keep garbage instead of freeing it */
/* Largest threshold SET_PARAMS accepts. */
#define OBJHEAP_GC_THRESHOLD_MAX	(1U << 30)

/**
 * struct objheap_gc_params - argument of OBJHEAP_IOC_GC_GET/SET_PARAMS
 * @flags: OBJHEAP_GC_*
 * @threshold: as CPython's gc.set_threshold(): a collection is scheduled
 *	when the container allocations minus deallocations since the last
 *	one exceed threshold[0]; it takes generation g > 0 along when g's
 *	count (collections of g - 1 since g's last) exceeds threshold[g].
 *	threshold[0] == 0 disables automatic collection, like clearing
 *	OBJHEAP_GC_ENABLED. Each at most OBJHEAP_GC_THRESHOLD_MAX.
 * @reserved: zero
 */
struct objheap_gc_params {
	__u32 flags;
	__u32 threshold[OBJHEAP_GC_GENERATIONS];
	__u64 reserved[2];
};

/**
 * struct objheap_gc_collect - argument of OBJHEAP_IOC_GC_COLLECT
 * @generation: in: collect generations 0..@generation (2: everything but
 *	the frozen objects)
 * @flags: in: zero
 * @scanned: out: tracked objects examined
 * @collected: out: of those, the unreachable ones (cycles and what only
 *	they reach) freed or saved
 * @freed: out: objects freed, untracked ones (no slots) included
 * @saved: out: with OBJHEAP_GC_SAVEALL, objects kept in the garbage list
 *	instead (then @freed is 0)
 * @time_ns: out: how long the heap was stopped
 * @uncollectable: out: unreachable objects kept because a finalizer must
 *	run first: the finalizable ones, queued on GC_FINALIZE, and what they
 *	reach; not in @collected (ABI 1.6)
 * @reserved: zero
 */
struct objheap_gc_collect {
	__u32 generation;
	__u32 flags;
	__u64 scanned;
	__u64 collected;
	__u64 freed;
	__u64 saved;
	__u64 time_ns;
	__u64 uncollectable;
	__u64 reserved;
};

/**
 * struct objheap_gc_gen_stats - what the collections of one generation did
 * @collections: collections of this generation (a collection of g counts
 *	for g only, as in CPython's gc.get_stats())
 * @scanned: tracked objects they examined
 * @collected: unreachable objects they found
 * @freed: objects they freed
 * @pause_total_ns: time the heap was stopped by them
 * @pause_max_ns: the longest of those pauses
 */
struct objheap_gc_gen_stats {
	__u64 collections;
	__u64 scanned;
	__u64 collected;
	__u64 freed;
	__u64 pause_total_ns;
	__u64 pause_max_ns;
};

/* struct objheap_gc_stats.state */
#define OBJHEAP_GC_PENDING	(1U << 0)	/* a collection is queued */

/**
 * struct objheap_gc_stats - answer of OBJHEAP_IOC_GC_STATS
 * @count: CPython's gc.get_count(): container allocations minus
 *	deallocations since the last collection, then collections of the
 *	generation below since this one's last
 * @state: OBJHEAP_GC_PENDING
 * @tracked: objects in each generation
 * @frozen: objects in the permanent generation
 * @garbage: objects kept by OBJHEAP_GC_SAVEALL, not yet fetched
 * @automatic: collections the workqueue ran
 * @finalizing: objects waiting in GC_FINALIZE's queue (ABI 1.6)
 * @callbacks: weak references waiting in WEAK_CALLBACKS' queue (ABI 1.6)
 * @gen: per generation
 */
struct objheap_gc_stats {
	__u32 count[OBJHEAP_GC_GENERATIONS];
	__u32 state;
	__u64 tracked[OBJHEAP_GC_GENERATIONS];
	__u64 frozen;
	__u64 garbage;
	__u64 automatic;
	__u64 finalizing;
	__u64 callbacks;
	struct objheap_gc_gen_stats gen[OBJHEAP_GC_GENERATIONS];
};

/**
 * struct objheap_heap_stats - answer of OBJHEAP_IOC_HEAP_STATS
 * @id: the heap's id (debugfs objheap/heaps/<id>, tracepoints)
 * @objects: live objects
 * @bytes: their bytes (pool object sizes), part of @pinned
 * @peak_bytes: the most @bytes has been since the heap was opened
 * @allocs: objects ever allocated
 * @frees: objects ever freed
 * @handles: open handles
 * @handles_cap: entries in the handle table
 * @freelisted: freed objects kept on the heap's freelists for reuse
 * @freelist_hits: allocations served from a freelist
 * @freelist_misses: allocations that went to the slab
 * @pinned: all kernel memory held for the heap, as counted against
 *	max_bytes: objects live and freelisted, the handle table, the type
 *	statistics, bounce buffers in use, the heap itself (ABI 1.3)
 * @user_pinned: what all heaps of the heap's user pin together (ABI 1.3)
 * @user_max_bytes: the most they may (module parameter user_max_bytes,
 *	ABI 1.3)
 * @reserved: zero
 */
struct objheap_heap_stats {
	__u64 id;
	__u64 objects;
	__u64 bytes;
	__u64 peak_bytes;
	__u64 allocs;
	__u64 frees;
	__u32 handles;
	__u32 handles_cap;
	__u64 freelisted;
	__u64 freelist_hits;
	__u64 freelist_misses;
	__u64 pinned;
	__u64 user_pinned;
	__u64 user_max_bytes;
	__u64 reserved;
};

/* Why a collection ran: struct objheap_gc_event.reason, tracepoints. */
enum objheap_gc_reason {
	OBJHEAP_GC_REASON_THRESHOLD = 0,	/* automatic, on the workqueue */
	OBJHEAP_GC_REASON_IOCTL = 1,		/* OBJHEAP_IOC_GC_COLLECT */
	OBJHEAP_GC_REASON_DEBUGFS = 2,		/* "collect" written to debugfs control */
};

/**
 * struct objheap_gc_event - one finished collection, as read() returns it
 *	in the default format, OBJHEAP_EVENTS_FIXED (this layout never
 *	changes; records grow only in OBJHEAP_EVENTS_SIZED)
 * @seq: the heap's collection number, from 1; a gap means lost records
 * @time_ns: when it ended, CLOCK_MONOTONIC
 * @generation: the oldest generation collected
 * @reason: OBJHEAP_GC_REASON_*
 * @scanned: as struct objheap_gc_collect
 * @collected: as struct objheap_gc_collect
 * @freed: as struct objheap_gc_collect
 * @saved: as struct objheap_gc_collect
 * @pause_ns: how long the heap was stopped
 * @lost: records dropped just before this one because nobody read them
 *	(the heap keeps the last OBJHEAP_GC_EVENTS_MAX)
 *
 * read() on the heap's file returns whole records, oldest first, as many
 * as fit in the buffer (EINVAL if not even the next one does); it blocks
 * until one is there unless the file is O_NONBLOCK (then EAGAIN), or the
 * one call is preadv2(..., -1, RWF_NOWAIT) (ABI 1.5: EAGAIN also while
 * another reader copies records out). poll() reports EPOLLIN while
 * records wait. Readers sharing the file share the records.
 */
struct objheap_gc_event {
	__u64 seq;
	__u64 time_ns;
	__u32 generation;
	__u32 reason;
	__u64 scanned;
	__u64 collected;
	__u64 freed;
	__u64 saved;
	__u64 pause_ns;
	__u64 lost;
};

/* Records a heap keeps for its readers. */
#define OBJHEAP_GC_EVENTS_MAX	32

/* struct objheap_event_format.format: what read() returns */
enum objheap_event_format_id {
	OBJHEAP_EVENTS_FIXED = 0,	/* struct objheap_gc_event (ABI 1.2), the default */
	OBJHEAP_EVENTS_SIZED = 1,	/* records led by struct objheap_event_header */
};

/**
 * struct objheap_event_format - argument of OBJHEAP_IOC_{GET,SET}_EVENT_FORMAT
 * @format: OBJHEAP_EVENTS_*; the heap's readers share it
 * @flags: zero
 * @reserved: zero
 *
 * A read() returns records of one format: a change waits for a read in
 * progress and applies to the next one.
 */
struct objheap_event_format {
	__u32 format;
	__u32 flags;
	__u64 reserved;
};

/* struct objheap_event_header.type */
#define OBJHEAP_EVENT_GC	1	/* struct objheap_gc_record */

/**
 * struct objheap_event_header - start of every OBJHEAP_EVENTS_SIZED record
 * @size: bytes of the record, this header included: a multiple of 8, at
 *	least 8 and at most OBJHEAP_EVENT_SIZE_MAX; the next record starts
 *	@size bytes after this one
 * @type: OBJHEAP_EVENT_*; a reader skips types it does not know
 * @version: of @type's layout, from 1: a later version only appends
 *	fields (and so grows @size); a reader uses the fields it knows that
 *	lie within @size and ignores the rest
 */
struct objheap_event_header {
	__u32 size;
	__u16 type;
	__u16 version;
};

#define OBJHEAP_EVENT_SIZE_MAX	4096

/* The layout of OBJHEAP_EVENT_GC that this header describes. */
#define OBJHEAP_EVENT_GC_VERSION 1

/**
 * struct objheap_gc_record - a finished collection, OBJHEAP_EVENTS_SIZED
 * @header: size 80, type OBJHEAP_EVENT_GC, version 1
 * @gc: as read() returns it in OBJHEAP_EVENTS_FIXED
 *
 * Later versions append fields after @gc.
 */
struct objheap_gc_record {
	struct objheap_event_header header;
	struct objheap_gc_event gc;
};

/**
 * struct objheap_gc_garbage - argument of OBJHEAP_IOC_GC_GARBAGE, and of
 *	OBJHEAP_IOC_GC_FINALIZE and OBJHEAP_IOC_WEAK_CALLBACKS (ABI 1.6)
 * @handles: user address of @count __u32, filled with new handles
 * @count: in: room in @handles
 * @done: out: handles written; also on failure, when they stay open
 * @left: out: objects still waiting in the queue
 * @flags: zero
 * @reserved: zero
 *
 * Each hands the objects of one queue back, oldest first, each as a new
 * handle that takes over the queue's reference:
 *  - GC_GARBAGE: the objects kept by OBJHEAP_GC_SAVEALL (as gc.garbage);
 *    they rejoin generation 2.
 *  - GC_FINALIZE: finalizable objects that died, each once (PEP 442): the
 *    program runs their finalizers and drops the handles. They rejoin
 *    generation 2; what is still unreachable then is freed by reference
 *    counting or the next collection, without a second finalization.
 *  - WEAK_CALLBACKS: weak references made with OBJHEAP_WEAK_CALLBACK whose
 *    referents died (the weak reference already answers DEREF with 0).
 */
struct objheap_gc_garbage {
	__u64 handles;
	__u32 count;
	__u32 done;
	__u32 left;
	__u32 flags;
	__u64 reserved;
};

/* struct objheap_gc_objects.generation: generations 0..2, as gc.get_objects() */
#define OBJHEAP_GEN_ALL		0xfffffffeU
/* Most targets one OBJHEAP_IOC_GC_REFERRERS takes. */
#define OBJHEAP_REFERRERS_MAX	256

/**
 * struct objheap_gc_objects - argument of OBJHEAP_IOC_GC_OBJECTS and
 *	OBJHEAP_IOC_GC_REFERRERS (ABI 1.7)
 * @handles: user address of @count __u32, filled with new handles
 * @count: in: room in @handles; 0 asks for @total only
 * @done: out: handles written: @total on success, else 0
 * @total: out: how many objects answer; also with ENOSPC
 * @generation: GC_OBJECTS: 0..2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE
 *	or OBJHEAP_GEN_ALL; GC_REFERRERS: zero
 * @ntargets: GC_REFERRERS: handles in @targets, 1..OBJHEAP_REFERRERS_MAX;
 *	GC_OBJECTS: zero
 * @targets: GC_REFERRERS: user address of @ntargets __u32 handles;
 *	GC_OBJECTS: zero
 * @flags: zero
 * @reserved: zero
 *
 * As CPython's gc.get_objects(generation) and gc.get_referrers(*objs):
 *  - GC_OBJECTS: the objects the collector tracks in a generation, oldest
 *    first (OBJHEAP_GEN_ALL: generation 0, then 1, then 2; neither the
 *    frozen nor the saved objects, as CPython's get_objects()).
 *  - GC_REFERRERS: the tracked objects with a slot that points at one of
 *    the targets, each once, in generations 0..2, the frozen objects and
 *    the saved garbage, in that order. A weak reference is not a referrer.
 * Each object comes as a new handle. The answer is one snapshot, taken
 * under the heap's lock: all of it, or nothing (ENOSPC when @count is
 * too small, and @total says how much is needed).
 */
struct objheap_gc_objects {
	__u64 handles;
	__u32 count;
	__u32 done;
	__u32 total;
	__u32 generation;
	__u32 ntargets;
	__u32 flags;
	__u64 targets;
	__u64 reserved[2];
};

#define OBJHEAP_IOC_VERSION	_IOR(OBJHEAP_IOC_MAGIC, 0x00, struct objheap_version)
#define OBJHEAP_IOC_NEW		_IOWR(OBJHEAP_IOC_MAGIC, 0x01, struct objheap_op)
#define OBJHEAP_IOC_DUP		_IOWR(OBJHEAP_IOC_MAGIC, 0x02, struct objheap_op)
#define OBJHEAP_IOC_DROP	_IOW(OBJHEAP_IOC_MAGIC, 0x03, struct objheap_op)
#define OBJHEAP_IOC_SET		_IOW(OBJHEAP_IOC_MAGIC, 0x04, struct objheap_op)
#define OBJHEAP_IOC_GET		_IOWR(OBJHEAP_IOC_MAGIC, 0x05, struct objheap_op)
#define OBJHEAP_IOC_WRITE	_IOW(OBJHEAP_IOC_MAGIC, 0x06, struct objheap_op)
#define OBJHEAP_IOC_READ	_IOW(OBJHEAP_IOC_MAGIC, 0x07, struct objheap_op)
#define OBJHEAP_IOC_INFO	_IOWR(OBJHEAP_IOC_MAGIC, 0x08, struct objheap_info)
#define OBJHEAP_IOC_BATCH	_IOWR(OBJHEAP_IOC_MAGIC, 0x09, struct objheap_batch)
#define OBJHEAP_IOC_GET_LIMITS	_IOR(OBJHEAP_IOC_MAGIC, 0x0a, struct objheap_limits)
#define OBJHEAP_IOC_SET_LIMITS	_IOW(OBJHEAP_IOC_MAGIC, 0x0b, struct objheap_limits)
#define OBJHEAP_IOC_NOP		_IO(OBJHEAP_IOC_MAGIC, 0x0c)
#define OBJHEAP_IOC_WEAKREF	_IOWR(OBJHEAP_IOC_MAGIC, 0x0d, struct objheap_op)
#define OBJHEAP_IOC_DEREF	_IOWR(OBJHEAP_IOC_MAGIC, 0x0e, struct objheap_op)
#define OBJHEAP_IOC_GC_COLLECT	_IOWR(OBJHEAP_IOC_MAGIC, 0x10, struct objheap_gc_collect)
#define OBJHEAP_IOC_GC_GET_PARAMS _IOR(OBJHEAP_IOC_MAGIC, 0x11, struct objheap_gc_params)
#define OBJHEAP_IOC_GC_SET_PARAMS _IOW(OBJHEAP_IOC_MAGIC, 0x12, struct objheap_gc_params)
#define OBJHEAP_IOC_GC_STATS	_IOR(OBJHEAP_IOC_MAGIC, 0x13, struct objheap_gc_stats)
#define OBJHEAP_IOC_GC_FREEZE	_IO(OBJHEAP_IOC_MAGIC, 0x14)
#define OBJHEAP_IOC_GC_UNFREEZE	_IO(OBJHEAP_IOC_MAGIC, 0x15)
#define OBJHEAP_IOC_GC_GARBAGE	_IOWR(OBJHEAP_IOC_MAGIC, 0x16, struct objheap_gc_garbage)
#define OBJHEAP_IOC_GC_FINALIZE	_IOWR(OBJHEAP_IOC_MAGIC, 0x17, struct objheap_gc_garbage)
#define OBJHEAP_IOC_WEAK_CALLBACKS _IOWR(OBJHEAP_IOC_MAGIC, 0x18, struct objheap_gc_garbage)
#define OBJHEAP_IOC_HEAP_STATS	_IOR(OBJHEAP_IOC_MAGIC, 0x20, struct objheap_heap_stats)
#define OBJHEAP_IOC_GC_OBJECTS	_IOWR(OBJHEAP_IOC_MAGIC, 0x19, struct objheap_gc_objects)
#define OBJHEAP_IOC_GC_REFERRERS _IOWR(OBJHEAP_IOC_MAGIC, 0x1a, struct objheap_gc_objects)
#define OBJHEAP_IOC_GET_EVENT_FORMAT _IOR(OBJHEAP_IOC_MAGIC, 0x21, struct objheap_event_format)
#define OBJHEAP_IOC_SET_EVENT_FORMAT _IOW(OBJHEAP_IOC_MAGIC, 0x22, struct objheap_event_format)

#endif /* _UAPI_LINUX_OBJHEAP_H */
