// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of weak references and finalizers (weak.c, finalize.c):
 * the shapes CPython's Lib/test/test_weakref.py and test_gc.py test for,
 * in objheap's terms. A finalizer here is what a test does between taking
 * an object from GC_FINALIZE and dropping its handle; a callback, taking
 * a weak reference from WEAK_CALLBACKS. Counts are exact.
 */
#include <kunit/test.h>
#include <linux/err.h>

#include "kunit_util.h"
#include "kunit_suites.h"

/* Automatic collection off: every collection is the test's. */
static int fin_init(struct kunit *test)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };
	int ret = kt_init(test);

	if (ret)
		return ret;
	return objheap_gc_set_params(test->priv, &off);
}

static u32 new_fin(struct kunit *test, struct objheap_heap *heap, u32 nslots)
{
	struct objheap_op op = {
		.op = OBJHEAP_OP_NEW, .count = nslots, .type = 8,
		.index = OBJHEAP_NEW_FINALIZABLE,
	};

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	return op.handle;
}

static u32 weakref(struct kunit *test, struct objheap_heap *heap, u32 h,
		   u32 flags)
{
	struct objheap_op op = {
		.op = OBJHEAP_OP_WEAKREF, .handle = h, .index = flags, .type = 9,
	};

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_ASSERT_NE(test, 0, op.ref);
	return op.ref;
}

/* DEREF: a new handle to the referent, or 0 once it died. */
static u32 deref(struct kunit *test, struct objheap_heap *heap, u32 w)
{
	u32 h = ~0U;

	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_DEREF, w, 0, 0, &h));
	return h;
}

static struct objheap_info info(struct kunit *test, struct objheap_heap *heap,
				u32 h)
{
	struct objheap_info i = { .handle = h };

	KUNIT_EXPECT_EQ(test, 0, objheap_heap_info(heap, &i));
	return i;
}

/* The oldest object of @queue as a new handle, or 0. */
static u32 take(struct kunit *test, struct objheap_heap *heap,
		enum objheap_queue queue)
{
	u32 h = 0, taken;

	KUNIT_EXPECT_EQ(test, 0, objheap_gc_take(heap, queue, &h, 1, &taken));
	return taken ? h : 0;
}

static struct objheap_gc_collect collect(struct kunit *test,
					 struct objheap_heap *heap)
{
	struct objheap_gc_collect res = { .generation = 2 };

	KUNIT_EXPECT_EQ(test, 0, objheap_gc_run(heap, &res));
	return res;
}

/* @a and @b point at each other; their handles are dropped. */
static void pair_garbage(struct kunit *test, struct objheap_heap *heap,
			 u32 a, u32 b)
{
	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
}

static void a_weakref_answers_while_its_referent_lives(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 x = kt_new(test, heap, 0, 8), w, d;
	struct objheap_info ix, iw;

	w = weakref(test, heap, x, 0);
	iw = info(test, heap, w);
	KUNIT_EXPECT_EQ(test, iw.flags, OBJHEAP_INFO_TRACKED | OBJHEAP_INFO_WEAKREF);
	KUNIT_EXPECT_EQ(test, iw.generation, 0U);
	KUNIT_EXPECT_EQ(test, iw.type, 9U);
	KUNIT_EXPECT_EQ(test, iw.alloc_size, 56U);
	ix = info(test, heap, x);
	KUNIT_EXPECT_EQ(test, ix.flags, OBJHEAP_INFO_WEAKLY_REFERENCED);
	/* Weak: the referent's count is its handle's alone. */
	KUNIT_EXPECT_EQ(test, ix.refcount, 1U);

	d = deref(test, heap, w);
	KUNIT_EXPECT_NE(test, d, 0U);
	KUNIT_EXPECT_EQ(test, info(test, heap, d).id, ix.id);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, x), 2U);
	kt_drop(test, heap, d);
	kt_drop(test, heap, x);
	/* Freed by reference counting: cleared at once. */
	KUNIT_EXPECT_EQ(test, deref(test, heap, w), 0U);
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->weak.used, 0U);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 0ULL);
	kt_drop(test, heap, w);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

