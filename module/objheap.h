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
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include <uapi/linux/objheap.h>

/*
 * debugfs and the shrinker read a heap's counters without its lock (a
 * snapshot must never stop a heap), with READ_ONCE(); their writers hold
 * heap->lock and store with WRITE_ONCE() through these, so a reader sees
 * an old value or a new one. A u64 store is one store only on a 64-bit
 * kernel: objheap builds only there (32-bit processes are served through
 * compat_ioctl) rather than carry u64_stats_sync code nobody can test.
 */
#if BITS_PER_LONG != 64
#error "objheap needs a 64-bit kernel: lock-free readers would see torn 64-bit counters"
#endif
#define objheap_stat_add(c, n)				\
	do {						\
		typeof(c) *__stat = &(c);		\
							\
		WRITE_ONCE(*__stat, *__stat + (n));	\
	} while (0)
#define objheap_stat_set(c, v)	WRITE_ONCE(c, v)

/*
 * Hard ceilings of the per-heap limits. They make reference-count overflow
 * impossible: an object's count is at most (open handles + slots pointing
 * at it) <= OBJHEAP_HARD_MAX_HANDLES + OBJHEAP_HARD_MAX_BYTES / 8
 * = 2^24 + 2^28, far below REFCOUNT_MAX (2^31 - 1).
 */
#define OBJHEAP_HARD_MAX_BYTES		BIT_ULL(31)
#define OBJHEAP_HARD_MAX_OBJECTS	BIT(28)
#define OBJHEAP_HARD_MAX_HANDLES	BIT(24)

/*
 * Memory a user's operation allocates: charged to the caller's memory
 * cgroup, and failing with ENOMEM instead of invoking the OOM killer. A
 * cgroup at its memory.max, or a machine short of memory, must not kill
 * some task to satisfy an objheap allocation; the caller handles ENOMEM.
 * No warning either: user input must not fill the log.
 */
#define OBJHEAP_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Pool index of objects too large for any size class (kvmalloc). */
#define OBJHEAP_CLASS_LARGE	0xff
#define OBJHEAP_NR_CLASSES	25
/* The largest class: bigger objects are OBJHEAP_CLASS_LARGE. */
#define OBJHEAP_SMALL_MAX	4096
/* Objects a full freelist gives back to the slab in one bulk free. */
#define OBJHEAP_POOL_RELEASE	32

/**
 * struct objheap_gc_head - a container's link in the collector's lists
 * @link: node in one of objheap_gc.lists
 * @scan: during a collection (collect.c), the objects being collected are
 *	singly linked through @scan.next (== @link.next) and @scan.refs
 *	replaces @link.prev: CPython's trick, which keeps the collector's
 *	scratch count out of every object's size
 * @scan.next: alias of @link.next
 * @scan.refs: references not (yet) explained by the collected objects
 * @hold: while a collection keeps what finalizers reach (finalize.c), the
 *	garbage list is singly linked through @hold.next (== @link.next) and
 *	@hold.stack replaces @link.prev: the objects still to be walked
 * @hold.next: alias of @link.next
 * @hold.stack: the next object on that stack
 * @dead_next: once the count is zero and it is off the collector's lists,
 *	links the object into the free loop's dead stack (object.c)
 *
 * Only objects with slots carry it, in front of the object (as CPython's
 * PyGC_Head), so that leaves pay nothing for it.
 */
struct objheap_gc_head {
	union {
		struct list_head link;
		struct {
			struct list_head *next;
			unsigned long refs;
		} scan;
		struct {
			struct list_head *next;
			struct objheap_gc_head *stack;
		} hold;
		struct objheap_gc_head *dead_next;
	};
};

/*
 * objheap_obj.state: which objheap_gc list a tracked object is on (a
 * generation 0..2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE or
 * OBJHEAP_GEN_FINALIZE), or one of two marks
 * that only exist during a collection, which stand for the generation
 * collected (collect.c knows which).
 */
#define OBJHEAP_OBJ_COLLECTING		6	/* in the generations collected */
#define OBJHEAP_OBJ_UNREACHABLE	7	/* on the tentatively unreachable list */

/*
 * The collector's lists: generations 0..2, then frozen objects, saved
 * ones, and those waiting for finalization. The marks come after them.
 */
