// SPDX-License-Identifier: GPL-2.0
/*
 * Many threads on one heap, and on many heaps: every count must come out
 * exact, and nothing may be left behind.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define THREADS		4
#define ROUNDS		500
#define SHARED_SLOTS	64

struct worker {
	int fd;
	__u32 shared;	/* a container every thread stores into */
	int id;
	int errors;
};

/*
 * Each round: build a small private structure, publish one object in a
 * shared slot (replacing another thread's), read a slot back, tear the
 * private structure down.
 */
static void *hammer(void *arg)
{
	struct worker *w = arg;
	__u32 slot, got;

	for (int i = 0; i < ROUNDS; i++) {
		__u32 box = oh_new(w->fd, w->id, 2, 0);
		__u32 leaf = oh_new(w->fd, w->id, 0, 32);
		char buf[32];

		if (!box || !leaf) {
			w->errors++;
			continue;
		}
		memset(buf, w->id, sizeof(buf));
		slot = (i * 7 + w->id) % SHARED_SLOTS;
		w->errors += oh_set(w->fd, box, 0, leaf) != 0;
		w->errors += oh_set(w->fd, box, 1, box) != 0;	/* self-loop */
		w->errors += oh_set(w->fd, box, 1, 0) != 0;
		w->errors += oh_rw(w->fd, OBJHEAP_IOC_WRITE, leaf, 0, buf, 32) != 0;
		w->errors += oh_set(w->fd, w->shared, slot, leaf) != 0;
		w->errors += oh_get(w->fd, w->shared, (slot + 1) % SHARED_SLOTS,
				    &got) != 0;
		if (got)
			w->errors += oh_drop(w->fd, got) != 0;
		w->errors += oh_drop(w->fd, leaf) != 0;
		w->errors += oh_drop(w->fd, box) != 0;
	}
	return NULL;
}

/*
 * Objects allocated and not freed, over all heaps ever opened (debugfs
 * counts destroyed heaps' allocations and frees too): unlike the live
 * heaps' object count, a heap that leaked objects when it closed shows.
 */
static long live_objects(void)
{
	return objheap_stat("stats", "allocs") - objheap_stat("stats", "frees");
}

/* Plain TESTs cannot set a timeout; TCG needs more than the default 30 s. */
FIXTURE(threads) {
};

FIXTURE_SETUP(threads)
{
}

FIXTURE_TEARDOWN(threads)
{
}

TEST_F_TIMEOUT(threads, hammering_one_heap_keep_exact_counts, 300)
{
	long before = live_objects();
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int fd = open(OBJHEAP_DEV, O_RDWR);
	__u32 shared, got;
	int filled = 0;

	ASSERT_LE(0, fd);
	shared = oh_new(fd, 0, SHARED_SLOTS, 0);
	ASSERT_NE(0, shared);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fd = fd, .shared = shared, .id = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer, &w[i]));
	}
	for (int i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, w[i].errors) TH_LOG("thread %d", i + 1);
	}

	/* Left: the shared container and one leaf per filled slot. */
	for (int s = 0; s < SHARED_SLOTS; s++) {
		ASSERT_EQ(0, oh_get(fd, shared, s, &got));
		if (!got)
			continue;
		filled++;
		EXPECT_EQ(2, oh_refcount(fd, got));
		EXPECT_EQ(0, oh_drop(fd, got));
	}
	EXPECT_EQ(SHARED_SLOTS, filled);
	EXPECT_EQ(before + 1 + filled, live_objects());
	EXPECT_EQ(1, oh_refcount(fd, shared));
	EXPECT_EQ(0, oh_drop(fd, shared));
	EXPECT_EQ(before, live_objects());
	close(fd);
}

static void *own_heap(void *arg)
{
	struct worker *w = arg;

	w->fd = open(OBJHEAP_DEV, O_RDWR);
	if (w->fd < 0) {
		w->errors++;
		return NULL;
	}
	w->shared = oh_new(w->fd, 0, SHARED_SLOTS, 0);
	hammer(w);
	close(w->fd);	/* frees whatever the shared container still holds */
	return NULL;
}

TEST_F_TIMEOUT(threads, on_their_own_heaps_leave_nothing_behind, 300)
{
	long before = live_objects();
	struct worker w[THREADS];
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .id = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, own_heap, &w[i]));
	}
	for (int i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, w[i].errors) TH_LOG("thread %d", i + 1);
	}
	EXPECT_EQ(before, live_objects());
}

TEST(closing_a_heap_frees_cycles_and_everything_else)
{
	long before = live_objects();
	int fd = open(OBJHEAP_DEV, O_RDWR);
	__u32 a, b;

	ASSERT_LE(0, fd);
	a = oh_new(fd, 0, 1, 0);
	b = oh_new(fd, 0, 1, 5000);
	ASSERT_EQ(0, oh_set(fd, a, 0, b));
	ASSERT_EQ(0, oh_set(fd, b, 0, a));
	ASSERT_EQ(0, oh_drop(fd, a));
	ASSERT_EQ(0, oh_drop(fd, b));
	for (int i = 0; i < 100; i++)
		ASSERT_NE(0, oh_new(fd, 0, i % 4, i));
	EXPECT_EQ(before + 102, live_objects());
	close(fd);
	EXPECT_EQ(before, live_objects());
}

TEST_HARNESS_MAIN
