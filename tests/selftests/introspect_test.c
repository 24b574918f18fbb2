// SPDX-License-Identifier: GPL-2.0
/*
 * The gc module's introspection (ABI 1.7) through the ioctls: GC_OBJECTS
 * (gc.get_objects(generation)) and GC_REFERRERS (gc.get_referrers()),
 * the shapes CPython's test_gc.py checks (get_objects per generation,
 * get_referrers of one and several objects, an object that refers to
 * itself), the all-or-nothing answer and every errno, which changes
 * nothing. Identities are compared through INFO's id. Each test has its
 * own heap.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

FIXTURE(intro) {
	int fd;
};

FIXTURE_SETUP(intro)
{
	struct objheap_gc_params off = { .threshold = { 700, 10, 10 } };

	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
	/* Every collection is the test's. */
	ASSERT_EQ(0, oh_gc_params_set(self->fd, &off));
}

FIXTURE_TEARDOWN(intro)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* GC_OBJECTS of @gen into @h[@n]; done, or -errno (*@total either way). */
static long objects(int fd, __u32 gen, __u32 *h, __u32 n, __u32 *total)
{
	struct objheap_gc_objects o = {
		.handles = (uintptr_t)h, .count = n, .generation = gen,
	};
	long ret = ioctl(fd, OBJHEAP_IOC_GC_OBJECTS, &o) ? -errno : (long)o.done;

	if (total)
		*total = o.total;
	return ret;
}

static long referrers(int fd, __u32 *t, __u32 nt, __u32 *h, __u32 n,
		      __u32 *total)
{
	struct objheap_gc_objects o = {
		.handles = (uintptr_t)h, .count = n,
		.targets = (uintptr_t)t, .ntargets = nt,
	};
	long ret = ioctl(fd, OBJHEAP_IOC_GC_REFERRERS, &o) ? -errno : (long)o.done;

	if (total)
		*total = o.total;
	return ret;
}

static __u64 id_of(int fd, __u32 h)
{
	struct objheap_info info = { .handle = h };

	return ioctl(fd, OBJHEAP_IOC_INFO, &info) ? 0 : info.id;
}

/* The heap's open handles and live objects (HEAP_STATS). */
static long heap_stat(int fd, bool objects)
{
	struct objheap_heap_stats st;

	if (ioctl(fd, OBJHEAP_IOC_HEAP_STATS, &st))
		return -errno;
	return objects ? (long)st.objects : (long)st.handles;
}

#define handles_open()	heap_stat(self->fd, false)
#define objects_live()	heap_stat(self->fd, true)

/* Drop @n handles. */
static int drop_all(int fd, const __u32 *h, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (oh_drop(fd, h[i]))
			return -1;
	return 0;
}

TEST(feature_and_version)
{
	struct objheap_version v;
	int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, OBJHEAP_IOC_VERSION, &v));
	EXPECT_LE(7, v.minor);
	EXPECT_TRUE(v.features & OBJHEAP_FEAT_INTROSPECT);
	close(fd);
}

/*
 * test_gc.py's test_get_objects: a new container is in generation 0 and
 * in the whole list, not in 1 or 2; after collections it moves on. A
 * leaf (no slots) is not tracked, so never listed; a weak reference is.
 */
TEST_F(intro, objects_per_generation)
{
	__u32 a, leaf, w, h[8], total;
	struct objheap_gc_collect c;
	struct objheap_op op;
	long n;

	a = oh_new(self->fd, 1, 2, 0);
	leaf = oh_new(self->fd, 2, 0, 8);
	ASSERT_NE(0, a);
	ASSERT_NE(0, leaf);
	op = (struct objheap_op){ .handle = leaf, .type = 4 };
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_WEAKREF, &op));
	w = op.ref;

	n = objects(self->fd, 0, h, 8, &total);
	ASSERT_EQ(2, n);
	EXPECT_EQ(2, total);
	/* Oldest first: the container, then the weak reference. */
	EXPECT_EQ(id_of(self->fd, a), id_of(self->fd, h[0]));
	EXPECT_EQ(id_of(self->fd, w), id_of(self->fd, h[1]));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
	EXPECT_EQ(0, objects(self->fd, 1, h, 8, &total));
	EXPECT_EQ(0, total);
	EXPECT_EQ(2, objects(self->fd, OBJHEAP_GEN_ALL, h, 8, NULL));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(0, objects(self->fd, 0, h, 8, NULL));
	ASSERT_EQ(2, objects(self->fd, 1, h, 8, NULL));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(0, objects(self->fd, 1, h, 8, NULL));
	ASSERT_EQ(2, objects(self->fd, 2, h, 8, NULL));
	EXPECT_EQ(id_of(self->fd, a), id_of(self->fd, h[0]));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));

	/* Frozen objects: only when asked for (as CPython). */
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_FREEZE));
	EXPECT_EQ(0, objects(self->fd, OBJHEAP_GEN_ALL, h, 8, &total));
	EXPECT_EQ(0, total);
	ASSERT_EQ(2, objects(self->fd, OBJHEAP_GEN_PERMANENT, h, 8, NULL));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GC_UNFREEZE));
	EXPECT_EQ(2, objects(self->fd, 2, h, 8, NULL));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
}

