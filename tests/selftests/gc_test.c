// SPDX-License-Identifier: GPL-2.0
/*
 * The cycle collector (ABI 1.1) through its ioctls: GC_COLLECT finds
 * exactly the unreachable containers of the generations it examines and
 * frees them and what only they reach; generations, counts, thresholds and
 * automatic collections on the workqueue; FREEZE and UNFREEZE; SAVEALL and
 * GC_GARBAGE; every documented errno; collections racing with mutators and
 * with close(). Each test has its own heap, opened with the module's
 * default parameters.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

FIXTURE(gc) {
	int fd;
	long page;
};

FIXTURE_SETUP(gc)
{
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
	self->page = sysconf(_SC_PAGESIZE);
}

/* Tests that close the heap themselves set fd to -1. */
FIXTURE_TEARDOWN(gc)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Live objects in all heaps; tests run one at a time, so a leak check. */
static long objects(void)
{
	return objheap_stat("stats", "objects");
}

static int set_params(int fd, __u32 flags, __u32 t0, __u32 t1, __u32 t2)
{
	struct objheap_gc_params params = {
		.flags = flags, .threshold = { t0, t1, t2 },
	};

	return oh_gc_params_set(fd, &params);
}

static __u64 sum_collections(const struct objheap_gc_stats *st)
{
	return st->gen[0].collections + st->gen[1].collections +
	       st->gen[2].collections;
}

static __u64 sum_freed(const struct objheap_gc_stats *st)
{
	return st->gen[0].freed + st->gen[1].freed + st->gen[2].freed;
}

static __u64 sum_tracked(const struct objheap_gc_stats *st)
{
	return st->tracked[0] + st->tracked[1] + st->tracked[2];
}

/*
 * A page no access may touch. PROT_NONE rather than unmapped: a later
 * mmap() cannot reuse the address and make it valid again.
 */
static void *no_access_page(long page)
{
	void *p = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The type tag of what slot @slot of @handle points at: 0 if empty. */
static long slot_type(int fd, __u32 handle, __u32 slot)
{
	struct objheap_info info;
	__u32 got;
	int ret = oh_get(fd, handle, slot, &got);

	if (ret || !got)
		return ret;
	ret = oh_info(fd, got, &info);
	oh_drop(fd, got);
	return ret ? ret : (long)info.type;
}

/* Run @n operations, OBJHEAP_BATCH_MAX at a time; returns 0 or -errno. */
static int run_ops(int fd, struct objheap_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i += OBJHEAP_BATCH_MAX) {
		size_t count = n - i < OBJHEAP_BATCH_MAX ? n - i : OBJHEAP_BATCH_MAX;
		int ret = oh_batch(fd, ops + i, count, NULL);

		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Make @n garbage self-loops (one-slot containers whose slot holds
 * themselves) with BATCH: NEW, SET h[0] = h, DROP h. Free handles are a
 * LIFO list, so the handle a DROP closes is the one the next NEW returns,
 * and every triple can name the same handle: the one a NEW and DROP just
 * before found (that container is freed at once: count[0] is unchanged).
 */
static int make_self_loops(int fd, size_t n)
{
	struct objheap_op *ops = calloc(3 * n, sizeof(*ops));
	__u32 h = oh_new(fd, 0, 1, 0);
	int ret;

	if (!ops || !h || oh_drop(fd, h)) {
		free(ops);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		ops[3 * i] = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .count = 1 };
		ops[3 * i + 1] = (struct objheap_op){
			.op = OBJHEAP_OP_SET, .handle = h, .index = 0, .ref = h,
		};
		ops[3 * i + 2] = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = h };
	}
	ret = run_ops(fd, ops, 3 * n);
	for (size_t i = 0; !ret && i < n; i++)
		if (ops[3 * i].handle != h)
			ret = -EBADF;
	free(ops);
	return ret;
}

/*
 * Wait, up to 60 s (TCG and KASAN make the VM slow), until the workqueue
 * ran collections that freed something, none is pending, and every
 * collection the heap has seen was an automatic one (the caller ran none).
 */
static int wait_automatic(int fd, struct objheap_gc_stats *st)
{
	for (int i = 0; i < 3000; i++) {
		int ret = oh_gc_stats(fd, st);

		if (ret)
			return ret;
		if (st->automatic && sum_freed(st) &&
		    !(st->state & OBJHEAP_GC_PENDING) &&
		    sum_collections(st) == st->automatic)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

TEST_F(gc, version_advertises_the_collector)
{
	struct objheap_version ver;

	memset(&ver, 0xa5, sizeof(ver));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_VERSION, &ver));
	EXPECT_EQ(1, ver.major);
	EXPECT_LE(1, ver.minor);
	EXPECT_EQ(OBJHEAP_FEAT_GC, ver.features & OBJHEAP_FEAT_GC);
}

TEST_F(gc, new_heap_has_default_params_and_empty_stats)
{
	struct objheap_gc_params params;
	struct objheap_gc_stats st, zero;

	memset(&params, 0xa5, sizeof(params));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_GET_PARAMS, &params));
	EXPECT_EQ(OBJHEAP_GC_ENABLED, params.flags);
	EXPECT_EQ(700, params.threshold[0]);
	EXPECT_EQ(10, params.threshold[1]);
	EXPECT_EQ(10, params.threshold[2]);
	EXPECT_EQ(0, params.reserved[0]);
	EXPECT_EQ(0, params.reserved[1]);

	/* Every field, reserved ones included, is zero. */
	memset(&st, 0xa5, sizeof(st));
	memset(&zero, 0, sizeof(zero));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_STATS, &st));
	EXPECT_EQ(0, memcmp(&zero, &st, sizeof(st)));
}

TEST_F(gc, params_round_trip_and_belong_to_one_heap)
{
	const struct objheap_gc_params want[] = {
		{ .flags = OBJHEAP_GC_SAVEALL,
		  .threshold = { 1, 0, OBJHEAP_GC_THRESHOLD_MAX } },
		{ .flags = OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL,
		  .threshold = { OBJHEAP_GC_THRESHOLD_MAX, 45, 6 } },
		{ .flags = 0, .threshold = { 0, 0, 0 } },
		{ .flags = OBJHEAP_GC_ENABLED, .threshold = { 123, 1, 2 } },
	};
	struct objheap_gc_params got;
	int other;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(0, oh_gc_params_set(self->fd, &want[i])) TH_LOG("set %zu", i);
		ASSERT_EQ(0, oh_gc_params_get(self->fd, &got));
		EXPECT_EQ(0, memcmp(&want[i], &got, sizeof(got))) TH_LOG("set %zu", i);
	}

	/* Another heap keeps the defaults. */
	other = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, oh_gc_params_get(other, &got));
	EXPECT_EQ(OBJHEAP_GC_ENABLED, got.flags);
	EXPECT_EQ(700, got.threshold[0]);
	EXPECT_EQ(10, got.threshold[1]);
	EXPECT_EQ(10, got.threshold[2]);
	close(other);
}

