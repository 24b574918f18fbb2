// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the cycle collector: every cycle shape, generations,
 * thresholds and the workqueue, freeze, save-all, and heaps destroyed
 * while a collection is queued or running. Counts are exact: a test that
 * expects "collected 3" fails on 2 and on 4.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>

#include "kunit_util.h"
#include "kunit_suites.h"

/* Each test's heap starts with automatic collection off: counts are ours. */
static int gc_init(struct kunit *test)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };
	int ret = kt_init(test);

	if (ret)
		return ret;
	return objheap_gc_set_params(test->priv, &off);
}

static void gc_params(struct kunit *test, struct objheap_heap *heap,
		      u32 flags, u32 t0, u32 t1, u32 t2)
{
	struct objheap_gc_params p = {
		.flags = flags, .threshold = { t0, t1, t2 },
	};

	KUNIT_ASSERT_EQ(test, 0, objheap_gc_set_params(heap, &p));
}

static struct objheap_gc_collect collect(struct kunit *test,
					 struct objheap_heap *heap, u32 gen)
{
	struct objheap_gc_collect res = { .generation = gen };

	KUNIT_EXPECT_EQ(test, 0, objheap_gc_run(heap, &res));
	return res;
}

/* A collection scanned, collected and freed exactly that many objects. */
static void expect_collect(struct kunit *test,
			   const struct objheap_gc_collect *r,
			   u64 scanned, u64 collected, u64 freed)
{
	KUNIT_EXPECT_EQ(test, r->scanned, scanned);
	KUNIT_EXPECT_EQ(test, r->collected, collected);
	KUNIT_EXPECT_EQ(test, r->freed, freed);
}

static u32 generation(struct kunit *test, struct objheap_heap *heap, u32 h)
{
	struct objheap_info info = { .handle = h };

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_info(heap, &info));
	return info.generation;
}

/* A container whose slot 0 points at itself, with no handle left. */
static void garbage_self_loop(struct kunit *test, struct objheap_heap *heap)
{
	u32 h = kt_new(test, heap, 1, 0);

	kt_set(test, heap, h, 0, h);
	kt_drop(test, heap, h);
}

/*
 * @n self-loops with no handle, made under one lock hold: a collection
 * queued by the allocations cannot start before all of them are garbage.
 * Returns whether a collection was queued when the lock was let go.
 */
static bool garbage_self_loops_at_once(struct kunit *test,
				       struct objheap_heap *heap, u32 n)
{
	struct objheap_obj *obj;
	bool queued;
	u32 i;

	mutex_lock(&heap->lock);
	for (i = 0; i < n; i++) {
		obj = kt_obj_alloc(heap, 0, 1, 0);
		if (!obj)
			break;
		/* The allocation's reference moves into its own slot. */
		obj->slots[0] = obj;
	}
	queued = heap->gc.queued;
	mutex_unlock(&heap->lock);
	KUNIT_ASSERT_EQ(test, i, n);
	return queued;
}

/*
 * A ring of @n one-slot containers, built directly under one lock hold:
 * the operation path costs minutes per million objects under TCG and
 * KASAN. Each allocation's reference moves into its predecessor's slot.
 * Returns a handle on one member if @keep, else 0: the ring is garbage.
 */
static u32 build_ring(struct kunit *test, struct objheap_heap *heap, u32 n,
		      bool keep)
{
	struct objheap_obj *first, *prev, *obj;
	u64 before = heap->objects;
	u32 i, h = 0;

	mutex_lock(&heap->lock);
	first = kt_obj_alloc(heap, 0, 1, 0);
	prev = first;
	for (i = 1; first && i < n; i++) {
		obj = kt_obj_alloc(heap, 0, 1, 0);
		if (!obj)
			break;
		prev->slots[0] = obj;
		prev = obj;
		if (i % 4096 == 0)
			cond_resched();
	}
	if (first) {
		prev->slots[0] = first;
		if (keep && !objheap_handle_reserve(heap)) {
			objheap_obj_get(first);
			h = objheap_handle_install(&heap->handles, first);
		}
	}
	mutex_unlock(&heap->lock);
	cond_resched();
	KUNIT_ASSERT_EQ(test, heap->objects - before, (u64)n);
	if (keep)
		KUNIT_ASSERT_NE(test, h, 0U);
	return h;
}

