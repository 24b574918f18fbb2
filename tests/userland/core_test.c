// SPDX-License-Identifier: GPL-2.0
/* The core's behaviour, natively: objects, the collector, the dispatcher. */
#include "uheap.h"
#include "utest.h"

/*
 * A chain of @n one-slot containers, each pointing at the next; handles
 * kept on the first (returned) and the last (*@last, maybe the same).
 */
static long make_chain(struct objheap_heap *heap, unsigned int n, long *last)
{
	long first = uh_new(heap, 1, 1, 0), prev = first, h;
	unsigned int i;

	ASSERT_GT(first, 0);
	for (i = 1; i < n; i++) {
		h = uh_new(heap, 1, 1, 0);
		ASSERT_GT(h, 0);
		ASSERT_EQ(uh_set(heap, prev, 0, h), 0);
		if (prev != first)
			ASSERT_EQ(uh_drop(heap, prev), 0);
		prev = h;
	}
	*last = prev;
	return first;
}

/* A ring of @n containers, each pointing at the next; no handle kept. */
static void make_ring(struct objheap_heap *heap, unsigned int n)
{
	long last, first = make_chain(heap, n, &last);

	ASSERT_EQ(uh_set(heap, last, 0, first), 0);
	if (last != first)
		ASSERT_EQ(uh_drop(heap, last), 0);
	ASSERT_EQ(uh_drop(heap, first), 0);
}

TEST(ring_collected)
{
	struct objheap_heap *heap;
	struct objheap_gc_collect c;
	struct objheap_heap_stats st;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 700, 10, 10), 0);
	make_ring(heap, 1000);
	ASSERT_EQ(uh_collect(heap, 2, &c), 0);
	EXPECT_EQ(c.scanned, 1000);
	EXPECT_EQ(c.collected, 1000);
	EXPECT_EQ(c.freed, 1000);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 0);
	uh_close(heap);
	uh_unload();
}

/* ABI 1.6 through the ioctls: WEAKREF, NEW finalizable, a queue. */
static long weakref(struct objheap_heap *heap, u32 h, u32 flags)
{
	struct objheap_op op = { .handle = h, .index = flags, .type = 4 };
	long ret = uh_ioctl(heap, OBJHEAP_IOC_WEAKREF, &op);

	return ret ? ret : op.ref;
}

static long deref(struct objheap_heap *heap, u32 w)
{
	struct objheap_op op = { .handle = w };
	long ret = uh_ioctl(heap, OBJHEAP_IOC_DEREF, &op);

	return ret ? ret : op.ref;
}

static long new_fin(struct objheap_heap *heap, u32 nslots)
{
	struct objheap_op op = {
		.count = nslots, .type = 5, .index = OBJHEAP_NEW_FINALIZABLE,
	};
	long ret = uh_ioctl(heap, OBJHEAP_IOC_NEW, &op);

	return ret ? ret : op.handle;
}

/* Up to @n handles from @cmd's queue; how many. */
static long take(struct objheap_heap *heap, unsigned int cmd, u32 *h, u32 n)
{
	struct objheap_gc_garbage g = { .handles = (u64)(uintptr_t)h, .count = n };
	long ret = uh_ioctl(heap, cmd, &g);

	return ret ? ret : g.done;
}

/*
 * A weak reference with a callback inside cyclic trash gets none, one
 * outside it does, and neither answers DEREF afterwards; a finalizable
 * member of the trash waits with what it reaches, is finalized once, and
 * the next collection frees it all.
 */