#define OBJHEAP_GC_NR_LISTS	(OBJHEAP_GEN_FINALIZE + 1)
static_assert(OBJHEAP_GC_NR_LISTS <= OBJHEAP_OBJ_COLLECTING);

/**
 * struct objheap_gc - one heap's cycle collector state (gc.c, collect.c)
 * @lists: tracked objects, by generation, then the permanent
 *	generation (frozen), the objects kept by OBJHEAP_GC_SAVEALL and
 *	those waiting for finalization (finalize.c); each of the last two
 *	holds a reference of the list's on every object on it
 * @len: objects on each list
 * @count: CPython's generation counts (see struct objheap_gc_stats)
 * @threshold: see struct objheap_gc_params
 * @flags: OBJHEAP_GC_ENABLED, OBJHEAP_GC_SAVEALL
 * @queued: @work is queued and has not started yet
 * @dying: the heap is being destroyed: queue nothing more
 * @long_lived_total: generation 2's size after the last full collection
 * @long_lived_pending: objects that entered generation 2 since then
 * @automatic: collections run by @work
 * @uncollectable: per generation, unreachable objects its collections
 *	kept for finalization (struct objheap_gc_collect.uncollectable)
 * @finalizers: live objects with a finalizer that has not run: while
 *	there is none, a collection skips looking for them (finalize.c)
 * @gen: statistics per generation
 * @work: the deferred collection, on objheap_gc_wq
 */
struct objheap_gc {
	struct list_head lists[OBJHEAP_GC_NR_LISTS];
	u64 len[OBJHEAP_GC_NR_LISTS];
	u32 count[OBJHEAP_GC_GENERATIONS];
	u32 threshold[OBJHEAP_GC_GENERATIONS];
	u32 flags;
	bool queued;
	bool dying;
	u64 long_lived_total;
	u64 long_lived_pending;
	u64 automatic;
	u64 uncollectable[OBJHEAP_GC_GENERATIONS];
	u64 finalizers;
	struct objheap_gc_gen_stats gen[OBJHEAP_GC_GENERATIONS];
	struct work_struct work;
};

/*
 * objheap_obj.refs: the count in the low 29 bits (it never exceeds
 * OBJHEAP_HARD_MAX_HANDLES + OBJHEAP_HARD_MAX_BYTES / 8 + 1 < 2^29), three
 * flags above it. Counting up and down works on the whole word: a count
 * that is checked never to go below zero nor past the saturation value
 * cannot carry into the flags. Readers of the count mask
 * (objheap_obj_refs()).
 */
#define OBJHEAP_REFS_MASK	(BIT(29) - 1)
#define OBJHEAP_REFS_WEAKLY	BIT(29)	/* weak references point at it (weak.c) */
#define OBJHEAP_REFS_FINALIZER	BIT(30)	/* created OBJHEAP_NEW_FINALIZABLE */
#define OBJHEAP_REFS_FINALIZED	BIT(31)	/* queued for finalization once */

/*
 * An object's count saturates here, as refcount_t does: a count that
 * would go below zero or above OBJHEAP_HARD_MAX_* allows (a bug, never
 * user input) warns once and stays saturated, so the object leaks
 * instead of being freed under a user.
 */
#define OBJHEAP_REFS_SATURATED	0x18000000U
static_assert(OBJHEAP_REFS_SATURATED < OBJHEAP_REFS_MASK);
static_assert((u64)OBJHEAP_HARD_MAX_HANDLES + OBJHEAP_HARD_MAX_BYTES / 8 + 1 <
	      OBJHEAP_REFS_SATURATED);

/* Bits of objheap_obj.type: enough for OBJHEAP_MAX_TYPES indexes. */
#define OBJHEAP_TYPE_INDEX_BITS	14
static_assert(OBJHEAP_MAX_TYPES == 1U << OBJHEAP_TYPE_INDEX_BITS);

