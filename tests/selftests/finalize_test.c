// SPDX-License-Identifier: GPL-2.0
/*
 * Weak references and finalizers (ABI 1.6) through the ioctls: WEAKREF,
 * DEREF, NEW's OBJHEAP_NEW_FINALIZABLE, GC_FINALIZE and WEAK_CALLBACKS,
 * in BATCH too, and their errnos; the shapes of CPython's test_weakref.py
 * and test_gc.py (a finalizer that resurrects, a weak reference in the
 * trash and one outside it, finalization once, a queue nobody drains,
 * close with full queues); GC_STATS, GC_COLLECT's uncollectable and the
 * debugfs gc file. Each test has its own heap.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

FIXTURE(fin) {
	int fd;
};

FIXTURE_SETUP(fin)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };

	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
	/* Every collection is the test's. */
	ASSERT_EQ(0, oh_gc_params_set(self->fd, &off));
}

FIXTURE_TEARDOWN(fin)
{
	if (self->fd >= 0)
		close(self->fd);
}

static long objects(void)
{
	return objheap_stat("stats", "objects");
}

static __u32 new_fin(int fd, __u32 nslots)
{
	struct objheap_op op = {
		.type = 3, .count = nslots, .index = OBJHEAP_NEW_FINALIZABLE,
	};

	return ioctl(fd, OBJHEAP_IOC_NEW, &op) ? 0 : op.handle;
}

/* WEAKREF; the weak reference's handle, or 0 with errno set. */
static __u32 weakref(int fd, __u32 h, __u32 flags)
{
	struct objheap_op op = { .handle = h, .type = 4, .index = flags };

	return ioctl(fd, OBJHEAP_IOC_WEAKREF, &op) ? 0 : op.ref;
}

/* DEREF: the referent's new handle, 0 if dead; -errno on failure. */
static long deref(int fd, __u32 w)
{
	struct objheap_op op = { .handle = w };

	return ioctl(fd, OBJHEAP_IOC_DEREF, &op) ? -errno : (long)op.ref;
}

/* Take up to @n from a queue; returns done, or -errno. */
static long take(int fd, unsigned long cmd, __u32 *h, __u32 n, __u32 *left)
{
	struct objheap_gc_garbage g = { .handles = (uintptr_t)h, .count = n };

	if (ioctl(fd, cmd, &g))
		return -errno;
	if (left)
		*left = g.left;
	return g.done;
}

static __u64 info_id(int fd, __u32 h)
{
	struct objheap_info info = { .handle = h };

	return ioctl(fd, OBJHEAP_IOC_INFO, &info) ? 0 : info.id;
}

static __u32 info_flags(int fd, __u32 h)
{
	struct objheap_info info = { .handle = h };

	return ioctl(fd, OBJHEAP_IOC_INFO, &info) ? ~0U : info.flags;
}

/* @a and @b point at each other; their handles are dropped. */
static int pair_garbage(int fd, __u32 a, __u32 b)
{
	return oh_set(fd, a, 0, b) || oh_set(fd, b, 0, a) ||
	       oh_drop(fd, a) || oh_drop(fd, b);
}

TEST(feature_and_version)
{
	struct objheap_version v;
	int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, OBJHEAP_IOC_VERSION, &v));
	EXPECT_LE(6, v.minor);
	EXPECT_TRUE(v.features & OBJHEAP_FEAT_FINALIZE);
	close(fd);
}

TEST_F(fin, weakref_lives_and_dies_with_its_referent)
{
	__u32 x = oh_new(self->fd, 1, 1, 0), w, cb, got;
	long before = objects(), d;

	ASSERT_NE(0, x);
	w = weakref(self->fd, x, 0);
	cb = weakref(self->fd, x, OBJHEAP_WEAK_CALLBACK);
	ASSERT_NE(0, w);
	ASSERT_NE(0, cb);
	EXPECT_EQ(OBJHEAP_INFO_TRACKED | OBJHEAP_INFO_WEAKREF, info_flags(self->fd, w));
	EXPECT_EQ(OBJHEAP_INFO_CONTAINER | OBJHEAP_INFO_TRACKED |
		  OBJHEAP_INFO_WEAKLY_REFERENCED, info_flags(self->fd, x));
	EXPECT_EQ(1, oh_refcount(self->fd, x));
	d = deref(self->fd, w);
	ASSERT_LT(0, d);
	EXPECT_EQ(info_id(self->fd, x), info_id(self->fd, d));
	EXPECT_EQ(0, oh_drop(self->fd, d));
	EXPECT_EQ(0, oh_drop(self->fd, x));
	EXPECT_EQ(0, deref(self->fd, w));
	EXPECT_EQ(0, deref(self->fd, cb));
	EXPECT_EQ(before + 1, objects());
	/* Only the weak reference asking for it is called back. */
	EXPECT_EQ(0, oh_drop(self->fd, cb));
	EXPECT_EQ(1, take(self->fd, OBJHEAP_IOC_WEAK_CALLBACKS, &got, 4, NULL));
	EXPECT_EQ(1, oh_refcount(self->fd, got));
	EXPECT_EQ(0, oh_drop(self->fd, got));
	EXPECT_EQ(0, oh_drop(self->fd, w));
	EXPECT_EQ(before - 1, objects());
}

