/* SPDX-License-Identifier: GPL-2.0 */
/*
 * objheap internal interfaces, shared by the module's files and its KUnit
 * tests. Nothing here is ABI; the user ABI is include/uapi/linux/objheap.h.
 * docs/design.md explains the layout and the locking.
 */
#ifndef OBJHEAP_INTERNAL_H
#define OBJHEAP_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/compiler_types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <kunit/visibility.h>
#include <uapi/linux/objheap.h>

/*
 * Hard ceilings of the per-heap limits. They make reference-count overflow
 * impossible: an object's count is at most (open handles + slots pointing
 * at it) <= OBJHEAP_HARD_MAX_HANDLES + OBJHEAP_HARD_MAX_BYTES / 8
 * = 2^24 + 2^28, far below REFCOUNT_MAX (2^31 - 1).
 */
#define OBJHEAP_HARD_MAX_BYTES		BIT_ULL(31)
#define OBJHEAP_HARD_MAX_OBJECTS	BIT(28)
#define OBJHEAP_HARD_MAX_HANDLES	BIT(24)

/* Pool index of objects too large for any size class (kvmalloc). */
#define OBJHEAP_CLASS_LARGE	0xff
#define OBJHEAP_NR_CLASSES	22

/**
 * struct objheap_gc_head - link in the heap's list of containers
 * @link: node in objheap_heap.containers
 *
 * Only objects with slots carry it, in front of the object (as CPython's
 * PyGC_Head), so that leaves pay nothing for it.
 */
struct objheap_gc_head {
	struct list_head link;
};

/**
 * struct objheap_obj - header of every object
 * @refs: handles to the object plus slots that point at it
 * @type: the user's type tag
 * @next_dead: overlays @refs and @type once the count is zero: links the
 *	object into the iterative free stack or a pool freelist
 * @size: payload bytes
 * @nslots: number of slots
 * @class: pool index, or OBJHEAP_CLASS_LARGE
 * @flags: reserved for the collector
 * @slots: the slots; the payload follows the last one
 *
 * A container's allocation starts with its struct objheap_gc_head; the
 * object pointer always points at this header.
 */
struct objheap_obj {
	union {
		struct {
			refcount_t refs;
			u32 type;
		};
		struct objheap_obj *next_dead;
	};
	u32 size;
	u16 nslots;
	u8 class;
	u8 flags;
	struct objheap_obj *slots[];
};

/**
 * struct objheap_handles - a heap's handle table
 * @entries: an object pointer, or a free entry: (next free index << 1) | 1
 * @cap: number of entries
 * @used: handles open
 * @free: index + 1 of the first free entry, 0 when none
 *
 * Handle h names entries[h - 1]; 0 is never a valid handle.
 */
struct objheap_handles {
	unsigned long *entries;
	u32 cap;
	u32 used;
	u32 free;
};

/**
 * struct objheap_freelist - recently freed objects of one size class
 * @head: singly linked through objheap_obj.next_dead
 * @count: objects on the list
 * @hits: allocations served from the list
 * @misses: allocations that went to the slab
 */
struct objheap_freelist {
	struct objheap_obj *head;
	unsigned int count;
	u64 hits;
	u64 misses;
};

/**
 * struct objheap_heap - one private heap, created by each open of the device
 * @lock: protects everything below that is not marked otherwise
 * @handles: the handle table
 * @containers: every live object with slots, through its objheap_gc_head
 * @free: per size class freelists
 * @limits: this heap's limits
 * @bytes: bytes of live objects (their pools' object sizes)
 * @objects: live objects
 * @allocs: objects ever allocated
 * @frees: objects ever freed
 * @node: in objheap_heaps, under objheap_heaps_lock
 * @id: unique, never reused while the module is loaded
 * @owner_tgid: thread group that opened the device
 * @owner_comm: its command name at open time
 */
struct objheap_heap {
	struct mutex lock;	/* see "Locking" in docs/design.md */
	struct objheap_handles handles;
	struct list_head containers;
	struct objheap_freelist free[OBJHEAP_NR_CLASSES];
	struct objheap_limits limits;
	u64 bytes;
	u64 objects;
	u64 allocs;
	u64 frees;
	struct list_head node;
	u64 id;
	pid_t owner_tgid;
	char owner_comm[TASK_COMM_LEN];
};

/**
 * struct objheap_totals - module-wide counters shown in debugfs "stats"
 * @heaps_live: heaps currently open
 * @heaps_created: heaps ever created since load
 */
struct objheap_totals {
	atomic_long_t heaps_live;
	atomic64_t heaps_created;
};

extern struct objheap_totals objheap_totals;
extern struct mutex objheap_heaps_lock;
extern struct list_head objheap_heaps;

/* Module parameters: defaults of the per-heap limits and freelist bound. */
extern unsigned long objheap_default_max_bytes;
extern unsigned int objheap_default_max_objects;
extern unsigned int objheap_default_max_handles;
extern unsigned int objheap_freelist_max;

/* pool.c: size classes, slab caches, freelists, shrinker */
int objheap_pool_init(void);
void objheap_pool_exit(void);
unsigned int objheap_class_size(unsigned int class);
unsigned int objheap_size_to_class(size_t size);
void *objheap_pool_alloc(struct objheap_heap *heap, unsigned int class,
			 size_t size);
void objheap_pool_free(struct objheap_heap *heap, void *mem,
		       unsigned int class);
void objheap_pool_drain(struct objheap_heap *heap);
unsigned long objheap_pool_shrink(unsigned long nr_to_scan);

/* handle.c: the handle table */
void objheap_handles_init(struct objheap_handles *t);
void objheap_handles_destroy(struct objheap_handles *t);
int objheap_handle_reserve(struct objheap_handles *t, u32 limit);
u32 objheap_handle_install(struct objheap_handles *t,
			   struct objheap_obj *obj);
struct objheap_obj *objheap_handle_lookup(struct objheap_handles *t, u32 h);
struct objheap_obj *objheap_handle_remove(struct objheap_handles *t, u32 h);

/* object.c: allocation, reference counting, iterative deallocation */
size_t objheap_obj_alloc_size(u32 nslots, u32 size);
size_t objheap_obj_charge(u32 nslots, u32 size);
struct objheap_obj *objheap_obj_alloc(struct objheap_heap *heap, u32 type,
				      u32 nslots, u32 size);
void objheap_obj_get(struct objheap_obj *obj);
void objheap_obj_put(struct objheap_heap *heap, struct objheap_obj *obj);
void *objheap_obj_payload(struct objheap_obj *obj);
void objheap_obj_clear_slots(struct objheap_heap *heap,
			     struct objheap_obj *obj);

/* heap.c: heaps and the operations on them */
struct objheap_heap *objheap_heap_create(void);
void objheap_heap_destroy(struct objheap_heap *heap);
int objheap_heap_op(struct objheap_heap *heap, struct objheap_op *op,
		    void *kbuf);
int objheap_heap_info(struct objheap_heap *heap, struct objheap_info *info);
void objheap_heap_get_limits(struct objheap_heap *heap,
			     struct objheap_limits *lim);
int objheap_heap_set_limits(struct objheap_heap *heap,
			    const struct objheap_limits *lim);

/* ioctl.c */
void objheap_version_fill(struct objheap_version *ver);
long objheap_ioctl(struct objheap_heap *heap, unsigned int cmd,
		   void __user *uarg);

/* dev.c, debugfs.c */
int objheap_dev_init(void);
void objheap_dev_exit(void);
void objheap_debugfs_init(void);
void objheap_debugfs_exit(void);

#endif /* OBJHEAP_INTERNAL_H */