TEST_F(gc, bad_params_are_einval_and_change_nothing)
{
	const struct objheap_gc_params good = {
		.flags = OBJHEAP_GC_SAVEALL, .threshold = { 500, 20, 30 },
	};
	struct objheap_gc_params bad[8], got;

	ASSERT_EQ(0, oh_gc_params_set(self->fd, &good));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		bad[i] = good;
	bad[0].flags |= 1U << 2;
	bad[1].flags = UINT32_MAX;
	bad[2].threshold[0] = OBJHEAP_GC_THRESHOLD_MAX + 1;
	bad[3].threshold[1] = OBJHEAP_GC_THRESHOLD_MAX + 1;
	bad[4].threshold[2] = OBJHEAP_GC_THRESHOLD_MAX + 1;
	bad[5].threshold[0] = UINT32_MAX;
	bad[6].reserved[0] = 1;
	bad[7].reserved[1] = 1ULL << 63;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, oh_gc_params_set(self->fd, &bad[i])) TH_LOG("bad %zu", i);
		ASSERT_EQ(0, oh_gc_params_get(self->fd, &got));
		EXPECT_EQ(0, memcmp(&good, &got, sizeof(got))) TH_LOG("bad %zu", i);
	}
}

TEST_F(gc, bad_param_and_stats_pointers_are_efault)
{
	const struct objheap_gc_params good = {
		.flags = OBJHEAP_GC_ENABLED, .threshold = { 321, 9, 8 },
	};
	void *none = no_access_page(self->page);
	void *ro = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct objheap_gc_params got;

	ASSERT_NE(NULL, none);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, oh_gc_params_set(self->fd, &good));

	EXPECT_EQ(-EFAULT, oh_gc_params_set(self->fd, NULL));
	EXPECT_EQ(-EFAULT, oh_gc_params_set(self->fd, none));
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GET_PARAMS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GET_PARAMS, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GET_PARAMS, ro));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_STATS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_STATS, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_STATS, ro));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, oh_gc_params_get(self->fd, &got));
	EXPECT_EQ(0, memcmp(&good, &got, sizeof(got)));
	munmap(ro, self->page);
}

TEST_F(gc, collect_bad_arguments_fail_and_collect_nothing)
{
	long before = objects();
	void *none = no_access_page(self->page);
	struct objheap_gc_collect bad[6], c;
	struct objheap_gc_stats st;
	__u32 a = oh_new(self->fd, 0, 1, 0);

	/* Garbage a collection would find: a self-loop. */
	ASSERT_NE(NULL, none);
	ASSERT_NE(0, a);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, a));
	ASSERT_EQ(0, oh_drop(self->fd, a));

	memset(bad, 0, sizeof(bad));
	bad[0].generation = OBJHEAP_GC_GENERATIONS;
	bad[1].generation = UINT32_MAX;
	bad[2].flags = 1;
	bad[3].flags = 1U << 31;
	bad[4].reserved = 1;
	bad[5].generation = 2;
	bad[5].reserved = 1ULL << 63;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_COLLECT, &bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("bad %zu", i);
	}
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_COLLECT, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_COLLECT, none));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(1, st.tracked[0]);
	EXPECT_EQ(1, st.count[0]);
	EXPECT_EQ(0, sum_collections(&st));
	EXPECT_EQ(before + 1, objects());

	/* A good call still works. */
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(1, c.collected);
	EXPECT_EQ(before, objects());
}

TEST_F(gc, count_follows_container_allocations_and_collections)
{
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 h[5], leaf[2];

	for (int i = 0; i < 5; i++) {
		h[i] = oh_new(self->fd, i + 1, i < 3 ? 1 : 2, 0);
		ASSERT_NE(0, h[i]);
		EXPECT_EQ(0, oh_generation(self->fd, h[i]));
	}
	for (int i = 0; i < 2; i++) {
		leaf[i] = oh_new(self->fd, 10, 0, 8);
		ASSERT_NE(0, leaf[i]);
		EXPECT_EQ(OBJHEAP_GEN_UNTRACKED, oh_generation(self->fd, leaf[i]));
	}
	/* Leaves are not counted. */
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(5, st.count[0]);
	EXPECT_EQ(5, st.tracked[0]);

	/* Frees subtract. */
	ASSERT_EQ(0, oh_drop(self->fd, h[3]));
	ASSERT_EQ(0, oh_drop(self->fd, h[4]));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(3, st.count[0]);
	EXPECT_EQ(3, st.tracked[0]);

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(3, c.scanned);
	EXPECT_EQ(0, c.collected);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(1, st.count[1]);
	EXPECT_EQ(0, st.count[2]);
	EXPECT_EQ(0, st.tracked[0]);
	EXPECT_EQ(3, st.tracked[1]);
	EXPECT_EQ(1, oh_generation(self->fd, h[0]));
	EXPECT_EQ(OBJHEAP_GEN_UNTRACKED, oh_generation(self->fd, leaf[0]));

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(0, c.scanned);		/* generation 0 is empty */
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(2, st.count[1]);

	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	EXPECT_EQ(3, c.scanned);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(0, st.count[1]);
	EXPECT_EQ(1, st.count[2]);
	EXPECT_EQ(3, st.tracked[2]);
	EXPECT_EQ(2, oh_generation(self->fd, h[0]));

	/* Generation 2's survivors stay in generation 2. */
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(3, c.scanned);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(0, st.count[1]);
	EXPECT_EQ(0, st.count[2]);
	EXPECT_EQ(3, st.tracked[2]);
	EXPECT_EQ(2, oh_generation(self->fd, h[0]));

	/* A collection of g counts for g only. */
	EXPECT_EQ(2, st.gen[0].collections);
	EXPECT_EQ(1, st.gen[1].collections);
	EXPECT_EQ(1, st.gen[2].collections);
	EXPECT_EQ(3, st.gen[0].scanned);
	EXPECT_EQ(3, st.gen[1].scanned);
	EXPECT_EQ(3, st.gen[2].scanned);

	/* count[0] does not go below zero, and counts up again from there. */
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(2, st.tracked[2]);
	ASSERT_NE(0, oh_new(self->fd, 0, 1, 0));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(1, st.count[0]);
	EXPECT_EQ(1, st.tracked[0]);
}