static void a_self_loop_is_collected(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;

	garbage_self_loop(test, heap);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, r.saved, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[0] + heap->gc.len[1], 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collections, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collected, 1ULL);
}

static void a_two_cycle_is_collected(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = kt_new(test, heap, 1, 8), b = kt_new(test, heap, 1, 8);
	struct objheap_gc_collect r;

	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 2, 2, 2);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
}

static void a_ring_of_100000_is_collected(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;

	build_ring(test, heap, 100000, false);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 100000, 100000, 100000);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/* Every node points at every node, itself included. */
static void a_clique_is_collected_once_unreachable(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 h[32], i, j;

	for (i = 0; i < ARRAY_SIZE(h); i++)
		h[i] = kt_new(test, heap, ARRAY_SIZE(h), 0);
	for (i = 0; i < ARRAY_SIZE(h); i++)
		for (j = 0; j < ARRAY_SIZE(h); j++)
			kt_set(test, heap, h[i], j, h[j]);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 32, 0, 0);
	KUNIT_EXPECT_EQ(test, generation(test, heap, h[0]), 1U);
	for (i = 0; i < ARRAY_SIZE(h); i++)
		kt_drop(test, heap, h[i]);
	r = collect(test, heap, 2);
	expect_collect(test, &r, 32, 32, 32);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

static void a_cycle_held_by_a_handle_survives_until_dropped(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = kt_new(test, heap, 1, 0), b = kt_new(test, heap, 1, 0);
	struct objheap_gc_collect r;

	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	kt_drop(test, heap, b);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, generation(test, heap, a), 1U);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, a), 2U);

	kt_drop(test, heap, a);
	/* They are in generation 1 now: a young collection does not see them. */
	r = collect(test, heap, 0);
	expect_collect(test, &r, 0, 0, 0);
	r = collect(test, heap, 1);
	expect_collect(test, &r, 2, 2, 2);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/*
 * o (a self-loop in generation 2) points at the cycle b <-> c. A young
 * collection cannot know o is garbage: o's reference keeps b and c alive
 * until a full collection sees all three.
 */
static void an_old_reference_keeps_a_young_cycle_alive(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 o, b, c;

	o = kt_new(test, heap, 2, 0);
	kt_set(test, heap, o, 0, o);
	r = collect(test, heap, 1);
	expect_collect(test, &r, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, generation(test, heap, o), 2U);

	b = kt_new(test, heap, 1, 0);
	c = kt_new(test, heap, 1, 0);
	kt_set(test, heap, b, 0, c);
	kt_set(test, heap, c, 0, b);
	kt_set(test, heap, o, 1, b);
	kt_drop(test, heap, b);
	kt_drop(test, heap, c);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->gc.len[1], 2ULL);

	kt_drop(test, heap, o);
	r = collect(test, heap, 1);
	expect_collect(test, &r, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 3ULL);
	r = collect(test, heap, 2);
	expect_collect(test, &r, 3, 3, 3);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
}

/*
 * a <-> b, with a container c and three leaves hanging off them: the
 * tracked ones are collected, and everything is freed.
 */
static void acyclic_garbage_off_a_cycle_goes_with_it(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 a, b, c, d, e, f;

	a = kt_new(test, heap, 2, 0);
	b = kt_new(test, heap, 2, 0);
	c = kt_new(test, heap, 2, 16);
	d = kt_new(test, heap, 0, 100);
	e = kt_new(test, heap, 0, 0);
	f = kt_new(test, heap, 0, 4000);
	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	kt_set(test, heap, a, 1, c);
	kt_set(test, heap, c, 0, d);
	kt_set(test, heap, c, 1, e);
	kt_set(test, heap, b, 1, f);
	KUNIT_EXPECT_EQ(test, generation(test, heap, d), OBJHEAP_GEN_UNTRACKED);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
	kt_drop(test, heap, c);
	kt_drop(test, heap, d);
	kt_drop(test, heap, e);
	kt_drop(test, heap, f);
	KUNIT_EXPECT_EQ(test, heap->objects, 6ULL);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 3, 3, 6);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
}