TEST(weakrefs_and_a_finalizer_in_cyclic_trash)
{
	struct objheap_heap *heap;
	struct objheap_gc_collect c;
	struct objheap_heap_stats st;
	long a, b, x, y, inside, outside, got;
	u32 h[4];

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 700, 10, 10), 0);
	a = new_fin(heap, 1);
	b = uh_new(heap, 1, 2, 0);
	x = uh_new(heap, 1, 2, 0);
	y = uh_new(heap, 1, 1, 0);
	ASSERT_GT(a, 0);
	inside = weakref(heap, y, OBJHEAP_WEAK_CALLBACK);
	outside = weakref(heap, b, OBJHEAP_WEAK_CALLBACK);
	ASSERT_GT(inside, 0);
	ASSERT_GT(outside, 0);
	/* a <-> b, b -> leaf; x <-> y, x -> inside */
	ASSERT_EQ(uh_set(heap, a, 0, b), 0);
	ASSERT_EQ(uh_set(heap, b, 0, a), 0);
	got = uh_new(heap, 1, 0, 8);
	ASSERT_EQ(uh_set(heap, b, 1, got), 0);
	ASSERT_EQ(uh_drop(heap, got), 0);
	ASSERT_EQ(uh_set(heap, x, 0, y), 0);
	ASSERT_EQ(uh_set(heap, y, 0, x), 0);
	ASSERT_EQ(uh_set(heap, x, 1, inside), 0);
	ASSERT_EQ(uh_drop(heap, inside), 0);
	ASSERT_EQ(uh_drop(heap, a), 0);
	ASSERT_EQ(uh_drop(heap, b), 0);
	ASSERT_EQ(uh_drop(heap, x), 0);
	ASSERT_EQ(uh_drop(heap, y), 0);
	ASSERT_EQ(uh_collect(heap, 2, &c), 0);
	EXPECT_EQ(c.collected, 3);		/* x, y, inside */
	EXPECT_EQ(c.uncollectable, 2);		/* a and b wait */
	EXPECT_EQ(c.freed, 3);
	EXPECT_EQ(deref(heap, outside), 0);
	EXPECT_EQ(take(heap, OBJHEAP_IOC_WEAK_CALLBACKS, h, 4), 1);
	ASSERT_EQ(uh_drop(heap, h[0]), 0);
	/* The finalizer sees b and b's leaf, intact. */
	ASSERT_EQ(take(heap, OBJHEAP_IOC_GC_FINALIZE, h, 4), 1);
	got = uh_get(heap, h[0], 0);
	ASSERT_GT(got, 0);
	x = uh_get(heap, got, 1);
	ASSERT_GT(x, 0);
	ASSERT_EQ(uh_drop(heap, x), 0);
	ASSERT_EQ(uh_drop(heap, got), 0);
	ASSERT_EQ(uh_drop(heap, h[0]), 0);
	ASSERT_EQ(uh_collect(heap, 2, &c), 0);
	EXPECT_EQ(c.collected, 2);
	EXPECT_EQ(c.uncollectable, 0);
	EXPECT_EQ(c.freed, 3);
	EXPECT_EQ(take(heap, OBJHEAP_IOC_GC_FINALIZE, h, 4), 0);
	ASSERT_EQ(uh_drop(heap, outside), 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 0);
	uh_close(heap);
	uh_unload();
}

/*
 * The weak table gives its memory back, however its referents died: a
 * collection's garbage (one rehash, at the end of step 4) or deaths by
 * reference counting one after another, down to its smallest size and
 * not below it (shrinking by quarters once left it at 8 entries).
 */
#define WEAK_TABLE_N	1000
TEST(weak_table_shrinks_after_mass_death)
{
	static u32 ring[WEAK_TABLE_N], weak[WEAK_TABLE_N];
	struct objheap_heap *heap;
	struct objheap_gc_collect c;
	u32 round, i;
	long h;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 0, 0, 0), 0);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < WEAK_TABLE_N; i++) {
			h = uh_new(heap, 1, 1, 0);
			ASSERT_GT(h, 0);
			ring[i] = h;
			h = weakref(heap, ring[i], 0);
			ASSERT_GT(h, 0);
			weak[i] = h;
		}
		ASSERT_GT(heap->weak.cap, WEAK_TABLE_N);
		/* Round 0 a garbage ring; round 1 independent deaths. */
		for (i = 0; round == 0 && i < WEAK_TABLE_N; i++)
			ASSERT_EQ(uh_set(heap, ring[i], 0,
					 ring[(i + 1) % WEAK_TABLE_N]), 0);
		for (i = 0; i < WEAK_TABLE_N; i++)
			ASSERT_EQ(uh_drop(heap, ring[i]), 0);
		if (round == 0) {
			ASSERT_EQ(uh_collect(heap, 2, &c), 0);
			EXPECT_EQ(c.collected, WEAK_TABLE_N);
		}
		EXPECT_EQ(heap->weak.used, 0);
		EXPECT_EQ(heap->weak.cap, 16);
		for (i = 0; i < WEAK_TABLE_N; i++) {
			ASSERT_EQ(deref(heap, weak[i]), 0);
			ASSERT_EQ(uh_drop(heap, weak[i]), 0);
		}
	}
	uh_close(heap);
	uh_unload();
}

