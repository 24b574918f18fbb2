// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups: a heap's memory is charged to its user's cgroup v2. At
 * the cgroup's memory.max, allocations fail with ENOMEM; nothing is killed,
 * neither the allocating task nor a bystander; a heap's own limits still
 * come first, and closing the heap returns the memory to the cgroup.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define CGROOT		"/sys/fs/cgroup"
#define CG_MAX		(8L << 20)	/* memory.max of the test's cgroup */
#define PAYLOAD		4000		/* one object: a 4 KiB size class */

/* What the child that allocated in the cgroup saw. */
struct fill_result {
	long objects;		/* NEW calls that succeeded */
	int err;		/* errno of the first NEW that failed */
	int after;		/* 0 if NEW worked again after some DROPs */
	long long pinned;	/* the heap's pinned bytes when NEW failed */
};

FIXTURE(cgroup) {
	char dir[64];
	pid_t bystander;
	long freelists;	/* the run's freelist_max, put back at teardown */
};

/* A number from a cgroup file, or from its "key value" line if @key. */
static long cg_read(const char *dir, const char *file, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return oh_file_value(path, key, ' ');
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return oh_write_file(path, val, 0);
}

FIXTURE_SETUP(cgroup)
{
	self->freelists = oh_freelists_on();
	ASSERT_EQ(0, access(CGROOT "/cgroup.controllers", R_OK))
		TH_LOG("cgroup v2 is not mounted at " CGROOT);
	/* Children of the root get the memory controller (if not yet). */
	cg_write(CGROOT, "cgroup.subtree_control", "+memory");
	snprintf(self->dir, sizeof(self->dir), CGROOT "/objheap-test-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	ASSERT_LE(0, cg_read(self->dir, "memory.current", NULL))
		TH_LOG("no memory controller in %s", self->dir);

	/* A task outside the cgroup that must survive whatever happens in it. */
	self->bystander = fork();
	ASSERT_LE(0, self->bystander);
	if (!self->bystander) {
		pause();
		_exit(0);
	}
}

FIXTURE_TEARDOWN(cgroup)
{
	oh_freelists_restore(self->freelists);
	if (self->bystander > 0) {
		kill(self->bystander, SIGKILL);
		waitpid(self->bystander, NULL, 0);
	}
	rmdir(self->dir);
}

/*
 * In a child moved into the cgroup: open a heap, lower its byte limit to
 * @max_bytes if nonzero, and allocate PAYLOAD-byte objects until NEW
 * fails. Then drop a few and allocate again: the heap must still work.
 */
static void fill_in_cgroup(const char *dir, long max_bytes, int out)
{
	struct fill_result r = { 0 };
	struct objheap_heap_stats st;
	__u32 first = 0, h;
	int fd;

	if (cg_write(dir, "cgroup.procs", "0"))
		_exit(10);
	fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(11);
	if (max_bytes) {
		struct objheap_limits lim = { .max_bytes = max_bytes };

		if (ioctl(fd, OBJHEAP_IOC_SET_LIMITS, &lim))
			_exit(12);
	}
	/*
	 * Touch the answer's memory now: at memory.max, a page fault would
	 * be the cgroup's OOM killer's (objheap's own allocations never are).
	 */
	if (ioctl(fd, OBJHEAP_IOC_HEAP_STATS, &st))
		_exit(15);
	for (;;) {
		h = oh_new(fd, 0, 0, PAYLOAD);
		if (!h) {
			r.err = errno;
			break;
		}
		if (!first)
			first = h;
		r.objects++;
		if (r.objects > 4 * CG_MAX / PAYLOAD) {
			r.err = 0;	/* the cgroup limit did not hold */
			break;
		}
	}
	r.pinned = ioctl(fd, OBJHEAP_IOC_HEAP_STATS, &st) ? -1 : st.pinned;
	for (h = first; h && h < first + 8; h++)
		oh_drop(fd, h);
	r.after = oh_new(fd, 0, 0, PAYLOAD) ? 0 : errno;
	/* The pipe's page is charged here too: make room first. */
	close(fd);
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(13);
	_exit(0);
}

/* Run fill_in_cgroup() in a child; its exit status goes to *status. */
static struct fill_result fill(const char *dir, long max_bytes, int *status)
{
	struct fill_result r = { .err = -1 };
	int p[2];
	pid_t pid;

	if (pipe(p))
		return r;
	pid = fork();
	if (!pid) {
		close(p[0]);
		fill_in_cgroup(dir, max_bytes, p[1]);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &r, sizeof(r)) != sizeof(r))
		r.err = -1;
	close(p[0]);
	*status = -1;
	if (pid > 0)
		waitpid(pid, status, 0);
	return r;
}

