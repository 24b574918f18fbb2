// SPDX-License-Identifier: GPL-2.0
/*
 * The collector's benchmark at native speed: module/'s allocator and
 * collector built in user space (no syscall, no VM), on the graphs of
 * objheap_gcbench.ko (tests/bench/gc_graphs.h). One measurement per run;
 * tests/bench/native.py interleaves runs of this and of CPython's side
 * (cpython_bench.py) and runs both under callgrind.
 *
 * usage: bench_native full SHAPE N alive|garbage   one full collection: ns/object
 *        bench_native young OLD                    a young pause (us) beside
 *                                                  OLD objects in generation 2
 *        bench_native count SHAPE N alive|garbage [collect]
 *                     build (and settle), then the collection only with
 *                     "collect"; for instruction counts by difference
 *        bench_native memory                       bytes of a two-slot container
 *        bench_native finweak N                    cyclic trash of N objects (random
 *                     graph), every tenth finalizable, one weak reference
 *                     with a callback to each: reclaiming it all, ns/object
 */
#include <unistd.h>

#include "uheap.h"
#include "../bench/gc_graphs.h"

#define YOUNG	700

static const struct objheap_gc_params manual = { .threshold = { 700, 10, 10 } };

static enum shape shape_of(const char *s)
{
	int i;

	for (i = 0; i < NR_SHAPES; i++)
		if (!strcmp(s, shape_name[i]))
			return i;
	fprintf(stderr, "bench_native: unknown shape %s\n", s);
	exit(2);
}

static struct objheap_heap *heap_with(enum shape shape, u32 n,
				      struct objheap_obj **root)
{
	struct objheap_heap *heap = uh_open();
	struct objheap_gc_collect res = { .generation = 2 };

	objheap_gc_set_params(heap, &manual);
	*root = n ? build(heap, shape, n) : NULL;
	if (n && !*root)
		exit(3);
	objheap_gc_run(heap, &res);	/* settle into generation 2 */
	return heap;
}

static void collect(struct objheap_heap *heap, u32 gen,
		    struct objheap_gc_collect *res)
{
	memset(res, 0, sizeof(*res));
	res->generation = gen;
	if (objheap_gc_run(heap, res))
		exit(3);
}

/* Build, settle, drop the root if garbage; then collect if asked. */
static int full(enum shape shape, u32 n, bool garbage, bool timed, bool run)
{
	struct objheap_gc_collect res;
	struct objheap_heap *heap;
	struct objheap_obj *root;
	u64 t;

	heap = heap_with(shape, n, &root);
	if (garbage)
		release(heap, root);
	if (!run)
		_exit(0);	/* no teardown: counted runs differ by the collection only */
	t = ktime_get_ns();
	collect(heap, 2, &res);
	t = ktime_get_ns() - t;
	if (res.scanned != n || res.collected != (garbage ? n : 0) ||
	    res.freed != (garbage ? n : 0)) {
		fprintf(stderr, "bench_native: wrong counts\n");
		return 1;
	}
	if (!timed)
		_exit(0);
	printf("%.1f\n", (double)t / n);
	if (!garbage)
		release(heap, root);
	uh_close(heap);
	return 0;
}

/* YOUNG new objects, half of them garbage self-loops: a gen-0 pause. */
static int young(u32 old)
{
	struct objheap_obj *root, *pins[YOUNG / 2], *obj;
	struct objheap_gc_collect res;
	struct objheap_heap *heap;
	u64 t;
	u32 i;

	heap = heap_with(RING, old, &root);
	mutex_lock(&heap->lock);
	for (i = 0; i < YOUNG; i++) {
		obj = objheap_obj_alloc(heap, 9, 1, 0, 0);
		if (IS_ERR(obj))
			exit(3);
		if (i % 2)
			pins[i / 2] = obj;
		else
			obj->slots[0] = obj;
	}
	mutex_unlock(&heap->lock);
	t = ktime_get_ns();
	collect(heap, 0, &res);
	t = ktime_get_ns() - t;
	if (res.scanned != YOUNG || res.collected != YOUNG / 2)
		return 1;
	printf("%.2f\n", t / 1000.0);
	mutex_lock(&heap->lock);
	for (i = 0; i < YOUNG / 2; i++)
		objheap_obj_put(heap, pins[i]);
	mutex_unlock(&heap->lock);
	if (root)
		release(heap, root);
	uh_close(heap);
	return 0;
}