/* By reference counting: cleared at once, called back, finalized once. */
TEST(refcount_deaths_clear_call_back_and_finalize_once)
{
	struct objheap_heap *heap;
	struct objheap_heap_stats st;
	long f, w, keep, d;
	u32 h[2];

	uh_load();
	heap = uh_open();
	keep = uh_new(heap, 1, 1, 0);
	f = new_fin(heap, 0);
	w = weakref(heap, f, OBJHEAP_WEAK_CALLBACK);
	d = deref(heap, w);
	ASSERT_GT(d, 0);
	ASSERT_EQ(uh_drop(heap, d), 0);
	ASSERT_EQ(uh_drop(heap, f), 0);
	EXPECT_EQ(deref(heap, w), 0);
	EXPECT_EQ(take(heap, OBJHEAP_IOC_WEAK_CALLBACKS, h, 2), 1);
	ASSERT_EQ(uh_drop(heap, h[0]), 0);
	/* Resurrected by its finalizer, then dead for good. */
	ASSERT_EQ(take(heap, OBJHEAP_IOC_GC_FINALIZE, h, 2), 1);
	ASSERT_EQ(uh_set(heap, keep, 0, h[0]), 0);
	ASSERT_EQ(uh_drop(heap, h[0]), 0);
	ASSERT_EQ(uh_set(heap, keep, 0, 0), 0);
	EXPECT_EQ(take(heap, OBJHEAP_IOC_GC_FINALIZE, h, 2), 0);
	ASSERT_EQ(uh_drop(heap, w), 0);
	ASSERT_EQ(uh_drop(heap, keep), 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 0);
	uh_close(heap);
	uh_unload();
}

