// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the pools: the class table, the freelists and the
 * shrinker.
 */
#include <kunit/test.h>
#include <linux/kasan.h>

#include "kunit_util.h"
#include "kunit_suites.h"

static void every_size_gets_the_smallest_class_that_fits(struct kunit *test)
{
	unsigned int class, prev = 0;
	size_t size;

	for (size = 1; size <= 4096; size++) {
		class = objheap_size_to_class(size);
		KUNIT_ASSERT_LT(test, class, OBJHEAP_NR_CLASSES);
		KUNIT_EXPECT_GE(test, objheap_class_size(class), size);
		if (class)
			KUNIT_EXPECT_LT(test, objheap_class_size(class - 1), size);
		KUNIT_EXPECT_GE(test, class, prev);
		prev = class;
	}
	KUNIT_EXPECT_EQ(test, objheap_size_to_class(4097), OBJHEAP_CLASS_LARGE);
	KUNIT_EXPECT_EQ(test, objheap_class_size(OBJHEAP_CLASS_LARGE), 0U);
}

static void a_freed_object_is_reused(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	unsigned int class = objheap_size_to_class(objheap_obj_alloc_size(2, 0, 0));
	struct objheap_obj *first, *again;
	u32 h;

	kt_freelists_on(test);
	h = kt_new(test, heap, 2, 0);
	first = objheap_handle_lookup(&heap->handles, h);
	kt_drop(test, heap, h);
	KUNIT_EXPECT_EQ(test, heap->free[class].count, 1U);

	h = kt_new(test, heap, 2, 0);
	again = objheap_handle_lookup(&heap->handles, h);
	KUNIT_EXPECT_PTR_EQ(test, first, again);
	KUNIT_EXPECT_EQ(test, heap->free[class].count, 0U);
	KUNIT_EXPECT_EQ(test, heap->free[class].hits, 1ULL);
	KUNIT_EXPECT_EQ(test, heap->free[class].misses, 1ULL);
}

/*
 * Under generic KASAN, a freelisted object is poisoned as freed memory
 * (a use after DROP is reported) and usable again once reused.
 */
static void a_freelisted_object_is_poisoned(struct kunit *test)
{
#ifdef CONFIG_KASAN_GENERIC
	struct objheap_heap *heap = test->priv;
	unsigned int class = objheap_size_to_class(objheap_obj_alloc_size(0, 40, 0));
	const u8 *shadow;
	void *mem;
	u32 h;

	kt_freelists_on(test);
	h = kt_new(test, heap, 0, 40);
	mem = objheap_handle_lookup(&heap->handles, h);
	shadow = kasan_mem_to_shadow(mem);
	KUNIT_EXPECT_EQ(test, shadow[0], 0);
	kt_drop(test, heap, h);
	KUNIT_ASSERT_PTR_EQ(test, (void *)heap->free[class].head, mem);
	/* Every granule of the class, header included, reads as freed. */
	KUNIT_EXPECT_EQ(test, shadow[0], 0xFB);
	KUNIT_EXPECT_EQ(test, shadow[objheap_class_size(class) / 8 - 1], 0xFB);

	h = kt_new(test, heap, 0, 40);
	KUNIT_EXPECT_PTR_EQ(test, objheap_handle_lookup(&heap->handles, h), mem);
	KUNIT_EXPECT_EQ(test, shadow[0], 0);
	KUNIT_EXPECT_EQ(test, shadow[objheap_class_size(class) / 8 - 1], 0);
#else
	kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
#endif
}

static void a_reused_object_is_zeroed(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_op op = { .op = OBJHEAP_OP_WRITE, .count = 32 };
	unsigned int class;
	u8 buf[32];
	u32 h, leaf;
	int i;

	kt_freelists_on(test);
	h = kt_new(test, heap, 1, 32);
	leaf = kt_new(test, heap, 0, 0);
	kt_set(test, heap, h, 0, leaf);
	memset(buf, 0xa5, sizeof(buf));
	op.handle = h;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, buf));
	kt_drop(test, heap, h);

	h = kt_new(test, heap, 1, 32);
	class = objheap_size_to_class(objheap_obj_alloc_size(1, 32, 0));
	KUNIT_EXPECT_EQ(test, heap->free[class].hits, 1ULL);
	op.op = OBJHEAP_OP_READ;
	op.handle = h;
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, buf));
	for (i = 0; i < sizeof(buf); i++)
		KUNIT_EXPECT_EQ(test, buf[i], 0);
	KUNIT_EXPECT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, h, 0, 0, &leaf));
	KUNIT_EXPECT_EQ(test, leaf, 0U);
}

