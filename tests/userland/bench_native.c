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
	else
		fprintf(stderr, "usage: see the top of bench_native.c\n");
	if (ret)
		return ret;
	uh_unload();
	return 0;
}