/**
 * struct objheap_obj - header of every object: 8 bytes
 * @refs: handles to the object plus slots that point at it (plus a
 *	queue's: saved garbage, finalization, weak callbacks), and the
 *	OBJHEAP_REFS_* flags; a plain count: every change is made under the
 *	heap's lock, so atomics would only cost (see OBJHEAP_REFS_SATURATED
 *	for what refcount_t's checks became)
 * @type: index of its type tag's entry in the heap's type table
 *	(types.c), not the tag: a tag is 32 bits, an index 14
 * @nslots: number of slots, at most OBJHEAP_MAX_SLOTS
 * @payload: it has a payload; its size is the u64 word after the last
 *	slot, its bytes follow that word
 * @weakref: it is a weak reference: no slots, no payload, a struct
 *	objheap_weakref where the slots would be (weak.c)
 * @state: for a tracked object, the collector's list or mark
 *	(OBJHEAP_OBJ_*)
 * @slots: the slots
 *
 * Every field a 16-byte header had is here or derived: the pool class
 * from the size (objheap_obj_alloc_size()), which is why a two-slot
 * container takes 40 bytes (gc head 16, header 8, slots 16), less than a
 * CPython 2-tuple's 56. A tracked object's allocation starts with its
 * struct objheap_gc_head (objheap_obj_tracked() says which are); the
 * object pointer always points at this header. Once the count is zero a
 * tracked object is linked into the dead stack through its gc head
 * (objheap_gc_head.dead_next); an untracked one is freed at once.
 */
struct objheap_obj {
	u32 refs;
	u32 type:OBJHEAP_TYPE_INDEX_BITS;
	u32 nslots:13;
	u32 payload:1;
	u32 weakref:1;
	u32 state:3;
	struct objheap_obj *slots[];
};

/**
 * struct objheap_weakref - what a weak reference holds (weak.c)
 * @referent: the object it refers to, NULL once that died (cleared)
 * @link: while @referent is set, in the ring of the weak references to
 *	it (a circular list without a head: the weak table points at one
 *	member); once cleared, in the heap's callback queue while it waits
 *	there, else empty
 * @flags: OBJHEAP_WEAK_*
 */
struct objheap_weakref {
	struct objheap_obj *referent;
	struct list_head link;
	unsigned long flags;
};

/**
 * struct objheap_weak_entry - one referent in the weak table
 * @referent: the object, NULL for an empty entry
 * @first: one of the weak references to it (the ring's entry point)
 */
struct objheap_weak_entry {
	struct objheap_obj *referent;
	struct objheap_obj *first;
};

/**
 * struct objheap_weak - a heap's weak references (weak.c)
 * @table: open addressing by referent address, linear probing; NULL
 *	while no object has weak references
 * @cap: entries in @table, a power of two, or 0
 * @used: referents in @table, at most 3/4 of @cap
 * @callbacks: weak references whose referents died, waiting for
 *	WEAK_CALLBACKS, oldest first; each holds a reference of the queue's
 * @ncallbacks: how many
 */
struct objheap_weak {
	struct objheap_weak_entry *table;
	u32 cap;
	u32 used;
	struct list_head callbacks;
	u64 ncallbacks;
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
 * @head: singly linked through the first word of each object's memory
 * @count: objects on the list
 * @hits: allocations served from the list
 * @misses: allocations that went to the slab
 */
struct objheap_freelist {
	void *head;
	unsigned int count;
	u64 hits;
	u64 misses;
};

/**
 * struct objheap_type_stat - live objects of one type tag (types.c)
 * @node: in objheap_heap.types, by @type
 * @objects: how many
 * @bytes: their bytes, as charged to the heap
 * @type: the tag
 * @index: its entry in objheap_heap.type_table, which its objects record
 */
struct objheap_type_stat {
	struct rb_node node;
	u64 objects;
	u64 bytes;
	u32 type;
	u32 index;
};

/**
 * struct objheap_user - what one user's heaps pin together (charge.c)
 * @node: in objheap_users, under objheap_users_lock
 * @uid: the real uid of the tasks that opened the heaps
 * @refs: heaps of this user
 * @pinned: bytes charged to them, at most objheap_user_max_bytes
 */
struct objheap_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t refs;
	atomic_long_t pinned;
};

/**
 * struct objheap_type_top - one row of objheap_types_top()
 * @type: the tag
 * @objects: its live objects
 * @bytes: their bytes
 */
struct objheap_type_top {
	u32 type;
	u64 objects;
	u64 bytes;
};