/* A handle from GC_OBJECTS is a handle: it keeps its object alive. */
TEST_F(intro, handed_out_handles_own_references)
{
	__u32 a, h[2];

	a = oh_new(self->fd, 1, 1, 0);
	ASSERT_NE(0, a);
	ASSERT_EQ(1, objects(self->fd, 0, h, 2, NULL));
	EXPECT_EQ(2, oh_refcount(self->fd, a));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	EXPECT_EQ(1, objects_live());
	EXPECT_EQ(1, oh_refcount(self->fd, h[0]));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));
	EXPECT_EQ(0, objects_live());
}

/*
 * The saved garbage (SAVEALL) is its own list: listed when asked for,
 * and its members are referrers of each other.
 */
TEST_F(intro, saved_garbage_listed_and_referring)
{
	__u32 a, b, h[4], t, total;
	struct objheap_gc_collect c;

	a = oh_new(self->fd, 1, 1, 0);
	b = oh_new(self->fd, 1, 1, 0);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, b));
	ASSERT_EQ(0, oh_set(self->fd, b, 0, a));
	t = a;
	ASSERT_EQ(0, oh_gc_flags(self->fd, OBJHEAP_GC_SAVEALL));
	ASSERT_EQ(0, oh_drop(self->fd, b));
	/* a still has a handle: nothing is garbage yet. */
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(0, c.collected);
	ASSERT_EQ(1, referrers(self->fd, &t, 1, h, 4, &total));
	ASSERT_EQ(0, oh_set(self->fd, a, 0, 0) || oh_set(self->fd, a, 0, h[0]));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(0, objects(self->fd, OBJHEAP_GEN_ALL, h, 4, &total));
	ASSERT_EQ(2, objects(self->fd, OBJHEAP_GEN_GARBAGE, h, 4, &total));
	EXPECT_EQ(2, total);
	/* Each of the pair refers to the other. */
	t = h[0];
	ASSERT_EQ(1, referrers(self->fd, &t, 1, h + 2, 2, NULL));
	EXPECT_EQ(id_of(self->fd, h[1]), id_of(self->fd, h[2]));
	ASSERT_EQ(0, drop_all(self->fd, h, 3));
}

/*
 * test_gc.py's test_get_referrers: the referrers of one object and of
 * several, each once however many slots point at the targets; an object
 * pointing at itself is its own referrer; weak references are not
 * referrers; an object with no referrer has none.
 */
TEST_F(intro, referrers_each_once)
{
	__u32 x, y, p, q, self_ref, w, t[2], h[8], total;
	struct objheap_op op;

	x = oh_new(self->fd, 1, 0, 8);
	y = oh_new(self->fd, 1, 2, 0);
	p = oh_new(self->fd, 2, 3, 0);
	q = oh_new(self->fd, 2, 1, 0);
	self_ref = oh_new(self->fd, 3, 1, 0);
	ASSERT_TRUE(x && y && p && q && self_ref);
	/* p -> x (twice), p -> y; q -> y; self_ref -> itself. */
	ASSERT_EQ(0, oh_set(self->fd, p, 0, x));
	ASSERT_EQ(0, oh_set(self->fd, p, 2, x));
	ASSERT_EQ(0, oh_set(self->fd, p, 1, y));
	ASSERT_EQ(0, oh_set(self->fd, q, 0, y));
	ASSERT_EQ(0, oh_set(self->fd, self_ref, 0, self_ref));
	op = (struct objheap_op){ .handle = x, .type = 4 };
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_WEAKREF, &op));
	w = op.ref;

	t[0] = x;
	ASSERT_EQ(1, referrers(self->fd, t, 1, h, 8, &total));
	EXPECT_EQ(1, total);
	EXPECT_EQ(id_of(self->fd, p), id_of(self->fd, h[0]));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));

	t[1] = y;
	ASSERT_EQ(2, referrers(self->fd, t, 2, h, 8, &total));
	EXPECT_EQ(id_of(self->fd, p), id_of(self->fd, h[0]));
	EXPECT_EQ(id_of(self->fd, q), id_of(self->fd, h[1]));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
	/* The same target twice changes nothing. */
	t[1] = x;
	EXPECT_EQ(1, referrers(self->fd, t, 2, h, 8, NULL));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));

	t[0] = self_ref;
	ASSERT_EQ(1, referrers(self->fd, t, 1, h, 8, NULL));
	EXPECT_EQ(id_of(self->fd, self_ref), id_of(self->fd, h[0]));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));

	/* Nothing refers to p, nor (strongly) to the weak reference. */
	t[0] = p;
	t[1] = w;
	EXPECT_EQ(0, referrers(self->fd, t, 2, h, 8, &total));
	EXPECT_EQ(0, total);
}