TEST_F(gc, self_loop_is_collected)
{
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 a = oh_new(self->fd, 1, 1, 0);

	ASSERT_NE(0, a);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, a));
	EXPECT_EQ(2, oh_refcount(self->fd, a));
	EXPECT_EQ(0, oh_generation(self->fd, a));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(1, st.tracked[0]);
	EXPECT_EQ(1, st.count[0]);
	EXPECT_EQ(before + 1, objects());

	memset(&c, 0xa5, sizeof(c));
	c.generation = 0;
	c.flags = 0;
	c.reserved = 0;
	/* Output only (ABI 1.6): whatever it held is overwritten. */
	ASSERT_EQ(0xa5a5a5a5a5a5a5a5ULL, c.uncollectable);
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_COLLECT, &c));
	EXPECT_EQ(1, c.scanned);
	EXPECT_EQ(1, c.collected);
	EXPECT_EQ(1, c.freed);
	EXPECT_EQ(0, c.saved);
	EXPECT_LT(0, c.time_ns);
	EXPECT_EQ(0, c.uncollectable);
	EXPECT_EQ(0, c.reserved);
	EXPECT_EQ(before, objects());

	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, sum_tracked(&st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(1, st.count[1]);
	EXPECT_EQ(0, st.count[2]);
	EXPECT_EQ(1, st.gen[0].collections);
	EXPECT_EQ(1, st.gen[0].scanned);
	EXPECT_EQ(1, st.gen[0].collected);
	EXPECT_EQ(1, st.gen[0].freed);
	EXPECT_LT(0, st.gen[0].pause_total_ns);
	EXPECT_EQ(st.gen[0].pause_total_ns, st.gen[0].pause_max_ns);
	EXPECT_EQ(0, st.gen[1].collections);
	EXPECT_EQ(0, st.gen[2].collections);
	EXPECT_EQ(0, st.automatic);
	EXPECT_EQ(0, st.frozen);
	EXPECT_EQ(0, st.garbage);
}

TEST_F(gc, two_cycle_is_collected_by_a_full_collection)
{
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 a = oh_new(self->fd, 1, 1, 0), b = oh_new(self->fd, 2, 1, 16);

	ASSERT_NE(0, a);
	ASSERT_NE(0, b);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	EXPECT_EQ(2, oh_refcount(self->fd, a));
	EXPECT_EQ(2, oh_refcount(self->fd, b));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_drop(self->fd, b));

	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(2, c.freed);
	EXPECT_EQ(0, c.saved);
	EXPECT_LT(0, c.time_ns);
	EXPECT_EQ(before, objects());

	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, sum_tracked(&st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(0, st.count[1]);
	EXPECT_EQ(0, st.count[2]);
	EXPECT_EQ(0, st.gen[0].collections);
	EXPECT_EQ(0, st.gen[1].collections);
	EXPECT_EQ(1, st.gen[2].collections);
	EXPECT_EQ(2, st.gen[2].scanned);
	EXPECT_EQ(2, st.gen[2].collected);
	EXPECT_EQ(2, st.gen[2].freed);
	EXPECT_LT(0, st.gen[2].pause_max_ns);
}

/*
 * A <-> B, with leaves on both and an acyclic chain C1 -> C2 -> C3 -> leaf
 * hanging off A, next to a live container H holding a leaf. The chain's
 * containers are reached only from the cycle: unreachable too.
 */
TEST_F(gc, cycle_with_leaves_and_a_chain_is_collected_whole)
{
	long before = objects();
	struct objheap_gc_collect c;
	__u32 a = oh_new(self->fd, 1, 3, 0), b = oh_new(self->fd, 2, 2, 0);
	__u32 c1 = oh_new(self->fd, 3, 1, 0), c2 = oh_new(self->fd, 4, 1, 0);
	__u32 c3 = oh_new(self->fd, 5, 1, 0), h = oh_new(self->fd, 6, 1, 0);
	__u32 l1 = oh_new(self->fd, 7, 0, 10), l2 = oh_new(self->fd, 8, 0, 20);
	__u32 l3 = oh_new(self->fd, 9, 0, 30), l4 = oh_new(self->fd, 10, 0, 40);
	const __u32 drop[] = { a, b, c1, c2, c3, l1, l2, l3, l4 };

	ASSERT_NE(0, l4);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	ASSERT_EQ(0, oh_set(self->fd, a, 1, l1));
	ASSERT_EQ(0, oh_set(self->fd, b, 1, l2));
	ASSERT_EQ(0, oh_set(self->fd, a, 2, c1));
	ASSERT_EQ(0, oh_set(self->fd, c1, 0, c2));
	ASSERT_EQ(0, oh_set(self->fd, c2, 0, c3));
	ASSERT_EQ(0, oh_set(self->fd, c3, 0, l3));
	ASSERT_EQ(0, oh_set(self->fd, h, 0, l4));
	for (size_t i = 0; i < ARRAY_SIZE(drop); i++)
		ASSERT_EQ(0, oh_drop(self->fd, drop[i]));
	EXPECT_EQ(before + 10, objects());

	/* Six containers; five unreachable; freed: those five and 3 leaves. */
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(6, c.scanned);
	EXPECT_EQ(5, c.collected);
	EXPECT_EQ(8, c.freed);
	EXPECT_EQ(before + 2, objects());

	EXPECT_EQ(1, oh_refcount(self->fd, h));
	EXPECT_EQ(1, oh_generation(self->fd, h));
	EXPECT_EQ(10, slot_type(self->fd, h, 0));
	ASSERT_EQ(0, oh_drop(self->fd, h));
	EXPECT_EQ(before, objects());
}

/*
 * O, a container in generation 1 with a leaf, is referenced only by a young
 * garbage self-loop Y: COLLECT(0) examines Y alone, but freeing Y frees O
 * and its leaf too.
 */
