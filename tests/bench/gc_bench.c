// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_gcbench.ko: loading it measures the cycle collector, prints its
 * figures in the kernel log. It holds nothing once loaded: unload it to
 * run again.
 *
 *  - Full collections of 10^4, 10^5 and 10^6 tracked objects shaped as a
 *    ring, a binary tree whose nodes also point at their parent, and a
 *    random graph (a ring plus one edge to a random node per node): ns per
 *    object while the structure is alive (median of REPEATS, pure scan)
 *    and once it is garbage (one collection that also frees it all).
 *    Next to it, the floor: one pass that only reads what the collection's
 *    edge pass reads (each slot's target header). Trial deletion is linear
 *    in objects and edges; what the machine charges per access is not (a
 *    random graph of 10^6 objects misses every cache and TLB), so the
 *    ratio of the two is the figure that should stay flat.
 *  - The pause of a young collection of YOUNG objects with nothing in
 *    generation 2, and with 10^6 objects there: the same young work, run
 *    alternately on the two heaps, median of REPEATS each.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "objheap.h"

#define REPEATS		5
#define YOUNG		700	/* CPython's threshold 0 */
#define OLD		1000000

enum shape { RING, TREE, RANDOM, NR_SHAPES };

static const char * const shape_name[NR_SHAPES] = {
	"ring", "tree+parent", "random",
};

static const u32 shape_slots[NR_SHAPES] = { 1, 3, 2 };

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *t, int n)
{
	sort(t, n, sizeof(t[0]), cmp_u64, NULL);
	return t[n / 2];
}

/* xorshift32: the same graph on every run and kernel. */
static u32 rnd_next(u32 *state)
{
	u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static void link_obj(struct objheap_obj *from, u32 slot,
		     struct objheap_obj *to)
{
	objheap_obj_get(to);
	from->slots[slot] = to;
}

/*
 * Build @n objects of @shape under the heap lock. The allocation
 * reference of object 0 is kept, as a handle would be: the root. Returns
 * it, or NULL when memory ran out (everything built is released).
 */
static struct objheap_obj *build(struct objheap_heap *heap, enum shape shape,
				 u32 n)
{
	struct objheap_obj **o, *root = NULL;
	u32 i, seed = 2463534242U;

	o = kvmalloc_array(n, sizeof(*o), GFP_KERNEL);
	if (!o)
		return NULL;
	mutex_lock(&heap->lock);
	for (i = 0; i < n; i++) {
		o[i] = objheap_obj_alloc(heap, shape, shape_slots[shape], 0);
		if (!o[i])
			break;
		if (i % 4096 == 0)
			cond_resched();
	}
	if (i == n) {
		for (i = 0; i < n; i++) {
			switch (shape) {
			case RING:
				link_obj(o[i], 0, o[(i + 1) % n]);
				break;
			case TREE:
				if (2 * i + 1 < n)
					link_obj(o[i], 0, o[2 * i + 1]);
				if (2 * i + 2 < n)
					link_obj(o[i], 1, o[2 * i + 2]);
				if (i)
					link_obj(o[i], 2, o[(i - 1) / 2]);
				break;
			default:
				link_obj(o[i], 0, o[(i + 1) % n]);
				link_obj(o[i], 1, o[rnd_next(&seed) % n]);
				break;
			}
		}
		root = o[0];
	}
	/* Every object but the root is now held by a slot. */
	while (i-- > 0)
		if (o[i] != root)
			objheap_obj_put(heap, o[i]);
	mutex_unlock(&heap->lock);
	kvfree(o);
	return root;
}

static void release(struct objheap_heap *heap, struct objheap_obj *root)
{
	mutex_lock(&heap->lock);
	objheap_obj_put(heap, root);
	mutex_unlock(&heap->lock);
}

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
				sum += READ_ONCE(obj->slots[i]->flags);
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
	memset(res->reserved, 0, sizeof(res->reserved));
	objheap_gc_run(heap, res);
	cond_resched();
	return res->time_ns;
}