/* A chain of a million: freed by the iterative loop, no stack needed. */
TEST(long_chain_freed_without_recursion)
{
	struct objheap_heap *heap;
	struct objheap_heap_stats st;
	long head, last;

	uh_load();
	heap = uh_open();
	head = make_chain(heap, 1000000, &last);
	ASSERT_EQ(uh_drop(heap, last), 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	ASSERT_EQ(st.objects, 1000000);
	ASSERT_EQ(uh_drop(heap, head), 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 0);
	uh_close(heap);
	uh_unload();
}

/* A slot takes its own reference: the object outlives its handle. */
TEST(set_takes_a_reference)
{
	struct objheap_heap *heap;
	struct objheap_info info;
	long parent, child, got;
	u8 buf[8] = "abcdefg";

	uh_load();
	heap = uh_open();
	parent = uh_new(heap, 1, 2, 0);
	child = uh_new(heap, 2, 0, 8);
	ASSERT_EQ(uh_rw(heap, OBJHEAP_IOC_WRITE, child, 0, buf, 8), 0);
	ASSERT_EQ(uh_set(heap, parent, 1, child), 0);
	ASSERT_EQ(uh_info(heap, child, &info), 0);
	EXPECT_EQ(info.refcount, 2);
	ASSERT_EQ(uh_drop(heap, child), 0);
	got = uh_get(heap, parent, 1);
	ASSERT_GT(got, 0);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(uh_rw(heap, OBJHEAP_IOC_READ, got, 0, buf, 8), 0);
	EXPECT_TRUE(!memcmp(buf, "abcdefg", 8));
	ASSERT_EQ(uh_info(heap, got, &info), 0);
	EXPECT_EQ(info.refcount, 2);
	EXPECT_EQ(info.type, 2);
	uh_close(heap);
	uh_unload();
}

/* An object from a freelist is as zeroed as a fresh one. */
TEST(reused_object_is_zeroed)
{
	struct objheap_heap *heap;
	struct objheap_heap_stats st;
	u8 buf[40], zero[40] = { 0 };
	long h;

	uh_load();
	heap = uh_open();
	h = uh_new(heap, 1, 1, 40);
	memset(buf, 0xab, sizeof(buf));
	ASSERT_EQ(uh_rw(heap, OBJHEAP_IOC_WRITE, h, 0, buf, 40), 0);
	ASSERT_EQ(uh_set(heap, h, 0, h), 0);
	ASSERT_EQ(uh_drop(heap, h), 0);
	ASSERT_EQ(uh_collect(heap, 2, NULL), 0);
	h = uh_new(heap, 1, 1, 40);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	ASSERT_EQ(st.freelist_hits, 1);
	ASSERT_EQ(uh_get(heap, h, 0), 0);
	ASSERT_EQ(uh_rw(heap, OBJHEAP_IOC_READ, h, 0, buf, 40), 0);
	EXPECT_TRUE(!memcmp(buf, zero, 40));
	uh_close(heap);
	uh_unload();
}

/* max_objects objects fit, one more is EDQUOT, and nothing changes. */
TEST(object_limit_exact)
{
	struct objheap_limits lim = { .max_objects = 10 };
	struct objheap_heap *heap;
	struct objheap_heap_stats st;
	int i;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_ioctl(heap, OBJHEAP_IOC_SET_LIMITS, &lim), 0);
	for (i = 0; i < 10; i++)
		ASSERT_GT(uh_new(heap, 1, 0, 0), 0);
	EXPECT_EQ(uh_new(heap, 1, 0, 0), -EDQUOT);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 10);
	EXPECT_EQ(st.handles, 10);
	uh_close(heap);
	uh_unload();
}

/*
 * The type table: OBJHEAP_MAX_TYPES distinct tags at once, then EDQUOT
 * for a new one only; a tag whose objects died frees its index. And the
 * 8-byte header: INFO gives back the tag and the payload size it stores.
 */
TEST(type_table_limit_and_info)
{
	struct objheap_heap_stats st;
	struct objheap_info info;
	struct objheap_heap *heap;
	long h, h7 = 0;
	u32 t;

	uh_load();
	heap = uh_open();
	for (t = 0; t < OBJHEAP_MAX_TYPES; t++) {
		h = uh_new(heap, 0xfff00000 + t, t & 1, t % 5);
		ASSERT_GT(h, 0);
		if (t == 7)
			h7 = h;
	}
	EXPECT_EQ(uh_new(heap, 0xabc, 0, 0), -EDQUOT);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, OBJHEAP_MAX_TYPES);
	ASSERT_GT(uh_new(heap, 0xfff00003, 2, 0), 0);
	info = (struct objheap_info){ .handle = h7 };
	ASSERT_EQ(uh_info(heap, h7, &info), 0);
	EXPECT_EQ(info.type, 0xfff00007);
	EXPECT_EQ(info.nslots, 1);
	EXPECT_EQ(info.size, 2);
	EXPECT_EQ(info.alloc_size, 16 + 8 + 8 + 8 + 2);
	EXPECT_EQ(info.size_class, 48);
	ASSERT_EQ(uh_drop(heap, h7), 0);
	h = uh_new(heap, 0xabc, 2, 0);
	ASSERT_GT(h, 0);
	ASSERT_EQ(uh_info(heap, h, &info), 0);
	EXPECT_EQ(info.type, 0xabc);
	EXPECT_EQ(info.alloc_size, 40);
	EXPECT_EQ(info.size_class, 40);
	uh_close(heap);
	uh_unload();
}

/*
 * Trial deletion's two traps: a cycle closed through the last slot, and
 * an object the scan meets before the reachable one that points at it
 * (judged unreachable, then rescued).
 */