/* 20 live three-rings (a handle on one member) among 20 garbage ones. */
static void garbage_among_live_structures(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 live[20], i, j, h[3], got;

	for (i = 0; i < 40; i++) {
		for (j = 0; j < 3; j++)
			h[j] = kt_new(test, heap, 1, 0);
		for (j = 0; j < 3; j++)
			kt_set(test, heap, h[j], 0, h[(j + 1) % 3]);
		for (j = i % 2 ? 0 : 1; j < 3; j++)
			kt_drop(test, heap, h[j]);
		if (!(i % 2))
			live[i / 2] = h[0];
	}
	r = collect(test, heap, 2);
	expect_collect(test, &r, 120, 60, 60);
	KUNIT_EXPECT_EQ(test, heap->objects, 60ULL);
	/* Each live ring is whole: three steps lead back to the start. */
	for (i = 0; i < ARRAY_SIZE(live); i++) {
		h[0] = live[i];
		for (j = 0; j < 3; j++) {
			KUNIT_ASSERT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET,
						       h[0], 0, 0, &got));
			if (j)
				kt_drop(test, heap, h[0]);
			h[0] = got;
		}
		KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, got), 3U);
		kt_drop(test, heap, got);
		KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, live[i]), 2U);
	}
}

/*
 * y comes first in the scan and looks unreachable (its only outside
 * reference is l's slot, and l is scanned after it); l has a handle and
 * rescues it. Both survive, and the counts say so.
 */
static void an_object_judged_too_early_is_rescued(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 y, l;

	y = kt_new(test, heap, 1, 0);
	kt_set(test, heap, y, 0, y);
	l = kt_new(test, heap, 1, 0);
	kt_set(test, heap, l, 0, y);
	kt_drop(test, heap, y);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->gc.len[0], 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[1], 2ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collected, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL);

	/* l is in no cycle: counting frees it, y is left a garbage loop. */
	kt_drop(test, heap, l);
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
	r = collect(test, heap, 1);
	expect_collect(test, &r, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 0ULL);
}

/* A young collection costs what is young, whatever sits in generation 2. */
static void a_young_collection_never_scans_the_old(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	int i;

	build_ring(test, heap, 10000, true);
	r = collect(test, heap, 1);
	expect_collect(test, &r, 10000, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 10000ULL);
	for (i = 0; i < 5; i++)
		garbage_self_loop(test, heap);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 5, 5, 5);
	r = collect(test, heap, 1);
	expect_collect(test, &r, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 10000ULL);
}

static bool gc_queued(struct objheap_heap *heap)
{
	bool queued;

	mutex_lock(&heap->lock);
	queued = heap->gc.queued;
	mutex_unlock(&heap->lock);
	return queued;
}

static void crossing_the_threshold_queues_a_collection(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	int i;

	gc_params(test, heap, OBJHEAP_GC_ENABLED, 100, 10, 10);
	for (i = 0; i < 100; i++)
		garbage_self_loop(test, heap);
	KUNIT_EXPECT_EQ(test, heap->gc.count[0], 100U);
	KUNIT_EXPECT_FALSE(test, gc_queued(heap));
	KUNIT_EXPECT_TRUE(test, garbage_self_loops_at_once(test, heap, 1));

	flush_work(&heap->gc.work);
	KUNIT_EXPECT_EQ(test, heap->gc.automatic, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collections, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collected, 101ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.count[0], 0U);
	KUNIT_EXPECT_EQ(test, heap->gc.count[1], 1U);
}

/*
 * Thresholds {10, 2, 2}: generation 1 is collected when more than two
 * generation-0 collections happened since its last, generation 2 when more
 * than two generation-1 ones did: 0 0 0 1 0 0 0 1 0 0 0 1 2.
 */
static void thresholds_choose_the_generation(struct kunit *test)
{
	static const u32 expect[] = { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2 };
	struct objheap_heap *heap = test->priv;
	u64 before[OBJHEAP_GC_GENERATIONS];
	u32 round, g;

	gc_params(test, heap, OBJHEAP_GC_ENABLED, 10, 2, 2);
	for (round = 0; round < ARRAY_SIZE(expect); round++) {
		for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++)
			before[g] = heap->gc.gen[g].collections;
		garbage_self_loops_at_once(test, heap, 11);
		flush_work(&heap->gc.work);
		for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++)
			KUNIT_EXPECT_EQ_MSG(test, heap->gc.gen[g].collections,
					    before[g] + (g == expect[round]),
					    "round %u generation %u", round, g);
		KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, heap->gc.automatic, (u64)ARRAY_SIZE(expect));
}

