// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_gcbench.ko: loading it measures the cycle collector, prints its
 * figures in the kernel log as "bench:" lines (format in bench_stats.h).
 * It holds nothing once loaded: unload it to run again.
 *
 *  - Full collections of 10^3 to 10^6 tracked objects shaped as a
 *    ring, a binary tree whose nodes also point at their parent, and a
 *    random graph (a ring plus one edge to a random node per node): ns per
 *    object while the structure is alive (pure scan) and once it is
 *    garbage (a collection that also frees it all; a new build each run).
 *    Next to it, the floor: one pass that only reads what the collection's
 *    edge pass reads (each slot's target header). Trial deletion is linear
 *    in objects and edges; what the machine charges per access is not (a
 *    random graph of 10^6 objects misses every cache and TLB), so the
 *    ratio of the two is the figure that should stay flat.
 *  - The pause of a young collection of YOUNG objects with 0, 10^4, 10^5
 *    and 10^6 objects in generation 2: the same young work, run in turn on
 *    the four heaps, median of REPEATS each.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "objheap.h"
#include "bench_stats.h"
#include "gc_graphs.h"

#define REPEATS		5
#define REPEATS_HUGE	3	/* garbage runs of 10^6: each needs a build */
#define YOUNG		700	/* CPython's threshold 0 */

/* A smoke run: graphs and old generations of at most 10^4 objects. */
static bool quick;
module_param(quick, bool, 0444);
MODULE_PARM_DESC(quick, "only graphs of up to 10^4 objects");
#define QUICK_MAX	10000

/* What walk() read, kept so that the compiler cannot drop the reads. */
static u64 walk_sink;

/* Read every slot's target header, as subtract_refs() does; ns. */
static u64 walk(struct objheap_heap *heap)
{
	struct list_head *list = &heap->gc.lists[OBJHEAP_GC_GENERATIONS - 1];
	struct objheap_gc_head *gch;
	u64 t0, sum = 0;
	u32 i;

	mutex_lock(&heap->lock);
	t0 = ktime_get_ns();
	list_for_each_entry(gch, list, link) {
		struct objheap_obj *obj = objheap_gc_obj(gch);

		for (i = 0; i < obj->nslots; i++)
			if (obj->slots[i])
				sum += READ_ONCE(obj->slots[i]->refs);
	}
	t0 = ktime_get_ns() - t0;
	mutex_unlock(&heap->lock);
	WRITE_ONCE(walk_sink, walk_sink + sum);
	cond_resched();
	return t0;
}

static u64 collect(struct objheap_heap *heap, u32 gen,
		   struct objheap_gc_collect *res)
{
	res->generation = gen;
	res->flags = 0;
	res->reserved = 0;
	objheap_gc_run(heap, res);
	cond_resched();
	return res->time_ns;
}

/* Tenths of ns per object. */
static u64 per_obj10(u64 ns, u64 n)
{
	return n ? ns * 10 / n : 0;
}

static const struct objheap_gc_params manual = { .threshold = { 700, 10, 10 } };

/* A heap without automatic collections, holding @n objects of @shape. */
static struct objheap_heap *build_heap(enum shape shape, u32 n,
				       struct objheap_obj **root)
{
	struct objheap_gc_collect res;
	struct objheap_heap *heap;

	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return heap;
	objheap_gc_set_params(heap, &manual);
	*root = build(heap, shape, n);
	if (!*root) {
		objheap_heap_destroy(heap);
		return ERR_PTR(-ENOMEM);
	}
	collect(heap, 2, &res);		/* settle into generation 2 */
	return heap;
}

/* Full collections of @n objects of @shape, alive and as garbage. */
static int bench_full(enum shape shape, u32 n)
{
	u64 live[REPEATS], floor[REPEATS], dead[REPEATS], ratio[REPEATS];
	int r, runs = n >= 1000000 ? REPEATS_HUGE : REPEATS, ret = 0;
	struct objheap_gc_collect res;
	struct objheap_heap *heap;
	struct objheap_obj *root;
	char params[96];

	heap = build_heap(shape, n, &root);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	for (r = 0; r < REPEATS; r++) {
		u64 t = collect(heap, 2, &res), w = walk(heap);

		if (res.scanned != n || res.collected)
			ret = -EINVAL;
		live[r] = per_obj10(t, n);
		floor[r] = per_obj10(w, n);
		ratio[r] = w ? t * 10 / w : 0;
	}
	release(heap, root);
	objheap_heap_destroy(heap);
	for (r = 0; r < runs && !ret; r++) {
		heap = build_heap(shape, n, &root);
		if (IS_ERR(heap))
			return PTR_ERR(heap);
		release(heap, root);
		dead[r] = per_obj10(collect(heap, 2, &res), n);
		if (res.collected != n || res.freed != n)
			ret = -EINVAL;
		objheap_heap_destroy(heap);
	}
	if (ret)
		return ret;
	snprintf(params, sizeof(params),
		 "group=gc_full impl=objheap-kmod shape=%s n=%u state=alive",
		 shape_name[shape], n);
	bench_report(params, "ns/object", live, REPEATS);
	snprintf(params, sizeof(params),
		 "group=gc_full impl=objheap-kmod shape=%s n=%u state=garbage",
		 shape_name[shape], n);
	bench_report(params, "ns/object", dead, runs);
	snprintf(params, sizeof(params),
		 "group=gc_floor impl=edge-read shape=%s n=%u", shape_name[shape], n);
	bench_report(params, "ns/object", floor, REPEATS);
	snprintf(params, sizeof(params),
		 "group=gc_floor impl=objheap-kmod/edge-read shape=%s n=%u",
		 shape_name[shape], n);
	bench_report(params, "x", ratio, REPEATS);
	return 0;
}

/*
 * YOUNG new objects: half garbage self-loops, half pinned by an extra
 * reference (as by a handle); time a collection of generation 0.
 */
static u64 young_round(struct objheap_heap *heap, struct objheap_obj **pins,
		       bool *failed)
{
	struct objheap_gc_collect res;
	struct objheap_obj *obj;
	u32 i;
	u64 t;

	mutex_lock(&heap->lock);
	for (i = 0; i < YOUNG; i++) {
		obj = objheap_obj_alloc(heap, 9, 1, 0, 0);
		if (IS_ERR(obj)) {
			*failed = true;
			break;
		}
		/* Odd: pinned by its allocation reference; even: garbage. */
		if (i % 2)
			pins[i / 2] = obj;
		else
			obj->slots[0] = obj;
	}
	mutex_unlock(&heap->lock);
	t = collect(heap, 0, &res);
	if (res.scanned != YOUNG || res.collected != YOUNG / 2)
		*failed = true;
	return t;
}

static void unpin(struct objheap_heap *heap, struct objheap_obj **pins,
		  u32 n)
{
	u32 i;

	mutex_lock(&heap->lock);
	for (i = 0; i < n; i++)
		if (pins[i])
			objheap_obj_put(heap, pins[i]);
	mutex_unlock(&heap->lock);
}

static const u32 old_sizes[] = { 0, 10000, 100000, 1000000 };
#define NR_OLD	ARRAY_SIZE(old_sizes)

/* Young pauses beside old generations of each of old_sizes[]. */
static int bench_young(void)
{
	struct objheap_heap *heap[NR_OLD];
	struct objheap_obj **pins[NR_OLD], *root[NR_OLD] = { };
	u64 t[NR_OLD][REPEATS];
	bool failed = false;
	char params[64];
	int h, r, nr = 0;

	while (nr < NR_OLD && !(quick && old_sizes[nr] > QUICK_MAX))
		nr++;
	for (h = 0; h < nr; h++) {
		pins[h] = kvcalloc(REPEATS * YOUNG / 2, sizeof(*pins[h]),
				   GFP_KERNEL);
		heap[h] = ERR_PTR(-ENOMEM);
		if (!pins[h])
			failed = true;
		else if (!old_sizes[h])
			heap[h] = objheap_heap_create();
		else
			heap[h] = build_heap(RING, old_sizes[h], &root[h]);
		if (IS_ERR(heap[h]))
			failed = true;
		else if (!old_sizes[h])
			objheap_gc_set_params(heap[h], &manual);
	}
	for (r = 0; r < REPEATS && !failed; r++)
		for (h = 0; h < nr; h++)
			/* ns / 100: tenths of a microsecond */
			t[h][r] = young_round(heap[h], pins[h] + r * YOUNG / 2,
					      &failed) / 100;
	for (h = 0; h < nr && !failed; h++) {
		snprintf(params, sizeof(params),
			 "group=gc_young impl=objheap-kmod old=%u young=%d",
			 old_sizes[h], YOUNG);
		bench_report(params, "us", t[h], REPEATS);
	}
	for (h = 0; h < nr; h++) {
		if (IS_ERR(heap[h])) {
			kvfree(pins[h]);
			continue;
		}
		if (pins[h])
			unpin(heap[h], pins[h], REPEATS * YOUNG / 2);
		kvfree(pins[h]);
		if (root[h])
			release(heap[h], root[h]);
		objheap_heap_destroy(heap[h]);
	}
	return failed ? -EINVAL : 0;
}

static int __init objheap_gcbench_init(void)
{
	static const u32 sizes[] = { 1000, 10000, 100000, 1000000 };
	int s, i, ret = 0;

	pr_info("bench: group=meta impl=objheap-kmod gc_repeats=%d young=%d\n",
		REPEATS, YOUNG);
	for (s = 0; s < NR_SHAPES && !ret; s++)
		for (i = 0; i < ARRAY_SIZE(sizes) && !ret; i++)
			if (!quick || sizes[i] <= QUICK_MAX)
				ret = bench_full(s, sizes[i]);
	if (!ret)
		ret = bench_young();
	pr_info("done%s\n", ret ? " (FAILED: wrong counts or no memory)" : "");
	return 0;
}
module_init(objheap_gcbench_init);

static void __exit objheap_gcbench_exit(void)
{
}
module_exit(objheap_gcbench_exit);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("objheap cycle collector benchmark");
MODULE_LICENSE("GPL");
