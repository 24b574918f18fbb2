// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the heap lifecycle.
 */
#include <kunit/test.h>
#include <linux/err.h>

#include "objheap.h"
#include "kunit_suites.h"

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

static struct kunit_case objheap_heap_cases[] = {
	KUNIT_CASE(create_counts_and_destroy_uncounts),
	{}
};

struct kunit_suite objheap_heap_suite = {
	.name = "objheap_heap",
	.test_cases = objheap_heap_cases,
};
