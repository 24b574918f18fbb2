// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the heap: lifecycle, operation checks and limits. Every
 * failing operation must leave the heap as it was.
 */
#include <kunit/test.h>
#include <linux/err.h>

#include "kunit_util.h"
#include "kunit_suites.h"

/* What a failed operation must not change. */
struct heap_snapshot {
	u64 objects, bytes, allocs, frees;
	u32 handles;
};

static void snap(struct objheap_heap *heap, struct heap_snapshot *s)
{
	s->objects = heap->objects;
	s->bytes = heap->bytes;
	s->allocs = heap->allocs;
	s->frees = heap->frees;
	s->handles = heap->handles.used;
}

static void expect_unchanged(struct kunit *test, struct objheap_heap *heap,
			     const struct heap_snapshot *before)
{
	struct heap_snapshot now;

	snap(heap, &now);
	KUNIT_EXPECT_EQ(test, now.objects, before->objects);
	KUNIT_EXPECT_EQ(test, now.bytes, before->bytes);
	KUNIT_EXPECT_EQ(test, now.allocs, before->allocs);
	KUNIT_EXPECT_EQ(test, now.frees, before->frees);
	KUNIT_EXPECT_EQ(test, now.handles, before->handles);
}

static void create_counts_and_destroy_uncounts(struct kunit *test)
{
	long live = atomic_long_read(&objheap_totals.heaps_live);
	struct objheap_heap *a, *b;

	a = objheap_heap_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = objheap_heap_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));

	KUNIT_EXPECT_EQ(test, atomic_long_read(&objheap_totals.heaps_live),
			live + 2);
	KUNIT_EXPECT_NE(test, a->id, b->id);
	KUNIT_EXPECT_EQ(test, a->owner_tgid, task_tgid_nr(current));

	objheap_heap_destroy(a);
	objheap_heap_destroy(b);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&objheap_totals.heaps_live),
			live);
}

static void bad_operations_fail_and_change_nothing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct heap_snapshot before;
	struct objheap_op op;
	u32 a, leaf;

	a = kt_new(test, heap, 2, 8);
	leaf = kt_new(test, heap, 0, 0);
	kt_set(test, heap, a, 0, leaf);
	snap(heap, &before);

	/* unknown, dropped and zero handles */
	KUNIT_EXPECT_EQ(test, -EBADF, kt_op(heap, OBJHEAP_OP_DROP, 0, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBADF, kt_op(heap, OBJHEAP_OP_DROP, 999, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBADF, kt_op(heap, OBJHEAP_OP_DUP, 999, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EBADF, kt_op(heap, OBJHEAP_OP_SET, a, 999, 1, NULL));
	KUNIT_EXPECT_EQ(test, -EBADF, kt_op(heap, OBJHEAP_OP_SET, 999, a, 1, NULL));
	KUNIT_EXPECT_EQ(test, -EBADF, kt_op(heap, OBJHEAP_OP_GET, 999, 0, 0, NULL));
	/* slots out of range; a leaf has none */
	KUNIT_EXPECT_EQ(test, -ERANGE, kt_op(heap, OBJHEAP_OP_SET, a, leaf, 2, NULL));
	KUNIT_EXPECT_EQ(test, -ERANGE, kt_op(heap, OBJHEAP_OP_SET, a, 0, U32_MAX, NULL));
	KUNIT_EXPECT_EQ(test, -ERANGE, kt_op(heap, OBJHEAP_OP_GET, a, 0, 2, NULL));
	KUNIT_EXPECT_EQ(test, -ERANGE, kt_op(heap, OBJHEAP_OP_SET, leaf, a, 0, NULL));
	/* unknown op codes */
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_op(heap, OBJHEAP_OP_COUNT, a, 0, 0, NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_op(heap, U32_MAX, a, 0, 0, NULL));

	/* sizes over the maximum, and unused fields that are not zero */
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .count = OBJHEAP_MAX_SLOTS + 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, objheap_heap_op(heap, &op, NULL));
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .size = OBJHEAP_MAX_PAYLOAD + 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, objheap_heap_op(heap, &op, NULL));
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .buf = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, objheap_heap_op(heap, &op, NULL));
	op = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = a, .size = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, objheap_heap_op(heap, &op, NULL));
	op = (struct objheap_op){ .op = OBJHEAP_OP_SET, .handle = a, .type = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, objheap_heap_op(heap, &op, NULL));

	/* payload ranges out of bounds, including wrap-around */
	op = (struct objheap_op){ .op = OBJHEAP_OP_READ, .handle = a, .index = 4, .count = 5 };
	KUNIT_EXPECT_EQ(test, -ERANGE, objheap_heap_op(heap, &op, NULL));
	op = (struct objheap_op){ .op = OBJHEAP_OP_WRITE, .handle = a, .index = 9 };
	KUNIT_EXPECT_EQ(test, -ERANGE, objheap_heap_op(heap, &op, NULL));
	op = (struct objheap_op){ .op = OBJHEAP_OP_READ, .handle = a, .index = U32_MAX,
				  .count = 2 };
	KUNIT_EXPECT_EQ(test, -ERANGE, objheap_heap_op(heap, &op, NULL));

	expect_unchanged(test, heap, &before);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, leaf), 2U);
}