static void a_callback_is_queued_when_the_referent_dies(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 x = kt_new(test, heap, 1, 0), w, got;
	u64 wid;

	w = weakref(test, heap, x, OBJHEAP_WEAK_CALLBACK);
	wid = info(test, heap, w).id;
	KUNIT_EXPECT_EQ(test, take(test, heap, OBJHEAP_QUEUE_CALLBACKS), 0U);
	kt_drop(test, heap, x);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 1ULL);
	/* The queue holds a reference: the weak reference outlives its handle. */
	kt_drop(test, heap, w);
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
	got = take(test, heap, OBJHEAP_QUEUE_CALLBACKS);
	KUNIT_ASSERT_NE(test, got, 0U);
	KUNIT_EXPECT_EQ(test, info(test, heap, got).id, wid);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, got), 1U);
	KUNIT_EXPECT_EQ(test, deref(test, heap, got), 0U);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 0ULL);
	kt_drop(test, heap, got);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

static void no_callback_without_the_flag_or_once_dead(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 x = kt_new(test, heap, 0, 0), plain, dead;

	plain = weakref(test, heap, x, 0);
	dead = weakref(test, heap, x, OBJHEAP_WEAK_CALLBACK);
	/* A weak reference that dies first is never called back. */
	kt_drop(test, heap, dead);
	kt_drop(test, heap, x);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 0ULL);
	KUNIT_EXPECT_EQ(test, deref(test, heap, plain), 0U);
	kt_drop(test, heap, plain);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/* Many weak references to one object: creation order, any of them dying. */
static void callbacks_come_in_creation_order(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 x = kt_new(test, heap, 0, 0), w[20], got, i;
	u64 id[20];

	for (i = 0; i < 20; i++) {
		w[i] = weakref(test, heap, x, OBJHEAP_WEAK_CALLBACK);
		id[i] = info(test, heap, w[i]).id;
	}
	/* The first (the ring's entry point), the last, and some between. */
	for (i = 0; i < 20; i += 3)
		kt_drop(test, heap, w[i]);
	kt_drop(test, heap, w[19]);
	kt_drop(test, heap, x);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 12ULL);
	for (i = 0; i < 19; i++) {
		if (i % 3 == 0)
			continue;
		got = take(test, heap, OBJHEAP_QUEUE_CALLBACKS);
		KUNIT_ASSERT_NE(test, got, 0U);
		KUNIT_EXPECT_EQ(test, info(test, heap, got).id, id[i]);
		kt_drop(test, heap, got);
		kt_drop(test, heap, w[i]);
	}
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->weak.used, 0U);
}

/*
 * A weak reference with a callback inside cyclic trash is trash itself:
 * no callback (CPython: test_callback_in_cycle). One outside it is called
 * back, and its referent is already unreachable through it.
 */
static void callbacks_only_for_weakrefs_outside_the_trash(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = kt_new(test, heap, 2, 0), b = kt_new(test, heap, 1, 0);
	u32 inside, outside, got;
	struct objheap_gc_collect r;

	inside = weakref(test, heap, b, OBJHEAP_WEAK_CALLBACK);
	kt_set(test, heap, a, 1, inside);
	kt_drop(test, heap, inside);
	outside = weakref(test, heap, a, OBJHEAP_WEAK_CALLBACK);
	pair_garbage(test, heap, a, b);
	r = collect(test, heap);
	/* a, b and the weak reference inside; its count and theirs. */
	KUNIT_EXPECT_EQ(test, r.collected, 3ULL);
	KUNIT_EXPECT_EQ(test, r.freed, 3ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 1ULL);
	got = take(test, heap, OBJHEAP_QUEUE_CALLBACKS);
	KUNIT_EXPECT_EQ(test, info(test, heap, got).id,
			info(test, heap, outside).id);
	KUNIT_EXPECT_EQ(test, deref(test, heap, outside), 0U);
	kt_drop(test, heap, got);
	kt_drop(test, heap, outside);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->weak.used, 0U);
}