TEST_F(gc, garbage_frees_older_objects_only_it_references)
{
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 o = oh_new(self->fd, 1, 1, 0), l = oh_new(self->fd, 2, 0, 0), y;

	ASSERT_NE(0, l);
	ASSERT_EQ(0, oh_set(self->fd, o, 0, l));
	ASSERT_EQ(0, oh_drop(self->fd, l));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(1, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(1, oh_generation(self->fd, o));

	y = oh_new(self->fd, 3, 2, 0);
	ASSERT_NE(0, y);
	ASSERT_EQ(0, oh_set(self->fd, y, 0, y));
	ASSERT_EQ(0, oh_set(self->fd, y, 1, o));
	ASSERT_EQ(0, oh_drop(self->fd, y));
	ASSERT_EQ(0, oh_drop(self->fd, o));
	EXPECT_EQ(before + 3, objects());

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(1, c.scanned);
	EXPECT_EQ(1, c.collected);
	EXPECT_EQ(3, c.freed);
	EXPECT_EQ(before, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, sum_tracked(&st));
}

TEST_F(gc, clique_of_16_is_collected)
{
	enum { K = 16 };
	long before = objects();
	struct objheap_gc_collect c;
	__u32 node[K];

	for (int i = 0; i < K; i++) {
		node[i] = oh_new(self->fd, i + 1, K, 0);
		ASSERT_NE(0, node[i]);
	}
	for (int i = 0; i < K; i++)
		for (int j = 0; j < K; j++)
			ASSERT_EQ(0, oh_set(self->fd, node[i], j, node[j]));
	for (int i = 0; i < K; i++) {
		EXPECT_EQ(K + 1, oh_refcount(self->fd, node[i]));
		ASSERT_EQ(0, oh_drop(self->fd, node[i]));
	}

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(K, c.scanned);
	EXPECT_EQ(K, c.collected);
	EXPECT_EQ(K, c.freed);
	EXPECT_EQ(before, objects());
}

TEST_F(gc, cycle_held_by_a_handle_survives_and_ages)
{
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 a = oh_new(self->fd, 1, 1, 0), b = oh_new(self->fd, 2, 1, 0), got;

	ASSERT_NE(0, b);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	ASSERT_EQ(0, oh_drop(self->fd, b));

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(0, c.freed);
	EXPECT_EQ(1, oh_generation(self->fd, a));
	EXPECT_EQ(2, oh_refcount(self->fd, a));
	ASSERT_EQ(0, oh_get(self->fd, a, 0, &got));
	ASSERT_NE(0, got);
	EXPECT_EQ(1, oh_generation(self->fd, got));
	EXPECT_EQ(2, oh_refcount(self->fd, got));	/* a's slot and got */
	EXPECT_EQ(1, slot_type(self->fd, got, 0));
	ASSERT_EQ(0, oh_drop(self->fd, got));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.tracked[0]);
	EXPECT_EQ(2, st.tracked[1]);
	EXPECT_EQ(before + 2, objects());

	/* Garbage now, but in generation 1: COLLECT(0) does not look there. */
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(0, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(before + 2, objects());

	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(2, c.freed);
	EXPECT_EQ(before, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, sum_tracked(&st));
}

/*
 * O (a self-loop) ages into generation 2, then holds the cycle B <-> C.
 * Once O's handle is gone all three are garbage, but a collection that
 * does not examine generation 2 counts O's slot as a reference from
 * outside: only COLLECT(2) finds them.
 */
TEST_F(gc, cycle_reachable_from_generation_2_waits_for_a_full_collection)
{
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 o = oh_new(self->fd, 1, 2, 0), b, d, got;

	ASSERT_NE(0, o);
	ASSERT_EQ(0, oh_set(self->fd, o, 0, o));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(1, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(1, oh_generation(self->fd, o));
	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	EXPECT_EQ(1, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(2, oh_generation(self->fd, o));

	b = oh_new(self->fd, 2, 1, 0);
	d = oh_new(self->fd, 3, 1, 0);
	ASSERT_NE(0, d);
	ASSERT_EQ(0, oh_set(self->fd, b, 0, d));
	ASSERT_EQ(0, oh_set(self->fd, d, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, o, 1, b));
	ASSERT_EQ(0, oh_drop(self->fd, b));
	ASSERT_EQ(0, oh_drop(self->fd, d));

	/* B and C: kept by O, from generation 2; they move to generation 1. */
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(0, c.collected);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.tracked[0]);
	EXPECT_EQ(2, st.tracked[1]);
	EXPECT_EQ(1, st.tracked[2]);
	ASSERT_EQ(0, oh_get(self->fd, o, 1, &got));
	EXPECT_EQ(1, oh_generation(self->fd, got));
	EXPECT_EQ(3, oh_refcount(self->fd, got));	/* O's and C's slots, got */
	ASSERT_EQ(0, oh_drop(self->fd, got));

	ASSERT_EQ(0, oh_drop(self->fd, o));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(0, c.scanned);
	EXPECT_EQ(0, c.collected);
	/* O is still outside: B and C survive once more, into generation 2. */
	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(0, c.freed);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.tracked[1]);
	EXPECT_EQ(3, st.tracked[2]);
	EXPECT_EQ(before + 3, objects());

	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(3, c.scanned);
	EXPECT_EQ(3, c.collected);
	EXPECT_EQ(3, c.freed);
	EXPECT_EQ(before, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, sum_tracked(&st));
}

/*
 * 100 rings of three; the even ones are held by a handle on their first
 * node, the odd ones are garbage. Node k of ring r has type 3r + k + 1.
 * 300 containers stay under the default threshold of 700.
 */
TEST_F_TIMEOUT(gc, garbage_rings_among_live_rings, 120)
{
	enum { RINGS = 100, RING = 3 };
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 live[RINGS / 2], n[RING];

	for (int r = 0; r < RINGS; r++) {
		for (int k = 0; k < RING; k++) {
			n[k] = oh_new(self->fd, RING * r + k + 1, 1, 0);
			ASSERT_NE(0, n[k]);
		}
		for (int k = 0; k < RING; k++)
			ASSERT_EQ(0, oh_set(self->fd, n[k], 0, n[(k + 1) % RING]));
		for (int k = r % 2 ? 0 : 1; k < RING; k++)
			ASSERT_EQ(0, oh_drop(self->fd, n[k]));
		if (r % 2 == 0)
			live[r / 2] = n[0];
	}
	EXPECT_EQ(before + RINGS * RING, objects());

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(RINGS * RING, c.scanned);
	EXPECT_EQ(RINGS / 2 * RING, c.collected);
	EXPECT_EQ(RINGS / 2 * RING, c.freed);
	EXPECT_EQ(before + RINGS / 2 * RING, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.tracked[0]);
	EXPECT_EQ(RINGS / 2 * RING, st.tracked[1]);
	EXPECT_EQ(0, st.automatic);

	/* Each live ring is intact: walk it once around. */
	for (int i = 0; i < RINGS / 2; i++) {
		__u32 base = RING * 2 * i + 1, cur = live[i], next;
		struct objheap_info info;

		ASSERT_EQ(0, oh_info(self->fd, cur, &info));
		EXPECT_EQ(base, info.type);
		EXPECT_EQ(2, info.refcount);
		EXPECT_EQ(1, info.generation);
		for (int k = 1; k <= RING; k++) {
			ASSERT_EQ(0, oh_get(self->fd, cur, 0, &next));
			ASSERT_NE(0, next);
			ASSERT_EQ(0, oh_info(self->fd, next, &info));
			EXPECT_EQ(base + k % RING, info.type) TH_LOG("ring %d", i);
			if (cur != live[i])
				ASSERT_EQ(0, oh_drop(self->fd, cur));
			cur = next;
		}
		ASSERT_EQ(0, oh_drop(self->fd, cur));
	}

	for (int i = 0; i < RINGS / 2; i++)
		ASSERT_EQ(0, oh_drop(self->fd, live[i]));
	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	EXPECT_EQ(RINGS / 2 * RING, c.scanned);
	EXPECT_EQ(RINGS / 2 * RING, c.collected);
	EXPECT_EQ(RINGS / 2 * RING, c.freed);
	EXPECT_EQ(before, objects());
}

TEST_F_TIMEOUT(gc, ring_of_100000_is_collected, 300)
{
	enum { N = 100000 };
	long before = objects();
	struct objheap_op *ops = calloc(N, sizeof(*ops));
	__u32 *h = calloc(N, sizeof(*h));
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;

	ASSERT_NE(NULL, ops);
	ASSERT_NE(NULL, h);
	/* No automatic collection may take part. */
	ASSERT_EQ(0, oh_gc_flags(self->fd, 0));

	for (int i = 0; i < N; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .count = 1 };
	ASSERT_EQ(0, run_ops(self->fd, ops, N));
	for (int i = 0; i < N; i++)
		h[i] = ops[i].handle;
	for (int i = 0; i < N; i++)
		ops[i] = (struct objheap_op){
			.op = OBJHEAP_OP_SET, .handle = h[i], .ref = h[(i + 1) % N],
		};
	ASSERT_EQ(0, run_ops(self->fd, ops, N));
	for (int i = 0; i < N; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = h[i] };
	ASSERT_EQ(0, run_ops(self->fd, ops, N));
	EXPECT_EQ(before + N, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(N, st.count[0]);
	EXPECT_EQ(N, st.tracked[0]);

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(N, c.scanned);
	EXPECT_EQ(N, c.collected);
	EXPECT_EQ(N, c.freed);
	EXPECT_EQ(before, objects());
	free(ops);
	free(h);
}

#define MUT_THREADS	4
#define MUT_ROUNDS	1000
#define MUT_KEEP	8
#define MUT_SHARED	16

struct mutator {
	int fd;
	__u32 shared;	/* a container all threads store into */
	__u32 tag;	/* type of this thread's objects */
	unsigned int seed;
	int errors;
};

/*
 * Each round: a new two-slot container points at one of the thread's
 * kept objects (or itself), which may point back (a cycle); it may be
 * published in the shared container; what it points at is checked; the
 * cycle may be broken again; it replaces a kept object, whose handle is
 * dropped, leaving garbage cycles behind.
 */
static void *mutate(void *arg)
{
	struct mutator *m = arg;
	__u32 keep[MUT_KEEP] = { 0 };
	struct objheap_info info;
	__u32 obj, other, got;
	int k;

	for (int i = 0; i < MUT_ROUNDS; i++) {
		k = rand_r(&m->seed) % MUT_KEEP;
		other = keep[rand_r(&m->seed) % MUT_KEEP];
		obj = oh_new(m->fd, m->tag, 2, 0);
		if (!obj) {
			m->errors++;
			continue;
		}
		m->errors += oh_set(m->fd, obj, 0, other ? other : obj) != 0;
		if (other && rand_r(&m->seed) % 2)
			m->errors += oh_set(m->fd, other, 1, obj) != 0;
		if (rand_r(&m->seed) % 4 == 0)
			m->errors += oh_set(m->fd, m->shared,
					    rand_r(&m->seed) % MUT_SHARED, obj) != 0;
		/* Whatever ran meanwhile, what obj reaches is still there. */
		if (oh_get(m->fd, obj, 0, &got) || !got) {
			m->errors++;
		} else {
			m->errors += oh_info(m->fd, got, &info) || info.type != m->tag;
			m->errors += oh_drop(m->fd, got) != 0;
		}
		if (rand_r(&m->seed) % 3 == 0)
			m->errors += oh_set(m->fd, obj, 0, 0) != 0;
		if (keep[k])
			m->errors += oh_drop(m->fd, keep[k]) != 0;
		keep[k] = obj;
	}
	for (k = 0; k < MUT_KEEP; k++)
		if (keep[k])
			m->errors += oh_drop(m->fd, keep[k]) != 0;
	return NULL;
}

struct collector {
	int fd;
	int stop;
	int errors;
	unsigned long runs;
	__u64 collected;
};

static void *collect_loop(void *arg)
{
	struct collector *c = arg;
	struct objheap_gc_collect out;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		c->errors += oh_collect(c->fd, c->runs % OBJHEAP_GC_GENERATIONS,
					&out) != 0;
		c->collected += out.collected;
		c->runs++;
		usleep(1000);	/* let the mutators take the heap's lock too */
	}
	return NULL;
}

TEST_F_TIMEOUT(gc, collections_while_threads_mutate, 300)
{
	long before = objects();
	struct collector col = { .fd = self->fd };
	struct mutator m[MUT_THREADS];
	pthread_t mt[MUT_THREADS], ct;
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 shared;

	ASSERT_EQ(0, set_params(self->fd, OBJHEAP_GC_ENABLED, 50, 10, 10));
	shared = oh_new(self->fd, 0, MUT_SHARED, 0);
	ASSERT_NE(0, shared);
	ASSERT_EQ(0, pthread_create(&ct, NULL, collect_loop, &col));
	for (int i = 0; i < MUT_THREADS; i++) {
		m[i] = (struct mutator){
			.fd = self->fd, .shared = shared, .tag = i + 1, .seed = i + 1,
		};
		ASSERT_EQ(0, pthread_create(&mt[i], NULL, mutate, &m[i]));
	}
	for (int i = 0; i < MUT_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(mt[i], NULL));
		EXPECT_EQ(0, m[i].errors) TH_LOG("mutator %d", i + 1);
	}
	__atomic_store_n(&col.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(ct, NULL));
	EXPECT_EQ(0, col.errors);
	EXPECT_LT(0, col.runs);

	/* Everything left is garbage now. */
	ASSERT_EQ(0, oh_drop(self->fd, shared));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	TH_LOG("%lu collections by the thread (%llu collected), %llu automatic, %llu by the last",
	       col.runs, (unsigned long long)col.collected,
	       (unsigned long long)st.automatic, (unsigned long long)c.collected);
	EXPECT_EQ(0, st.tracked[0]);
	EXPECT_EQ(0, st.tracked[1]);
	EXPECT_EQ(0, st.tracked[2]);
	EXPECT_EQ(0, st.frozen);
	EXPECT_EQ(0, st.garbage);
	EXPECT_LT(0, st.gen[0].collected + st.gen[1].collected + st.gen[2].collected);
	EXPECT_EQ(before, objects());

	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(before, objects());
}

