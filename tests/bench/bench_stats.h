/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark modules' one output format, shared with the userspace
 * benchmarks and read by tests/bench/report.py:
 *
 *   bench: group=G impl=I PARAMS... unit=U median=M min=A max=B runs=N
 *
 * Values are kept in tenths of a unit so that one decimal survives.
 */
#ifndef OBJHEAP_BENCH_STATS_H
#define OBJHEAP_BENCH_STATS_H

#include <linux/printk.h>
#include <linux/sort.h>
#include <linux/types.h>

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @t (tenths) and prints its median, minimum and maximum. */
static void bench_report(const char *params, const char *unit, u64 *t, int n)
{
	sort(t, n, sizeof(t[0]), bench_cmp_u64, NULL);
	pr_info("bench: %s unit=%s median=%llu.%llu min=%llu.%llu max=%llu.%llu runs=%d\n",
		params, unit, t[n / 2] / 10, t[n / 2] % 10, t[0] / 10, t[0] % 10,
		t[n - 1] / 10, t[n - 1] % 10, n);
}

#endif /* OBJHEAP_BENCH_STATS_H */