/**
 * struct objheap_events - a heap's GC event ring (events.c)
 * @lock: protects @rec, @head, @tail and @lost; after heap->lock
 * @read_mutex: serializes readers, held across their user copies
 * @wait: readers waiting for a record
 * @head: records ever pushed; the newest has seq @head
 * @tail: records consumed or dropped; the oldest waiting has seq @tail + 1
 * @lost: records dropped since a reader last saw a loss count
 * @format: OBJHEAP_EVENTS_* that read() returns; under @read_mutex
 * @rec: the ring, record seq s at index (s - 1) % OBJHEAP_GC_EVENTS_MAX
 */
struct objheap_events {
	spinlock_t lock;		/* see above */
	struct mutex read_mutex;	/* see above */
	wait_queue_head_t wait;
	u32 format;			/* under read_mutex */
	u64 head;
	u64 tail;
	u64 lost;
	struct objheap_gc_event rec[OBJHEAP_GC_EVENTS_MAX];
};

/**
 * struct objheap_uout - an answer's user memory, pinned (uout.c)
 * @pages: the pages it spans: @page, or the caller's array for an answer
 *	larger than a page (objheap_uout_pin_array())
 * @page: room for the two pages an answer of at most a page may span
 * @nr: how many are pinned
 * @offset: where it starts in the first
 * @size: its bytes
 */
struct objheap_uout {
	struct page **pages;
	struct page *page[2];
	unsigned int nr;
	unsigned int offset;
	size_t size;
};

/**
 * struct objheap_heap - one private heap, created by each open of the device
 * @lock: protects everything below that is not marked otherwise
 * @lock_wait: tasks waiting for @lock killably (objheap_heap_lock())
 * @pins: the file's reference and objheap_collect_all()'s; the last one
 *	frees the heap (objheap_heap_put())
 * @broken: an invariant broke: every call fails with EIO
 * @user: whose budget the heap is charged to
 * @pinned: bytes of kernel memory held for the heap, charged to @user;
 *	with @transient at most @limits.max_bytes (charge.c)
 * @transient: bytes of bounce buffers in use, atomic: given back
 *	without the lock
 * @lru: in the shrinker's list_lru, on the list of the heap's memory
 *	cgroup (reclaim.c), under the list's own lock
 * @handles: the handle table
 * @weak: weak references: referents by address, the callback queue
 * @gc: the cycle collector's lists and state
 * @events: finished collections, for read() and poll() on the file
 * @types: struct objheap_type_stat by type tag
 * @types_hot: the entry used last, kept even while it counts no object
 *	(types.c), or NULL
 * @type_table: the entries by index (objheap_obj.type): a pointer, or a
 *	free entry, (index of the next free one + 1) << 1 | 1
 * @type_cap: entries in @type_table
 * @type_free: index + 1 of the first free entry, 0 when none
 * @debugfs: the heap's directory objheap/heaps/<id>/, or NULL
 * @free: per size class freelists
 * @limits: this heap's limits
 * @bytes: bytes of live objects (their pools' object sizes)
 * @peak_bytes: the highest @bytes so far
 * @objects: live objects
 * @class_objects: live objects per size class, the last entry for large
 *	(kvmalloc) objects
 * @allocs: objects ever allocated
 * @frees: objects ever freed
 * @node: in objheap_heaps, under objheap_heaps_lock
 * @id: unique, never reused while the module is loaded
 * @obj_key: random key that turns object addresses into INFO ids
 * @owner_tgid: thread group that opened the device
 * @owner_comm: its command name at open time
 */
struct objheap_heap {
	struct mutex lock;	/* see "Locking" in docs/design.md */
	wait_queue_head_t lock_wait;
	refcount_t pins;
	bool broken;
	struct objheap_user *user;
	u64 pinned;
	atomic_long_t transient;
	struct list_head lru;
	struct objheap_handles handles;
	struct objheap_weak weak;
	struct objheap_gc gc;
	struct objheap_events events;
	struct rb_root types;
	struct objheap_type_stat *types_hot;
	unsigned long *type_table;
	u32 type_cap;
	u32 type_free;
	struct dentry *debugfs;
	struct objheap_freelist free[OBJHEAP_NR_CLASSES];
	struct objheap_limits limits;
	u64 bytes;
	u64 peak_bytes;
	u64 objects;
	u64 class_objects[OBJHEAP_NR_CLASSES + 1];
	u64 allocs;
	u64 frees;
	struct list_head node;
	u64 id;
	siphash_key_t obj_key;
	pid_t owner_tgid;
	char owner_comm[TASK_COMM_LEN];
};