/* ns per object * 10 */
static u64 per_obj10(u64 ns, u64 n)
{
	return n ? ns * 10 / n : 0;
}

static int bench_full(enum shape shape, u32 n)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };
	struct objheap_gc_collect res;
	struct objheap_heap *heap;
	struct objheap_obj *root;
	u64 t[REPEATS], w[REPEATS], live, floor, dead;
	int r, ret = 0;

	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	objheap_gc_set_params(heap, &off);
	root = build(heap, shape, n);
	if (!root) {
		ret = -ENOMEM;
		goto out;
	}
	collect(heap, 2, &res);		/* settle into generation 2 */
	for (r = 0; r < REPEATS; r++) {
		t[r] = collect(heap, 2, &res);
		w[r] = walk(heap);
	}
	live = median(t, REPEATS);
	floor = median(w, REPEATS);
	if (res.scanned != n || res.collected)
		ret = -EINVAL;
	release(heap, root);
	dead = collect(heap, 2, &res);
	if (res.collected != n || res.freed != n)
		ret = -EINVAL;
	pr_info("full collection, %-11s %7u objects: alive %llu.%llu ns/object (%llu.%llu x the edge-read floor of %llu.%llu), garbage (collect + free) %llu.%llu ns/object\n",
		shape_name[shape], n,
		per_obj10(live, n) / 10, per_obj10(live, n) % 10,
		floor ? live / floor : 0, floor ? live * 10 / floor % 10 : 0,
		per_obj10(floor, n) / 10, per_obj10(floor, n) % 10,
		per_obj10(dead, n) / 10, per_obj10(dead, n) % 10);
out:
	objheap_heap_destroy(heap);
	return ret;
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
		obj = objheap_obj_alloc(heap, 9, 1, 0);
		if (!obj) {
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

static int bench_young(void)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };
	struct objheap_heap *heap[2];
	struct objheap_obj **pins[2], *root = NULL;
	u64 t[2][REPEATS], m[2];
	struct objheap_gc_collect res;
	bool failed = false;
	int h, r;

	for (h = 0; h < 2; h++) {
		heap[h] = objheap_heap_create();
		pins[h] = kvcalloc(REPEATS * YOUNG / 2, sizeof(*pins[h]),
				   GFP_KERNEL);
		if (!IS_ERR(heap[h]))
			objheap_gc_set_params(heap[h], &off);
	}
	if (IS_ERR(heap[0]) || IS_ERR(heap[1]) || !pins[0] || !pins[1]) {
		failed = true;
		goto out;
	}
	root = build(heap[1], RING, OLD);
	if (!root) {
		failed = true;
		goto out;
	}
	collect(heap[1], 2, &res);
	for (r = 0; r < REPEATS; r++)
		for (h = 0; h < 2; h++)
			t[h][r] = young_round(heap[h], pins[h] + r * YOUNG / 2,
					      &failed);
	for (h = 0; h < 2; h++)
		m[h] = median(t[h], REPEATS);
	pr_info("young collection of %u objects: %llu us with 0 old objects, %llu us with %u in generation 2, ratio %llu.%02llu\n",
		YOUNG, m[0] / 1000, m[1] / 1000, OLD,
		m[0] ? m[1] / m[0] : 0, m[0] ? m[1] * 100 / m[0] % 100 : 0);
	release(heap[1], root);
out:
	for (h = 0; h < 2; h++) {
		if (pins[h] && !IS_ERR(heap[h]))
			unpin(heap[h], pins[h], REPEATS * YOUNG / 2);
		kvfree(pins[h]);
		if (!IS_ERR(heap[h]))
			objheap_heap_destroy(heap[h]);
	}
	return failed ? -EINVAL : 0;
}

static int __init objheap_gcbench_init(void)
{
	static const u32 sizes[] = { 10000, 100000, 1000000 };
	int s, i, ret = 0;

	pr_info("cycle collector: full collections (median of %d), then young pauses\n",
		REPEATS);
	for (s = 0; s < NR_SHAPES && !ret; s++)
		for (i = 0; i < ARRAY_SIZE(sizes) && !ret; i++)
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