/* A weak reference to a weak reference; weak references in slots. */
static void weakrefs_are_objects(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 x = kt_new(test, heap, 0, 0), box = kt_new(test, heap, 1, 0);
	u32 w, ww, got;

	w = weakref(test, heap, x, 0);
	ww = weakref(test, heap, w, OBJHEAP_WEAK_CALLBACK);
	kt_set(test, heap, box, 0, w);
	kt_drop(test, heap, w);
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, box, 0, 0, &got));
	KUNIT_EXPECT_EQ(test, info(test, heap, got).flags & OBJHEAP_INFO_WEAKREF,
			OBJHEAP_INFO_WEAKREF);
	kt_drop(test, heap, got);
	/* Emptying the slot frees w: ww is called back. */
	kt_set(test, heap, box, 0, 0);
	KUNIT_EXPECT_EQ(test, deref(test, heap, ww), 0U);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 1ULL);
	/* x lives on, no longer weakly referenced. */
	KUNIT_EXPECT_EQ(test, info(test, heap, x).flags, 0U);
	kt_drop(test, heap, x);
	kt_drop(test, heap, box);
	kt_drop(test, heap, ww);
	got = take(test, heap, OBJHEAP_QUEUE_CALLBACKS);
	kt_drop(test, heap, got);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/* The weak table grows with its referents and shrinks after them. */
static void the_weak_table_is_charged_and_shrinks(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u64 base = heap->pinned, grown;
	u32 *h, *w, i, n = 2000;

	h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	w = kunit_kcalloc(test, n, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < n; i++) {
		h[i] = kt_new(test, heap, 0, 0);
		w[i] = weakref(test, heap, h[i], 0);
	}
	KUNIT_EXPECT_EQ(test, heap->weak.used, n);
	KUNIT_EXPECT_LE(test, heap->weak.used * 4, heap->weak.cap * 3);
	KUNIT_EXPECT_EQ(test, heap->weak.cap, 4096U);
	grown = heap->pinned;
	KUNIT_EXPECT_GE(test, grown - base,
			(u64)4096 * sizeof(struct objheap_weak_entry));
	for (i = 0; i < n; i++)
		kt_drop(test, heap, h[i]);
	KUNIT_EXPECT_EQ(test, heap->weak.used, 0U);
	KUNIT_EXPECT_LE(test, heap->weak.cap, 64U);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, deref(test, heap, w[i]), 0U);
		kt_drop(test, heap, w[i]);
	}
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

static void bad_weak_operations_change_nothing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 x = kt_new(test, heap, 1, 0);
	struct objheap_op bad[] = {
		{ .op = OBJHEAP_OP_WEAKREF, .handle = x, .index = 2 },
		{ .op = OBJHEAP_OP_WEAKREF, .handle = x, .count = 1 },
		{ .op = OBJHEAP_OP_WEAKREF, .handle = x, .size = 1 },
		{ .op = OBJHEAP_OP_WEAKREF, .handle = x, .buf = 8 },
		{ .op = OBJHEAP_OP_WEAKREF, .handle = 99 },
		{ .op = OBJHEAP_OP_DEREF, .handle = x },
		{ .op = OBJHEAP_OP_DEREF, .handle = x, .type = 1 },
		{ .op = OBJHEAP_OP_DEREF, .handle = 99 },
		{ .op = OBJHEAP_OP_NEW, .index = 2 },
	};
	int want[] = { -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EBADF, -EINVAL,
		       -EINVAL, -EBADF, -EINVAL };
	u64 pinned = heap->pinned;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, objheap_heap_op(heap, &bad[i], NULL),
				    want[i], "case %u", i);
		KUNIT_EXPECT_EQ(test, bad[i].ref, 0U);
	}
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->handles.used, 1U);
	KUNIT_EXPECT_EQ(test, heap->pinned, pinned);
	KUNIT_EXPECT_EQ(test, info(test, heap, x).flags, OBJHEAP_INFO_CONTAINER |
			OBJHEAP_INFO_TRACKED);
}

/* PEP 442: finalized once; then it dies for good. */
static void a_finalizer_runs_once(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 f = new_fin(test, heap, 0), got;
	struct objheap_info i;
	u64 id;

	i = info(test, heap, f);
	id = i.id;
	KUNIT_EXPECT_EQ(test, i.flags, OBJHEAP_INFO_TRACKED | OBJHEAP_INFO_FINALIZABLE);
	KUNIT_EXPECT_EQ(test, i.generation, 0U);
	KUNIT_EXPECT_EQ(test, i.alloc_size, 24U);
	kt_drop(test, heap, f);
	/* Not freed: queued, off the generations. */
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[0], 0ULL);
	got = take(test, heap, OBJHEAP_QUEUE_FINALIZE);
	KUNIT_ASSERT_NE(test, got, 0U);
	i = info(test, heap, got);
	KUNIT_EXPECT_EQ(test, i.id, id);
	KUNIT_EXPECT_EQ(test, i.refcount, 1U);
	KUNIT_EXPECT_EQ(test, i.generation, 2U);
	KUNIT_EXPECT_EQ(test, i.flags, OBJHEAP_INFO_TRACKED | OBJHEAP_INFO_FINALIZABLE |
			OBJHEAP_INFO_FINALIZED);
	kt_drop(test, heap, got);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 0ULL);
}