/**
 * struct objheap_retired - what destroyed heaps leave to the module totals
 * @allocs: their allocations
 * @frees: their frees
 * @peak_bytes: the highest peak_bytes of any of them
 * @gen: their collectors' statistics
 * @uncollectable: their collectors' uncollectable objects, per generation
 * @hits: their freelist hits, per class
 * @misses: their freelist misses, per class
 *
 * Under objheap_heaps_lock, added to as a heap leaves objheap_heaps.
 */
struct objheap_retired {
	u64 allocs;
	u64 frees;
	u64 peak_bytes;
	struct objheap_gc_gen_stats gen[OBJHEAP_GC_GENERATIONS];
	u64 uncollectable[OBJHEAP_GC_GENERATIONS];
	u64 hits[OBJHEAP_NR_CLASSES];
	u64 misses[OBJHEAP_NR_CLASSES];
};

/**
 * struct objheap_totals - module-wide counters shown in debugfs "stats"
 * @heaps_live: heaps currently open
 * @heaps_created: heaps ever created since load
 * @retired: counters of destroyed heaps, under objheap_heaps_lock
 */
struct objheap_totals {
	atomic_long_t heaps_live;
	atomic64_t heaps_created;
	struct objheap_retired retired;
};

extern struct objheap_totals objheap_totals;
extern struct mutex objheap_heaps_lock;
extern struct list_head objheap_heaps;

/* Module parameters: defaults of the per-heap limits and freelist bound. */
extern unsigned long objheap_default_max_bytes;
extern unsigned int objheap_default_max_objects;
extern unsigned int objheap_default_max_handles;
extern unsigned int objheap_freelist_max;
/* Module parameter: what one user's heaps may pin together. */
extern unsigned long objheap_user_max_bytes;
/* Module parameters: defaults of each heap's collector settings. */
extern bool objheap_default_gc_enabled;
extern bool objheap_default_gc_saveall;
extern unsigned int objheap_default_gc_threshold[OBJHEAP_GC_GENERATIONS];
/* Module parameters: the collector's debug self-check; kmemleak tracking. */
extern bool objheap_gc_validate;
extern bool objheap_leak_check;

static inline struct objheap_gc_head *objheap_obj_gc(struct objheap_obj *obj)
{
	return (struct objheap_gc_head *)obj - 1;
}

static inline struct objheap_obj *objheap_gc_obj(struct objheap_gc_head *gc)
{
	return (struct objheap_obj *)(gc + 1);
}

/**
 * objheap_obj_refs() - an object's reference count
 * @obj: the object
 *
 * Return: the count, without the flags that share its word.
 */
static inline u32 objheap_obj_refs(const struct objheap_obj *obj)
{
	return obj->refs & OBJHEAP_REFS_MASK;
}

/**
 * objheap_obj_tracked() - does the collector track the object?
 * @obj: the object
 *
 * Containers, weak references and finalizable objects carry a gc head
 * and are on the collector's lists; other leaves are not.
 *
 * Return: true if it is tracked.
 */
static inline bool objheap_obj_tracked(const struct objheap_obj *obj)
{
	return obj->nslots || obj->weakref || (obj->refs & OBJHEAP_REFS_FINALIZER);
}

/* The weak reference's part of a weak reference object. */
static inline struct objheap_weakref *objheap_obj_weak(struct objheap_obj *obj)
{
	return (struct objheap_weakref *)obj->slots;
}

/* The collector's list an object is on; only meaningful if it is tracked. */
static inline unsigned int objheap_obj_list(const struct objheap_obj *obj)
{
	return obj->state;
}

static inline void objheap_obj_set_list(struct objheap_obj *obj,
					unsigned int list)
{
	obj->state = list;
}

/* pool.c: size classes, slab caches, freelists, shrinker */
int objheap_pool_init(void);
void objheap_pool_exit(void);
extern const u16 objheap_class_sizes[OBJHEAP_NR_CLASSES];

/**
 * objheap_class_size() - object size of a class
 * @class: pool index
 *
 * Return: bytes, or 0 for OBJHEAP_CLASS_LARGE.
 */
