// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of reference counting, handles and deallocation.
 */
#include <kunit/test.h>
#include <linux/ktime.h>

#include "kunit_util.h"
#include "kunit_suites.h"

static void counts_follow_handles_and_slots(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a, b, b2;

	a = kt_new(test, heap, 2, 0);
	b = kt_new(test, heap, 0, 16);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, b), 1U);

	KUNIT_ASSERT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_DUP, b, 0, 0, &b2));
	KUNIT_EXPECT_NE(test, b, b2);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, b), 2U);

	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, a, 1, b);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, b), 4U);

	/* Storing the same object again changes nothing. */
	kt_set(test, heap, a, 1, b2);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, b), 4U);

	kt_set(test, heap, a, 0, 0);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, b), 3U);
	kt_drop(test, heap, b2);
	kt_drop(test, heap, b);
	KUNIT_EXPECT_EQ(test, heap->objects, 2ULL);

	/* The slot still holds it; dropping the container frees both. */
	kt_drop(test, heap, a);
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
}

static void get_opens_a_handle_on_the_slot(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a, b, got;

	a = kt_new(test, heap, 1, 0);
	KUNIT_ASSERT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, a, 0, 0, &got));
	KUNIT_EXPECT_EQ(test, got, 0U);		/* empty */

	b = kt_new(test, heap, 0, 0);
	kt_set(test, heap, a, 0, b);
	kt_drop(test, heap, b);
	KUNIT_ASSERT_EQ(test, 0, kt_op(heap, OBJHEAP_OP_GET, a, 0, 0, &got));
	KUNIT_EXPECT_NE(test, got, 0U);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, got), 2U);
	KUNIT_EXPECT_EQ(test, heap->handles.used, 2U);
}

static void handles_are_small_and_reused(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 h[100];
	int i;

	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = kt_new(test, heap, 0, 0);
		KUNIT_EXPECT_EQ(test, h[i], (u32)i + 1);
	}
	KUNIT_EXPECT_EQ(test, heap->handles.used, 100U);
	kt_drop(test, heap, h[41]);
	KUNIT_EXPECT_NULL(test, objheap_handle_lookup(&heap->handles, h[41]));
	KUNIT_EXPECT_EQ(test, kt_new(test, heap, 0, 0), h[41]);
	KUNIT_EXPECT_NULL(test, objheap_handle_lookup(&heap->handles, 0));
	KUNIT_EXPECT_NULL(test, objheap_handle_lookup(&heap->handles, 101));
	KUNIT_EXPECT_NULL(test, objheap_handle_lookup(&heap->handles, U32_MAX));
}

static void a_self_loop_outlives_its_handle(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	u32 a;

	a = kt_new(test, heap, 1, 0);
	kt_set(test, heap, a, 0, a);
	KUNIT_EXPECT_EQ(test, kt_refcount(test, heap, a), 2U);
	kt_drop(test, heap, a);
	/* Reference counting alone cannot free a cycle; kt_exit() does. */
	KUNIT_EXPECT_EQ(test, heap->objects, 1ULL);
}

static void destroy_frees_cycles_and_what_hangs_off_them(struct kunit *test)
{
	struct objheap_heap *heap = objheap_heap_create();
	u32 a, b, leaf;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	a = kt_new(test, heap, 2, 0);
	b = kt_new(test, heap, 1, 100);
	leaf = kt_new(test, heap, 0, 5000);	/* a large one, too */
	kt_set(test, heap, a, 0, b);
	kt_set(test, heap, b, 0, a);
	kt_set(test, heap, a, 1, leaf);
	kt_drop(test, heap, a);
	kt_drop(test, heap, b);
	kt_drop(test, heap, leaf);
	KUNIT_EXPECT_EQ(test, heap->objects, 3ULL);
	/* KASAN and kmemleak watch this one: nothing may stay behind. */
	objheap_heap_destroy(heap);
}

/*
 * The trashcan case: dropping the head of a chain of a million objects
 * frees them all, in a loop, on a kernel stack of a few pages.
 */
static void dropping_a_million_long_chain_frees_it_all(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_obj *head, *next;
	const u32 n = 1000000;
	u64 t0, t1, t2;
	u32 i, h;

	/*
	 * Built under one lock hold, each new object taking over the reference
	 * to the previous head: a debug kernel under TCG spends its time in
	 * KASAN, kmemleak and lockdep, and a million trips through the
	 * operation path would take minutes. The drop below is the real path.
	 */
	t0 = ktime_get_ns();
	mutex_lock(&heap->lock);
	head = kt_obj_alloc(heap, 0, 1, 0);
	for (i = 1; head && i < n; i++) {
		next = kt_obj_alloc(heap, 0, 1, 0);
		if (!next)
			break;
		next->slots[0] = head;
		head = next;
		if (i % 4096 == 0)
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, heap->objects, (u64)n);
	h = 0;
	if (head && !objheap_handle_reserve(heap))
		h = objheap_handle_install(&heap->handles, head);
	else if (head)
		objheap_obj_put(heap, head);
	mutex_unlock(&heap->lock);
	KUNIT_ASSERT_NE(test, h, 0U);

	t1 = ktime_get_ns();
	kt_drop(test, heap, h);
	t2 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, heap->objects, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, heap->frees, (u64)n);
	kunit_info(test, "built in %llu ms, dropped in %llu ms\n",
		   (t1 - t0) / NSEC_PER_MSEC, (t2 - t1) / NSEC_PER_MSEC);
}

static struct kunit_case objheap_object_cases[] = {
	KUNIT_CASE(counts_follow_handles_and_slots),
	KUNIT_CASE(get_opens_a_handle_on_the_slot),
	KUNIT_CASE(handles_are_small_and_reused),
	KUNIT_CASE(a_self_loop_outlives_its_handle),
	KUNIT_CASE(destroy_frees_cycles_and_what_hangs_off_them),
	KUNIT_CASE(dropping_a_million_long_chain_frees_it_all),
	{}
};

struct kunit_suite objheap_object_suite = {
	.name = "objheap_object",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = objheap_object_cases,
};