TEST(last_slot_cycle_and_rescue)
{
	struct objheap_heap *heap;
	struct objheap_gc_collect c;
	long a, b, x, y, got;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 0, 0, 0), 0);
	/* Garbage: x <-> y through slot 2 of 3. */
	x = uh_new(heap, 1, 3, 0);
	y = uh_new(heap, 1, 3, 0);
	ASSERT_EQ(uh_set(heap, x, 2, y), 0);
	ASSERT_EQ(uh_set(heap, y, 2, x), 0);
	ASSERT_EQ(uh_drop(heap, x), 0);
	ASSERT_EQ(uh_drop(heap, y), 0);
	/* Alive: a, allocated first, held only by b, which has a handle. */
	a = uh_new(heap, 1, 1, 0);
	b = uh_new(heap, 1, 1, 0);
	ASSERT_EQ(uh_set(heap, b, 0, a), 0);
	ASSERT_EQ(uh_set(heap, a, 0, b), 0);
	ASSERT_EQ(uh_drop(heap, a), 0);
	ASSERT_EQ(uh_collect(heap, 0, &c), 0);
	EXPECT_EQ(c.scanned, 4);
	EXPECT_EQ(c.collected, 2);
	EXPECT_EQ(c.freed, 2);
	got = uh_get(heap, b, 0);
	ASSERT_GT(got, 0);
	EXPECT_EQ(uh_get(heap, got, 0) > 0, 1);
	uh_close(heap);
	uh_unload();
}

/* GC_OBJECTS / GC_REFERRERS (ABI 1.7): done, or a negative errno. */
static long introspect(struct objheap_heap *heap, unsigned int cmd, u32 gen,
		       u32 *t, u32 nt, u32 *h, u32 n, u32 *total)
{
	struct objheap_gc_objects o = {
		.handles = (u64)(uintptr_t)h, .count = n, .generation = gen,
		.targets = (u64)(uintptr_t)t, .ntargets = nt,
	};
	long ret = uh_ioctl(heap, cmd, &o);

	*total = o.total;
	return ret ? ret : o.done;
}

/*
 * The referrers of a target among many objects, in list order; the
 * handles written across pages; a fatal signal stops the scan with
 * nothing opened; a table that must grow for the answer grows.
 */
TEST(introspection_scans_and_stops)
{
	static u32 h[3000], got[3001];
	struct objheap_heap_stats st;
	struct objheap_heap *heap;
	u32 t, total, i;
	long ret;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 0, 0, 0), 0);
	t = uh_new(heap, 2, 0, 0);
	ASSERT_GT(t, 0);
	for (i = 0; i < 3000; i++) {
		h[i] = uh_new(heap, 1, 2, 0);
		ASSERT_GT(h[i], 0);
		if (i % 3 == 0)
			ASSERT_EQ(uh_set(heap, h[i], i % 2, t), 0);
	}
	ASSERT_EQ(introspect(heap, OBJHEAP_IOC_GC_REFERRERS, 0, &t, 1, got + 1,
			     3000, &total), 1000);
	EXPECT_EQ(total, 1000);
	for (i = 0; i < 1000; i++) {
		struct objheap_info a, b;

		ASSERT_EQ(uh_info(heap, h[3 * i], &a), 0);
		ASSERT_EQ(uh_info(heap, got[i + 1], &b), 0);
		ASSERT_EQ(a.id, b.id);
		ASSERT_EQ(uh_drop(heap, got[i + 1]), 0);
	}
	/* Killed during the count: EINTR, and not a handle more. */
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.handles, 3001);
	current->fatal_signal = true;
	ret = introspect(heap, OBJHEAP_IOC_GC_REFERRERS, 0, &t, 1, got, 3000,
			 &total);
	current->fatal_signal = false;
	EXPECT_EQ(ret, -EINTR);
	EXPECT_EQ(total, 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.handles, 3001);
	/* All 3000 containers: the table doubles to hold them. */
	ASSERT_EQ(introspect(heap, OBJHEAP_IOC_GC_OBJECTS, OBJHEAP_GEN_ALL,
			     NULL, 0, got, 3001, &total), 3000);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.handles, 6001);
	for (i = 0; i < 3000; i++)
		ASSERT_EQ(uh_drop(heap, got[i]), 0);
	/* Frozen: in no generation, so not in OBJHEAP_GEN_ALL either. */
	ASSERT_EQ(uh_ioctl(heap, OBJHEAP_IOC_GC_FREEZE, NULL), 0);
	ASSERT_EQ(introspect(heap, OBJHEAP_IOC_GC_OBJECTS, OBJHEAP_GEN_ALL,
			     NULL, 0, NULL, 0, &total), 0);
	EXPECT_EQ(total, 0);
	ASSERT_EQ(introspect(heap, OBJHEAP_IOC_GC_OBJECTS, OBJHEAP_GEN_PERMANENT,
			     NULL, 0, NULL, 0, &total), 0);
	EXPECT_EQ(total, 3000);
	uh_close(heap);
	uh_unload();
}