static void freelists_are_bounded(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	unsigned int class = objheap_size_to_class(objheap_obj_alloc_size(0, 8, 0));
	unsigned int i, max;
	u32 *h;

	kt_freelists_on(test);
	max = READ_ONCE(objheap_freelist_max);
	h = kunit_kcalloc(test, max + 10, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < max + 10; i++)
		h[i] = kt_new(test, heap, 0, 8);
	for (i = 0; i < max + 10; i++)
		kt_drop(test, heap, h[i]);
	/*
	 * Full at drop max + 1: OBJHEAP_POOL_RELEASE go back to the slab in
	 * one bulk free, then the list grows again.
	 */
	KUNIT_EXPECT_LE(test, heap->free[class].count, max);
	if (max >= OBJHEAP_POOL_RELEASE)
		KUNIT_EXPECT_EQ(test, heap->free[class].count,
				max - OBJHEAP_POOL_RELEASE + 10);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
}

/* Fill @heap's freelist of one class with @n objects. */
static void fill_freelist(struct kunit *test, struct objheap_heap *heap,
			  unsigned int n)
{
	u32 *h = kunit_kcalloc(test, n, sizeof(*h), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < n; i++)
		h[i] = kt_new(test, heap, 0, 24);
	for (i = 0; i < n; i++)
		kt_drop(test, heap, h[i]);
}

static void the_shrinker_empties_freelists(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	unsigned int class = objheap_size_to_class(objheap_obj_alloc_size(0, 24, 0));

	kt_freelists_on(test);
	fill_freelist(test, heap, 20);
	KUNIT_ASSERT_EQ(test, heap->free[class].count, 20U);
	/* No other heap is open while the KUnit suites run. */
	KUNIT_EXPECT_EQ(test, objheap_pool_shrink(5), 5UL);
	KUNIT_EXPECT_EQ(test, heap->free[class].count, 15U);
	objheap_pool_shrink(ULONG_MAX);
	KUNIT_EXPECT_EQ(test, heap->free[class].count, 0U);
}

static void the_shrinker_skips_a_busy_heap(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	unsigned int class = objheap_size_to_class(objheap_obj_alloc_size(0, 24, 0));

	kt_freelists_on(test);
	fill_freelist(test, heap, 10);
	mutex_lock(&heap->lock);
	objheap_pool_shrink(ULONG_MAX);
	KUNIT_EXPECT_EQ(test, heap->free[class].count, 10U);
	mutex_unlock(&heap->lock);
	objheap_pool_shrink(ULONG_MAX);
	KUNIT_EXPECT_EQ(test, heap->free[class].count, 0U);
}

static void large_objects_bypass_the_pools(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_info info = { 0 };

	info.handle = kt_new(test, heap, 4, 8192);
	KUNIT_ASSERT_EQ(test, 0, objheap_heap_info(heap, &info));
	KUNIT_EXPECT_EQ(test, info.size_class, 0U);
	KUNIT_EXPECT_EQ(test, info.alloc_size,
			(u32)objheap_obj_alloc_size(4, 8192, 0));
	KUNIT_EXPECT_EQ(test, heap->bytes, (u64)info.alloc_size);
	kt_drop(test, heap, info.handle);
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
}

static struct kunit_case objheap_pool_cases[] = {
	KUNIT_CASE(every_size_gets_the_smallest_class_that_fits),
	KUNIT_CASE(a_freed_object_is_reused),
	KUNIT_CASE(a_freelisted_object_is_poisoned),
	KUNIT_CASE(a_reused_object_is_zeroed),
	KUNIT_CASE(freelists_are_bounded),
	KUNIT_CASE(the_shrinker_empties_freelists),
	KUNIT_CASE(the_shrinker_skips_a_busy_heap),
	KUNIT_CASE(large_objects_bypass_the_pools),
	{}
};

struct kunit_suite objheap_pool_suite = {
	.name = "objheap_pool",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = objheap_pool_cases,
};