static inline unsigned int objheap_class_size(unsigned int class)
{
	return class < OBJHEAP_NR_CLASSES ? objheap_class_sizes[class] : 0;
}

extern u8 objheap_size_classes[];

/**
 * objheap_size_to_class() - the pool for an object of @size bytes
 * @size: bytes, header and slots included
 *
 * Inline: every allocation and free asks, the class is not stored.
 *
 * Return: the smallest class that fits, or OBJHEAP_CLASS_LARGE.
 */
static inline unsigned int objheap_size_to_class(size_t size)
{
	if (size > OBJHEAP_SMALL_MAX)
		return OBJHEAP_CLASS_LARGE;
	return objheap_size_classes[(size + 7) / 8];
}

void *objheap_pool_alloc(struct objheap_heap *heap, unsigned int class,
			 size_t size);
void objheap_pool_free(struct objheap_heap *heap, void *mem,
		       unsigned int class, size_t size);
size_t objheap_pool_freelisted_bytes(struct objheap_heap *heap);
void objheap_pool_drain(struct objheap_heap *heap);
unsigned long objheap_pool_drain_some(struct objheap_heap *heap,
				      unsigned long nr);
unsigned long objheap_pool_shrink(unsigned long nr_to_scan);

/* charge.c: what heaps and users pin, against their limits */
size_t objheap_alloc_cost(size_t size);
struct objheap_user *objheap_user_get(void);
void objheap_user_put(struct objheap_user *u);
u64 objheap_user_pinned(struct objheap_heap *heap);
int objheap_charge(struct objheap_heap *heap, size_t bytes);
void objheap_uncharge(struct objheap_heap *heap, size_t bytes);
int objheap_charge_transient(struct objheap_heap *heap, size_t bytes);
void objheap_uncharge_transient(struct objheap_heap *heap, size_t bytes);
u64 objheap_heap_pinned(struct objheap_heap *heap);

/* reclaim.c: heap structs, the memcg-aware shrinker of the freelists */
int objheap_reclaim_init(void);
void objheap_reclaim_exit(void);
size_t objheap_heap_cost(void);
struct objheap_heap *objheap_reclaim_alloc_heap(void);
void objheap_reclaim_free_heap(struct objheap_heap *heap);

/* handle.c: the handle table */
void objheap_handles_init(struct objheap_handles *t);
void objheap_handles_destroy(struct objheap_heap *heap);
int objheap_handle_reserve(struct objheap_heap *heap);
int objheap_handle_reserve_n(struct objheap_heap *heap, u32 n);
u32 objheap_handle_install(struct objheap_handles *t,
			   struct objheap_obj *obj);
struct objheap_obj *objheap_handle_lookup(struct objheap_handles *t, u32 h);
struct objheap_obj *objheap_handle_remove(struct objheap_handles *t, u32 h);

/* object.c: allocation, reference counting, iterative deallocation */
#define OBJHEAP_ALLOC_FINALIZABLE	BIT(0)	/* OBJHEAP_NEW_FINALIZABLE */
#define OBJHEAP_ALLOC_WEAKREF		BIT(1)	/* a weak reference (weak.c) */
size_t objheap_obj_alloc_size(u32 nslots, u32 size, u32 flags);
size_t objheap_obj_bytes(const struct objheap_obj *obj);
struct objheap_obj *objheap_obj_alloc(struct objheap_heap *heap, u32 type,
				      u32 nslots, u32 size, u32 flags);
void objheap_obj_get(struct objheap_obj *obj);
void objheap_obj_put(struct objheap_heap *heap, struct objheap_obj *obj);

/**
 * objheap_obj_size() - the payload size of an object
 * @obj: the object
 *
 * Inline: every free asks (the pool class is computed from it).
 *
 * Return: its payload bytes, 0 if it has none.
 */
static inline u32 objheap_obj_size(const struct objheap_obj *obj)
{
	return obj->payload ? *(const u64 *)&obj->slots[obj->nslots] : 0;
}

void *objheap_obj_payload(struct objheap_obj *obj);
void objheap_obj_clear_slots(struct objheap_heap *heap,
			     struct objheap_obj *obj);
void objheap_obj_clear_garbage(struct objheap_heap *heap,
			       struct objheap_obj *obj);
bool objheap_obj_free_garbage(struct objheap_heap *heap,
			      struct objheap_obj *obj);