/*
 * A young generation large enough that the scans prefetch ahead
 * (collect.c, GC_PREFETCH_MIN): a live chain whose every link points at
 * the object allocated before it, so the scan meets each one before its
 * referrer and must rescue it from the unreachable list (appending to
 * young behind the prefetch cursor), beside a garbage ring.
 */
#define LARGE_YOUNG	150000

TEST(large_young_prefetched_with_rescues)
{
	struct objheap_heap *heap;
	struct objheap_gc_collect c;
	struct objheap_heap_stats st;
	long prev, h;
	unsigned int i;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 0, 0, 0), 0);
	prev = uh_new(heap, 1, 1, 0);
	ASSERT_GT(prev, 0);
	for (i = 1; i < LARGE_YOUNG; i++) {
		h = uh_new(heap, 1, 1, 0);
		ASSERT_GT(h, 0);
		ASSERT_EQ(uh_set(heap, h, 0, prev), 0);
		ASSERT_EQ(uh_drop(heap, prev), 0);
		prev = h;
	}
	make_ring(heap, LARGE_YOUNG);
	ASSERT_EQ(uh_collect(heap, 0, &c), 0);
	EXPECT_EQ(c.scanned, 2 * LARGE_YOUNG);
	EXPECT_EQ(c.collected, LARGE_YOUNG);
	EXPECT_EQ(c.freed, LARGE_YOUNG);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, LARGE_YOUNG);
	ASSERT_EQ(uh_drop(heap, prev), 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 0);
	uh_close(heap);
	uh_unload();
}

/*
 * The shrinker, with one heap busy and others that have nothing to give:
 * the walk must end (mm/list_lru.c meets rotated heaps again).
 */
TEST_TIMEOUT(shrinker_ends_with_a_busy_heap, 30)
{
	struct objheap_heap *busy, *idle[2];
	unsigned long freed;
	int i;

	uh_load();
	busy = uh_open();
	idle[0] = uh_open();
	idle[1] = uh_open();
	for (i = 0; i < 10; i++)
		ASSERT_EQ(uh_drop(busy, uh_new(busy, 1, 0, 8)), 0);
	EXPECT_EQ(kshim_shrink_count(), 1);
	mutex_lock(&busy->lock);
	freed = kshim_shrink_scan(128);
	mutex_unlock(&busy->lock);
	EXPECT_EQ(freed, SHRINK_STOP);
	/* Unlocked, it gives its one freelisted object and the walk ends. */
	EXPECT_EQ(kshim_shrink_scan(128), 1);
	EXPECT_EQ(kshim_shrink_count(), SHRINK_EMPTY);
	uh_close(busy);
	for (i = 0; i < 2; i++)
		uh_close(idle[i]);
	uh_unload();
}

/*
 * A count gone wrong (a bug, which user input cannot cause) saturates as
 * refcount_t does: one warning, and the object is never freed under a
 * user; the rest of the heap goes on.
 */