static void nothing_is_queued_while_disabled(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	int i;

	gc_params(test, heap, 0, 100, 10, 10);
	for (i = 0; i < 200; i++)
		garbage_self_loop(test, heap);
	KUNIT_EXPECT_FALSE(test, gc_queued(heap));
	gc_params(test, heap, OBJHEAP_GC_ENABLED, 0, 10, 10);
	for (i = 0; i < 200; i++)
		garbage_self_loop(test, heap);
	KUNIT_EXPECT_FALSE(test, gc_queued(heap));
	flush_work(&heap->gc.work);
	KUNIT_EXPECT_EQ(test, heap->gc.automatic, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.count[0], 400U);
	KUNIT_EXPECT_EQ(test, heap->objects, 400ULL);
}

static void frozen_objects_are_skipped(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 h;

	h = kt_new(test, heap, 1, 0);
	kt_set(test, heap, h, 0, h);
	garbage_self_loop(test, heap);
	objheap_gc_freeze(heap);
	KUNIT_EXPECT_EQ(test, generation(test, heap, h), OBJHEAP_GEN_PERMANENT);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_PERMANENT], 2ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.count[0], 0U);
	kt_drop(test, heap, h);
	r = collect(test, heap, 2);
	expect_collect(test, &r, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL);

	objheap_gc_unfreeze(heap);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_PERMANENT], 0ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 2ULL);
	r = collect(test, heap, 2);
	expect_collect(test, &r, 2, 2, 2);

	/* One left frozen: destroying the heap must free it too. */
	garbage_self_loop(test, heap);
	objheap_gc_freeze(heap);
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
}

static void saveall_keeps_garbage_and_hands_it_back(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 a, b, h[8], taken, i, got;

	gc_params(test, heap, OBJHEAP_GC_SAVEALL, 700, 10, 10);
	garbage_self_loop(test, heap);
	a = kt_new(test, heap, 1, 0);
	b = kt_new(test, heap, 1, 0);
	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
	r = collect(test, heap, 0);
	expect_collect(test, &r, 3, 3, 0);
	KUNIT_EXPECT_EQ(test, r.saved, 3ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_GARBAGE], 3ULL);
	/* Saved objects are out of every generation: not scanned again. */
	r = collect(test, heap, 2);
	expect_collect(test, &r, 0, 0, 0);

	KUNIT_EXPECT_EQ(test, 0, objheap_gc_take(heap, OBJHEAP_QUEUE_GARBAGE, h, 8, &taken));
	KUNIT_ASSERT_EQ(test, taken, 3U);
	KUNIT_EXPECT_EQ(test, objheap_gc_left(heap, OBJHEAP_QUEUE_GARBAGE), 0U);
	/* The list's reference became the handle's: slot + handle. */
	for (i = 0; i < taken; i++) {
		KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, h[i]), 2U);
		KUNIT_EXPECT_EQ(test, generation(test, heap, h[i]), 2U);
	}
	/* Oldest first: the self-loop, then the pair, still linked. */
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, h[0], 0, 0, &got));
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, got), 3U);
	kt_drop(test, heap, got);

	gc_params(test, heap, 0, 700, 10, 10);
	for (i = 0; i < taken; i++)
		kt_drop(test, heap, h[i]);
	r = collect(test, heap, 2);
	expect_collect(test, &r, 3, 3, 3);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);

	/* Saved and never fetched: destroying the heap frees them. */
	gc_params(test, heap, OBJHEAP_GC_SAVEALL, 700, 10, 10);
	garbage_self_loop(test, heap);
	r = collect(test, heap, 0);
	KUNIT_EXPECT_EQ(test, r.saved, 1ULL);
}

static void taking_garbage_stops_at_the_handle_limit(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_limits lim = { 0 };
	u32 h[8], taken;
	int i;

	gc_params(test, heap, OBJHEAP_GC_SAVEALL, 700, 10, 10);
	for (i = 0; i < 4; i++)
		garbage_self_loop(test, heap);
	collect(test, heap, 0);
	lim.max_handles = heap->handles.used + 2;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	KUNIT_EXPECT_EQ(test, -EMFILE,
			objheap_gc_take(heap, OBJHEAP_QUEUE_GARBAGE, h, 8, &taken));
	KUNIT_EXPECT_EQ(test, taken, 2U);
	KUNIT_EXPECT_EQ(test, objheap_gc_left(heap, OBJHEAP_QUEUE_GARBAGE), 2U);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 2ULL);
}

