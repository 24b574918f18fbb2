// SPDX-License-Identifier: GPL-2.0
/*
 * The concurrent paths, with the module's locking as it is: mutators and
 * collections on one heap, automatic collections from the workqueue's
 * thread, the shrinker, debugfs's collection of every heap, and heaps
 * closed while those run. Built under ThreadSanitizer by make userland
 * (SAN=thread), where any data race is a failure; under ASan as well.
 */
#include <pthread.h>

#include "uheap.h"
#include "utest.h"

#define MUTATORS	3
#define ROUNDS		3000

struct mutator {
	struct objheap_heap *heap;
	unsigned int seed;
	u32 h[64];
	unsigned int n;
	long errors;
};

static unsigned int rnd(unsigned int *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 16;
}

/* Random work on the thread's own handles; cycles included. */
static void *mutate(void *arg)
{
	struct mutator *mu = arg;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		unsigned int r = rnd(&mu->seed) % 8;
		long ret;

		if (mu->n < 2 || (r < 3 && mu->n < 64)) {
			ret = uh_new(mu->heap, 1 + r, 1 + r % 3, r * 8);
			if (ret > 0)
				mu->h[mu->n++] = ret;
			else
				mu->errors++;
		} else if (r < 5) {
			u32 a = mu->h[rnd(&mu->seed) % mu->n];
			u32 b = mu->h[rnd(&mu->seed) % mu->n];

			mu->errors += uh_set(mu->heap, a, 0, b) != 0;
		} else if (r < 7) {
			unsigned int k = rnd(&mu->seed) % mu->n;

			mu->errors += uh_drop(mu->heap, mu->h[k]) != 0;
			mu->h[k] = mu->h[--mu->n];
		} else {
			struct objheap_heap_stats st;

			mu->errors += uh_stats(mu->heap, &st) != 0;
		}
	}
	while (mu->n)
		mu->errors += uh_drop(mu->heap, mu->h[--mu->n]) != 0;
	return NULL;
}

static bool stop;

/* Collections of every generation, as fast as they come. */
static void *collector(void *arg)
{
	struct objheap_heap *heap = arg;
	unsigned int gen = 0;

	while (!READ_ONCE(stop)) {
		ASSERT_EQ(uh_collect(heap, gen++ % 3, NULL), 0);
		sched_yield();
	}
	return NULL;
}

/* Reclaim, and debugfs's "collect" file, against every heap. */
static void *reclaimer(void *arg)
{
	while (!READ_ONCE(stop)) {
		kshim_shrink_count();
		kshim_shrink_scan(16);
		objheap_pool_shrink(8);
		objheap_collect_all();
		sched_yield();
	}
	return NULL;
}

TEST_TIMEOUT(mutators_and_collections_share_a_heap, 300)
{
	struct mutator mu[MUTATORS];
	pthread_t t[MUTATORS], coll, recl;
	struct objheap_heap *heap;
	struct objheap_heap_stats st;
	int i;

	uh_load();
	heap = uh_open();
	/* Automatic collections too, from the workqueue's thread. */
	ASSERT_EQ(uh_set_gc(heap, OBJHEAP_GC_ENABLED, 50, 5, 5), 0);
	for (i = 0; i < MUTATORS; i++) {
		mu[i] = (struct mutator){ .heap = heap, .seed = 7 + i };
		ASSERT_EQ(pthread_create(&t[i], NULL, mutate, &mu[i]), 0);
	}
	ASSERT_EQ(pthread_create(&coll, NULL, collector, heap), 0);
	ASSERT_EQ(pthread_create(&recl, NULL, reclaimer, NULL), 0);
	for (i = 0; i < MUTATORS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(mu[i].errors, 0);
	}
	WRITE_ONCE(stop, true);
	pthread_join(coll, NULL);
	pthread_join(recl, NULL);
	/* Every handle is closed: one full collection leaves nothing. */
	ASSERT_EQ(uh_collect(heap, 2, NULL), 0);
	ASSERT_EQ(uh_stats(heap, &st), 0);
	EXPECT_EQ(st.objects, 0);
	uh_close(heap);
	uh_unload();
}

/* Heaps opened, filled with cycles and closed while reclaim runs. */
static void *churn(void *arg)
{
	unsigned int i, seed = (unsigned int)(uintptr_t)arg;

	for (i = 0; i < 60; i++) {
		struct objheap_heap *heap = uh_open();
		unsigned int j, k = 1 + rnd(&seed) % 200;
		long prev = 0;

		ASSERT_EQ(uh_set_gc(heap, OBJHEAP_GC_ENABLED, 20, 2, 2), 0);
		for (j = 0; j < k; j++) {
			long h = uh_new(heap, 1, 1, 16);

			ASSERT_GT(h, 0);
			if (prev) {
				ASSERT_EQ(uh_set(heap, h, 0, prev), 0);
				ASSERT_EQ(uh_set(heap, prev, 0, h), 0);
			}
			if (j % 3 == 0)
				ASSERT_EQ(uh_drop(heap, h), 0);
			else
				prev = h;
		}
		uh_close(heap);
	}
	return NULL;
}

TEST_TIMEOUT(heaps_close_while_reclaim_runs, 300)
{
	pthread_t t[2], recl;
	int i;

	uh_load();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)), 0);
	ASSERT_EQ(pthread_create(&recl, NULL, reclaimer, NULL), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	WRITE_ONCE(stop, true);
	pthread_join(recl, NULL);
	uh_unload();
}
