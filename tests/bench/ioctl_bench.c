// SPDX-License-Identifier: GPL-2.0
/*
 * ohbench-ioctl: the cost of one operation through the syscall path.
 *
 * For each of NEW (a 2-slot container), DROP (of those, which frees
 * them), SET (slot 0 of a container, alternately to two live objects),
 * GET (slot 0 into a new handle) and NOP: OPS operations through single
 * ioctls (OBJHEAP_IOC_NEW ... OBJHEAP_IOC_NOP) and through OBJHEAP_IOC_BATCH
 * of 16, 64 and 256 operations. Only the calls are timed: the operation
 * array is filled beforehand, the handles GET opened are dropped after.
 * Automatic collection is off, so that no collection runs meanwhile.
 *
 * One warm-up round, then RUNS rounds (--quick: RUNS_QUICK, a smoke
 * test); a round runs every variant once, starting at a different batch
 * size each round, so that drift hits all variants alike. Heap statistics
 * are checked after every step: any failed call or wrong count ends the
 * program with status 1.
 *
 * Output, one line per figure on stdout (median, min and max over runs):
 *
 *   bench: group=syscall impl=objheap op=<NEW|DROP|SET|GET|NOP>
 *	batch=<1|16|64|256> unit=ns/op median=<ns> min=<ns> max=<ns> runs=<n>
 *
 * (on one line).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "oheap.h"

#define OPS		16384	/* operations per run, a multiple of 256 */
#define RUNS		7
#define RUNS_QUICK	3
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum bench_op { B_NEW, B_DROP, B_SET, B_GET, B_NOP, NR_BENCH_OPS };

static const char * const op_name[NR_BENCH_OPS] = {
	"NEW", "DROP", "SET", "GET", "NOP",
};

static const unsigned long op_cmd[NR_BENCH_OPS] = {
	OBJHEAP_IOC_NEW, OBJHEAP_IOC_DROP, OBJHEAP_IOC_SET, OBJHEAP_IOC_GET,
	OBJHEAP_IOC_NOP,
};

static const __u32 batch_size[] = { 1, 16, 64, 256 };
#define NR_SIZES	ARRAY_SIZE(batch_size)

static int fd;
/* The operations of one run; single ioctls take them one by one. */
static struct objheap_op ops[OPS];
static __u32 handles[OPS];
/* SET and GET work on slot 0 of @cont, which holds @leaf[0] or @leaf[1]. */
static __u32 cont, leaf[2];
/* What the heap holds between runs: cont and the two leaves. */
static __u64 base_objects, base_handles;
static double results[NR_BENCH_OPS][NR_SIZES][RUNS];
static int runs = RUNS;