/*
 * All or nothing: too small an array is ENOSPC with the total, count 0
 * asks for the total alone; neither opens a handle or writes the array.
 */
TEST_F(intro, too_small_is_enospc_with_the_total)
{
	__u32 h[4] = { 7, 7, 7, 7 }, total, t, i;
	long before;

	for (i = 0; i < 3; i++)
		ASSERT_NE(0, oh_new(self->fd, 1, 1, 0));
	before = handles_open();
	EXPECT_EQ(-ENOSPC, objects(self->fd, 0, h, 2, &total));
	EXPECT_EQ(3, total);
	EXPECT_EQ(0, objects(self->fd, 0, h, 0, &total));
	EXPECT_EQ(3, total);
	EXPECT_EQ(before, handles_open());
	for (i = 0; i < 4; i++)
		EXPECT_EQ(7, h[i]);

	/* Three referrers of one target. */
	t = oh_new(self->fd, 2, 0, 0);
	ASSERT_NE(0, t);
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(0, oh_set(self->fd, i, 0, t));
	before = handles_open();
	EXPECT_EQ(-ENOSPC, referrers(self->fd, &t, 1, h, 2, &total));
	EXPECT_EQ(3, total);
	EXPECT_EQ(0, referrers(self->fd, &t, 1, NULL, 0, &total));
	EXPECT_EQ(3, total);
	EXPECT_EQ(before, handles_open());
	EXPECT_EQ(3, referrers(self->fd, &t, 1, h, 4, &total));
	EXPECT_EQ(7, h[3]);
}

