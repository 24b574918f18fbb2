/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The graphs of the collector benchmarks, built inside a heap: shared by
 * objheap_gcbench.ko (gc_bench.c) and its native twin in the userland
 * build (tests/userland/bench_native.c), so that both time one graph.
 * cpython_bench.py builds the same ones out of lists.
 */
#ifndef OBJHEAP_GC_GRAPHS_H
#define OBJHEAP_GC_GRAPHS_H

enum shape { RING, TREE, RANDOM, NR_SHAPES };

static const char * const shape_name[NR_SHAPES] = {
	"ring", "tree", "random",
};

static const u32 shape_slots[NR_SHAPES] = { 1, 3, 2 };

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
 * Build @n objects of @shape under the heap lock, every @fin_every-th one
 * finalizable (0: none), and if @weak is not NULL one weak reference with
 * a callback to each, whose allocation references go to @weak[] (as
 * handles would hold them). The allocation reference of object 0 is
 * kept, as a handle would be: the root. Returns it, or NULL when memory
 * ran out (everything built is released, the weak references but those
 * made).
 */
static struct objheap_obj *build_ex(struct objheap_heap *heap,
				    enum shape shape, u32 n, u32 fin_every,
				    struct objheap_obj **weak)
{
	struct objheap_obj **o, *root = NULL;
	u32 i, seed = 2463534242U;

	o = kvmalloc_array(n, sizeof(*o), GFP_KERNEL);
	if (!o)
		return NULL;
	mutex_lock(&heap->lock);
	for (i = 0; i < n; i++) {
		o[i] = objheap_obj_alloc(heap, shape, shape_slots[shape], 0,
					 fin_every && i % fin_every == 0 ?
					 OBJHEAP_ALLOC_FINALIZABLE : 0);
		if (IS_ERR(o[i]))
			break;
		if (weak) {
			weak[i] = objheap_weak_new(heap, o[i], 0,
						   OBJHEAP_WEAK_CALLBACK);
			if (IS_ERR(weak[i])) {
				objheap_obj_put(heap, o[i]);
				break;
			}
		}
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

static struct objheap_obj *build(struct objheap_heap *heap, enum shape shape,
				 u32 n)
{
	return build_ex(heap, shape, n, 0, NULL);
}

static void release(struct objheap_heap *heap, struct objheap_obj *root)
{
	mutex_lock(&heap->lock);
	objheap_obj_put(heap, root);
	mutex_unlock(&heap->lock);
}

#endif /* OBJHEAP_GC_GRAPHS_H */