/* gc.c: tracking, generations, scheduling and control of the collector */
int objheap_gc_module_init(void);
void objheap_gc_module_exit(void);
void objheap_gc_init(struct objheap_heap *heap);
void objheap_gc_stop(struct objheap_heap *heap);
void objheap_gc_release(struct objheap_heap *heap);
void objheap_gc_track(struct objheap_heap *heap, struct objheap_obj *obj);
void objheap_gc_untrack(struct objheap_heap *heap, struct objheap_obj *obj);
void objheap_gc_move(struct objheap_heap *heap, struct objheap_obj *obj,
		     unsigned int list);
int objheap_gc_run(struct objheap_heap *heap, struct objheap_gc_collect *res);
int objheap_gc_get_params(struct objheap_heap *heap,
			  struct objheap_gc_params *params);
int objheap_gc_set_params(struct objheap_heap *heap,
			  const struct objheap_gc_params *params);
int objheap_gc_get_stats(struct objheap_heap *heap,
			 struct objheap_gc_stats *stats);
int objheap_gc_freeze(struct objheap_heap *heap);
int objheap_gc_unfreeze(struct objheap_heap *heap);
/* The queues user space takes objects from, as handles. */
enum objheap_queue {
	OBJHEAP_QUEUE_GARBAGE,		/* GC_GARBAGE: saved by SAVEALL */
	OBJHEAP_QUEUE_FINALIZE,		/* GC_FINALIZE: to be finalized */
	OBJHEAP_QUEUE_CALLBACKS,	/* WEAK_CALLBACKS: weak references */
};

int objheap_gc_take(struct objheap_heap *heap, enum objheap_queue queue,
		    u32 *handles, u32 n, u32 *taken);
u32 objheap_gc_left(struct objheap_heap *heap, enum objheap_queue queue);

/* weak.c: weak references */
void objheap_weak_init(struct objheap_heap *heap);
void objheap_weak_destroy(struct objheap_heap *heap);
struct objheap_obj *objheap_weak_new(struct objheap_heap *heap,
				     struct objheap_obj *referent, u32 type,
				     u32 flags);
struct objheap_obj *objheap_weak_referent(struct objheap_obj *w);
void objheap_weak_prefetch(struct objheap_heap *heap,
			   const struct objheap_obj *referent);
void objheap_weak_clear(struct objheap_heap *heap, struct objheap_obj *referent);
void objheap_weak_shrink(struct objheap_heap *heap);
void objheap_weak_unlink(struct objheap_heap *heap, struct objheap_obj *w);
struct objheap_obj *objheap_weak_take_callback(struct objheap_heap *heap);
void objheap_weak_release(struct objheap_heap *heap);

/* finalize.c: finalizers, run by user space */
bool objheap_finalize_dying(struct objheap_heap *heap, struct objheap_obj *obj);
unsigned long objheap_finalize_hold(struct objheap_heap *heap,
				    struct list_head *unreachable,
				    struct list_head *survivors,
				    unsigned int dest, unsigned long *queued);

/* collect.c: one collection, CPython's trial deletion */
void objheap_gc_collect(struct objheap_heap *heap, unsigned int gen,
			unsigned int reason, struct objheap_gc_collect *res);

/* types.c: per-type statistics */
void objheap_types_init(struct objheap_heap *heap);
void objheap_types_destroy(struct objheap_heap *heap);
struct objheap_type_stat *objheap_types_get(struct objheap_heap *heap,
					    u32 type);
void objheap_types_put(struct objheap_heap *heap,
		       struct objheap_type_stat *ts);
void objheap_types_commit(struct objheap_heap *heap,
			  struct objheap_type_stat *ts);

/**
 * objheap_types_uncount() - an object dies
 * @heap: the heap, locked
 * @obj: the object, whose entry counts it
 * @bytes: what it was charged
 *
 * Inline: one indexed load, no lookup. An entry that counts nothing and
 * is not the hot one goes.
 */
static inline void objheap_types_uncount(struct objheap_heap *heap,
					 const struct objheap_obj *obj,
					 u64 bytes)
{
	struct objheap_type_stat *ts;

	ts = (struct objheap_type_stat *)heap->type_table[obj->type];
	ts->objects--;
	ts->bytes -= bytes;
	if (unlikely(!ts->objects))
		objheap_types_put(heap, ts);
}