/* Take every object of @queue as handles, and drop them: the program's part. */
static u32 drain(struct objheap_heap *heap, enum objheap_queue queue)
{
	struct objheap_op op = { .op = OBJHEAP_OP_DROP };
	u32 handles[64], taken, i, total = 0;

	do {
		if (objheap_gc_take(heap, queue, handles, 64, &taken))
			exit(3);
		for (i = 0; i < taken; i++) {
			op.handle = handles[i];
			if (objheap_heap_op(heap, &op, NULL))
				exit(3);
		}
		total += taken;
	} while (taken);
	return total;
}

/*
 * Cyclic trash with a finalizer on every tenth object and one weak
 * reference with a callback to each object, the weak references held from
 * outside (as a program's list of them): the time to reclaim it all, per
 * object. CPython does it in one gc.collect() that calls the callbacks
 * and finalizers; objheap in a collection (weak references cleared,
 * callbacks and finalizers queued, the garbage the finalizers reach
 * kept), the program draining both queues (its finalizers and callbacks
 * do nothing, as CPython's), and the collection that frees.
 */
static int finweak(u32 n)
{
	struct objheap_gc_collect first, second;
	struct objheap_obj **weak, *root;
	struct objheap_heap *heap = uh_open();
	u32 callbacks, finalized, i;
	u64 t;

	weak = kvmalloc_array(n, sizeof(*weak), GFP_KERNEL);
	if (!weak)
		exit(3);
	objheap_gc_set_params(heap, &manual);
	root = build_ex(heap, RANDOM, n, 10, weak);
	if (!root)
		exit(3);
	collect(heap, 2, &first);	/* settle into generation 2 */
	release(heap, root);
	t = ktime_get_ns();
	collect(heap, 2, &first);
	callbacks = drain(heap, OBJHEAP_QUEUE_CALLBACKS);
	finalized = drain(heap, OBJHEAP_QUEUE_FINALIZE);
	collect(heap, 2, &second);
	t = ktime_get_ns() - t;
	if (callbacks != n || finalized != (n + 9) / 10 ||
	    first.collected + second.collected != n ||
	    first.uncollectable != second.collected || heap->objects != n) {
		fprintf(stderr, "bench_native: wrong counts\n");
		return 1;
	}
	printf("%.1f\n", (double)t / n);
	mutex_lock(&heap->lock);
	for (i = 0; i < n; i++)
		objheap_obj_put(heap, weak[i]);
	mutex_unlock(&heap->lock);
	kvfree(weak);
	uh_close(heap);
	return 0;
}

/* What a two-slot container without payload takes: its size class. */
static int memory(void)
{
	size_t bytes = objheap_obj_alloc_size(2, 0, 0);

	printf("%u\n", objheap_class_size(objheap_size_to_class(bytes)));
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	uh_load();
	if (argc == 5 && !strcmp(argv[1], "full"))
		ret = full(shape_of(argv[2]), strtoul(argv[3], NULL, 0),
			   !strcmp(argv[4], "garbage"), true, true);
	else if ((argc == 5 || argc == 6) && !strcmp(argv[1], "count"))
		ret = full(shape_of(argv[2]), strtoul(argv[3], NULL, 0),
			   !strcmp(argv[4], "garbage"), false, argc == 6);
	else if (argc == 3 && !strcmp(argv[1], "young"))
		ret = young(strtoul(argv[2], NULL, 0));
	else if (argc == 2 && !strcmp(argv[1], "memory"))
		ret = memory();
	else if (argc == 3 && !strcmp(argv[1], "finweak"))
		ret = finweak(strtoul(argv[2], NULL, 0));
	else
		fprintf(stderr, "usage: see the top of bench_native.c\n");
	if (ret)
		return ret;
	uh_unload();
	return 0;
}
