// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the GC event stream: one record per collection, with the
 * collection's figures, oldest first, and a count of what was dropped
 * when nobody read.
 */
#include <kunit/test.h>
#include <linux/workqueue.h>

#include "kunit_util.h"
#include "kunit_suites.h"

static void collect(struct kunit *test, struct objheap_heap *heap, u32 gen,
		    struct objheap_gc_collect *res)
{
	memset(res, 0, sizeof(*res));
	res->generation = gen;
	KUNIT_ASSERT_EQ(test, 0, objheap_gc_run(heap, res));
}

static void a_collection_leaves_one_record(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect res;
	struct objheap_gc_event rec;
	u32 h = kt_new(test, heap, 1, 0);

	KUNIT_EXPECT_FALSE(test, objheap_events_take(&heap->events, &rec));
	kt_set(test, heap, h, 0, h);
	kt_drop(test, heap, h);
	collect(test, heap, 1, &res);
	KUNIT_ASSERT_TRUE(test, objheap_events_take(&heap->events, &rec));
	KUNIT_EXPECT_EQ(test, rec.seq, 1ULL);
	KUNIT_EXPECT_EQ(test, rec.generation, 1U);
	KUNIT_EXPECT_EQ(test, rec.reason, (u32)OBJHEAP_GC_REASON_IOCTL);
	KUNIT_EXPECT_EQ(test, rec.scanned, 1ULL);
	KUNIT_EXPECT_EQ(test, rec.collected, 1ULL);
	KUNIT_EXPECT_EQ(test, rec.freed, 1ULL);
	KUNIT_EXPECT_EQ(test, rec.saved, 0ULL);
	KUNIT_EXPECT_EQ(test, rec.pause_ns, res.time_ns);
	KUNIT_EXPECT_EQ(test, rec.lost, 0ULL);
	KUNIT_EXPECT_GT(test, rec.time_ns, 0ULL);
	KUNIT_EXPECT_FALSE(test, objheap_events_take(&heap->events, &rec));
}

/* 40 collections, nobody reading: the last 32 stay, the first 8 are lost. */
static void unread_records_are_dropped_and_counted(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_collect res;
	struct objheap_gc_event rec;
	u64 seq;
	int i;

	for (i = 0; i < 40; i++)
		collect(test, heap, i % 3, &res);
	KUNIT_ASSERT_TRUE(test, objheap_events_take(&heap->events, &rec));
	KUNIT_EXPECT_EQ(test, rec.seq, 9ULL);
	KUNIT_EXPECT_EQ(test, rec.lost, 8ULL);
	KUNIT_EXPECT_EQ(test, rec.generation, 8U % 3);
	for (seq = 10; objheap_events_take(&heap->events, &rec); seq++) {
		KUNIT_EXPECT_EQ(test, rec.seq, seq);
		KUNIT_EXPECT_EQ(test, rec.lost, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, seq, 41ULL);
}

static void an_automatic_collection_says_so(struct kunit *test)
{
	struct objheap_gc_params p = {
		.flags = OBJHEAP_GC_ENABLED, .threshold = { 10, 10, 10 },
	};
	struct objheap_heap *heap = test->priv;
	struct objheap_gc_event rec;
	int i;

	KUNIT_ASSERT_EQ(test, 0, objheap_gc_set_params(heap, &p));
	for (i = 0; i < 11; i++)
		kt_new(test, heap, 1, 0);
	flush_work(&heap->gc.work);
	KUNIT_ASSERT_TRUE(test, objheap_events_take(&heap->events, &rec));
	KUNIT_EXPECT_EQ(test, rec.reason, (u32)OBJHEAP_GC_REASON_THRESHOLD);
	KUNIT_EXPECT_EQ(test, rec.generation, 0U);
	KUNIT_EXPECT_EQ(test, rec.scanned, 11ULL);
	KUNIT_EXPECT_EQ(test, rec.collected, 0ULL);
}

/* Fixed by default; only known formats, zero flags and reserved, set. */
static void the_format_is_checked_and_kept(struct kunit *test)
{
	struct objheap_heap *heap = test->priv;
	struct objheap_event_format fmt = { .format = OBJHEAP_EVENTS_SIZED };
	static const struct objheap_event_format bad[] = {
		{ .format = OBJHEAP_EVENTS_SIZED + 1 },
		{ .format = 0xffffffff },
		{ .format = OBJHEAP_EVENTS_SIZED, .flags = 1 },
		{ .format = OBJHEAP_EVENTS_FIXED, .reserved = 1ULL << 63 },
	};
	struct objheap_event_format got;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, objheap_events_get_format(&heap->events, &got));
	KUNIT_EXPECT_EQ(test, got.format, (u32)OBJHEAP_EVENTS_FIXED);
	KUNIT_ASSERT_EQ(test, 0, objheap_events_set_format(&heap->events, &fmt));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, -EINVAL,
				objheap_events_set_format(&heap->events, &bad[i]));
	KUNIT_ASSERT_EQ(test, 0, objheap_events_get_format(&heap->events, &got));
	KUNIT_EXPECT_EQ(test, got.format, (u32)OBJHEAP_EVENTS_SIZED);
	KUNIT_EXPECT_EQ(test, got.flags, 0U);
	KUNIT_EXPECT_EQ(test, got.reserved, 0ULL);
}

static struct kunit_case objheap_events_cases[] = {
	KUNIT_CASE(a_collection_leaves_one_record),
	KUNIT_CASE(unread_records_are_dropped_and_counted),
	KUNIT_CASE(an_automatic_collection_says_so),
	KUNIT_CASE(the_format_is_checked_and_kept),
	{}
};

struct kunit_suite objheap_events_suite = {
	.name = "objheap_events",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = objheap_events_cases,
};