static void bad_parameters_change_nothing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_params bad[] = {
		{ .flags = BIT(2) },
		{ .threshold = { OBJHEAP_GC_THRESHOLD_MAX + 1 } },
		{ .threshold = { 1, 1, OBJHEAP_GC_THRESHOLD_MAX + 1 } },
		{ .reserved = { 1 } },
		{ .reserved = { 0, 1 } },
	};
	struct objheap_gc_collect badc[] = {
		{ .generation = 3 },
		{ .generation = 0xffffffff },
		{ .flags = 1 },
		{ .reserved = 1 },
	};
	struct objheap_gc_params now;
	unsigned int i;

	gc_params(test, heap, OBJHEAP_GC_ENABLED, 5, 6, 7);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, -EINVAL,
				objheap_gc_set_params(heap, &bad[i]));
	objheap_gc_get_params(heap, &now);
	KUNIT_EXPECT_EQ(test, now.flags, OBJHEAP_GC_ENABLED);
	KUNIT_EXPECT_EQ(test, now.threshold[0], 5U);
	KUNIT_EXPECT_EQ(test, now.threshold[1], 6U);
	KUNIT_EXPECT_EQ(test, now.threshold[2], 7U);
	for (i = 0; i < ARRAY_SIZE(badc); i++)
		KUNIT_EXPECT_EQ(test, -EINVAL, objheap_gc_run(heap, &badc[i]));
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collections, 0ULL);
}

/*
 * A heap closed with uncollected garbage that is not a simple ring: a
 * binary tree whose nodes also point at their parents (every node is held
 * by its parent and its children), each node holding a leaf, frozen,
 * plus a young clique. Destruction must free all of it; it once spun forever on
 * a node its children still pointed at.
 */
static void destroy_frees_garbage_of_any_shape(struct kunit *test)
{
	const u32 nodes = 255;
	struct objheap_obj **node, *leaf;
	u64 frees = objheap_totals.retired.frees;
	struct objheap_heap *heap;
	u32 i, j;

	node = kunit_kcalloc(test, nodes, sizeof(*node), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, node);
	heap = objheap_heap_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	mutex_lock(&heap->lock);
	for (i = 0; i < nodes; i++) {
		node[i] = kt_obj_alloc(heap, 0, 4, 0);
		leaf = kt_obj_alloc(heap, 1, 0, 8);
		if (!node[i] || !leaf) {
			mutex_unlock(&heap->lock);
			KUNIT_FAIL(test, "out of memory");
			return;	/* the heap leaks; the test has failed */
		}
		node[i]->slots[3] = leaf;
	}
	for (i = 1; i < nodes; i++) {
		/* Parent -> child takes the allocation reference. */
		node[(i - 1) / 2]->slots[(i - 1) % 2] = node[i];
		objheap_obj_get(node[(i - 1) / 2]);
		node[i]->slots[2] = node[(i - 1) / 2];
	}
	/* The root's own reference goes: all of it is garbage now. */
	objheap_obj_put(heap, node[0]);
	mutex_unlock(&heap->lock);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL * nodes);
	objheap_gc_freeze(heap);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_PERMANENT], (u64)nodes);

	/* An 8-clique in generation 0: another of the collector's lists. */
	mutex_lock(&heap->lock);
	for (i = 0; i < 8; i++)
		node[i] = kt_obj_alloc(heap, 2, 8, 0);
	for (i = 0; i < 8; i++)
		for (j = 0; j < 8 && node[i]; j++)
			if (node[j]) {
				objheap_obj_get(node[j]);
				node[i]->slots[j] = node[j];
			}
	for (i = 0; i < 8; i++)
		if (node[i])
			objheap_obj_put(heap, node[i]);
	mutex_unlock(&heap->lock);
	KUNIT_EXPECT_EQ(test, heap->gc.len[0], 8ULL);

	objheap_heap_destroy(heap);
	/* Every object was freed (and no WARN about leftovers fired). */
	KUNIT_EXPECT_EQ(test, objheap_totals.retired.frees - frees,
			2ULL * nodes + 8);
}

