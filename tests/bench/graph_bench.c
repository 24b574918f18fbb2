// SPDX-License-Identifier: GPL-2.0
/*
 * ohbench-graph: the cycle collector seen from user space, on the
 * workloads the CPython benchmark runs, built through liboheap.
 *
 * Graphs are shaped as objheap_gcbench.ko (gc_bench.c) shapes them:
 *  - ring: 1 slot, i -> (i + 1) % n;
 *  - tree: 3 slots, 2i + 1 and 2i + 2 (when < n), parent (i - 1) / 2;
 *  - random: 2 slots, (i + 1) % n and xorshift32 % n (one draw per node,
 *    in order, from the same seed).
 * A build is BATCH calls of NEW, then SET, then DROP of every handle but
 * node 0's (the root). Each heap runs with automatic collection off, so
 * that only the collections measured here run; counts are checked
 * against what every collection reports and against the heap statistics.
 *
 * Figures (wall clock: CLOCK_MONOTONIC around the GC_COLLECT ioctl, as
 * Python times gc.collect(); each also as impl=objheap-pause, from the
 * collection's own time_ns, the in-kernel pause):
 *  - gc_full: alive: build, one full collection to settle, then R timed
 *    full collections of the heap (nothing unreachable); garbage: build,
 *    settle, drop the root, time the full collection that frees it all,
 *    R fresh builds (3 for 10^6 objects; the first build's heap is also
 *    the alive one). ns per object.
 *  - gc_young: an old ring (0 to 10^6 nodes) settled into generation 2,
 *    then R rounds of YOUNG new 1-slot containers, half of them garbage
 *    self-loops and half kept by their handles, and a timed collection of
 *    generation 0. The heaps are built first, then run round by round in
 *    turn. us per collection.
 *  - memory: bytes the heap is charged per container of 1, 2 or 3 slots
 *    (list1..list3) and per object without slots (leaf0), no payload:
 *    HEAP_STATS bytes over MEM_N objects.
 *
 * Output, one line per figure on stdout (median, min and max over runs):
 *
 *   bench: group=gc_full impl=<objheap|objheap-pause> shape=<s> n=<n>
 *	state=<alive|garbage> unit=ns/object median=.. min=.. max=.. runs=..
 *   bench: group=gc_young impl=<objheap|objheap-pause> old=<n> unit=us ...
 *   bench: group=memory impl=objheap container=<c> unit=bytes/object ...
 *
 * (each on one line). --quick: n and old up to 10^4, R = 3. The exit
 * status is 1 if any call or check failed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oheap.h"

#define RUNS		5	/* R */
#define RUNS_QUICK	3
#define RUNS_HUGE	3	/* garbage builds of HUGE_N objects */
#define HUGE_N		1000000
#define YOUNG		700	/* CPython's threshold 0 */
#define MEM_N		100000
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum shape { RING, TREE, RANDOM, NR_SHAPES };

static const char * const shape_name[NR_SHAPES] = { "ring", "tree", "random" };
static const __u32 shape_slots[NR_SHAPES] = { 1, 3, 2 };

static const __u32 full_sizes[] = { 1000, 10000, 100000, 1000000 };
static const __u32 young_olds[] = { 0, 10000, 100000, 1000000 };
#define QUICK_MAX	10000
#define NR_OLDS		ARRAY_SIZE(young_olds)

/* The measurement under way, for messages. */
static char ctx[128] = "setup";
static int failures;

/* Operations queued for the next BATCH call. */
static struct objheap_op ops[OBJHEAP_BATCH_MAX];
static __u32 nops;
/* Handles of the graph being built, node i's at h[i]. */
static __u32 *h;

static void die(const char *what)
{
	fprintf(stderr, "ohbench-graph: %s: %s: %s\n", ctx, what,
		strerror(errno));
	exit(1);
}