/* The finalizer stores its object: resurrected, and never finalized again. */
static void a_finalizer_resurrects_its_object(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 keep = kt_new(test, heap, 1, 0), f = new_fin(test, heap, 1), got;

	kt_drop(test, heap, f);
	got = take(test, heap, OBJHEAP_QUEUE_FINALIZE);
	kt_set(test, heap, keep, 0, got);
	kt_drop(test, heap, got);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL);
	KUNIT_EXPECT_EQ(test, collect(test, heap).collected, 0ULL);
	/* Its second death frees it. */
	kt_set(test, heap, keep, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 0ULL);
	kt_drop(test, heap, keep);
}

/*
 * Cyclic trash with a finalizer waits for it with all it reaches, then
 * the next collection frees it (CPython: test_gc's test_del and
 * test_legacy_finalizer shapes, now collectable).
 */
static void finalizable_cyclic_trash_waits_then_goes(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = new_fin(test, heap, 1), b = kt_new(test, heap, 2, 0);
	u32 leaf = kt_new(test, heap, 0, 16), got;
	struct objheap_gc_collect r;

	kt_set(test, heap, b, 1, leaf);
	kt_drop(test, heap, leaf);
	pair_garbage(test, heap, a, b);
	r = collect(test, heap);
	KUNIT_EXPECT_EQ(test, r.scanned, 2ULL);
	KUNIT_EXPECT_EQ(test, r.collected, 0ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 2ULL);
	KUNIT_EXPECT_EQ(test, r.freed, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.uncollectable[2], 2ULL);
	/* The finalizer sees b, and b's leaf, intact. */
	got = take(test, heap, OBJHEAP_QUEUE_FINALIZE);
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, got, 0, 0, &b));
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, b, 0, 1, &leaf));
	KUNIT_EXPECT_EQ(test, info(test, heap, leaf).size, 16U);
	kt_drop(test, heap, leaf);
	kt_drop(test, heap, b);
	kt_drop(test, heap, got);
	/* Still a cycle: the next collection decides, without finalizing. */
	KUNIT_EXPECT_EQ(test, heap->objects, 3ULL);
	r = collect(test, heap);
	KUNIT_EXPECT_EQ(test, r.collected, 2ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 0ULL);
	KUNIT_EXPECT_EQ(test, r.freed, 3ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 0ULL);
}

/*
 * bpo-38379: a finalizer's resurrection rescues only what it resurrects.
 * Plain cycles in the same garbage go at once; of a finalizable cycle
 * whose finalizer breaks it and keeps its own object, the rest goes next.
 */
static void resurrection_rescues_only_the_resurrected(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 keep = kt_new(test, heap, 1, 0), a, b, x, y, got;
	struct objheap_gc_collect r;
	u64 aid;

	a = new_fin(test, heap, 1);
	b = kt_new(test, heap, 2, 0);
	x = kt_new(test, heap, 1, 0);
	y = kt_new(test, heap, 1, 0);
	aid = info(test, heap, a).id;
	/* b holds itself too: it outlives a's letting go of it. */
	kt_set(test, heap, b, 1, b);
	pair_garbage(test, heap, a, b);
	pair_garbage(test, heap, x, y);
	r = collect(test, heap);
	KUNIT_EXPECT_EQ(test, r.collected, 2ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 2ULL);
	KUNIT_EXPECT_EQ(test, r.freed, 2ULL);

	/* The finalizer: a breaks the cycle and keeps itself. */
	got = take(test, heap, OBJHEAP_QUEUE_FINALIZE);
	KUNIT_EXPECT_EQ(test, info(test, heap, got).id, aid);
	kt_set(test, heap, got, 0, 0);
	kt_set(test, heap, keep, 0, got);
	kt_drop(test, heap, got);
	r = collect(test, heap);
	/* b: unreachable, and not finalizable: freed. a lives on. */
	KUNIT_EXPECT_EQ(test, r.collected, 1ULL);
	KUNIT_EXPECT_EQ(test, r.freed, 1ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL);
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, keep, 0, 0, &got));
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, got), 2U);
	kt_drop(test, heap, got);
	kt_drop(test, heap, keep);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/*
 * CPython's order: weak references to the trash are cleared (callbacks
 * queued) before finalizers can run, so a finalizer, or anyone, cannot
 * reach the trash through one; weak references the finalizer makes and
 * garbage it leaves behave as any other.
 */
