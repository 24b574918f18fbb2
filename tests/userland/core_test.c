// SPDX-License-Identifier: GPL-2.0
/* The core's behaviour, natively: objects, the collector, the dispatcher. */
#include "uheap.h"
#include "utest.h"

/* A ring of @n containers, each pointing at the next; no handle kept. */
static void make_ring(struct objheap_heap *heap, unsigned int n)
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
	ASSERT_EQ(uh_set(heap, prev, 0, first), 0);
	if (prev != first)
		ASSERT_EQ(uh_drop(heap, prev), 0);
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