static void expect(const char *what, __u64 got, __u64 want)
{
	if (got == want)
		return;
	fprintf(stderr, "ohbench-graph: %s: %s is %llu, expected %llu\n", ctx,
		what, got, want);
	failures++;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* xorshift32, as gc_bench.c: the same graph on every run and kernel. */
static __u32 xorshift32(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Run the queued operations; ops[] keeps their out fields after. */
static void flush(int fd)
{
	__u32 done = 0;

	if (!nops)
		return;
	if (oheap_batch(fd, ops, nops, &done)) {
		fprintf(stderr, "ohbench-graph: %s: BATCH operation %u of %u (op %u): %s\n",
			ctx, done, nops, done < nops ? ops[done].op : 0,
			strerror(errno));
		exit(1);
	}
	if (done != nops) {
		fprintf(stderr, "ohbench-graph: %s: BATCH did %u of %u operations\n",
			ctx, done, nops);
		exit(1);
	}
	nops = 0;
}

static void queue(int fd, struct objheap_op op)
{
	if (nops == OBJHEAP_BATCH_MAX)
		flush(fd);
	ops[nops++] = op;
}

static void queue_set(int fd, __u32 obj, __u32 slot, __u32 ref)
{
	struct objheap_op op = {
		.op = OBJHEAP_OP_SET, .handle = obj, .index = slot, .ref = ref,
	};

	queue(fd, op);
}

static void queue_drop(int fd, __u32 handle)
{
	struct objheap_op op = { .op = OBJHEAP_OP_DROP, .handle = handle };

	queue(fd, op);
}

/* @n new objects of @nslots slots, no payload; handles into @out. */
static void new_objects(int fd, __u32 type, __u32 nslots, __u32 n,
			__u32 *out)
{
	struct objheap_op op = {
		.op = OBJHEAP_OP_NEW, .type = type, .count = nslots,
	};
	__u32 i, j, k;

	flush(fd);
	for (i = 0; i < n; i += k) {
		k = n - i < OBJHEAP_BATCH_MAX ? n - i : OBJHEAP_BATCH_MAX;
		for (j = 0; j < k; j++)
			queue(fd, op);
		flush(fd);
		for (j = 0; j < k; j++)
			out[i + j] = ops[j].handle;
	}
}

static void expect_heap(int fd, __u64 objects, __u64 handles)
{
	struct objheap_heap_stats st;

	if (oheap_heap_stats(fd, &st))
		die("HEAP_STATS");
	expect("live objects", st.objects, objects);
	expect("open handles", st.handles, handles);
}

/* Every tracked object is in generation 2, and there are @n of them. */
static void expect_settled(int fd, __u64 n)
{
	struct objheap_gc_stats st;

	if (oheap_gc_stats(fd, &st))
		die("GC_STATS");
	expect("tracked in generation 0", st.tracked[0], 0);
	expect("tracked in generation 1", st.tracked[1], 0);
	expect("tracked in generation 2", st.tracked[2], n);
	expect("frozen", st.frozen, 0);
	expect("saved garbage", st.garbage, 0);
}

static void expect_collect(const struct objheap_gc_collect *res,
			   __u64 scanned, __u64 collected, __u64 freed)
{
	expect("scanned", res->scanned, scanned);
	expect("collected", res->collected, collected);
	expect("freed", res->freed, freed);
	expect("saved", res->saved, 0);
}

/* Collect generations 0..@gen; returns the wall-clock ns of the call. */
static double collect(int fd, unsigned int gen,
		      struct objheap_gc_collect *res)
{
	__u64 t0, t1;

	t0 = now_ns();
	if (oheap_collect(fd, gen, res))
		die("GC_COLLECT");
	t1 = now_ns();
	return (double)(t1 - t0);
}

/* A new heap where only explicit collections run, and garbage is freed. */
static int open_heap(void)
{
	struct objheap_gc_params p;
	int fd = oheap_open();

	if (fd < 0)
		die("/dev/objheap");
	if (oheap_gc_get_params(fd, &p))
		die("GC_GET_PARAMS");
	p.flags &= ~(OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL);
	if (oheap_gc_set_params(fd, &p))
		die("GC_SET_PARAMS");
	if (oheap_gc_get_params(fd, &p))
		die("GC_GET_PARAMS");
	expect("GC flags", p.flags, 0);
	return fd;
}

static void close_heap(int fd)
{
	struct objheap_gc_stats st;

	if (oheap_gc_stats(fd, &st))
		die("GC_STATS");
	expect("automatic collections", st.automatic, 0);
	close(fd);
}

/*
 * Build @n nodes of @shape; only the root's handle stays open, the rest
 * is held by slots. Uses h[0..n). Returns the root's handle.
 */
static __u32 build(int fd, enum shape shape, __u32 n)
{
	__u32 i, seed = 2463534242U;

	new_objects(fd, shape + 1, shape_slots[shape], n, h);
	for (i = 0; i < n; i++) {
		switch (shape) {
		case RING:
			queue_set(fd, h[i], 0, h[(i + 1) % n]);
			break;
		case TREE:
			if (2 * i + 1 < n)
				queue_set(fd, h[i], 0, h[2 * i + 1]);
			if (2 * i + 2 < n)
				queue_set(fd, h[i], 1, h[2 * i + 2]);
			if (i)
				queue_set(fd, h[i], 2, h[(i - 1) / 2]);
			break;
		case RANDOM:
		default:
			queue_set(fd, h[i], 0, h[(i + 1) % n]);
			queue_set(fd, h[i], 1, h[xorshift32(&seed) % n]);
			break;
		}
	}
	for (i = 1; i < n; i++)
		queue_drop(fd, h[i]);
	flush(fd);
	expect_heap(fd, n, 1);
	return h[0];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One figure: median, min and max of @v[0..n), which it sorts. */
static void report(const char *group, const char *impl, const char *params,
		   const char *unit, double *v, int n)
{
	double med;

	qsort(v, n, sizeof(v[0]), cmp_double);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("bench: group=%s impl=%s %s unit=%s ", group, impl, params,
	       unit);
	printf("median=%.1f min=%.1f max=%.1f runs=%d\n", med, v[0], v[n - 1],
	       n);
}

static void bench_full(enum shape shape, __u32 n, int runs)
{
	double alive[RUNS], alive_pause[RUNS], dead[RUNS], dead_pause[RUNS];
	int builds = n >= HUGE_N && runs > RUNS_HUGE ? RUNS_HUGE : runs;
	struct objheap_gc_collect res;
	char params[96];
	__u32 root;
	int fd, k, r;

	for (k = 0; k < builds; k++) {
		snprintf(ctx, sizeof(ctx), "gc_full shape=%s n=%u, build %d",
			 shape_name[shape], n, k);
		fd = open_heap();
		root = build(fd, shape, n);
		collect(fd, 2, &res);		/* settle into generation 2 */
		expect_collect(&res, n, 0, 0);
		expect_settled(fd, n);
		for (r = 0; k == 0 && r < runs; r++) {
			alive[r] = collect(fd, 2, &res) / n;
			alive_pause[r] = (double)res.time_ns / n;
			expect_collect(&res, n, 0, 0);
		}
		if (oheap_drop(fd, root))
			die("DROP of the root");
		dead[k] = collect(fd, 2, &res) / n;
		dead_pause[k] = (double)res.time_ns / n;
		expect_collect(&res, n, n, n);
		expect_heap(fd, 0, 0);
		close_heap(fd);
	}
	snprintf(params, sizeof(params), "shape=%s n=%u state=alive",
		 shape_name[shape], n);
	report("gc_full", "objheap", params, "ns/object", alive, runs);
	report("gc_full", "objheap-pause", params, "ns/object", alive_pause,
	       runs);
	snprintf(params, sizeof(params), "shape=%s n=%u state=garbage",
		 shape_name[shape], n);
	report("gc_full", "objheap", params, "ns/object", dead, builds);
	report("gc_full", "objheap-pause", params, "ns/object", dead_pause,
	       builds);
}

/*
 * YOUNG new 1-slot containers: even ones garbage self-loops (handle
 * dropped), odd ones kept by their handle; then a timed collection of
 * generation 0, which must find exactly the self-loops.
 */
static void young_round(int fd, double *wall_us, double *pause_us)
{
	struct objheap_gc_collect res;
	__u32 yh[YOUNG], i;

	new_objects(fd, 9, 1, YOUNG, yh);
	for (i = 0; i < YOUNG; i += 2) {
		queue_set(fd, yh[i], 0, yh[i]);
		queue_drop(fd, yh[i]);
	}
	flush(fd);
	*wall_us = collect(fd, 0, &res) / 1000;
	*pause_us = (double)res.time_ns / 1000;
	expect_collect(&res, YOUNG, YOUNG / 2, YOUNG / 2);
}

static void bench_young(unsigned int nold, int runs)
{
	double wall[NR_OLDS][RUNS], pause[NR_OLDS][RUNS];
	struct objheap_gc_collect res;
	int fd[NR_OLDS], r;
	char params[32];
	unsigned int j;
	__u32 old;

	for (j = 0; j < nold; j++) {
		old = young_olds[j];
		snprintf(ctx, sizeof(ctx), "gc_young old=%u, setup", old);
		fd[j] = open_heap();
		if (old)
			build(fd[j], RING, old);
		collect(fd[j], 2, &res);	/* the old ring: generation 2 */
		expect_collect(&res, old, 0, 0);
		expect_settled(fd[j], old);
	}
	/* Round by round, the heaps in turn: drift hits them alike. */
	for (r = 0; r < runs; r++) {
		for (j = 0; j < nold; j++) {
			snprintf(ctx, sizeof(ctx), "gc_young old=%u, round %d",
				 young_olds[j], r);
			young_round(fd[j], &wall[j][r], &pause[j][r]);
		}
	}
	for (j = 0; j < nold; j++) {
		old = young_olds[j];
		snprintf(ctx, sizeof(ctx), "gc_young old=%u, end", old);
		/* The old ring and every round's kept half. */
		expect_heap(fd[j], old + runs * (YOUNG / 2),
			    (old ? 1 : 0) + runs * (YOUNG / 2));
		close_heap(fd[j]);
		snprintf(params, sizeof(params), "old=%u", old);
		report("gc_young", "objheap", params, "us", wall[j], runs);
		report("gc_young", "objheap-pause", params, "us", pause[j],
		       runs);
	}
}

/* What the heap is charged per object of @nslots slots, no payload. */
static void bench_memory(const char *name, __u32 nslots)
{
	struct objheap_heap_stats before, after;
	struct objheap_info info;
	char params[32];
	__u64 bytes;
	double per;
	int fd;

	snprintf(ctx, sizeof(ctx), "memory container=%s", name);
	fd = open_heap();
	if (oheap_heap_stats(fd, &before))
		die("HEAP_STATS");
	new_objects(fd, 7, nslots, MEM_N, h);
	if (oheap_heap_stats(fd, &after))
		die("HEAP_STATS");
	expect("new objects", after.objects - before.objects, MEM_N);
	expect("new handles", after.handles - before.handles, MEM_N);
	bytes = after.bytes - before.bytes;
	/* Objects of one shape come from one pool class: a whole multiple. */
	expect("bytes modulo objects", bytes % MEM_N, 0);
	if (oheap_info(fd, h[0], &info))
		die("INFO");
	if (info.size_class)
		expect("pool class size", info.size_class, bytes / MEM_N);
	close_heap(fd);
	per = (double)bytes / MEM_N;
	snprintf(params, sizeof(params), "container=%s", name);
	report("memory", "objheap", params, "bytes/object", &per, 1);
}

/* The module must have the collector and HEAP_STATS, and room for @n. */
static void check_module(__u32 n)
{
	struct objheap_version ver;
	struct objheap_limits lim;
	int fd = oheap_open();

	if (fd < 0)
		die("/dev/objheap");
	if (oheap_version(fd, &ver))
		die("VERSION");
	if (ver.major != OBJHEAP_ABI_MAJOR ||
	    (ver.features & (OBJHEAP_FEAT_GC | OBJHEAP_FEAT_HEAP_STATS)) !=
	    (OBJHEAP_FEAT_GC | OBJHEAP_FEAT_HEAP_STATS)) {
		fprintf(stderr, "ohbench-graph: ABI %u.%u (features %#x): no GC or HEAP_STATS\n",
			ver.major, ver.minor, ver.features);
		exit(1);
	}
	if (oheap_get_limits(fd, &lim))
		die("GET_LIMITS");
	if (lim.max_handles < n || lim.max_objects < n) {
		fprintf(stderr, "ohbench-graph: limits of %u handles, %u objects: below %u\n",
			lim.max_handles, lim.max_objects, n);
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	__u32 max_n = MEM_N;
	unsigned int i, nold;
	int quick = 0, runs;
	enum shape s;

	if (argc == 2 && !strcmp(argv[1], "--quick")) {
		quick = 1;
	} else if (argc != 1) {
		fprintf(stderr, "usage: ohbench-graph [--quick]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	runs = quick ? RUNS_QUICK : RUNS;
	for (i = 0; i < ARRAY_SIZE(full_sizes); i++)
		if (!quick || full_sizes[i] <= QUICK_MAX)
			max_n = full_sizes[i] > max_n ? full_sizes[i] : max_n;
	for (i = 0, nold = 0; i < NR_OLDS; i++)
		if (!quick || young_olds[i] <= QUICK_MAX)
			nold = i + 1;
	for (i = 0; i < nold; i++)
		max_n = young_olds[i] > max_n ? young_olds[i] : max_n;
	check_module(max_n);
	h = calloc(max_n, sizeof(*h));
	if (!h)
		die("calloc");

	for (s = 0; s < NR_SHAPES; s++)
		for (i = 0; i < ARRAY_SIZE(full_sizes); i++)
			if (!quick || full_sizes[i] <= QUICK_MAX)
				bench_full(s, full_sizes[i], runs);
	bench_young(nold, runs);
	bench_memory("leaf0", 0);
	bench_memory("list1", 1);
	bench_memory("list2", 2);
	bench_memory("list3", 3);

	free(h);
	if (failures) {
		fprintf(stderr, "ohbench-graph: %d checks failed\n", failures);
		return 1;
	}
	return 0;
}