/* Closing must cancel or wait for the collection the allocations queued. */
TEST_F_TIMEOUT(gc, close_with_an_automatic_collection_queued, 300)
{
	long before;

	close(self->fd);
	self->fd = -1;
	before = objects();
	for (int i = 0; i < 20; i++) {
		int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, set_params(fd, OBJHEAP_GC_ENABLED, 10, 10, 10));
		ASSERT_EQ(0, make_self_loops(fd, 5000)) TH_LOG("round %d", i);
		close(fd);
		EXPECT_EQ(before, objects()) TH_LOG("round %d", i);
	}
}

struct collect_arg {
	int fd;
	int started;
	int ret;
	struct objheap_gc_collect c;
};

static void *collect_once(void *arg)
{
	struct collect_arg *a = arg;

	__atomic_store_n(&a->started, 1, __ATOMIC_RELEASE);
	a->ret = oh_collect(a->fd, 2, &a->c);
	return NULL;
}

/*
 * The file stays alive until the ioctl returns: the collection finishes,
 * and the heap is destroyed after it. Should the close win the race and
 * come first, the COLLECT fails with EBADF instead; both leak nothing.
 */
TEST_F_TIMEOUT(gc, close_while_collect_runs_in_another_thread, 300)
{
	enum { N = 50000 };
	long before = objects();
	struct collect_arg arg = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, oh_gc_flags(self->fd, 0));
	ASSERT_EQ(0, make_self_loops(self->fd, N));
	EXPECT_EQ(before + N, objects());

	ASSERT_EQ(0, pthread_create(&t, NULL, collect_once, &arg));
	while (!__atomic_load_n(&arg.started, __ATOMIC_ACQUIRE))
		usleep(100);
	usleep(20000);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pthread_join(t, NULL));
	if (arg.ret == 0) {
		EXPECT_EQ(N, arg.c.scanned);
		EXPECT_EQ(N, arg.c.collected);
		EXPECT_EQ(N, arg.c.freed);
	} else {
		EXPECT_EQ(-EBADF, arg.ret);
		TH_LOG("close came before the COLLECT");
	}
	EXPECT_EQ(before, objects());
}

