// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the gc module's introspection (introspect.c): which
 * objects GC_OBJECTS and GC_REFERRERS answer with, asked for the total
 * alone (count 0, which needs no user memory), the errnos before any
 * handle is opened, and reserving many handles at once (handle.c). The
 * handles themselves, written to user memory, are the selftests' part
 * (tests/selftests/introspect_test.c).
 */
#include <kunit/test.h>

#include "kunit_util.h"
#include "kunit_suites.h"

static int intro_init(struct kunit *test)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };
	int ret = kt_init(test);

	if (ret)
		return ret;
	return objheap_gc_set_params(test->priv, &off);
}

/* GC_OBJECTS' total for @gen, or a negative errno. */
static long objects(struct objheap_heap *heap, u32 gen)
{
	u32 total = ~0U;
	int ret = objheap_gc_objects(heap, gen, NULL, 0, &total);

	return ret ? ret : (long)total;
}

static long referrers(struct objheap_heap *heap, const u32 *t, u32 nt)
{
	u32 total = ~0U;
	int ret = objheap_gc_referrers(heap, t, nt, NULL, 0, &total);

	return ret ? ret : (long)total;
}

static void collect(struct kunit *test, struct objheap_heap *heap, u32 gen)
{
	struct objheap_gc_collect res = { .generation = gen };

	KUNIT_ASSERT_EQ(test, 0, objheap_gc_run(heap, &res));
}

static u32 weakref(struct kunit *test, struct objheap_heap *heap, u32 h)
{
	struct objheap_op op = {
		.op = OBJHEAP_OP_WEAKREF, .handle = h, .type = 9,
	};

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	return op.ref;
}

/*
 * Containers and weak references are tracked, leaves are not; each list
 * answers for itself, and OBJHEAP_GEN_ALL for generations 0..2 only.
 */
static void objects_of_each_list(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a, b, leaf;

	a = kt_new(test, heap, 2, 0);
	b = kt_new(test, heap, 1, 0);
	leaf = kt_new(test, heap, 0, 16);
	weakref(test, heap, leaf);
	KUNIT_EXPECT_EQ(test, objects(heap, 0), 3L);
	KUNIT_EXPECT_EQ(test, objects(heap, 1), 0L);
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_ALL), 3L);
	collect(test, heap, 0);
	KUNIT_EXPECT_EQ(test, objects(heap, 0), 0L);
	KUNIT_EXPECT_EQ(test, objects(heap, 1), 3L);
	collect(test, heap, 2);
	KUNIT_EXPECT_EQ(test, objects(heap, 2), 3L);
	KUNIT_EXPECT_EQ(test, 0, objheap_gc_freeze(heap));
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_PERMANENT), 3L);
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_ALL), 0L);
	KUNIT_EXPECT_EQ(test, 0, objheap_gc_unfreeze(heap));
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_ALL), 3L);
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_GARBAGE), 0L);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
	KUNIT_EXPECT_EQ(test, objects(heap, 2), 1L);
}

/*
 * Referrers: once each, whatever the number of slots and targets; an
 * object referring to itself; not weak references; saved and frozen
 * objects are searched, objects waiting for finalization are not.
 */
static void referrers_of_every_shape(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_op op = {
		.op = OBJHEAP_OP_NEW, .count = 1, .type = 8,
		.index = OBJHEAP_NEW_FINALIZABLE,
	};
	u32 x, y, p, q, s, w, t[3];

	x = kt_new(test, heap, 0, 8);
	y = kt_new(test, heap, 0, 8);
	p = kt_new(test, heap, 3, 0);
	q = kt_new(test, heap, 1, 0);
	s = kt_new(test, heap, 1, 0);
	kt_set(test, heap, p, 0, x);
	kt_set(test, heap, p, 1, x);
	kt_set(test, heap, p, 2, y);
	kt_set(test, heap, q, 0, y);
	kt_set(test, heap, s, 0, s);
	w = weakref(test, heap, x);
	t[0] = x;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 1), 1L);
	t[1] = y;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 2), 2L);
	t[2] = x;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 3), 2L);
	t[0] = s;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 1), 1L);
	t[0] = p;
	t[1] = w;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 2), 0L);

	/* Frozen referrers count. */
	KUNIT_EXPECT_EQ(test, 0, objheap_gc_freeze(heap));
	t[0] = y;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 1), 2L);
	KUNIT_EXPECT_EQ(test, 0, objheap_gc_unfreeze(heap));

	/* A finalizable referrer that died waits in GC_FINALIZE: not one. */
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	kt_set(test, heap, op.handle, 0, y);
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 1), 3L);
	kt_drop(test, heap, op.handle);
	KUNIT_EXPECT_EQ(test, heap->gc.len[OBJHEAP_GEN_FINALIZE], 1ULL);
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 1), 2L);
}

