// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_bench.ko: loading it measures objheap's allocation path against
 * the slab it sits on, and prints one "bench:" line per figure (format in
 * bench_stats.h). It holds nothing once loaded: unload it to run again.
 *
 *  - group=alloc: per size class, ns per alloc+free pair when BATCH
 *    objects are allocated and then all freed (so the heap's freelist,
 *    64 objects by default, serves only part of them): objheap, objheap
 *    without freelist, kmem_cache_alloc/free, kmem_cache_zalloc/free and
 *    kmalloc/kfree. objheap zeroes every new object (no stale bytes may
 *    reach user space), so the zeroing slab figure is its like-for-like
 *    floor; the raw one is the floor the aims are stated against.
 *  - group=freelist: one object allocated and freed in a loop, the hot
 *    path: objheap's freelist hit against the slab's per-CPU freelist.
 *  - group=refcount: a get+put pair on a live object, against a bare
 *    refcount_inc()/refcount_dec_and_test() pair.
 *
 * Each figure is the median of REPEATS runs; every run times all
 * variants of a row, so drift hits them alike.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/slab.h>

#include "objheap.h"
#include "bench_stats.h"

#define BATCH		256
#define ROUNDS		200
#define REPEATS		7

static void *ptrs[BATCH];
static bool bench_failed;

/*
 * Tenths of ns per pair, over ROUNDS x (BATCH allocs + BATCH frees).
 * The expressions see the object slot as ptrs[k].
 */
#define TIME_BATCH(result, alloc_expr, free_expr) do {			\
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

/* The same count of pairs, each object freed before the next is taken. */
#define TIME_HOT(result, alloc_expr, free_expr) do {			\
	u64 t0 = ktime_get_ns();					\
	int k;								\
									\
	for (k = 0; k < ROUNDS * BATCH; k++) {				\
		ptrs[0] = (alloc_expr);					\
		free_expr;						\
	}								\
	(result) = (ktime_get_ns() - t0) * 10 / (ROUNDS * BATCH);	\
	cond_resched();							\
} while (0)

static void put_or_flag(struct objheap_heap *heap, struct objheap_obj *obj)
{
	if (!IS_ERR(obj))
		objheap_obj_put(heap, obj);
	else
		bench_failed = true;
}

/* objheap's path: pool (freelist first), header init, accounting. */
static u64 time_objheap(struct objheap_heap *heap, u32 nslots, u32 payload,
			unsigned int freelist_max, bool hot)
{
	u64 ns10;

	WRITE_ONCE(objheap_freelist_max, freelist_max);
	mutex_lock(&heap->lock);
	objheap_pool_drain(heap);
	if (hot)
		TIME_HOT(ns10, objheap_obj_alloc(heap, 0, nslots, payload, 0),
			 put_or_flag(heap, ptrs[0]));
	else
		TIME_BATCH(ns10, objheap_obj_alloc(heap, 0, nslots, payload, 0),
			   put_or_flag(heap, ptrs[k]));
	mutex_unlock(&heap->lock);
	return ns10;
}

enum { OH, OH_NOFL, KC, KC_ZERO, KM, NR_ALLOC };

static const char * const alloc_impl[NR_ALLOC] = {
	"objheap", "objheap-nofreelist", "kmem_cache", "kmem_cache-zero",
	"kmalloc",
};

/* One row of group=alloc: objects of @size bytes, @nslots of them slots. */
static int bench_alloc(struct objheap_heap *heap, unsigned int size,
		       u32 nslots, unsigned int freelist_max)
{
	u32 payload = size - objheap_obj_alloc_size(nslots, 0, 0);
	u64 t[NR_ALLOC][REPEATS];
	struct kmem_cache *cache;
	char params[96];
	int r, v;

	cache = kmem_cache_create("objheap-bench", size, 8, SLAB_ACCOUNT, NULL);
	if (!cache)
		return -ENOMEM;
	for (r = 0; r < REPEATS; r++) {
		t[OH][r] = time_objheap(heap, nslots, payload, freelist_max,
					false);
		t[OH_NOFL][r] = time_objheap(heap, nslots, payload, 0, false);
		TIME_BATCH(t[KC][r], kmem_cache_alloc(cache, GFP_KERNEL_ACCOUNT),
			   kmem_cache_free(cache, ptrs[k]));
		TIME_BATCH(t[KC_ZERO][r],
			   kmem_cache_zalloc(cache, GFP_KERNEL_ACCOUNT),
			   kmem_cache_free(cache, ptrs[k]));
		TIME_BATCH(t[KM][r], kmalloc(size, GFP_KERNEL_ACCOUNT),
			   kfree(ptrs[k]));
	}
	WRITE_ONCE(objheap_freelist_max, freelist_max);
	kmem_cache_destroy(cache);
	for (v = 0; v < NR_ALLOC; v++) {
		/* The container row has objheap variants only. */
		if (nslots && v > OH_NOFL)
			break;
		snprintf(params, sizeof(params),
			 "group=alloc impl=%s%s size=%u batch=%d",
			 alloc_impl[v], nslots ? "-container" : "", size, BATCH);
		bench_report(params, "ns", t[v], REPEATS);
	}
	return 0;
}