static void limits_hold_and_change_nothing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_limits lim = { .max_objects = 3, .max_handles = 4 };
	struct heap_snapshot before;
	struct objheap_op op = { .op = OBJHEAP_OP_NEW };
	u32 a, b, c;

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	a = kt_new(test, heap, 1, 0);
	b = kt_new(test, heap, 0, 0);
	c = kt_new(test, heap, 0, 0);
	snap(heap, &before);
	KUNIT_EXPECT_EQ(test, -EDQUOT, objheap_heap_op(heap, &op, NULL));
	expect_unchanged(test, heap, &before);

	/* The fourth handle is allowed, the fifth is not. */
	KUNIT_ASSERT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_DUP, a, 0, 0, NULL));
	snap(heap, &before);
	KUNIT_EXPECT_EQ(test, -EMFILE, kt_op(heap, OBJHEAP_OP_DUP, a, 0, 0, NULL));
	kt_set(test, heap, a, 0, b);
	KUNIT_EXPECT_EQ(test, -EMFILE, kt_op(heap, OBJHEAP_OP_GET, a, 0, 0, NULL));
	expect_unchanged(test, heap, &before);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, b), 2U);

	/* Bytes: only what the pools really hand out counts. */
	lim = (struct objheap_limits){ .max_objects = 100, .max_handles = 100 };
	KUNIT_EXPECT_EQ(test, -EPERM, objheap_heap_set_limits(heap, &lim));
	kt_drop(test, heap, c);
	lim = (struct objheap_limits){ .max_bytes = heap->bytes + 16 };
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	/* 16 + 17 bytes need the 48-byte class: over by 32. */
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .size = 17 };
	snap(heap, &before);
	KUNIT_EXPECT_EQ(test, -EDQUOT, objheap_heap_op(heap, &op, NULL));
	expect_unchanged(test, heap, &before);
	/* A bare 16-byte object fits exactly. */
	kt_new(test, heap, 0, 0);
}

static void limits_only_go_down(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_limits cur, lim;

	objheap_heap_get_limits(heap, &cur);
	KUNIT_EXPECT_EQ(test, cur.max_bytes,
			min_t(u64, objheap_default_max_bytes, OBJHEAP_HARD_MAX_BYTES));
	KUNIT_EXPECT_EQ(test, cur.reserved[0], 0ULL);

	lim = (struct objheap_limits){ .max_bytes = cur.max_bytes + 1 };
	KUNIT_EXPECT_EQ(test, -EPERM, objheap_heap_set_limits(heap, &lim));
	lim = (struct objheap_limits){ .max_handles = 10, .reserved[1] = 1 };
	KUNIT_EXPECT_EQ(test, -EINVAL, objheap_heap_set_limits(heap, &lim));
	lim = (struct objheap_limits){ .max_handles = 10 };
	KUNIT_EXPECT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	objheap_heap_get_limits(heap, &lim);
	KUNIT_EXPECT_EQ(test, lim.max_handles, 10U);
	KUNIT_EXPECT_EQ(test, lim.max_bytes, cur.max_bytes);
	KUNIT_EXPECT_EQ(test, lim.max_objects, cur.max_objects);
}

/* A destroyed heap's counts move into the module totals, once. */
static void destroy_retires_the_counts(struct kunit *test)
{
	struct objheap_retired *r = &objheap_totals.retired;
	struct objheap_heap_stats st;
	struct objheap_heap *heap;
	u64 allocs, frees, colls;
	u32 h;

	heap = objheap_heap_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	h = kt_new(test, heap, 1, 0);
	kt_set(test, heap, h, 0, h);
	kt_new(test, heap, 0, 10);
	kt_drop(test, heap, h);
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_NEW, 0, 0, 0, NULL));
	objheap_heap_get_stats(heap, &st);
	KUNIT_EXPECT_EQ(test, st.objects, 3ULL);
	KUNIT_EXPECT_EQ(test, st.allocs, 3ULL);
	KUNIT_EXPECT_EQ(test, st.handles, 2U);
	KUNIT_EXPECT_EQ(test, st.id, heap->id);
	KUNIT_EXPECT_EQ(test, st.bytes, heap->bytes);

	mutex_lock(&objheap_heaps_lock);
	allocs = r->allocs;
	frees = r->frees;
	colls = r->gen[2].collections;
	mutex_unlock(&objheap_heaps_lock);
	objheap_heap_destroy(heap);
	mutex_lock(&objheap_heaps_lock);
	KUNIT_EXPECT_EQ(test, r->allocs, allocs + 3);
	KUNIT_EXPECT_EQ(test, r->frees, frees + 3);
	KUNIT_EXPECT_EQ(test, r->gen[2].collections, colls);
	mutex_unlock(&objheap_heaps_lock);
}