/* SAVEALL's garbage: listed on its own, and searched for referrers. */
static void saved_garbage_answers(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_params save = {
		.flags = OBJHEAP_GC_SAVEALL, .threshold = { 700, 10, 10 },
	};
	u32 a, b, x;

	KUNIT_ASSERT_EQ(test, 0, objheap_gc_set_params(heap, &save));
	x = kt_new(test, heap, 0, 8);
	a = kt_new(test, heap, 2, 0);
	b = kt_new(test, heap, 1, 0);
	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, a, 1, x);
	kt_set(test, heap, b, 0, a);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
	collect(test, heap, 2);
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_GARBAGE), 2L);
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_ALL), 0L);
	KUNIT_EXPECT_EQ(test, referrers(heap, &x, 1), 1L);
}

/* Bad arguments: the errno, before anything is opened or charged. */
static void bad_arguments_change_nothing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = kt_new(test, heap, 1, 0), t[2] = { a, a + 1 };
	u64 pinned = heap->pinned;
	u32 total = 5;

	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_FINALIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, objects(heap, OBJHEAP_GEN_UNTRACKED), -EINVAL);
	KUNIT_EXPECT_EQ(test, objects(heap, 6), -EINVAL);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			objheap_gc_referrers(heap, t, 0, NULL, 0, &total));
	KUNIT_EXPECT_EQ(test, total, 0U);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			objheap_gc_referrers(heap, t, OBJHEAP_REFERRERS_MAX + 1,
					     NULL, 0, &total));
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 2), -EBADF);
	t[1] = 0;
	KUNIT_EXPECT_EQ(test, referrers(heap, t, 2), -EBADF);
	KUNIT_EXPECT_EQ(test, heap->handles.used, 1U);
	KUNIT_EXPECT_EQ(test, heap->pinned, pinned);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&heap->transient), 0L);
}

/* The sorted targets are charged while the scan runs: EDQUOT when full. */
static void targets_are_charged(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a = kt_new(test, heap, 1, 0);
	struct objheap_limits lim;

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_get_limits(heap, &lim));
	lim.max_bytes = heap->pinned;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	KUNIT_EXPECT_EQ(test, referrers(heap, &a, 1), -EDQUOT);
	KUNIT_EXPECT_EQ(test, objects(heap, 0), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&heap->transient), 0L);
}

/* Many handles reserved at once: the table grows, the limit holds. */
static void reserving_many_handles(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_handles *t = &heap->handles;
	u32 cap;

	mutex_lock(&heap->lock);
	KUNIT_EXPECT_EQ(test, 0, objheap_handle_reserve_n(heap, 1000));
	KUNIT_EXPECT_GE(test, t->cap - t->used, 1000U);
	cap = t->cap;
	/* Nothing is used: the whole table is room, one more doubles it. */
	KUNIT_EXPECT_EQ(test, 0, objheap_handle_reserve_n(heap, cap));
	KUNIT_EXPECT_EQ(test, t->cap, cap);
	KUNIT_EXPECT_EQ(test, 0, objheap_handle_reserve_n(heap, cap + 1));
	KUNIT_EXPECT_GE(test, t->cap, 2 * cap);
	heap->limits.max_handles = 10;
	KUNIT_EXPECT_EQ(test, 0, objheap_handle_reserve_n(heap, 10));
	KUNIT_EXPECT_EQ(test, -EMFILE, objheap_handle_reserve_n(heap, 11));
	KUNIT_EXPECT_EQ(test, -EMFILE, objheap_handle_reserve_n(heap, U32_MAX));
	mutex_unlock(&heap->lock);
}

static struct kunit_case objheap_introspect_cases[] = {
	KUNIT_CASE(objects_of_each_list),
	KUNIT_CASE(referrers_of_every_shape),
	KUNIT_CASE(saved_garbage_answers),
	KUNIT_CASE(bad_arguments_change_nothing),
	KUNIT_CASE(targets_are_charged),
	KUNIT_CASE(reserving_many_handles),
	{}
};

struct kunit_suite objheap_introspect_suite = {
	.name = "objheap_introspect",
	.init = intro_init,
	.exit = kt_exit,
	.test_cases = objheap_introspect_cases,
};
