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
	u64 objects, bytes, allocs, frees, pinned;
	u32 handles;
};

static void snap(struct objheap_heap *heap, struct heap_snapshot *s)
{
	s->objects = heap->objects;
	s->bytes = heap->bytes;
	s->allocs = heap->allocs;
	s->frees = heap->frees;
	s->pinned = heap->pinned;
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
	KUNIT_EXPECT_EQ(test, now.pinned, before->pinned);
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
	/* Everything the heap pins counts, the freed object's memory too. */
	lim = (struct objheap_limits){ .max_bytes = heap->pinned + 16 };
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));
	/* 8 + 8 + 17 bytes need the 40-byte class: more than there is. */
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .size = 17 };
	snap(heap, &before);
	KUNIT_EXPECT_EQ(test, -EDQUOT, objheap_heap_op(heap, &op, NULL));
	expect_unchanged(test, heap, &before);
	/* A bare 16-byte object fits: the freed one's memory, charged. */
	kt_new(test, heap, 0, 0);
	KUNIT_EXPECT_LE(test, heap->pinned, lim.max_bytes);
}

static size_t freelisted(struct objheap_heap *heap)
{
	size_t bytes;

	mutex_lock(&heap->lock);
	bytes = objheap_pool_freelisted_bytes(heap);
	mutex_unlock(&heap->lock);
	return bytes;
}

/*
 * What a heap pins is what it is charged: the heap, objects live and
 * freelisted, the handle table, one entry per type tag and the type
 * table; it all goes back.
 */
static void charges_cover_every_allocation(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	size_t entry = objheap_alloc_cost(sizeof(struct objheap_type_stat));
	size_t table = objheap_alloc_cost(128 * sizeof(unsigned long));
	struct objheap_op op;
	u64 empty = heap->pinned;
	u32 h[100];
	int i;

	KUNIT_EXPECT_EQ(test, empty, (u64)objheap_heap_cost());
	for (i = 0; i < 100; i++) {
		/* Sparse tags: each is an entry of its own. */
		op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .size = 8,
					  .type = i * 1000003 };
		KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
		h[i] = op.handle;
	}
	/* Both tables: 128 words. */
	KUNIT_EXPECT_EQ(test, heap->handles.cap, 128U);
	KUNIT_EXPECT_EQ(test, heap->type_cap, 128U);
	KUNIT_EXPECT_EQ(test, heap->pinned,
			empty + heap->bytes + 2 * table + 100 * entry);
	KUNIT_EXPECT_GE(test, objheap_user_pinned(heap), heap->pinned);

	for (i = 0; i < 100; i++)
		kt_drop(test, heap, h[i]);
	/* The freelist keeps some, charged; one tag entry stays (hot). */
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->pinned,
			empty + freelisted(heap) + 2 * table + entry);
	mutex_lock(&heap->lock);
	objheap_pool_drain(heap);
	mutex_unlock(&heap->lock);
	KUNIT_EXPECT_EQ(test, heap->pinned, empty + 2 * table + entry);
}

/* At its byte limit a heap gives its freelists back rather than fail. */
static void charge_drains_freelists_before_failing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_limits lim;
	struct heap_snapshot before;
	/* Tag 7, as kt_new(): its entry exists, only objects are charged. */
	struct objheap_op op = { .op = OBJHEAP_OP_NEW, .size = 2000, .type = 7 };
	u32 a;

	/* One 16-byte leaf on the freelist, then the heap exactly full. */
	kt_freelists_on(test);
	kt_drop(test, heap, kt_new(test, heap, 0, 0));
	a = kt_new(test, heap, 0, 0);
	kt_drop(test, heap, kt_new(test, heap, 0, 0));
	KUNIT_ASSERT_EQ(test, freelisted(heap), (size_t)16);
	lim = (struct objheap_limits){ .max_bytes = heap->pinned };
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_set_limits(heap, &lim));

	/* 2 KiB cannot fit even without the freelist: nothing changes. */
	snap(heap, &before);
	KUNIT_EXPECT_EQ(test, -EDQUOT, objheap_heap_op(heap, &op, NULL));
	expect_unchanged(test, heap, &before);
	KUNIT_EXPECT_EQ(test, freelisted(heap), (size_t)16);

	/*
	 * With a on the freelist too, 32 freelisted bytes make room for a
	 * 32-byte object of another class: the freelists go back to the slab.
	 */
	kt_drop(test, heap, a);
	op = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .size = 16, .type = 7 };
	KUNIT_EXPECT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_EQ(test, freelisted(heap), (size_t)0);
	KUNIT_EXPECT_LE(test, heap->pinned, lim.max_bytes);
}