TEST_F(fin, weakref_errnos_change_nothing)
{
	__u32 x = oh_new(self->fd, 1, 0, 8), w;
	struct objheap_op bad[] = {
		{ .handle = x, .index = 2 },
		{ .handle = x, .count = 1 },
		{ .handle = x, .size = 1 },
		{ .handle = x, .buf = 1 },
		{ .handle = 12345 },
		{ .handle = 0 },
	};
	int want[] = { EINVAL, EINVAL, EINVAL, EINVAL, EBADF, EBADF };
	struct objheap_limits lim = { .max_objects = 2 };
	struct objheap_op op;
	long before;

	ASSERT_NE(0, x);
	before = objects();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_WEAKREF, &bad[i]));
		EXPECT_EQ(want[i], errno) TH_LOG("case %zu", i);
	}
	/* DEREF: of a non-weak reference, unused fields, a bad handle. */
	EXPECT_EQ(-EINVAL, deref(self->fd, x));
	op = (struct objheap_op){ .handle = x, .index = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_DEREF, &op));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EBADF, deref(self->fd, 999));
	/* NEW with an unknown flag. */
	op = (struct objheap_op){ .index = 2 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_NEW, &op));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(before, objects());
	EXPECT_EQ(0, info_flags(self->fd, x));
	/* A weak reference is an object: the object limit holds it back. */
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	w = weakref(self->fd, x, 0);
	ASSERT_NE(0, w);
	EXPECT_EQ(0, weakref(self->fd, x, 0));
	EXPECT_EQ(EDQUOT, errno);
	EXPECT_EQ(before + 1, objects());
	/* The weak reference has no slots nor payload. */
	EXPECT_EQ(-ERANGE, oh_set(self->fd, w, 0, x));
}

/* The ops run in BATCH too, answering through the array. */
TEST_F(fin, weakref_and_deref_in_a_batch)
{
	struct objheap_op ops[4] = {
		{ .op = OBJHEAP_OP_NEW, .count = 1, .index = OBJHEAP_NEW_FINALIZABLE },
	};
	struct objheap_batch b = {
		.ops = (uintptr_t)ops, .count = 1, .op_size = sizeof(ops[0]),
	};

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	ops[1] = (struct objheap_op){ .op = OBJHEAP_OP_WEAKREF, .handle = ops[0].handle,
				      .index = OBJHEAP_WEAK_CALLBACK };
	b.ops = (uintptr_t)&ops[1];
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	ASSERT_NE(0, ops[1].ref);
	ops[2] = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = ops[0].handle };
	ops[3] = (struct objheap_op){ .op = OBJHEAP_OP_DEREF, .handle = ops[1].ref };
	b.ops = (uintptr_t)&ops[2];
	b.count = 2;
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	EXPECT_EQ(2, b.done);
	EXPECT_EQ(0, ops[3].ref);
	EXPECT_EQ(1, take(self->fd, OBJHEAP_IOC_WEAK_CALLBACKS, &ops[0].ref, 1, NULL));
	EXPECT_EQ(1, take(self->fd, OBJHEAP_IOC_GC_FINALIZE, &ops[0].ref, 1, NULL));
}