/*
 * 2000 self-loops against threshold[0] = 100: the workqueue collects
 * generation 0 at least once. Every self-loop is freed by one collection
 * or another, the last one the test's own.
 */
TEST_F_TIMEOUT(gc, automatic_collections_start_past_threshold, 180)
{
	enum { N = 2000 };
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;

	ASSERT_EQ(0, set_params(self->fd, OBJHEAP_GC_ENABLED, 100, 10, 10));
	ASSERT_EQ(0, make_self_loops(self->fd, N));
	ASSERT_EQ(0, wait_automatic(self->fd, &st))
		TH_LOG("automatic %llu, collections %llu, freed %llu, state %#x",
		       (unsigned long long)st.automatic,
		       (unsigned long long)sum_collections(&st),
		       (unsigned long long)sum_freed(&st), st.state);
	EXPECT_LE(sum_freed(&st), N);

	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(N, sum_freed(&st));
	EXPECT_EQ(0, sum_tracked(&st));
	EXPECT_EQ(before, objects());
}

/*
 * With automatic collection off (@off), 2000 self-loops queue nothing:
 * count[0] grows to 2000. Turning it on again (@on), the next container
 * allocation queues a collection, which frees them all (they are all in
 * generation 0, and count[1] is 0: a collection of generation 0).
 */
static void disabled_then_enabled(struct __test_metadata *_metadata, int fd,
				  const struct objheap_gc_params *off,
				  const struct objheap_gc_params *on)
{
	enum { N = 2000 };
	long before = objects();
	struct objheap_gc_stats st;
	__u32 h;

	ASSERT_EQ(0, oh_gc_params_set(fd, off));
	ASSERT_EQ(0, make_self_loops(fd, N));
	sleep(1);
	ASSERT_EQ(0, oh_gc_stats(fd, &st));
	EXPECT_EQ(0, st.automatic);
	EXPECT_EQ(0, st.state & OBJHEAP_GC_PENDING);
	EXPECT_EQ(N, st.count[0]);
	EXPECT_EQ(N, st.tracked[0]);
	EXPECT_EQ(0, sum_collections(&st));
	EXPECT_EQ(before + N, objects());

	ASSERT_EQ(0, oh_gc_params_set(fd, on));
	h = oh_new(fd, 0, 1, 0);
	ASSERT_NE(0, h);
	ASSERT_EQ(0, wait_automatic(fd, &st))
		TH_LOG("automatic %llu, state %#x",
		       (unsigned long long)st.automatic, st.state);
	EXPECT_EQ(N, sum_freed(&st));
	EXPECT_EQ(1, sum_tracked(&st));		/* h */
	ASSERT_EQ(0, oh_drop(fd, h));
	EXPECT_EQ(before, objects());
}

TEST_F_TIMEOUT(gc, no_automatic_collection_while_disabled, 180)
{
	const struct objheap_gc_params off = { .threshold = { 100, 10, 10 } };
	const struct objheap_gc_params on = {
		.flags = OBJHEAP_GC_ENABLED, .threshold = { 100, 10, 10 },
	};

	disabled_then_enabled(_metadata, self->fd, &off, &on);
}

TEST_F_TIMEOUT(gc, no_automatic_collection_with_threshold_zero, 180)
{
	const struct objheap_gc_params off = {
		.flags = OBJHEAP_GC_ENABLED, .threshold = { 0, 10, 10 },
	};
	const struct objheap_gc_params on = {
		.flags = OBJHEAP_GC_ENABLED, .threshold = { 100, 10, 10 },
	};

	disabled_then_enabled(_metadata, self->fd, &off, &on);
}

/*
 * Frozen: a live self-loop L, a garbage cycle A <-> B (and a leaf, which
 * stays untracked). After FREEZE, young Y kept only by L's slot survives
 * as if referenced from outside; young garbage N is collected.
 */