/* Every errno, and none of them opens a handle. */
TEST_F(intro, errnos_change_nothing)
{
	struct objheap_gc_objects o;
	struct objheap_limits lim;
	__u32 a, h[4], t[OBJHEAP_REFERRERS_MAX + 1], total;
	long before;
	void *ro;
	int i;

	a = oh_new(self->fd, 1, 1, 0);
	ASSERT_NE(0, a);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, a));
	before = handles_open();

	/* Generations that are not lists of live objects. */
	EXPECT_EQ(-EINVAL, objects(self->fd, OBJHEAP_GEN_FINALIZE, h, 4, NULL));
	EXPECT_EQ(-EINVAL, objects(self->fd, OBJHEAP_GEN_UNTRACKED, h, 4, NULL));
	EXPECT_EQ(-EINVAL, objects(self->fd, 6, h, 4, NULL));
	/* Fields of the other command, flags, reserved. */
	o = (struct objheap_gc_objects){ .handles = (uintptr_t)h, .count = 4,
					 .ntargets = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_OBJECTS, &o));
	EXPECT_EQ(EINVAL, errno);
	o = (struct objheap_gc_objects){ .handles = (uintptr_t)h, .count = 4,
					 .targets = (uintptr_t)t };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_OBJECTS, &o));
	EXPECT_EQ(EINVAL, errno);
	t[0] = a;
	o = (struct objheap_gc_objects){ .handles = (uintptr_t)h, .count = 4,
					 .targets = (uintptr_t)t, .ntargets = 1,
					 .generation = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_REFERRERS, &o));
	EXPECT_EQ(EINVAL, errno);
	o = (struct objheap_gc_objects){ .handles = (uintptr_t)h, .count = 4,
					 .flags = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_OBJECTS, &o));
	EXPECT_EQ(EINVAL, errno);
	o = (struct objheap_gc_objects){ .handles = (uintptr_t)h, .count = 4,
					 .reserved = { 0, 1 } };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_OBJECTS, &o));
	EXPECT_EQ(EINVAL, errno);
	/* No targets, too many, a target that is not open. */
	EXPECT_EQ(-EINVAL, referrers(self->fd, t, 0, h, 4, NULL));
	for (i = 0; i <= OBJHEAP_REFERRERS_MAX; i++)
		t[i] = a;
	EXPECT_EQ(-EINVAL, referrers(self->fd, t, OBJHEAP_REFERRERS_MAX + 1,
				     h, 4, NULL));
	EXPECT_EQ(1, referrers(self->fd, t, OBJHEAP_REFERRERS_MAX, h, 4, NULL));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));
	t[1] = 999;
	EXPECT_EQ(-EBADF, referrers(self->fd, t, 2, h, 4, NULL));
	t[1] = 0;
	EXPECT_EQ(-EBADF, referrers(self->fd, t, 2, h, 4, NULL));
	/* Unreadable targets, an unwritable or read-only array. */
	EXPECT_EQ(-EFAULT, referrers(self->fd, (__u32 *)8, 1, h, 4, NULL));
	EXPECT_EQ(-EFAULT, objects(self->fd, 0, (__u32 *)8, 4, &total));
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, objects(self->fd, 0, ro, 4, NULL));
	EXPECT_EQ(-EFAULT, referrers(self->fd, t, 1, ro, 4, NULL));
	munmap(ro, 4096);
	/* An unwritable argument. */
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_GC_OBJECTS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(before, handles_open());

	/* No room for the handles: EMFILE, nothing opened (limits only go down). */
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GET_LIMITS, &lim));
	lim.max_handles = before;
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	EXPECT_EQ(-EMFILE, objects(self->fd, 0, h, 4, &total));
	EXPECT_EQ(1, total);
	EXPECT_EQ(-EMFILE, referrers(self->fd, t, 1, h, 4, NULL));
	EXPECT_EQ(before, handles_open());
	EXPECT_EQ(0, objects(self->fd, 0, NULL, 0, &total));
	EXPECT_EQ(1, total);
}

/*
 * A large answer, across many pages of the array: every live object of
 * a generation exactly once, in order.
 */
TEST_F(intro, large_answer_is_whole)
{
	const __u32 n = 5000;
	__u32 *h, *got, i, total;

	h = calloc(n, sizeof(*h));
	got = calloc(n + 1, sizeof(*got));
	ASSERT_TRUE(h && got);
	for (i = 0; i < n; i++) {
		h[i] = oh_new(self->fd, 1, 1, 0);
		ASSERT_NE(0, h[i]);
	}
	/* An odd start: the array spans one more page. */
	ASSERT_EQ(n, objects(self->fd, 0, got + 1, n, &total));
	EXPECT_EQ(n, total);
	for (i = 0; i < n; i++)
		ASSERT_EQ(id_of(self->fd, h[i]), id_of(self->fd, got[i + 1]));
	EXPECT_EQ(2 * n, handles_open());
	ASSERT_EQ(0, drop_all(self->fd, got + 1, n));
	free(h);
	free(got);
}

/*
 * A process killed while it scans a large heap for referrers (over and
 * over) dies, and leaves the heap whole for its parent, which shares it.
 * That the count itself stops at a fatal signal, with nothing opened, is
 * tests/userland/core_test.c's (the shim's signals are deterministic).
 */
TEST_F(intro, killed_scans_leave_the_heap_whole)
{
	struct objheap_op ops[256];
	__u32 t, i, j, done, total;
	pid_t pid;
	int status;

	t = oh_new(self->fd, 2, 0, 0);
	ASSERT_NE(0, t);
	for (i = 0; i < 80; i++) {
		for (j = 0; j < 256; j++)
			ops[j] = (struct objheap_op){ .op = OBJHEAP_OP_NEW,
						      .type = 1, .count = 2 };
		ASSERT_EQ(0, oh_batch(self->fd, ops, 256, &done));
		ASSERT_EQ(256, done);
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (;;)
			referrers(self->fd, &t, 1, NULL, 0, &total);
	}
	usleep(200 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(0, referrers(self->fd, &t, 1, NULL, 0, &total));
	EXPECT_EQ(0, total);
	EXPECT_EQ(80 * 256 + 1, objects_live());
}

TEST_HARNESS_MAIN