/* PEP 442: once; a resurrected object's second death frees it. */
TEST_F(fin, finalizer_runs_once_and_may_resurrect)
{
	__u32 keep = oh_new(self->fd, 1, 1, 0), f = new_fin(self->fd, 0), got;
	struct objheap_gc_stats st;
	__u32 left = 7;
	long before;

	ASSERT_NE(0, f);
	before = objects();
	EXPECT_EQ(0, oh_drop(self->fd, f));
	EXPECT_EQ(before, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(1, st.finalizing);
	EXPECT_EQ(OBJHEAP_GEN_FINALIZE, 5);
	ASSERT_EQ(1, take(self->fd, OBJHEAP_IOC_GC_FINALIZE, &got, 8, &left));
	EXPECT_EQ(0, left);
	EXPECT_EQ(OBJHEAP_INFO_TRACKED | OBJHEAP_INFO_FINALIZABLE |
		  OBJHEAP_INFO_FINALIZED, info_flags(self->fd, got));
	EXPECT_EQ(2, oh_generation(self->fd, got));
	/* Resurrect: the finalizer stores it. */
	EXPECT_EQ(0, oh_set(self->fd, keep, 0, got));
	EXPECT_EQ(0, oh_drop(self->fd, got));
	EXPECT_EQ(before, objects());
	EXPECT_EQ(0, oh_set(self->fd, keep, 0, 0));
	EXPECT_EQ(before - 1, objects());
	EXPECT_EQ(0, take(self->fd, OBJHEAP_IOC_GC_FINALIZE, &got, 8, NULL));
}

/*
 * Cyclic trash: a weak reference inside it gets no callback, one outside
 * it does; the finalizable part waits for its finalizer with what it
 * reaches, the rest goes at once; the next collection frees what stayed
 * unreachable (uncollectable, then collected).
 */
TEST_F(fin, cyclic_trash_with_a_finalizer_and_weakrefs)
{
	__u32 a = new_fin(self->fd, 2), b = oh_new(self->fd, 1, 1, 0);
	__u32 x = oh_new(self->fd, 1, 2, 0), y = oh_new(self->fd, 1, 1, 0);
	__u32 inside, outside, got[4];
	struct objheap_gc_collect c;
	long before = objects();

	inside = weakref(self->fd, y, OBJHEAP_WEAK_CALLBACK);
	ASSERT_NE(0, inside);
	ASSERT_EQ(0, oh_set(self->fd, x, 0, inside));
	ASSERT_EQ(0, oh_drop(self->fd, inside));
	outside = weakref(self->fd, b, OBJHEAP_WEAK_CALLBACK);
	ASSERT_NE(0, outside);
	ASSERT_EQ(0, pair_garbage(self->fd, a, b));
	/* x -> inside, x <-> y: plain cyclic trash */
	ASSERT_EQ(0, oh_set(self->fd, x, 1, y));
	ASSERT_EQ(0, oh_set(self->fd, y, 0, x));
	ASSERT_EQ(0, oh_drop(self->fd, x));
	ASSERT_EQ(0, oh_drop(self->fd, y));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(6, c.scanned);
	EXPECT_EQ(3, c.collected);
	EXPECT_EQ(2, c.uncollectable);
	EXPECT_EQ(3, c.freed);
	/* a and b wait, outside lives: 3 of the 6. */
	EXPECT_EQ(before - 1, objects());
	EXPECT_EQ(0, deref(self->fd, outside));
	ASSERT_EQ(1, take(self->fd, OBJHEAP_IOC_WEAK_CALLBACKS, got, 4, NULL));
	EXPECT_EQ(info_id(self->fd, outside), info_id(self->fd, got[0]));
	EXPECT_EQ(0, oh_drop(self->fd, got[0]));
	/* The finalizer runs and lets go. */
	ASSERT_EQ(1, take(self->fd, OBJHEAP_IOC_GC_FINALIZE, got, 4, NULL));
	EXPECT_EQ(0, oh_drop(self->fd, got[0]));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(0, c.uncollectable);
	EXPECT_EQ(0, oh_drop(self->fd, outside));
	EXPECT_EQ(before - 4, objects());
}

/* debugfs gc's uncollectable column counts what finalizers kept. */
TEST_F(fin, debugfs_counts_uncollectable)
{
	char line[256];
	unsigned long long v[11];
	long u0 = -1, u1 = -1;
	__u32 a = new_fin(self->fd, 1), b = oh_new(self->fd, 1, 1, 0);
	struct objheap_gc_collect c;
	FILE *f;

	for (int pass = 0; pass < 2; pass++) {
		f = fopen(OBJHEAP_DEBUGFS "/gc", "r");
		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
				   &v[8], &v[9], &v[10]) == 11 && v[0] == 2)
				*(pass ? &u1 : &u0) = v[4];
		fclose(f);
		if (pass)
			break;
		ASSERT_EQ(0, pair_garbage(self->fd, a, b));
		ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
		EXPECT_EQ(2, c.uncollectable);
	}
	ASSERT_LE(0, u0);
	EXPECT_EQ(u0 + 2, u1);
}

/*
 * A program that never finalizes: what waits counts against the heap's
 * limits (NEW fails with EDQUOT); close frees it all without finalizing.
 */
TEST_F(fin, undrained_queues_are_bounded_and_freed_at_close)
{
	struct objheap_limits lim = { .max_objects = 64 };
	long before = objects();
	__u32 x = oh_new(self->fd, 1, 1, 0), h;
	int i;

	ASSERT_NE(0, x);
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	for (i = 0; i < 40; i++)
		ASSERT_NE(0, weakref(self->fd, x, OBJHEAP_WEAK_CALLBACK));
	/* 40 callbacks wait, and the weak references are 40 objects. */
	ASSERT_EQ(0, oh_drop(self->fd, x));
	for (i = 0;; i++) {
		h = new_fin(self->fd, 1);
		if (!h)
			break;
		ASSERT_EQ(0, oh_drop(self->fd, h));
	}
	EXPECT_EQ(EDQUOT, errno);
	EXPECT_EQ(24, i);
	EXPECT_EQ(before + 64, objects());
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(before, objects());
}

TEST_HARNESS_MAIN