/* All heaps of a user share objheap_user_max_bytes. */
static void user_budget_holds_and_changes_nothing(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	unsigned long saved = objheap_user_max_bytes;
	struct objheap_op op = { .op = OBJHEAP_OP_NEW, .size = 4000 };
	struct heap_snapshot before;
	struct objheap_heap *second;

	kt_new(test, heap, 0, 0);
	WRITE_ONCE(objheap_user_max_bytes, objheap_user_pinned(heap) + 1000);
	snap(heap, &before);
	KUNIT_EXPECT_EQ(test, -EDQUOT, objheap_heap_op(heap, &op, NULL));
	expect_unchanged(test, heap, &before);
	/* No room for another heap of the same user either. */
	second = objheap_heap_create();
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(second), -EDQUOT);
	if (!IS_ERR(second))
		objheap_heap_destroy(second);
	WRITE_ONCE(objheap_user_max_bytes, saved);
	KUNIT_EXPECT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
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

/* The table's entry of @type, found by walking the whole tree. */
static struct objheap_type_stat *type_entry(struct objheap_heap *heap,
					    u32 type)
{
	struct rb_node *node;

	for (node = rb_first(&heap->types); node; node = rb_next(node)) {
		struct objheap_type_stat *ts;

		ts = rb_entry(node, struct objheap_type_stat, node);
		if (ts->type == type)
			return ts;
	}
	return NULL;
}

/* After everything died, the table holds the hot entry at most, empty. */
static void types_expect_only_hot(struct kunit *test,
				  struct objheap_heap *heap)
{
	struct objheap_type_stat *ts;
	struct rb_node *node;
	unsigned int n = 0;

	for (node = rb_first(&heap->types); node; node = rb_next(node)) {
		ts = rb_entry(node, struct objheap_type_stat, node);
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
		KUNIT_EXPECT_PTR_EQ(test, type_entry(heap, 7), hot);
	}
	op.type = 8;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_NULL(test, type_entry(heap, 7));
	KUNIT_EXPECT_EQ(test, heap->types_hot->type, 8U);
	kt_op(heap, OBJHEAP_OP_DROP, op.handle, 0, 0, NULL);
	types_expect_only_hot(test, heap);
}

/*
 * A heap holds at most OBJHEAP_MAX_TYPES tags at once (objects record an
 * index of 14 bits): one more fails with EDQUOT and changes nothing; a
 * known tag still works, and a tag whose last object died frees its index.
 */
static void type_table_full_fails_new_tags_only(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_op op = { .op = OBJHEAP_OP_NEW };
	u64 objects, bytes;
	u32 t, h100 = 0;

	for (t = 0; t < OBJHEAP_MAX_TYPES; t++) {
		op.type = t;
		KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
		if (t == 100)
			h100 = op.handle;
	}
	KUNIT_EXPECT_EQ(test, heap->type_cap, (u32)OBJHEAP_MAX_TYPES);
	objects = heap->objects;
	bytes = heap->bytes;
	op.type = OBJHEAP_MAX_TYPES;
	KUNIT_EXPECT_EQ(test, -EDQUOT, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_EQ(test, heap->objects, objects);
	KUNIT_EXPECT_EQ(test, heap->bytes, bytes);
	KUNIT_EXPECT_NULL(test, type_entry(heap, OBJHEAP_MAX_TYPES));

	op.type = 5;
	KUNIT_EXPECT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_DROP, h100, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, type_entry(heap, 100));
	op.type = OBJHEAP_MAX_TYPES;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_EXPECT_EQ(test, type_entry(heap, OBJHEAP_MAX_TYPES)->index,
			100U);
	for (t = 1; t <= heap->handles.cap; t++)
		kt_op(heap, OBJHEAP_OP_DROP, t, 0, 0, NULL);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	types_expect_only_hot(test, heap);
}

static struct kunit_case objheap_heap_cases[] = {
	KUNIT_CASE(types_top_sorts_by_bytes_across_chunks),
	KUNIT_CASE(types_hot_entry_stays_until_replaced),
	KUNIT_CASE(type_table_full_fails_new_tags_only),
	KUNIT_CASE(destroy_retires_the_counts),
	KUNIT_CASE(create_counts_and_destroy_uncounts),
	KUNIT_CASE(bad_operations_fail_and_change_nothing),
	KUNIT_CASE(limits_hold_and_change_nothing),
	KUNIT_CASE(limits_only_go_down),
	KUNIT_CASE(charges_cover_every_allocation),
	KUNIT_CASE(charge_drains_freelists_before_failing),
	KUNIT_CASE(user_budget_holds_and_changes_nothing),
	{}
};

struct kunit_suite objheap_heap_suite = {
	.name = "objheap_heap",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = objheap_heap_cases,
};