TEST_F(gc, frozen_objects_are_skipped_until_unfrozen)
{
	long before = objects();
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	__u32 l = oh_new(self->fd, 1, 2, 0), a = oh_new(self->fd, 2, 1, 0);
	__u32 b = oh_new(self->fd, 3, 1, 0), leaf = oh_new(self->fd, 4, 0, 0);
	__u32 y, n;

	ASSERT_NE(0, leaf);
	ASSERT_EQ(0, oh_set(self->fd, l, 0, l));
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_drop(self->fd, b));

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_FREEZE));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(3, st.frozen);
	EXPECT_EQ(0, sum_tracked(&st));
	EXPECT_EQ(0, st.count[0]);
	EXPECT_EQ(OBJHEAP_GEN_PERMANENT, oh_generation(self->fd, l));
	EXPECT_EQ(OBJHEAP_GEN_UNTRACKED, oh_generation(self->fd, leaf));

	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(0, c.scanned);
	EXPECT_EQ(0, c.collected);
	EXPECT_EQ(0, c.freed);
	EXPECT_EQ(before + 4, objects());

	y = oh_new(self->fd, 5, 1, 0);
	n = oh_new(self->fd, 6, 1, 0);
	ASSERT_NE(0, n);
	EXPECT_EQ(0, oh_generation(self->fd, y));
	ASSERT_EQ(0, oh_set(self->fd, y, 0, y));
	ASSERT_EQ(0, oh_set(self->fd, l, 1, y));
	ASSERT_EQ(0, oh_drop(self->fd, y));
	ASSERT_EQ(0, oh_set(self->fd, n, 0, n));
	ASSERT_EQ(0, oh_drop(self->fd, n));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(1, c.collected);
	EXPECT_EQ(1, c.freed);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(3, st.frozen);
	EXPECT_EQ(1, st.tracked[2]);		/* y */
	EXPECT_EQ(OBJHEAP_GEN_PERMANENT, oh_generation(self->fd, l));

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_UNFREEZE));
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.frozen);
	EXPECT_EQ(0, st.tracked[0]);
	EXPECT_EQ(0, st.tracked[1]);
	EXPECT_EQ(4, st.tracked[2]);
	EXPECT_EQ(2, oh_generation(self->fd, l));

	/* A and B, at last; L and Y are held by L's handle. */
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(4, c.scanned);
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(2, c.freed);
	EXPECT_EQ(before + 3, objects());

	ASSERT_EQ(0, oh_drop(self->fd, l));
	ASSERT_EQ(0, oh_drop(self->fd, leaf));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(2, c.scanned);
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(2, c.freed);
	EXPECT_EQ(before, objects());
}

/*
 * SAVEALL: A <-> B with a leaf on A, and a self-loop S, all garbage. The
 * three containers go to the garbage list (the leaf stays, held by A);
 * GC_GARBAGE hands them back, linked as before, in generation 2.
 */
TEST_F(gc, saveall_keeps_garbage_and_hands_it_back)
{
	long before = objects();
	struct objheap_gc_garbage g;
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	struct objheap_info info;
	__u32 a = oh_new(self->fd, 1, 2, 0), b = oh_new(self->fd, 2, 1, 0);
	__u32 leaf = oh_new(self->fd, 3, 0, 8), s = oh_new(self->fd, 4, 1, 0);
	__u32 got[8];
	unsigned int seen = 0;

	ASSERT_NE(0, s);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	ASSERT_EQ(0, oh_set(self->fd, a, 1, leaf));
	ASSERT_EQ(0, oh_set(self->fd, s, 0, s));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_drop(self->fd, b));
	ASSERT_EQ(0, oh_drop(self->fd, leaf));
	ASSERT_EQ(0, oh_drop(self->fd, s));
	ASSERT_EQ(0, oh_gc_flags(self->fd, OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL));

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(3, c.scanned);
	EXPECT_EQ(3, c.collected);
	EXPECT_EQ(3, c.saved);
	EXPECT_EQ(0, c.freed);
	EXPECT_EQ(before + 4, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(3, st.garbage);
	EXPECT_EQ(0, sum_tracked(&st));
	EXPECT_EQ(3, st.gen[0].collected);
	EXPECT_EQ(0, st.gen[0].freed);

	/* The garbage list is outside the generations. */
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(0, c.scanned);
	EXPECT_EQ(0, c.saved);

	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, oh_gc_garbage(self->fd, got, ARRAY_SIZE(got), &g));
	EXPECT_EQ(3, g.done);
	EXPECT_EQ(0, g.left);
	EXPECT_EQ(0, g.reserved);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.garbage);
	EXPECT_EQ(3, st.tracked[2]);
	EXPECT_EQ(before + 4, objects());

	/* Each: its handle plus the one slot that points at it. */
	for (__u32 i = 0; i < g.done && i < ARRAY_SIZE(got); i++) {
		ASSERT_EQ(0, oh_info(self->fd, got[i], &info));
		EXPECT_EQ(2, info.refcount) TH_LOG("type %u", info.type);
		EXPECT_EQ(2, info.generation) TH_LOG("type %u", info.type);
		seen |= 1U << info.type;
		switch (info.type) {
		case 1:
			EXPECT_EQ(2, slot_type(self->fd, got[i], 0));
			EXPECT_EQ(3, slot_type(self->fd, got[i], 1));
			break;
		case 2:
			EXPECT_EQ(1, slot_type(self->fd, got[i], 0));
			break;
		case 4:
			EXPECT_EQ(4, slot_type(self->fd, got[i], 0));
			break;
		}
	}
	EXPECT_EQ(1U << 1 | 1U << 2 | 1U << 4, seen);

	/* Without SAVEALL they are freed, the leaf along. */
	ASSERT_EQ(0, oh_gc_flags(self->fd, OBJHEAP_GC_ENABLED));
	for (__u32 i = 0; i < g.done && i < ARRAY_SIZE(got); i++)
		ASSERT_EQ(0, oh_drop(self->fd, got[i]));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(3, c.scanned);
	EXPECT_EQ(3, c.collected);
	EXPECT_EQ(4, c.freed);
	EXPECT_EQ(0, c.saved);
	EXPECT_EQ(before, objects());
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(0, st.garbage);
	EXPECT_EQ(0, sum_tracked(&st));
}

/* Three collections save one self-loop each, of types 1, 2, 3. */
TEST_F(gc, garbage_is_handed_back_oldest_first)
{
	long before = objects();
	struct objheap_gc_garbage g;
	struct objheap_gc_collect c;
	__u32 got[3];

	ASSERT_EQ(0, oh_gc_flags(self->fd, OBJHEAP_GC_SAVEALL));
	for (int i = 0; i < 3; i++) {
		__u32 s = oh_new(self->fd, i + 1, 1, 0);

		ASSERT_NE(0, s);
		ASSERT_EQ(0, oh_set(self->fd, s, 0, s));
		ASSERT_EQ(0, oh_drop(self->fd, s));
		ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
		EXPECT_EQ(1, c.saved);
	}
	for (int i = 0; i < 3; i++) {
		struct objheap_info info;

		ASSERT_EQ(0, oh_gc_garbage(self->fd, &got[i], 1, &g));
		EXPECT_EQ(1, g.done);
		EXPECT_EQ(2 - i, g.left);
		ASSERT_EQ(0, oh_info(self->fd, got[i], &info));
		EXPECT_EQ(i + 1, info.type);
	}
	ASSERT_EQ(0, oh_gc_garbage(self->fd, got, 1, &g));
	EXPECT_EQ(0, g.done);
	EXPECT_EQ(0, g.left);

	ASSERT_EQ(0, oh_gc_flags(self->fd, 0));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, oh_drop(self->fd, got[i]));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(3, c.collected);
	EXPECT_EQ(3, c.freed);
	EXPECT_EQ(before, objects());
}

