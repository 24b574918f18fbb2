// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_bench.ko: loading it measures allocation and free per size class
 * through objheap's own path against the raw slab and kmalloc, prints one
 * line per class, and fails the load with -EAGAIN so that nothing stays
 * behind (as the kernel's test_* modules do).
 *
 * Pattern: allocate BATCH objects, free them all, repeat; each figure is
 * the median of REPEATS runs, in ns per alloc+free pair.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "objheap.h"

#define BATCH		256
#define ROUNDS		200
#define REPEATS		7

static void *ptrs[BATCH];

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median of REPEATS timings of ROUNDS x (BATCH allocs + BATCH frees). */
#define MEASURE(result, alloc_expr, free_expr) do {			\
	u64 t[REPEATS];							\
	int r, i, k;							\
									\
	for (r = 0; r < REPEATS; r++) {					\
		u64 t0 = ktime_get_ns();				\
									\
		for (i = 0; i < ROUNDS; i++) {				\
			for (k = 0; k < BATCH; k++)			\
				ptrs[k] = (alloc_expr);			\
			for (k = 0; k < BATCH; k++)			\
				free_expr;				\
		}							\
		t[r] = ktime_get_ns() - t0;				\
		cond_resched();						\
	}								\
	sort(t, REPEATS, sizeof(t[0]), cmp_u64, NULL);			\
	(result) = t[REPEATS / 2] * 10 / (ROUNDS * BATCH);		\
} while (0)

static bool bench_failed;

static void put_or_flag(struct objheap_heap *heap, struct objheap_obj *obj)
{
	if (obj)
		objheap_obj_put(heap, obj);
	else
		bench_failed = true;
}

/* objheap's path: pool (freelist first) + header init + accounting. */
static u64 bench_objheap(struct objheap_heap *heap, u32 payload)
{
	u64 ns10;

	bench_failed = false;
	mutex_lock(&heap->lock);
	MEASURE(ns10, objheap_obj_alloc(heap, 0, 0, payload),
		put_or_flag(heap, ptrs[k]));
	mutex_unlock(&heap->lock);
	return bench_failed ? 0 : ns10;
}

static u64 bench_cache(struct kmem_cache *cache)
{
	u64 ns10;

	MEASURE(ns10, kmem_cache_alloc(cache, GFP_KERNEL_ACCOUNT),
		kmem_cache_free(cache, ptrs[k]));
	return ns10;
}

static u64 bench_kmalloc(size_t size)
{
	u64 ns10;

	MEASURE(ns10, kmalloc(size, GFP_KERNEL_ACCOUNT), kfree(ptrs[k]));
	return ns10;
}

static void print_row(unsigned int size, u64 oh, u64 oh_nofl, u64 kc, u64 km)
{
	pr_info("size %4u: objheap %llu.%llu ns, objheap-no-freelist %llu.%llu ns, kmem_cache %llu.%llu ns, kmalloc %llu.%llu ns, objheap/kmem_cache %llu.%02llu\n",
		size, oh / 10, oh % 10, oh_nofl / 10, oh_nofl % 10,
		kc / 10, kc % 10, km / 10, km % 10,
		kc ? oh / kc : 0, kc ? (oh * 100 / kc) % 100 : 0);
}

static int __init objheap_bench_init(void)
{
	static const unsigned int sizes[] = { 16, 48, 64, 128, 256, 512, 1024, 4096 };
	unsigned int saved_max = objheap_freelist_max;
	struct objheap_heap *heap;
	int i;

	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	pr_info("alloc+free pairs, %d x %d per run, median of %d runs\n",
		ROUNDS, BATCH, REPEATS);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 payload = sizes[i] - sizeof(struct objheap_obj);
		struct kmem_cache *cache;
		u64 oh, oh_nofl, kc, km;

		cache = kmem_cache_create("objheap-bench", sizes[i], 8,
					  SLAB_ACCOUNT, NULL);
		if (!cache)
			break;
		WRITE_ONCE(objheap_freelist_max, saved_max);
		oh = bench_objheap(heap, payload);
		WRITE_ONCE(objheap_freelist_max, 0);
		mutex_lock(&heap->lock);
		objheap_pool_drain(heap);
		mutex_unlock(&heap->lock);
		oh_nofl = bench_objheap(heap, payload);
		WRITE_ONCE(objheap_freelist_max, saved_max);
		kc = bench_cache(cache);
		km = bench_kmalloc(sizes[i]);
		kmem_cache_destroy(cache);
		print_row(sizes[i], oh, oh_nofl, kc, km);
	}
	objheap_heap_destroy(heap);
	pr_info("done\n");
	return -EAGAIN;
}
module_init(objheap_bench_init);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("objheap allocation benchmark");
MODULE_LICENSE("GPL");