static void die(const char *what)
{
	fprintf(stderr, "ohbench-ioctl: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void die_op(enum bench_op o, __u32 batch, __u32 i)
{
	fprintf(stderr,
		"ohbench-ioctl: %s, batch of %u, operation %u: %s (result %d)\n",
		op_name[o], batch, i, strerror(errno), ops[i].result);
	exit(1);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The heap must hold @objects objects and @nhandles open handles. */
static void expect_heap(const char *after, __u64 objects, __u64 nhandles)
{
	struct objheap_heap_stats st;

	if (oheap_heap_stats(fd, &st))
		die("HEAP_STATS");
	if (st.objects == objects && st.handles == nhandles)
		return;
	fprintf(stderr,
		"ohbench-ioctl: after %s: %llu objects, %u handles; expected %llu, %llu\n",
		after, st.objects, st.handles, objects, nhandles);
	exit(1);
}

/*
 * Run ops[0..OPS) as @o's single ioctl (@batch 1) or as BATCH calls of
 * @batch operations; returns ns per operation. Only the calls are timed.
 */
static double run_ops(enum bench_op o, __u32 batch)
{
	struct objheap_batch b = { .count = batch, .op_size = sizeof(ops[0]) };
	unsigned long cmd = op_cmd[o];
	__u64 t0, t1;
	__u32 i;

	t0 = now_ns();
	if (batch == 1 && o == B_NOP) {
		for (i = 0; i < OPS; i++)
			if (ioctl(fd, OBJHEAP_IOC_NOP))
				die_op(o, batch, i);
	} else if (batch == 1) {
		for (i = 0; i < OPS; i++)
			if (ioctl(fd, cmd, &ops[i]))
				die_op(o, batch, i);
	} else {
		for (i = 0; i < OPS; i += batch) {
			b.ops = (__u64)(uintptr_t)&ops[i];
			if (ioctl(fd, OBJHEAP_IOC_BATCH, &b) || b.done != batch)
				die_op(o, batch, i + b.done);
		}
	}
	t1 = now_ns();
	return (double)(t1 - t0) / OPS;
}

/* Drop handles[0..n) in batches, untimed. */
static void drop_handles(__u32 n)
{
	__u32 i, k, j, done;

	for (i = 0; i < n; i += k) {
		k = n - i < OBJHEAP_BATCH_MAX ? n - i : OBJHEAP_BATCH_MAX;
		for (j = 0; j < k; j++)
			ops[j] = (struct objheap_op){
				.op = OBJHEAP_OP_DROP, .handle = handles[i + j],
			};
		if (oheap_batch(fd, ops, k, &done) || done != k)
			die("untimed DROP");
	}
}

/* Keep the handles the last run opened (NEW's, or GET's refs); none is 0. */
static void keep_handles(const char *what, int refs)
{
	__u32 i;

	for (i = 0; i < OPS; i++) {
		handles[i] = refs ? ops[i].ref : ops[i].handle;
		if (!handles[i]) {
			fprintf(stderr, "ohbench-ioctl: %s %u gave no handle\n",
				what, i);
			exit(1);
		}
	}
}

static double bench_new(__u32 batch)
{
	double t;
	__u32 i;

	for (i = 0; i < OPS; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .type = 1,
					      .count = 2 };
	t = run_ops(B_NEW, batch);
	keep_handles("NEW", 0);
	expect_heap("NEW", base_objects + OPS, base_handles + OPS);
	return t;
}

/* Drops (and so frees) the objects the last bench_new() made. */
static double bench_drop(__u32 batch)
{
	double t;
	__u32 i;

	for (i = 0; i < OPS; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_DROP,
					      .handle = handles[i] };
	t = run_ops(B_DROP, batch);
	expect_heap("DROP", base_objects, base_handles);
	return t;
}

static void expect_refcount(__u32 handle, __u32 want, const char *what)
{
	struct objheap_info info;

	if (oheap_info(fd, handle, &info))
		die("INFO");
	if (info.refcount == want)
		return;
	fprintf(stderr, "ohbench-ioctl: after SET: %s has refcount %u, not %u\n",
		what, info.refcount, want);
	exit(1);
}

static double bench_set(__u32 batch)
{
	double t;
	__u32 i;

	/* Alternate targets: each SET releases a reference and takes one. */
	for (i = 0; i < OPS; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_SET,
					      .handle = cont, .index = 0,
					      .ref = leaf[i & 1] };
	t = run_ops(B_SET, batch);
	/* The last SET stored leaf[1]: its handle and the slot hold it. */
	expect_refcount(leaf[0], 1, "the leaf not stored");
	expect_refcount(leaf[1], 2, "the leaf stored");
	expect_heap("SET", base_objects, base_handles);
	return t;
}

static double bench_get(__u32 batch)
{
	double t;
	__u32 i;

	for (i = 0; i < OPS; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_GET,
					      .handle = cont, .index = 0 };
	t = run_ops(B_GET, batch);
	keep_handles("GET", 1);
	expect_heap("GET", base_objects, base_handles + OPS);
	drop_handles(OPS);
	expect_heap("dropping GET's handles", base_objects, base_handles);
	return t;
}

static double bench_nop(__u32 batch)
{
	double t;
	__u32 i;

	for (i = 0; i < OPS; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_NOP };
	t = run_ops(B_NOP, batch);
	expect_heap("NOP", base_objects, base_handles);
	return t;
}

/* One round: every op at every batch size, starting at size @first. */
static void round_all(unsigned int first, int run)
{
	unsigned int k, s;
	double t[NR_BENCH_OPS];

	for (k = 0; k < NR_SIZES; k++) {
		s = (first + k) % NR_SIZES;
		t[B_NEW] = bench_new(batch_size[s]);
		t[B_DROP] = bench_drop(batch_size[s]);
		t[B_SET] = bench_set(batch_size[s]);
		t[B_GET] = bench_get(batch_size[s]);
		t[B_NOP] = bench_nop(batch_size[s]);
		if (run >= 0)
			for (int o = 0; o < NR_BENCH_OPS; o++)
				results[o][s][run] = t[o];
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(enum bench_op o, unsigned int s)
{
	double *v = results[o][s];

	qsort(v, runs, sizeof(v[0]), cmp_double);
	printf("bench: group=syscall impl=objheap op=%s batch=%u unit=ns/op ",
	       op_name[o], batch_size[s]);
	printf("median=%.1f min=%.1f max=%.1f runs=%d\n",
	       v[runs / 2], v[0], v[runs - 1], runs);
}

static void setup(void)
{
	struct objheap_heap_stats st;
	struct objheap_version ver;

	fd = oheap_open();
	if (fd < 0)
		die("/dev/objheap");
	if (oheap_version(fd, &ver))
		die("VERSION");
	if (ver.major != OBJHEAP_ABI_MAJOR ||
	    !(ver.features & OBJHEAP_FEAT_HEAP_STATS)) {
		fprintf(stderr, "ohbench-ioctl: ABI %u.%u (features %#x): no HEAP_STATS\n",
			ver.major, ver.minor, ver.features);
		exit(1);
	}
	/* Only the calls are measured: no collection may run meanwhile. */
	if (oheap_gc_enable(fd, 0))
		die("GC_SET_PARAMS");
	if (oheap_new(fd, 1, 1, 0, &cont) || oheap_new(fd, 2, 0, 0, &leaf[0]) ||
	    oheap_new(fd, 2, 0, 0, &leaf[1]))
		die("NEW");
	/* GET needs a referent before the first SET run. */
	if (oheap_set(fd, cont, 0, leaf[0]))
		die("SET");
	if (oheap_heap_stats(fd, &st))
		die("HEAP_STATS");
	base_objects = st.objects;
	base_handles = st.handles;
	expect_heap("setup", 3, 3);
}

int main(int argc, char **argv)
{
	struct objheap_gc_stats gst;
	unsigned int s;
	int run, o;

	if (argc == 2 && !strcmp(argv[1], "--quick")) {
		runs = RUNS_QUICK;
	} else if (argc != 1) {
		fprintf(stderr, "usage: ohbench-ioctl [--quick]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup();
	round_all(0, -1);	/* warm up: freelists, handle table, caches */
	for (run = 0; run < runs; run++)
		round_all(run % NR_SIZES, run);
	if (oheap_gc_stats(fd, &gst))
		die("GC_STATS");
	if (gst.automatic) {
		fprintf(stderr, "ohbench-ioctl: %llu automatic collections ran, disabled\n",
			gst.automatic);
		return 1;
	}
	for (o = 0; o < NR_BENCH_OPS; o++)
		for (s = 0; s < NR_SIZES; s++)
			report(o, s);
	close(fd);
	return 0;
}