TEST(bad_count_saturates)
{
	struct objheap_heap *heap;
	struct objheap_obj *obj;
	long h;

	uh_load();
	heap = uh_open();
	h = uh_new(heap, 1, 0, 8);
	ASSERT_GT(h, 0);
	mutex_lock(&heap->lock);
	obj = objheap_handle_lookup(&heap->handles, h);
	obj->refs = 0;
	kshim_expect_warn(1);
	objheap_obj_get(obj);
	ASSERT_EQ(obj->refs, OBJHEAP_REFS_SATURATED);
	objheap_obj_put(heap, obj);
	objheap_obj_get(obj);
	EXPECT_EQ(obj->refs, OBJHEAP_REFS_SATURATED);
	EXPECT_EQ(kshim_warnings(), 1);
	EXPECT_EQ(heap->objects, 1);
	obj->refs = 1;	/* undo the planted bug, so that the heap can go */
	mutex_unlock(&heap->lock);
	ASSERT_EQ(uh_drop(heap, h), 0);
	EXPECT_EQ(heap->objects, 0);
	uh_close(heap);
	kshim_module_exit();
	EXPECT_EQ(kshim_live_allocs(), 0);
}

/* The hook of hidden_reference_...: a bug adds a count mid-collection. */
static struct objheap_obj *hidden;

static void add_hidden_reference(void)
{
	if (hidden && !hidden->slots[0] &&
	    hidden->state == OBJHEAP_OBJ_UNREACHABLE) {
		hidden->refs++;
		hidden = NULL;
	}
}

/*
 * A reference the collector did not see (planted while it clears a
 * garbage ring of 2000: from the first cond_resched() after the ring's
 * first object was emptied) keeps that object: it survives with its
 * slots empty, the rest of the ring is freed, the heap is marked broken,
 * and nothing is freed twice or used after it is freed.
 */
TEST(hidden_reference_keeps_an_object_and_breaks_the_heap)
{
	struct objheap_gc_collect c = { .generation = 2 };
	struct objheap_heap *heap;
	struct objheap_obj *first;
	long h;

	uh_load();
	heap = uh_open();
	ASSERT_EQ(uh_set_gc(heap, 0, 700, 10, 10), 0);
	h = uh_new(heap, 1, 1, 0);
	mutex_lock(&heap->lock);
	first = objheap_handle_lookup(&heap->handles, h);
	mutex_unlock(&heap->lock);
	mutex_lock(&heap->lock);
	first->refs++;			/* a stand-in handle, for the build */
	mutex_unlock(&heap->lock);
	ASSERT_EQ(uh_drop(heap, h), 0);
	{
		struct objheap_obj *prev = first, *o;
		int i;

		mutex_lock(&heap->lock);
		for (i = 1; i < 2000; i++) {
			o = objheap_obj_alloc(heap, 1, 1, 0, 0);
			ASSERT_TRUE(!IS_ERR(o));
			prev->slots[0] = o;	/* the allocation's reference */
			prev = o;
		}
		prev->slots[0] = first;	/* takes the stand-in's reference */
		mutex_unlock(&heap->lock);
	}
	hidden = first;
	kshim_resched_hook = add_hidden_reference;
	ASSERT_EQ(objheap_gc_run(heap, &c), 0);
	kshim_resched_hook = NULL;
	EXPECT_EQ(hidden, NULL);
	EXPECT_EQ(c.collected, 2000);
	EXPECT_EQ(c.freed, 1999);
	mutex_lock(&heap->lock);
	EXPECT_TRUE(heap->broken);
	EXPECT_EQ(heap->objects, 1);
	EXPECT_EQ(heap->gc.len[0] + heap->gc.len[1] + heap->gc.len[2], 1);
	EXPECT_EQ(first->slots[0], NULL);
	EXPECT_EQ(first->refs, 1);
	objheap_obj_put(heap, first);	/* the hidden one goes: freed */
	EXPECT_EQ(heap->objects, 0);
	mutex_unlock(&heap->lock);
	uh_close(heap);
	uh_unload();
}