/* The work is queued when the heap goes: it must be cancelled, not run. */
static void destroy_with_a_collection_queued(struct kunit *test)
{
	struct objheap_heap *heap;
	int round, cancelled = 0;

	for (round = 0; round < 20; round++) {
		heap = objheap_heap_create();
		KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
		gc_params(test, heap, OBJHEAP_GC_ENABLED, 10, 10, 10);
		KUNIT_EXPECT_TRUE(test,
				  garbage_self_loops_at_once(test, heap, 11));
		objheap_gc_stop(heap);
		/* Either it never ran, or it ran whole before the stop. */
		if (!heap->gc.automatic) {
			cancelled++;
			KUNIT_EXPECT_EQ(test, heap->objects, 11ULL);
		} else {
			KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
		}
		objheap_heap_destroy(heap);
	}
	kunit_info(test, "%d of 20 queued collections cancelled\n",
		   cancelled);
}

/* The heap goes while its collection runs: destruction waits for it. */
static void destroy_with_a_collection_running(struct kunit *test)
{
	struct objheap_heap *heap = objheap_heap_create();
	unsigned long deadline = jiffies + 60 * HZ;
	u64 waited, t0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	gc_params(test, heap, OBJHEAP_GC_ENABLED, 1000, 10, 10);
	build_ring(test, heap, 200000, false);
	/* The work clears "queued" under the lock as it starts collecting. */
	while (READ_ONCE(heap->gc.queued) && time_before(jiffies, deadline))
		usleep_range(100, 200);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(heap->gc.queued));
	t0 = ktime_get_ns();
	objheap_gc_stop(heap);
	waited = ktime_get_ns() - t0;
	/* Stopped after the collection, which finished its work. */
	KUNIT_EXPECT_EQ(test, heap->gc.automatic, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.gen[0].collected, 200000ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	kunit_info(test, "stop waited %llu ms for the running collection\n",
		   waited / NSEC_PER_MSEC);
	objheap_heap_destroy(heap);
}

/*
 * A million tracked objects: a live ring of 500,000 held by one handle and
 * 500 garbage rings of 1,000. One full collection, exact counts; the live
 * ring is intact (its first member: the handle and its predecessor).
 */
static void a_full_collection_of_a_million_objects(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect r;
	u32 live, i;

	live = build_ring(test, heap, 500000, true);
	for (i = 0; i < 500; i++)
		build_ring(test, heap, 1000, false);
	KUNIT_ASSERT_EQ(test, heap->objects, 1000000ULL);
	r = collect(test, heap, 2);
	expect_collect(test, &r, 1000000, 500000, 500000);
	KUNIT_EXPECT_EQ(test, heap->objects, 500000ULL);
	KUNIT_EXPECT_EQ(test, heap->gc.len[2], 500000ULL);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, live), 2U);
	kunit_info(test, "full collection of 10^6 objects: %llu ms\n",
		   r.time_ns / NSEC_PER_MSEC);
	/* The live ring goes with the heap: 6.1's KUnit allows 300 s a case. */
}

/*
 * The debug self-check finds a container labelled with the wrong list:
 * the collection frees nothing, the heap is marked broken and every later
 * call fails with EIO; closing it still frees everything.
 */