static void weakrefs_are_cleared_before_finalization(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = new_fin(test, heap, 1), b = kt_new(test, heap, 1, 0);
	u32 w, got, w2, c, d;
	struct objheap_gc_collect r;

	w = weakref(test, heap, b, OBJHEAP_WEAK_CALLBACK);
	pair_garbage(test, heap, a, b);
	r = collect(test, heap);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 2ULL);
	/* b waits with a, yet its weak reference is dead already. */
	KUNIT_EXPECT_EQ(test, deref(test, heap, w), 0U);
	KUNIT_EXPECT_EQ(test, heap->weak.ncallbacks, 1ULL);

	/* A finalizer that makes a weak reference and new cyclic garbage. */
	got = take(test, heap, OBJHEAP_QUEUE_FINALIZE);
	w2 = weakref(test, heap, got, 0);
	c = kt_new(test, heap, 1, 0);
	d = kt_new(test, heap, 1, 0);
	pair_garbage(test, heap, c, d);
	kt_drop(test, heap, got);
	got = deref(test, heap, w2);
	KUNIT_EXPECT_NE(test, got, 0U);
	kt_drop(test, heap, got);
	r = collect(test, heap);
	/* a and b, then c and d: nothing is finalized twice. */
	KUNIT_EXPECT_EQ(test, r.collected, 4ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 0ULL);
	KUNIT_EXPECT_EQ(test, deref(test, heap, w2), 0U);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 0ULL);
	got = take(test, heap, OBJHEAP_QUEUE_CALLBACKS);
	KUNIT_EXPECT_EQ(test, info(test, heap, got).id, info(test, heap, w).id);
	kt_drop(test, heap, got);
	kt_drop(test, heap, w);
	kt_drop(test, heap, w2);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/* SAVEALL keeps the rest of the garbage; finalizers still come first. */
static void saveall_with_finalizers(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_params p = {
		.flags = OBJHEAP_GC_SAVEALL, .threshold = { 700, 10, 10 },
	};
	u32 a = new_fin(test, heap, 1), b = kt_new(test, heap, 1, 0);
	u32 x = kt_new(test, heap, 1, 0), y = kt_new(test, heap, 1, 0);
	struct objheap_gc_collect r;

	KUNIT_ASSERT_EQ(test, 0, objheap_gc_set_params(heap, &p));
	pair_garbage(test, heap, a, b);
	pair_garbage(test, heap, x, y);
	r = collect(test, heap);
	KUNIT_EXPECT_EQ(test, r.collected, 2ULL);
	KUNIT_EXPECT_EQ(test, r.saved, 2ULL);
	KUNIT_EXPECT_EQ(test, r.uncollectable, 2ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_GARBAGE], 2ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 1ULL);
	/* Closing the heap frees both queues, finalizing nothing. */
}

/* A frozen finalizable object still gets its finalizer when it dies. */
static void frozen_objects_are_finalized_too(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 f = new_fin(test, heap, 0), got;

	KUNIT_ASSERT_EQ(test, 0, objheap_gc_freeze(heap));
	KUNIT_EXPECT_EQ(test, info(test, heap, f).generation, OBJHEAP_GEN_PERMANENT);
	kt_drop(test, heap, f);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_PERMANENT], 0ULL);
	got = take(test, heap, OBJHEAP_QUEUE_FINALIZE);
	KUNIT_ASSERT_NE(test, got, 0U);
	kt_drop(test, heap, got);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/*
 * A program that never drains the queue: what waits counts against the
 * heap's limits, so NEW fails with EDQUOT once it is full; the heap then
 * closes with a full queue (kt_exit), finalizing nothing.
 */