/* After everything died, the table holds the hot entry at most, empty. */
static void types_expect_only_hot(struct kunit *test,
				  struct objheap_heap *heap)
{
	struct objheap_type_stat *ts;
	unsigned long type;
	unsigned int n = 0;

	xa_for_each(&heap->types, type, ts) {
		KUNIT_EXPECT_EQ(test, ts->objects, 0ULL);
		KUNIT_EXPECT_EQ(test, ts->bytes, 0ULL);
		KUNIT_EXPECT_PTR_EQ(test, ts, heap->types_hot);
		n++;
	}
	KUNIT_EXPECT_LE(test, n, 1U);
}

/*
 * 300 type tags, tag t holding t + 1 leaves of 16 bytes: the top 10 are
 * the highest tags, most bytes first, found across chunks of 256 tags;
 * dropping everything empties the table but for the hot entry.
 */
static void types_top_sorts_by_bytes_across_chunks(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_type_top top[10];
	struct objheap_op op = { .op = OBJHEAP_OP_NEW };
	unsigned int n, i;
	u64 ntypes;
	u32 t;

	for (t = 0; t < 300; t++) {
		op.type = t;
		for (i = 0; i <= t % 7; i++)
			KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	}
	n = objheap_types_top(heap, top, ARRAY_SIZE(top), &ntypes);
	KUNIT_EXPECT_EQ(test, ntypes, 300ULL);
	KUNIT_ASSERT_EQ(test, n, 10U);
	/* t % 7 == 6 holds 7 objects: the highest such tags lead. */
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, top[i].objects, 7ULL);
		KUNIT_EXPECT_EQ(test, top[i].bytes, 7ULL * 16);
		KUNIT_EXPECT_EQ(test, top[i].type % 7, 6U);
	}
	for (i = 1; i <= heap->handles.cap; i++)
		kt_op(heap, OBJHEAP_OP_DROP, i, 0, 0, NULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	n = objheap_types_top(heap, top, ARRAY_SIZE(top), &ntypes);
	KUNIT_EXPECT_EQ(test, n, 0U);
	KUNIT_EXPECT_EQ(test, ntypes, 0ULL);
	types_expect_only_hot(test, heap);
}

/*
 * The hot entry: a tag allocated and freed in a loop keeps its (empty)
 * entry, which goes once another tag takes its place; the table never
 * holds more than the live tags and the hot one.
 */
static void types_hot_entry_stays_until_replaced(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_op op = { .op = OBJHEAP_OP_NEW, .type = 7 };
	struct objheap_type_stat *hot;
	int i;

	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
		hot = heap->types_hot;
		KUNIT_ASSERT_NOT_NULL(test, hot);
		KUNIT_EXPECT_EQ(test, hot->objects, 1ULL);
		kt_op(heap, OBJHEAP_OP_DROP, op.handle, 0, 0, NULL);
		/* Same entry, now empty, still in the table. */
		KUNIT_EXPECT_PTR_EQ(test, heap->types_hot, hot);
		KUNIT_EXPECT_EQ(test, hot->objects, 0ULL);
		KUNIT_EXPECT_PTR_EQ(test, xa_load(&heap->types, 7), hot);
	}
	op.type = 8;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_NULL(test, xa_load(&heap->types, 7));
	KUNIT_EXPECT_EQ(test, heap->types_hot->type, 8U);
	kt_op(heap, OBJHEAP_OP_DROP, op.handle, 0, 0, NULL);
	types_expect_only_hot(test, heap);
}

static struct kunit_case objheap_heap_cases[] = {
	KUNIT_CASE(types_top_sorts_by_bytes_across_chunks),
	KUNIT_CASE(types_hot_entry_stays_until_replaced),
	KUNIT_CASE(destroy_retires_the_counts),
	KUNIT_CASE(create_counts_and_destroy_uncounts),
	KUNIT_CASE(bad_operations_fail_and_change_nothing),
	KUNIT_CASE(limits_hold_and_change_nothing),
	KUNIT_CASE(limits_only_go_down),
	{}
};

struct kunit_suite objheap_heap_suite = {
	.name = "objheap_heap",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = objheap_heap_cases,
};