/**
 * objheap_types_tag() - the type tag of an object
 * @heap: the heap, locked
 * @obj: a live object
 *
 * Return: the tag it was created with.
 */
static inline u32 objheap_types_tag(struct objheap_heap *heap,
				    const struct objheap_obj *obj)
{
	return ((struct objheap_type_stat *)heap->type_table[obj->type])->type;
}

unsigned int objheap_types_top(struct objheap_heap *heap,
			       struct objheap_type_top *top, unsigned int n,
			       u64 *ntypes);

/* events.c: the GC event stream */
void objheap_events_init(struct objheap_events *ev);
void objheap_events_destroy(struct objheap_events *ev);
void objheap_events_push(struct objheap_events *ev,
			 const struct objheap_gc_collect *res,
			 unsigned int reason);
bool objheap_events_take(struct objheap_events *ev,
			 struct objheap_gc_event *rec);
int objheap_events_get_format(struct objheap_events *ev,
			      struct objheap_event_format *fmt);
int objheap_events_set_format(struct objheap_events *ev,
			      const struct objheap_event_format *fmt);
struct iov_iter;
ssize_t objheap_events_read(struct objheap_events *ev, struct iov_iter *to,
			    bool nonblock, bool nowait);
__poll_t objheap_events_poll(struct objheap_events *ev, struct file *file,
			     poll_table *pt);

/* heap.c: heaps and the operations on them */
struct objheap_heap *objheap_heap_create(void);
void objheap_heap_destroy(struct objheap_heap *heap);
bool objheap_heap_tryget(struct objheap_heap *heap);
void objheap_heap_put(struct objheap_heap *heap);
int objheap_heap_lock(struct objheap_heap *heap);
void objheap_heap_unlock(struct objheap_heap *heap);
void objheap_heap_break(struct objheap_heap *heap, const char *why);
int objheap_heap_op(struct objheap_heap *heap, struct objheap_op *op,
		    void *kbuf);
int objheap_heap_charge_rw(struct objheap_heap *heap,
			   const struct objheap_op *op, size_t bytes);
int objheap_heap_info(struct objheap_heap *heap, struct objheap_info *info);
int objheap_heap_get_stats(struct objheap_heap *heap,
			   struct objheap_heap_stats *st);
void objheap_collect_all(void);
void objheap_gc_gen_stats_add(struct objheap_gc_gen_stats *to,
			      const struct objheap_gc_gen_stats *from);
int objheap_heap_get_limits(struct objheap_heap *heap,
			    struct objheap_limits *lim);
int objheap_heap_set_limits(struct objheap_heap *heap,
			    const struct objheap_limits *lim);

/* introspect.c: gc.get_objects() and gc.get_referrers() (ABI 1.7) */
int objheap_gc_objects(struct objheap_heap *heap, u32 generation,
		       u32 __user *uhandles, u32 count, u32 *total);
int objheap_gc_referrers(struct objheap_heap *heap, const u32 *targets,
			 u32 ntargets, u32 __user *uhandles, u32 count,
			 u32 *total);

/* uout.c: answers written through pinned user pages */
int objheap_uout_pin(struct objheap_uout *out, void __user *uaddr,
		     size_t size);
void objheap_uout_write(struct objheap_uout *out, size_t at, const void *src,
			size_t len);
void objheap_uout_unpin(struct objheap_uout *out);
unsigned long objheap_uout_nr_pages(const void __user *uaddr, size_t size);
int objheap_uout_pin_array(struct objheap_uout *out, void __user *uaddr,
			   size_t size, struct page **pages);

/* ioctl.c */
void objheap_version_fill(struct objheap_version *ver);
long objheap_ioctl(struct objheap_heap *heap, unsigned int cmd,
		   void __user *uarg);

/* dev.c, debugfs.c */
int objheap_dev_init(void);
void objheap_dev_exit(void);
void objheap_debugfs_init(void);
void objheap_debugfs_exit(void);
struct seq_file;
int objheap_debugfs_heap_info(struct seq_file *m, struct objheap_heap *heap);
void objheap_debugfs_heap_add(struct objheap_heap *heap);
void objheap_debugfs_heap_remove(struct objheap_heap *heap);

#endif /* OBJHEAP_INTERNAL_H */