static void an_undrained_queue_meets_the_limits(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_limits lim = { .max_objects = 100 };
	struct objheap_op op;
	u32 i;

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	for (i = 0; i < 100; i++)
		kt_drop(test, heap, new_fin(test, heap, 1));
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 100ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 100ULL);
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW };
	KUNIT_EXPECT_EQ(test, objheap_heap_op(heap, &op, NULL), -EDQUOT);
	KUNIT_EXPECT_EQ(test, objheap_gc_left(heap, OBJHEAP_QUEUE_FINALIZE), 100U);
}

/* Taking from a queue stops at the handle limit, leaving the rest queued. */
static void taking_stops_at_the_handle_limit(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_limits lim = { .max_handles = 2 };
	u32 h[4], taken;

	kt_drop(test, heap, new_fin(test, heap, 0));
	kt_drop(test, heap, new_fin(test, heap, 0));
	kt_drop(test, heap, new_fin(test, heap, 0));
	h[0] = kt_new(test, heap, 0, 0);
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	KUNIT_EXPECT_EQ(test, objheap_gc_take(heap, OBJHEAP_QUEUE_FINALIZE, h + 1,
					      3, &taken), -EMFILE);
	KUNIT_EXPECT_EQ(test, taken, 1U);
	KUNIT_EXPECT_EQ(test, objheap_gc_left(heap, OBJHEAP_QUEUE_FINALIZE), 2U);
	/* An empty queue answers 0 even with no handle left. */
	KUNIT_EXPECT_EQ(test, objheap_gc_take(heap, OBJHEAP_QUEUE_CALLBACKS, h + 2,
					      1, &taken), 0);
	KUNIT_EXPECT_EQ(test, taken, 0U);
}

/* Close with weak references alive, queued, and a finalizer waiting. */
static void close_with_everything_queued(struct kunit *test)
{
	struct objheap_heap *heap = objheap_heap_create();
	u32 x, w, a, b;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	x = kt_new(test, heap, 1, 0);
	w = weakref(test, heap, x, OBJHEAP_WEAK_CALLBACK);
	weakref(test, heap, x, OBJHEAP_WEAK_CALLBACK);
	kt_set(test, heap, x, 0, w);
	a = new_fin(test, heap, 1);
	b = kt_new(test, heap, 1, 0);
	weakref(test, heap, a, OBJHEAP_WEAK_CALLBACK);
	pair_garbage(test, heap, a, b);
	kt_drop(test, heap, new_fin(test, heap, 0));
	/* Everything goes: the destroy path warns if an object is left. */
	objheap_heap_destroy(heap);
}

static struct kunit_case objheap_finalize_cases[] = {
	KUNIT_CASE(a_weakref_answers_while_its_referent_lives),
	KUNIT_CASE(a_callback_is_queued_when_the_referent_dies),
	KUNIT_CASE(no_callback_without_the_flag_or_once_dead),
	KUNIT_CASE(callbacks_come_in_creation_order),
	KUNIT_CASE(callbacks_only_for_weakrefs_outside_the_trash),
	KUNIT_CASE(weakrefs_are_objects),
	KUNIT_CASE(the_weak_table_is_charged_and_shrinks),
	KUNIT_CASE(bad_weak_operations_change_nothing),
	KUNIT_CASE(a_finalizer_runs_once),
	KUNIT_CASE(a_finalizer_resurrects_its_object),
	KUNIT_CASE(finalizable_cyclic_trash_waits_then_goes),
	KUNIT_CASE(resurrection_rescues_only_the_resurrected),
	KUNIT_CASE(weakrefs_are_cleared_before_finalization),
	KUNIT_CASE(saveall_with_finalizers),
	KUNIT_CASE(frozen_objects_are_finalized_too),
	KUNIT_CASE(an_undrained_queue_meets_the_limits),
	KUNIT_CASE(taking_stops_at_the_handle_limit),
	KUNIT_CASE(close_with_everything_queued),
	{}
};

struct kunit_suite objheap_finalize_suite = {
	.name = "objheap_finalize",
	.init = fin_init,
	.exit = kt_exit,
	.test_cases = objheap_finalize_cases,
};