static void a_broken_heap_fails_every_call(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	bool saved = objheap_gc_validate;
	struct objheap_gc_collect res = { .generation = 0 };
	struct objheap_op op = { .op = OBJHEAP_OP_NEW };
	struct objheap_heap_stats st;
	struct objheap_obj *obj;
	char buf[64];
	struct seq_file info = { .buf = buf, .size = sizeof(buf) };
	u32 a, b;

	/* A two-cycle, unreferenced: garbage a collection would free. */
	a = kt_new(test, heap, 1, 0);
	b = kt_new(test, heap, 1, 0);
	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	obj = objheap_handle_lookup(&heap->handles, a);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);

	WRITE_ONCE(objheap_gc_validate, true);
	objheap_obj_set_list(obj, 1);	/* on generation 0's list */
	KUNIT_EXPECT_EQ(test, 0, objheap_gc_run(heap, &res));
	KUNIT_EXPECT_TRUE(test, heap->broken);
	KUNIT_EXPECT_EQ(test, res.collected, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL);
	KUNIT_EXPECT_EQ(test, -EIO, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_EQ(test, -EIO, objheap_heap_get_stats(heap, &st));
	res = (struct objheap_gc_collect){ .generation = 2 };
	KUNIT_EXPECT_EQ(test, -EIO, objheap_gc_run(heap, &res));
	/* The stream's format (the heap's lock not taken), debugfs info. */
	KUNIT_EXPECT_EQ(test, -EIO,
			objheap_ioctl(heap, OBJHEAP_IOC_GET_EVENT_FORMAT, NULL));
	KUNIT_EXPECT_EQ(test, -EIO, objheap_debugfs_heap_info(&info, heap));
	KUNIT_EXPECT_EQ(test, info.count, (size_t)0);
	objheap_obj_set_list(obj, 0);
	WRITE_ONCE(objheap_gc_validate, saved);
}

/* With the self-check on, ordinary collections find nothing wrong. */
static void the_self_check_passes_on_every_shape(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	bool saved = objheap_gc_validate;
	struct objheap_gc_collect res;
	u32 h[8], keep, i;

	WRITE_ONCE(objheap_gc_validate, true);
	keep = kt_new(test, heap, 2, 0);
	for (i = 0; i < 8; i++)
		h[i] = kt_new(test, heap, 2, 0);
	for (i = 0; i < 8; i++)
		kt_set(test, heap, h[i], 0, h[(i + 1) % 8]);
	kt_set(test, heap, keep, 0, h[0]);
	for (i = 0; i < 8; i++)
		kt_drop(test, heap, h[i]);
	for (i = 0; i < 3; i++) {
		res = (struct objheap_gc_collect){ .generation = i };
		KUNIT_EXPECT_EQ(test, 0, objheap_gc_run(heap, &res));
	}
	kt_set(test, heap, keep, 0, 0);
	res = (struct objheap_gc_collect){ .generation = 2 };
	KUNIT_EXPECT_EQ(test, 0, objheap_gc_run(heap, &res));
	KUNIT_EXPECT_EQ(test, res.collected, 8ULL);
	KUNIT_EXPECT_FALSE(test, heap->broken);
	WRITE_ONCE(objheap_gc_validate, saved);
}

static struct kunit_case objheap_gc_cases[] = {
	KUNIT_CASE(a_self_loop_is_collected),
	KUNIT_CASE(a_two_cycle_is_collected),
	KUNIT_CASE(a_ring_of_100000_is_collected),
	KUNIT_CASE(a_clique_is_collected_once_unreachable),
	KUNIT_CASE(a_cycle_held_by_a_handle_survives_until_dropped),
	KUNIT_CASE(an_old_reference_keeps_a_young_cycle_alive),
	KUNIT_CASE(acyclic_garbage_off_a_cycle_goes_with_it),
	KUNIT_CASE(garbage_among_live_structures),
	KUNIT_CASE(an_object_judged_too_early_is_rescued),
	KUNIT_CASE(a_young_collection_never_scans_the_old),
	KUNIT_CASE(crossing_the_threshold_queues_a_collection),
	KUNIT_CASE(thresholds_choose_the_generation),
	KUNIT_CASE(nothing_is_queued_while_disabled),
	KUNIT_CASE(frozen_objects_are_skipped),
	KUNIT_CASE(saveall_keeps_garbage_and_hands_it_back),
	KUNIT_CASE(taking_garbage_stops_at_the_handle_limit),
	KUNIT_CASE(bad_parameters_change_nothing),
	KUNIT_CASE(destroy_frees_garbage_of_any_shape),
	KUNIT_CASE(a_broken_heap_fails_every_call),
	KUNIT_CASE(the_self_check_passes_on_every_shape),
	KUNIT_CASE(destroy_with_a_collection_queued),
	KUNIT_CASE(destroy_with_a_collection_running),
	KUNIT_CASE(a_full_collection_of_a_million_objects),
	{}
};

struct kunit_suite objheap_gc_suite = {
	.name = "objheap_gc",
	.init = gc_init,
	.exit = kt_exit,
	.test_cases = objheap_gc_cases,
};