TEST_F_TIMEOUT(cgroup, memory_max_gives_enomem_and_kills_nobody, 120)
{
	char max[32];
	struct fill_result r;
	long current = -1;
	int status, i;

	snprintf(max, sizeof(max), "%ld", CG_MAX);
	ASSERT_EQ(0, cg_write(self->dir, "memory.max", max));
	r = fill(self->dir, 0, &status);

	/* The allocating task exited by itself: no OOM kill. */
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(ENOMEM, r.err)
		TH_LOG("NEW failed with %d after %ld objects", r.err, r.objects);
	/* The limit bound the heap: at most memory.max of payload, and
	 * most of it (a static test binary needs little else).
	 */
	EXPECT_GE(CG_MAX / PAYLOAD, r.objects);
	EXPECT_LE(CG_MAX / 2 / PAYLOAD, r.objects);
	EXPECT_EQ(0, r.after) TH_LOG("NEW after freeing some failed: %d", r.after);

	EXPECT_LT(0, cg_read(self->dir, "memory.events", "max"));
	EXPECT_EQ(0, cg_read(self->dir, "memory.events", "oom"));
	EXPECT_EQ(0, cg_read(self->dir, "memory.events", "oom_kill"));
	EXPECT_EQ(0, kill(self->bystander, 0));
	EXPECT_EQ(0, waitpid(self->bystander, NULL, WNOHANG));

	/* The heap closed with its task: its memory left the cgroup. */
	for (i = 0; i < 100; i++) {
		current = cg_read(self->dir, "memory.current", NULL);
		if (current >= 0 && current < CG_MAX / 4)
			break;
		usleep(50000);
	}
	EXPECT_GT(CG_MAX / 4, current);
}

struct reclaim_result {
	long long kept;		/* objects heap A put on its freelists */
	long long left;		/* of those, still there after B hit the limit */
	long objects;		/* heap B's objects */
	int err;		/* errno of B's NEW that failed */
};

/*
 * In a child moved into the cgroup: heap A fills its freelists (64 freed
 * objects of each size class), then heap B allocates until NEW fails.
 */
static void reclaim_in_cgroup(const char *dir, int out)
{
	struct reclaim_result r = { 0 };
	struct objheap_heap_stats st;
	__u32 h[64], size;
	int a, b, i;

	if (cg_write(dir, "cgroup.procs", "0"))
		_exit(10);
	a = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	b = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	if (a < 0 || b < 0)
		_exit(11);
	for (size = 0; size <= 4080; size = size < 128 ? size + 16 : size * 2) {
		for (i = 0; i < 64; i++)
			h[i] = oh_new(a, 0, 0, size);
		for (i = 0; i < 64; i++)
			oh_drop(a, h[i]);
	}
	if (ioctl(a, OBJHEAP_IOC_HEAP_STATS, &st))
		_exit(12);
	r.kept = st.freelisted;
	while (oh_new(b, 0, 0, PAYLOAD))
		r.objects++;
	r.err = errno;
	if (ioctl(a, OBJHEAP_IOC_HEAP_STATS, &st))
		_exit(13);
	r.left = st.freelisted;
	close(b);
	close(a);
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(14);
	_exit(0);
}

/*
 * A cgroup at memory.max reclaims what its own heaps keep on their
 * freelists (the shrinker is memcg aware) before NEW fails.
 */
TEST_F_TIMEOUT(cgroup, memory_max_reclaims_the_cgroups_freelists, 120)
{
	struct reclaim_result r = { .err = -1 };
	char max[32];
	int p[2], status = -1;
	pid_t pid;

	snprintf(max, sizeof(max), "%ld", CG_MAX);
	ASSERT_EQ(0, cg_write(self->dir, "memory.max", max));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p[0]);
		reclaim_in_cgroup(self->dir, p[1]);
	}
	close(p[1]);
	EXPECT_EQ(sizeof(r), read(p[0], &r, sizeof(r)));
	close(p[0]);
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	printf("cgroup: case=reclaim freelisted=%lld left=%lld objects=%ld\n",
	       r.kept, r.left, r.objects);
	fflush(stdout);	/* 6.1's harness loses what a test leaves buffered */
	EXPECT_EQ(ENOMEM, r.err);
	EXPECT_LT(500, r.kept);
	EXPECT_GT(r.kept / 4, r.left);
	EXPECT_EQ(0, cg_read(self->dir, "memory.events", "oom_kill"));
}

TEST_F_TIMEOUT(cgroup, a_heap_limit_below_memory_max_comes_first, 120)
{
	const long limit = 1L << 20;
	char max[32];
	struct fill_result r;
	int status;

	snprintf(max, sizeof(max), "%ld", CG_MAX);
	ASSERT_EQ(0, cg_write(self->dir, "memory.max", max));
	r = fill(self->dir, limit, &status);

	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(EDQUOT, r.err);
	/*
	 * Everything the heap holds counts against the limit: the objects
	 * (their 4 KiB class), the heap, its handle table and type entry.
	 * It is full: one more object would not fit.
	 */
	EXPECT_LE(r.pinned, limit);
	EXPECT_LT(limit - 4096, r.pinned);
	EXPECT_LT((limit - 64 * 1024) / 4096, r.objects);
	EXPECT_EQ(0, r.after);
	EXPECT_EQ(0, cg_read(self->dir, "memory.events", "max"));
	EXPECT_EQ(0, cg_read(self->dir, "memory.events", "oom_kill"));
}

TEST_HARNESS_MAIN
