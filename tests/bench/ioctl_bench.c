// SPDX-License-Identifier: GPL-2.0
/*
 * ohbench-ioctl: the cost of an operation through the syscall path.
 *
 * NEW+DROP pairs through single ioctls, through BATCH of 16, 64 and 256,
 * and the NOP ioctl (the floor: a syscall that does nothing). Each figure
 * is the median of 7 runs, in ns per operation; ratios are against the
 * single-ioctl figure of the same run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/objheap.h>

#define OPS	16384		/* operations per run */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define REPEATS	7

static int fd;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* One run of OPS operations; returns ns per operation. */
static double run_nop(void)
{
	double t0 = now_ns();

	for (int i = 0; i < OPS; i++)
		if (ioctl(fd, OBJHEAP_IOC_NOP, NULL))
			die("NOP");
	return (now_ns() - t0) / OPS;
}

static double run_single(void)
{
	double t0 = now_ns();

	for (int i = 0; i < OPS / 2; i++) {
		struct objheap_op op = { .count = 2 };

		if (ioctl(fd, OBJHEAP_IOC_NEW, &op))
			die("NEW");
		op = (struct objheap_op){ .handle = op.handle };
		if (ioctl(fd, OBJHEAP_IOC_DROP, &op))
			die("DROP");
	}
	return (now_ns() - t0) / OPS;
}

static struct objheap_op ops[256];

/* BATCH of @n: n/2 NEWs, then a batch of their n/2 DROPs. */
static double run_batch(unsigned int n)
{
	struct objheap_batch b = { .ops = (uintptr_t)ops, .op_size = sizeof(ops[0]) };
	double t0 = now_ns();

	for (int i = 0; i < OPS / (int)n; i++) {
		for (unsigned int k = 0; k < n / 2; k++)
			ops[k] = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .count = 2 };
		b.count = n / 2;
		if (ioctl(fd, OBJHEAP_IOC_BATCH, &b))
			die("BATCH NEW");
		for (unsigned int k = 0; k < n / 2; k++)
			ops[k] = (struct objheap_op){ .op = OBJHEAP_OP_DROP,
						      .handle = ops[k].handle };
		if (ioctl(fd, OBJHEAP_IOC_BATCH, &b))
			die("BATCH DROP");
	}
	return (now_ns() - t0) / OPS;
}

static double median(double (*fn)(unsigned int), unsigned int arg)
{
	double t[REPEATS];

	fn(arg);	/* warm up: freelists, handle table, caches */
	for (int r = 0; r < REPEATS; r++)
		t[r] = fn(arg);
	qsort(t, REPEATS, sizeof(t[0]), cmp_double);
	return t[REPEATS / 2];
}

static double nop_fn(unsigned int unused)
{
	return run_nop();
}

static double single_fn(unsigned int unused)
{
	return run_single();
}

int main(void)
{
	static const unsigned int sizes[] = { 16, 64, 256 };
	double single, nop;

	fd = open("/dev/objheap", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/objheap");
	nop = median(nop_fn, 0);
	single = median(single_fn, 0);
	printf("ohbench-ioctl: NEW+DROP, ns per operation, median of %d runs of %d ops\n",
	       REPEATS, OPS);
	printf("  %-16s %9.1f ns  %5.2fx single\n", "single ioctl", single, 1.0);
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		double b = median(run_batch, sizes[i]);
		char name[32];

		snprintf(name, sizeof(name), "BATCH of %u", sizes[i]);
		printf("  %-16s %9.1f ns  %5.2fx single\n", name, b, b / single);
	}
	printf("  %-16s %9.1f ns  %5.2fx single\n", "NOP ioctl", nop, nop / single);
	close(fd);
	return 0;
}
