// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_bench.ko: loading it measures allocation and free per size class
 * through objheap's own path against the raw slab and kmalloc, prints one
 * line per class. It holds nothing once loaded: unload it to run again.
 *
 * Pattern: allocate BATCH objects, free them all, repeat; each figure is
 * the median of REPEATS runs, in ns per alloc+free pair. objheap zeroes
 * every new object (no stale bytes may reach user space); the raw slab
 * and kmalloc figures do not zero.
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

/*
 * ns * 10 per alloc+free pair, over ROUNDS x (BATCH allocs + BATCH frees).
 * The expressions see the object slot as ptrs[k].
 */
#define TIME_ONE(result, alloc_expr, free_expr) do {			\
	u64 t0 = ktime_get_ns();					\
	int round_, k;							\
									\
	for (round_ = 0; round_ < ROUNDS; round_++) {			\
		for (k = 0; k < BATCH; k++)				\
			ptrs[k] = (alloc_expr);				\
		for (k = 0; k < BATCH; k++)				\
			free_expr;					\
	}								\
	(result) = (ktime_get_ns() - t0) * 10 / (ROUNDS * BATCH);	\
	cond_resched();							\
} while (0)

static bool bench_failed;

static void put_or_flag(struct objheap_heap *heap, struct objheap_obj *obj)
{
	if (obj)
		objheap_obj_put(heap, obj);
	else
		bench_failed = true;
}

/* objheap's path: pool (freelist first), header init, accounting. */
static u64 time_objheap(struct objheap_heap *heap, u32 payload,
			unsigned int freelist_max)
{
	u64 ns10;

	WRITE_ONCE(objheap_freelist_max, freelist_max);
	mutex_lock(&heap->lock);
	objheap_pool_drain(heap);
	TIME_ONE(ns10, objheap_obj_alloc(heap, 0, 0, payload),
		 put_or_flag(heap, ptrs[k]));
	mutex_unlock(&heap->lock);
	return ns10;
}

static u64 median(u64 *t)
{
	sort(t, REPEATS, sizeof(t[0]), cmp_u64, NULL);
	return t[REPEATS / 2];
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
	u64 oh[REPEATS], nofl[REPEATS], kc[REPEATS], km[REPEATS];
	struct objheap_heap *heap;
	int i, r;

	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	pr_info("alloc+free pairs, %d x %d per run, median of %d runs, variants interleaved\n",
		ROUNDS, BATCH, REPEATS);
	for (i = 0; i < ARRAY_SIZE(sizes) && !bench_failed; i++) {
		u32 payload = sizes[i] - sizeof(struct objheap_obj);
		struct kmem_cache *cache;

		cache = kmem_cache_create("objheap-bench", sizes[i], 8,
					  SLAB_ACCOUNT, NULL);
		if (!cache)
			break;
		/* Each run times every variant, so drift hits them alike. */
		for (r = 0; r < REPEATS; r++) {
			oh[r] = time_objheap(heap, payload, saved_max);
			nofl[r] = time_objheap(heap, payload, 0);
			TIME_ONE(kc[r], kmem_cache_alloc(cache, GFP_KERNEL_ACCOUNT),
				 kmem_cache_free(cache, ptrs[k]));
			TIME_ONE(km[r], kmalloc(sizes[i], GFP_KERNEL_ACCOUNT),
				 kfree(ptrs[k]));
		}
		WRITE_ONCE(objheap_freelist_max, saved_max);
		kmem_cache_destroy(cache);
		print_row(sizes[i], median(oh), median(nofl), median(kc), median(km));
	}
	objheap_heap_destroy(heap);
	pr_info("done%s\n", bench_failed ? " (an allocation failed)" : "");
	return 0;
}
module_init(objheap_bench_init);

static void __exit objheap_bench_exit(void)
{
}
module_exit(objheap_bench_exit);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("objheap allocation benchmark");
MODULE_LICENSE("GPL");