/* group=freelist: the hot path of a 48-byte two-slot container. */
static int bench_freelist(struct objheap_heap *heap,
			  unsigned int freelist_max)
{
	static const char * const impl[] = {
		"objheap", "objheap-nofreelist", "kmem_cache", "kmem_cache-zero",
	};
	u64 t[ARRAY_SIZE(impl)][REPEATS];
	struct kmem_cache *cache;
	char params[96];
	int r, v;

	cache = kmem_cache_create("objheap-bench", 48, 8, SLAB_ACCOUNT, NULL);
	if (!cache)
		return -ENOMEM;
	for (r = 0; r < REPEATS; r++) {
		t[0][r] = time_objheap(heap, 2, 0, freelist_max, true);
		t[1][r] = time_objheap(heap, 2, 0, 0, true);
		TIME_HOT(t[2][r], kmem_cache_alloc(cache, GFP_KERNEL_ACCOUNT),
			 kmem_cache_free(cache, ptrs[0]));
		TIME_HOT(t[3][r], kmem_cache_zalloc(cache, GFP_KERNEL_ACCOUNT),
			 kmem_cache_free(cache, ptrs[0]));
	}
	WRITE_ONCE(objheap_freelist_max, freelist_max);
	kmem_cache_destroy(cache);
	for (v = 0; v < ARRAY_SIZE(impl); v++) {
		snprintf(params, sizeof(params),
			 "group=freelist impl=%s size=48", impl[v]);
		bench_report(params, "ns", t[v], REPEATS);
	}
	return 0;
}

/* group=refcount: get+put on an object that stays alive. */
static int bench_refcount(struct objheap_heap *heap)
{
	u64 t[2][REPEATS];
	struct objheap_obj *obj;
	refcount_t bare;
	int r;

	mutex_lock(&heap->lock);
	obj = objheap_obj_alloc(heap, 0, 2, 0, 0);
	mutex_unlock(&heap->lock);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	refcount_set(&bare, 1);
	for (r = 0; r < REPEATS; r++) {
		mutex_lock(&heap->lock);
		TIME_HOT(t[0][r], (objheap_obj_get(obj), obj),
			 objheap_obj_put(heap, obj));
		mutex_unlock(&heap->lock);
		TIME_HOT(t[1][r], (refcount_inc(&bare), &bare),
			 bench_failed |= refcount_dec_and_test(&bare));
	}
	mutex_lock(&heap->lock);
	objheap_obj_put(heap, obj);
	mutex_unlock(&heap->lock);
	bench_report("group=refcount impl=objheap", "ns", t[0], REPEATS);
	bench_report("group=refcount impl=refcount_t", "ns", t[1], REPEATS);
	return 0;
}

static int __init objheap_bench_init(void)
{
	static const unsigned int sizes[] = { 16, 48, 64, 128, 256, 512, 1024, 4096 };
	unsigned int freelist_max = objheap_freelist_max;
	struct objheap_heap *heap;
	int i, ret = 0;

	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	pr_info("bench: group=meta impl=objheap-kmod repeats=%d pairs_per_run=%d freelist_max=%u\n",
		REPEATS, ROUNDS * BATCH, freelist_max);
	for (i = 0; i < ARRAY_SIZE(sizes) && !ret; i++)
		ret = bench_alloc(heap, sizes[i], 0, freelist_max);
	if (!ret)
		ret = bench_alloc(heap, 48, 2, freelist_max);
	if (!ret)
		ret = bench_freelist(heap, freelist_max);
	if (!ret)
		ret = bench_refcount(heap);
	objheap_heap_destroy(heap);
	pr_info("done%s\n", ret || bench_failed ? " (FAILED)" : "");
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