/* Save @n self-loops of types 1..@n in one collection. */
static int save_self_loops(int fd, int n)
{
	struct objheap_gc_collect c = { 0 };
	int ret = oh_gc_flags(fd, OBJHEAP_GC_SAVEALL);

	for (int i = 0; !ret && i < n; i++) {
		__u32 s = oh_new(fd, i + 1, 1, 0);

		ret = s ? oh_set(fd, s, 0, s) : -errno;
		if (!ret)
			ret = oh_drop(fd, s);
	}
	if (!ret)
		ret = oh_collect(fd, 0, &c);
	if (!ret && c.saved != (__u64)n)
		ret = -EIO;
	return ret;
}

TEST_F(gc, garbage_bad_arguments_hand_out_nothing)
{
	enum { N = 5 };
	long before = objects();
	char *map = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *none = no_access_page(self->page);
	__u32 *straddle = (__u32 *)(map + self->page) - 2;
	struct objheap_gc_garbage g, bad;
	struct objheap_gc_stats st;
	__u32 got[N], probe;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(NULL, none);
	ASSERT_EQ(0, munmap(map + self->page, self->page));
	ASSERT_EQ(0, save_self_loops(self->fd, N));
	/* The handle the next NEW gets, if nothing else opens one. */
	probe = oh_new(self->fd, 0, 0, 0);
	ASSERT_NE(0, probe);
	ASSERT_EQ(0, oh_drop(self->fd, probe));

	memset(got, 0xff, sizeof(got));
	bad = (struct objheap_gc_garbage){
		.handles = (__u64)(uintptr_t)got, .count = N, .flags = 1,
	};
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GARBAGE, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad.flags = 0;
	bad.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GARBAGE, &bad));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(UINT32_MAX, got[0]);

	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GARBAGE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_GARBAGE, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-EFAULT, oh_gc_garbage(self->fd, NULL, N, &g));
	EXPECT_EQ(-EFAULT, oh_gc_garbage(self->fd, none, N, &g));
	EXPECT_EQ(-EFAULT, oh_gc_garbage(self->fd, ro, N, &g));
	/* The first two entries are writable, the rest are not. */
	EXPECT_EQ(-EFAULT, oh_gc_garbage(self->fd, straddle, N, &g));

	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(N, st.garbage);
	EXPECT_EQ(0, sum_tracked(&st));
	EXPECT_EQ(before + N, objects());
	EXPECT_EQ(probe, oh_new(self->fd, 0, 0, 0));
	ASSERT_EQ(0, oh_drop(self->fd, probe));

	/* No room: nothing handed out, and how many wait. */
	EXPECT_EQ(0, oh_gc_garbage(self->fd, got, 0, &g));
	EXPECT_EQ(0, g.done);
	EXPECT_EQ(N, g.left);
	EXPECT_EQ(UINT32_MAX, got[0]);
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(N, st.garbage);

	ASSERT_EQ(0, oh_gc_flags(self->fd, 0));
	ASSERT_EQ(0, oh_gc_garbage(self->fd, got, N, &g));
	EXPECT_EQ(N, g.done);
	for (int i = 0; i < N; i++)
		ASSERT_EQ(0, oh_drop(self->fd, got[i]));
	munmap(map, self->page);
	munmap(ro, self->page);
}

/*
 * Five saved self-loops and room for five handles, but at most two open
 * handles: each call hands out two and fails with EMFILE, the last one
 * hands out the fifth.
 */
TEST_F(gc, garbage_stops_at_the_handle_limit)
{
	enum { N = 5 };
	long before = objects();
	struct objheap_limits lim = { .max_handles = 2 };
	struct objheap_gc_garbage g;
	struct objheap_gc_collect c;
	struct objheap_gc_stats st;
	struct objheap_info info;
	const __u32 want_done[] = { 2, 2, 1 };
	unsigned int seen = 0;
	__u32 got[N];

	ASSERT_EQ(0, save_self_loops(self->fd, N));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));

	for (int round = 0; round < 3; round++) {
		int ret = oh_gc_garbage(self->fd, got, N, &g);

		if (round < 2) {
			EXPECT_EQ(-EMFILE, ret) TH_LOG("round %d", round);
		} else {
			EXPECT_EQ(0, ret);
			EXPECT_EQ(0, g.left);
		}
		ASSERT_EQ(want_done[round], g.done) TH_LOG("round %d", round);
		ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
		EXPECT_EQ(N - 2 * round - g.done, st.garbage);
		for (__u32 i = 0; i < g.done; i++) {
			ASSERT_EQ(0, oh_info(self->fd, got[i], &info));
			EXPECT_EQ(2, info.refcount);
			EXPECT_EQ(2, info.generation);
			seen |= 1U << info.type;
			ASSERT_EQ(0, oh_drop(self->fd, got[i]));
		}
	}
	EXPECT_EQ(0x3e, seen);		/* types 1..5, each once */

	/* Dropped again, they are plain garbage cycles in generation 2. */
	ASSERT_EQ(0, oh_gc_flags(self->fd, 0));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(N, c.scanned);
	EXPECT_EQ(N, c.collected);
	EXPECT_EQ(N, c.freed);
	EXPECT_EQ(before, objects());
}

TEST_F(gc, close_frees_frozen_and_saved_objects)
{
	long before = objects();
	__u32 a = oh_new(self->fd, 1, 1, 0), b = oh_new(self->fd, 2, 1, 0);

	ASSERT_NE(0, b);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_drop(self->fd, b));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_FREEZE));
	ASSERT_EQ(0, save_self_loops(self->fd, 3));
	EXPECT_EQ(before + 5, objects());

	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(before, objects());
}

/*
 * Uncollected garbage in which every node is held by others: a binary
 * tree whose nodes also point at their parents. Closing the heap must
 * free it all (it once made close() spin in the kernel forever).
 */
TEST_F_TIMEOUT(gc, close_frees_a_garbage_tree_with_parent_edges, 120)
{
	long before = objects();
	__u32 h[63];
	int i;

	ASSERT_EQ(0, set_params(self->fd, 0, 700, 10, 10));
	for (i = 0; i < 63; i++) {
		h[i] = oh_new(self->fd, 1, 3, 0);
		ASSERT_NE(0, h[i]);
	}
	for (i = 1; i < 63; i++) {
		ASSERT_EQ(0, oh_set(self->fd, h[(i - 1) / 2], (i - 1) % 2, h[i]));
		ASSERT_EQ(0, oh_set(self->fd, h[i], 2, h[(i - 1) / 2]));
	}
	for (i = 0; i < 63; i++)
		ASSERT_EQ(0, oh_drop(self->fd, h[i]));
	EXPECT_EQ(before + 63, objects());

	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(before, objects());
}

TEST_HARNESS_MAIN
