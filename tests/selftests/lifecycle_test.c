// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle of heaps: a process killed with SIGKILL in the middle of a
 * full-size BATCH or of a large deallocation (DROP of a long chain, close
 * of a big heap) leaves nothing behind; a heap shared by fork() or passed
 * with SCM_RIGHTS lives until its last file reference goes, an fd left in
 * flight in a unix socket included; rmmod is refused while a heap is open
 * and works after, and the module loads again; a thousand open/use/close
 * cycles leave the module's slab caches as empty as they were.
 *
 * Leak checks compare the module totals in debugfs (objheap/stats) with
 * a baseline: the tests run one at a time, so nothing else changes them.
 * Every test leaves objheap loaded, even when it fails.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define SYS_MODULE	"/sys/module/objheap"
#define SLAB_SYSFS	"/sys/kernel/slab"

/* The VM is some 50 times slower than hardware: generous bounds. */
#define SETTLE_MS	20000	/* module totals back to a baseline */
#define READY_MS	60000	/* a child's signal on a pipe */

/* Case 1: children killed in a loop of full BATCH calls. */
#define KILL_ROUNDS	8
#define ROOT_SLOTS	64

/*
 * Case 2: a chain and a tree, dropped or closed while SIGKILL comes. Under
 * TCG with KASAN an object costs some 150 us to build and 50 us to free:
 * ~30000 objects make a round of 6 s, the DROP or close() 1.5 s of it.
 */
#define CHAIN_LEN	25000
#define TREE_LEAVES	4096
#define TREE_FANOUT	8
#define DEALLOC_ROUNDS	3

/* Case 6. */
#define CYCLES		1000

/* Module-wide figures of debugfs objheap/stats. */
struct totals {
	long heaps;
	long created;
	long objects;
	long bytes;
};

/* State a child shares with its parent (MAP_SHARED). */
struct shared {
	long in_call;		/* the child is between ioctl entry and return */
	long calls;		/* calls that returned */
	long call_us;		/* how long the last one took */
	long build_us;		/* case 2: building the graph */
};

FIXTURE(lifecycle) {
	pid_t child;		/* killed and reaped by the teardown */
	int fd;
	struct shared *sh;
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* The seed of the random kill moments: LIFECYCLE_SEED, or the clock. */
static unsigned int test_seed(void)
{
	const char *env = getenv("LIFECYCLE_SEED");

	if (env)
		return strtoul(env, NULL, 0);
	return (unsigned int)now_us() ^ (unsigned int)getpid();
}

static long env_long(const char *name, long def)
{
	const char *env = getenv(name);

	return env ? strtol(env, NULL, 0) : def;
}

/* Read heaps, heaps_created, objects and bytes in one pass; 0 or -1. */
static int read_totals(struct totals *t)
{
	static const char * const keys[] = {
		"heaps", "heaps_created", "objects", "bytes",
	};
	long *vals[] = { &t->heaps, &t->created, &t->objects, &t->bytes };
	char line[128];
	int found = 0;
	FILE *f;

	f = fopen(OBJHEAP_DEBUGFS "/stats", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			size_t len = strlen(keys[i]);

			if (!strncmp(line, keys[i], len) && line[len] == ':') {
				*vals[i] = strtol(line + len + 1, NULL, 10);
				found++;
			}
		}
	}
	fclose(f);
	return found == ARRAY_SIZE(keys) ? 0 : -1;
}

static bool totals_back(const struct totals *t, const struct totals *want)
{
	return t->heaps == want->heaps && t->objects == want->objects &&
	       t->bytes == want->bytes;
}

/*
 * Poll until heaps, objects and bytes are @want's again. Returns the
 * microseconds that took (0: they already were), or -1 after @ms; the
 * last figures are left in *got.
 */
static long long wait_totals(const struct totals *want, long ms,
			     struct totals *got)
{
	long long t0 = now_us(), waited = 0;

	while (read_totals(got) || !totals_back(got, want)) {
		if (now_us() - t0 > ms * 1000LL)
			return -1;
		usleep(1000);
		waited = now_us() - t0;
	}
	return waited;
}

/* Assert that the totals come back to *base; the microseconds it took. */
static long long settle(struct __test_metadata *_metadata,
			const struct totals *base)
{
	struct totals got = { -1, -1, -1, -1 };
	long long waited = wait_totals(base, SETTLE_MS, &got);

	ASSERT_LE(0, waited) {
		TH_LOG("after %d ms: heaps %ld objects %ld bytes %ld, baseline %ld %ld %ld",
		       SETTLE_MS, got.heaps, got.objects, got.bytes,
		       base->heaps, base->objects, base->bytes);
	}
	return waited;
}

/* Whether debugfs still has the directory of heap @id. */
static bool heap_dir_exists(__u64 id)
{
	char path[128];

	snprintf(path, sizeof(path), OBJHEAP_DEBUGFS "/heaps/%llu",
		 (unsigned long long)id);
	return !access(path, F_OK);
}

/* The heap's id (OBJHEAP_IOC_HEAP_STATS), 0 on failure. */
static __u64 heap_id(int fd)
{
	struct objheap_heap_stats st;

	memset(&st, 0, sizeof(st));
	return ioctl(fd, OBJHEAP_IOC_HEAP_STATS, &st) ? 0 : st.id;
}

static struct objheap_op op_new(__u32 type, __u32 slots, __u32 size)
{
	return (struct objheap_op){
		.op = OBJHEAP_OP_NEW, .type = type, .count = slots, .size = size,
	};
}

static struct objheap_op op_set(__u32 handle, __u32 slot, __u32 ref)
{
	return (struct objheap_op){
		.op = OBJHEAP_OP_SET, .handle = handle, .index = slot, .ref = ref,
	};
}

static struct objheap_op op_drop(__u32 handle)
{
	return (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = handle };
}

/*
 * Forked children run no harness code (an ASSERT there would run the
 * test's teardown in the child): they report on stderr and exit 1.
 */
#define CHILD_ASSERT(cond) do {						\
	if (!(cond))							\
		child_fail(__LINE__, #cond);				\
} while (0)

static void child_fail(int line, const char *what)
{
	fprintf(stderr, "# child %d: line %d: %s (errno %d)\n", getpid(),
		line, what, errno);
	_exit(1);
}

/* One byte from @fd within @ms: the byte, or -1 on EOF or timeout. */
static int read_byte(int fd, long ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned char c;

	if (poll(&pfd, 1, ms) != 1 || read(fd, &c, 1) != 1)
		return -1;
	return c;
}

static int write_byte(int fd, unsigned char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

/* Wait for *child; its wait status, or -1. */
static int reap(pid_t *child)
{
	int status = -1;

	if (waitpid(*child, &status, 0) != *child)
		status = -1;
	*child = 0;
	return status;
}

/*
 * SIGKILL *child and reap it; its wait status, or -1. *max_us keeps the
 * longest time from the kill to the reaping: the exit, in which the last
 * close destroys the child's heap.
 */
static int kill_reap(pid_t *child, long long *max_us)
{
	long long t0 = now_us();
	int status;

	if (kill(*child, SIGKILL))
		return -1;
	status = reap(child);
	t0 = now_us() - t0;
	if (t0 > *max_us)
		*max_us = t0;
	return status;
}

/* A new heap works: objects, a slot, a payload, INFO; closed again. */
static void check_fresh_heap(struct __test_metadata *_metadata)
{
	char buf[8] = "fresh", back[8] = { 0 };
	int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	__u32 list, str, got = 0;

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
	list = oh_new(fd, 1, 2, 0);
	str = oh_new(fd, 2, 0, sizeof(buf));
	EXPECT_NE(0, list);
	EXPECT_NE(0, str);
	EXPECT_EQ(0, oh_rw(fd, OBJHEAP_IOC_WRITE, str, 0, buf, sizeof(buf)));
	EXPECT_EQ(0, oh_set(fd, list, 1, str));
	EXPECT_EQ(0, oh_drop(fd, str));
	EXPECT_EQ(0, oh_get(fd, list, 1, &got));
	EXPECT_EQ(0, oh_rw(fd, OBJHEAP_IOC_READ, got, 0, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	EXPECT_EQ(2, oh_refcount(fd, got));
	close(fd);
}

/*
 * After a killed child is reaped: the totals come back to @base (the wait,
 * also kept in *@max_wait if the longest), a fresh heap works, and it
 * leaves the totals as they were. Returns the wait.
 */
static long long recovers(struct __test_metadata *_metadata,
			  const struct totals *base, long long *max_wait)
{
	long long waited = settle(_metadata, base);

	if (waited > *max_wait)
		*max_wait = waited;
	check_fresh_heap(_metadata);
	settle(_metadata, base);
	return waited;
}

/* Module loading, for the rmmod case and for every teardown. */

/*
 * The parameters a reload must keep, as the module has them now (the
 * debug VM loads it with leak_check and gc_validate, the 6.1 one with
 * freelist_max=0): "name=value ...".
 */
static void kept_params(char *buf, size_t len)
{
	static const char *const names[] = {
		"leak_check", "gc_validate", "freelist_max",
	};
	char path[128], val[16];
	size_t used = 0;
	unsigned int i;
	FILE *f;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), SYS_MODULE "/parameters/%s", names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%15s", val) == 1 && used < len)
			used += snprintf(buf + used, len - used, "%s=%s ",
					 names[i], val);
		fclose(f);
	}
}

/* Parameters for the next load_objheap(), from kept_params(). */
static char reload_params[128];

static int delete_objheap(unsigned int flags)
{
	/* What the module was loaded with, for the reload. */
	if (!access(SYS_MODULE, F_OK))
		kept_params(reload_params, sizeof(reload_params));
	return syscall(SYS_delete_module, "objheap", flags) ? -errno : 0;
}

/* finit_module() of OBJHEAP_KO or /lib/modules/$(uname -r)/extra/objheap.ko. */
static int load_objheap(char *path, size_t len)
{
	const char *env = getenv("OBJHEAP_KO");
	struct utsname u;
	int fd, ret;

	if (env) {
		snprintf(path, len, "%s", env);
	} else {
		if (uname(&u))
			return -errno;
		snprintf(path, len, "/lib/modules/%s/extra/objheap.ko",
			 u.release);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, reload_params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Load objheap unless it is loaded; 0 or -errno. */
static int ensure_loaded(char *path, size_t len)
{
	int ret;

	snprintf(path, len, "(none)");
	if (!access(SYS_MODULE, F_OK))
		return 0;
	ret = load_objheap(path, len);
	return ret == -EEXIST ? 0 : ret;
}

/* The first number in the file at @path, or -1. */
static long read_long(const char *path)
{
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

FIXTURE_SETUP(lifecycle)
{
	char path[PATH_MAX];
	int ret;

	/* A peer that died must fail a write, not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	self->child = 0;
	self->fd = -1;
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	/* In case a test before failed to load it again. */
	ret = ensure_loaded(path, sizeof(path));
	ASSERT_EQ(0, ret) TH_LOG("loading objheap from %s: %s", path,
				 strerror(-ret));
	ASSERT_EQ(0, access(OBJHEAP_DEV, F_OK));
}

FIXTURE_TEARDOWN(lifecycle)
{
	char path[PATH_MAX];
	int ret;

	if (self->child > 0) {
		kill(self->child, SIGKILL);
		reap(&self->child);
	}
	if (self->fd >= 0)
		close(self->fd);
	munmap(self->sh, sizeof(*self->sh));
	/* Later tests need the module, whatever happened here. */
	ret = ensure_loaded(path, sizeof(path));
	EXPECT_EQ(0, ret) TH_LOG("reloading objheap from %s: %s", path,
				 strerror(-ret));
}

/*
 * Case 1. Groups of 11 operations on handles a, b, c, which are free when
 * a group starts and freed in reverse order at its end, so that every
 * group gets them again (the free list is LIFO): a list a, a string b, a
 * list c; a[0] = b, a[1] = c, c[0] = a, c[1] = b (a cycle with a leaf);
 * root[k] = a, which turns the group stored there before into cyclic
 * garbage for the collector (it runs on the workqueue meanwhile).
 */
#define GROUP_OPS	11

static void fill_max_batch(struct objheap_op *ops, __u32 root)
{
	const __u32 a = root + 1, b = root + 2, c = root + 3;
	__u32 n = 0, k = 0;

	while (n + GROUP_OPS <= OBJHEAP_BATCH_MAX) {
		ops[n++] = op_new(2, 2, 0);
		ops[n++] = op_new(3, 0, 24);
		ops[n++] = op_new(4, 2, 8);
		ops[n++] = op_set(a, 0, b);
		ops[n++] = op_set(a, 1, c);
		ops[n++] = op_set(c, 0, a);
		ops[n++] = op_set(c, 1, b);
		ops[n++] = op_set(root, k++ % ROOT_SLOTS, a);
		ops[n++] = op_drop(c);
		ops[n++] = op_drop(b);
		ops[n++] = op_drop(a);
	}
	while (n < OBJHEAP_BATCH_MAX)
		ops[n++] = (struct objheap_op){ .op = OBJHEAP_OP_NOP };
}

/* Every group's NEWs got a, b, c. */
static bool max_batch_handles_ok(const struct objheap_op *ops, __u32 root)
{
	for (__u32 n = 0; n + GROUP_OPS <= OBJHEAP_BATCH_MAX; n += GROUP_OPS)
		if (ops[n].handle != root + 1 || ops[n + 1].handle != root + 2 ||
		    ops[n + 2].handle != root + 3)
			return false;
	return true;
}

/* Runs full batches until killed; 'b' on @ready after the first. */
static void batch_child(struct shared *sh, int ready)
{
	struct objheap_op *ops = calloc(OBJHEAP_BATCH_MAX, sizeof(*ops));
	int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	__u32 root;

	CHILD_ASSERT(ops && fd >= 0);
	root = oh_new(fd, 1, ROOT_SLOTS, 0);
	CHILD_ASSERT(root == 1);	/* a new heap's first handle */
	fill_max_batch(ops, root);
	for (;;) {
		long long t0 = now_us();
		int ret;

		__atomic_store_n(&sh->in_call, 1, __ATOMIC_SEQ_CST);
		ret = oh_batch(fd, ops, OBJHEAP_BATCH_MAX, NULL);
		__atomic_store_n(&sh->in_call, 0, __ATOMIC_SEQ_CST);
		CHILD_ASSERT(ret == 0);
		CHILD_ASSERT(max_batch_handles_ok(ops, root));
		__atomic_store_n(&sh->call_us, (long)(now_us() - t0),
				 __ATOMIC_SEQ_CST);
		if (__atomic_add_fetch(&sh->calls, 1, __ATOMIC_SEQ_CST) == 1)
			CHILD_ASSERT(write_byte(ready, 'b') == 0);
	}
}

TEST_F_TIMEOUT(lifecycle, sigkill_in_the_middle_of_max_batches, 300)
{
	unsigned int seed0 = test_seed(), seed = seed0;
	long long max_wait = 0, max_reap = 0, t0 = now_us();
	long calls = 0, batch_us = 0;
	int r, in_call = 0, at_once = 0;
	struct totals base;

	TH_LOG("seed %u (LIFECYCLE_SEED repeats it)", seed0);
	ASSERT_EQ(0, read_totals(&base));
	for (r = 0; r < KILL_ROUNDS; r++) {
		int p[2], status;
		long delay;

		memset(self->sh, 0, sizeof(*self->sh));
		ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
		self->child = fork();
		ASSERT_LE(0, self->child);
		if (!self->child) {
			close(p[0]);
			batch_child(self->sh, p[1]);
		}
		close(p[1]);
		status = read_byte(p[0], READY_MS);
		close(p[0]);
		ASSERT_EQ('b', status) TH_LOG("round %d: the child runs no batch", r);
		batch_us = __atomic_load_n(&self->sh->call_us, __ATOMIC_SEQ_CST);
		/* Somewhere in the next three batches; round 0 at once. */
		delay = r ? rand_r(&seed) % (3 * batch_us + 1) : 0;
		usleep(delay);
		in_call += __atomic_load_n(&self->sh->in_call, __ATOMIC_SEQ_CST);
		status = kill_reap(&self->child, &max_reap);
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("round %d: the child ended with status %#x", r, status);
		calls += self->sh->calls;
		at_once += !recovers(_metadata, &base, &max_wait);
	}
	printf("lifecycle: case=batch_kill kills=%d in_call=%d batches=%ld ",
	       KILL_ROUNDS, in_call, calls);
	printf("batch_us=%ld settled_at_once=%d max_settle_us=%lld ",
	       batch_us, at_once, max_wait);
	printf("max_reap_ms=%lld seed=%u ms=%lld\n", max_reap / 1000, seed0,
	       (now_us() - t0) / 1000);
	fflush(stdout);
}

/* Case 2: operations queued for BATCH, run OBJHEAP_BATCH_MAX at a time. */
struct opq {
	int fd;
	__u32 n;
	struct objheap_op ops[OBJHEAP_BATCH_MAX];
	__u32 want[OBJHEAP_BATCH_MAX];	/* NEW: the handle it must return */
};

/* Run what is queued; a NEW that returned another handle is -EBADF. */
static int opq_flush(struct opq *q)
{
	int ret = q->n ? oh_batch(q->fd, q->ops, q->n, NULL) : 0;

	for (__u32 i = 0; !ret && i < q->n; i++)
		if (q->want[i] && q->ops[i].handle != q->want[i])
			ret = -EBADF;
	q->n = 0;
	return ret;
}

static int opq_push(struct opq *q, struct objheap_op op, __u32 want)
{
	q->ops[q->n] = op;
	q->want[q->n++] = want;
	return q->n < OBJHEAP_BATCH_MAX ? 0 : opq_flush(q);
}

/* @n objects like @op; their handles in @out. The queue must be empty. */
static int new_many(struct opq *q, long n, struct objheap_op op, __u32 *out)
{
	long i = 0;

	while (i < n) {
		__u32 count = n - i < OBJHEAP_BATCH_MAX ? n - i : OBJHEAP_BATCH_MAX;
		int ret;

		for (__u32 j = 0; j < count; j++)
			q->ops[j] = op;
		ret = oh_batch(q->fd, q->ops, count, NULL);
		if (ret)
			return ret;
		for (__u32 j = 0; j < count; j++)
			out[i++] = q->ops[j].handle;
	}
	return 0;
}

/*
 * root[slot] = a chain of @n >= 2 one-slot containers, each pointing at
 * the next. Two handles do: the free list is LIFO, so each NEW returns
 * the handle the DROP before it closed, and the two alternate.
 */
static int build_chain(struct opq *q, __u32 root, __u32 slot, long n)
{
	__u32 cur = oh_new(q->fd, 10, 1, 0), next, freed;
	int ret = 0;

	if (!cur || oh_set(q->fd, root, slot, cur))
		return -EIO;
	next = oh_new(q->fd, 10, 1, 0);
	if (!next || oh_set(q->fd, cur, 0, next) || oh_drop(q->fd, cur))
		return -EIO;
	for (long i = 2; !ret && i < n; i++) {
		freed = cur;
		cur = next;
		next = freed;
		ret = opq_push(q, op_new(10, 1, 0), next);
		if (!ret)
			ret = opq_push(q, op_set(cur, 0, next), 0);
		if (!ret)
			ret = opq_push(q, op_drop(cur), 0);
	}
	if (!ret)
		ret = opq_push(q, op_drop(next), 0);
	return ret ? ret : opq_flush(q);
}

/*
 * root[slot] = a complete tree over @leaves 16-byte strings, TREE_FANOUT
 * children per node, built from the leaves up one level at a time.
 * Returns its number of nodes, or -errno.
 */
static long build_tree(struct opq *q, __u32 root, __u32 slot, long leaves)
{
	__u32 *cur = calloc(leaves, sizeof(*cur));
	__u32 *up = calloc(leaves / TREE_FANOUT + 1, sizeof(*up));
	long n = leaves, nodes = leaves, i;
	int ret = -ENOMEM;

	if (cur && up)
		ret = new_many(q, n, op_new(11, 0, 16), cur);
	while (!ret && n > 1) {
		long parents = (n + TREE_FANOUT - 1) / TREE_FANOUT;
		__u32 *swap;

		ret = new_many(q, parents, op_new(12, TREE_FANOUT, 0), up);
		for (i = 0; !ret && i < n; i++) {
			ret = opq_push(q, op_set(up[i / TREE_FANOUT],
						 i % TREE_FANOUT, cur[i]), 0);
			if (!ret)
				ret = opq_push(q, op_drop(cur[i]), 0);
		}
		if (!ret)
			ret = opq_flush(q);
		swap = cur;
		cur = up;
		up = swap;
		nodes += parents;
		n = parents;
	}
	if (!ret)
		ret = oh_set(q->fd, root, slot, cur[0]);
	if (!ret)
		ret = oh_drop(q->fd, cur[0]);
	free(cur);
	free(up);
	return ret ? ret : nodes;
}

static long heap_objects(int fd)
{
	struct objheap_heap_stats st;

	memset(&st, 0, sizeof(st));
	return ioctl(fd, OBJHEAP_IOC_HEAP_STATS, &st) ? -1 : (long)st.objects;
}

/*
 * Builds root -> { chain, tree }, says 'd' on @ready, then frees it all
 * in one call: DROP of the root, or close() of the heap. Then waits for
 * SIGKILL.
 */
static void dealloc_child(struct shared *sh, int ready, bool by_close,
			  long chain, long leaves)
{
	struct opq *q = calloc(1, sizeof(*q));
	long long t0 = now_us();
	long nodes;
	__u32 root;

	CHILD_ASSERT(q);
	q->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	CHILD_ASSERT(q->fd >= 0);
	/* No collections: they would only slow the building down. */
	CHILD_ASSERT(oh_gc_flags(q->fd, 0) == 0);
	root = oh_new(q->fd, 1, 2, 0);
	CHILD_ASSERT(root);
	CHILD_ASSERT(build_chain(q, root, 0, chain) == 0);
	nodes = build_tree(q, root, 1, leaves);
	CHILD_ASSERT(nodes > 0);
	CHILD_ASSERT(heap_objects(q->fd) == 1 + chain + nodes);
	CHILD_ASSERT(oh_refcount(q->fd, root) == 1);
	sh->build_us = now_us() - t0;
	__atomic_store_n(&sh->in_call, 1, __ATOMIC_SEQ_CST);
	CHILD_ASSERT(write_byte(ready, 'd') == 0);
	t0 = now_us();
	if (by_close)
		CHILD_ASSERT(close(q->fd) == 0);
	else
		CHILD_ASSERT(oh_drop(q->fd, root) == 0);
	__atomic_store_n(&sh->call_us, (long)(now_us() - t0), __ATOMIC_SEQ_CST);
	__atomic_store_n(&sh->in_call, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sh->calls, 1, __ATOMIC_SEQ_CST);
	if (!by_close)
		CHILD_ASSERT(heap_objects(q->fd) == 0);
	for (;;)
		pause();
}

/* Bounded wait for the child to return from its big call. */
static bool wait_returned(struct shared *sh, long ms)
{
	long long t0 = now_us();

	while (!__atomic_load_n(&sh->calls, __ATOMIC_SEQ_CST)) {
		if (now_us() - t0 > ms * 1000LL)
			return false;
		usleep(1000);
	}
	return true;
}

/*
 * Round 0 lets the DROP finish, to time it, and kills the child after;
 * the later rounds, a close() then a DROP in turn, kill it at a random
 * moment of that time after it announced the call.
 */
TEST_F_TIMEOUT(lifecycle, sigkill_during_a_large_deallocation, 300)
{
	long chain = env_long("LIFECYCLE_CHAIN", CHAIN_LEN);
	long leaves = env_long("LIFECYCLE_TREE", TREE_LEAVES);
	long rounds = env_long("LIFECYCLE_DEALLOC_ROUNDS", DEALLOC_ROUNDS);
	unsigned int seed0 = test_seed(), seed = seed0;
	long call_us[2] = { 0, 0 }, build_us = 0;
	long long max_wait = 0, max_reap = 0, t0 = now_us();
	int r, in_call = 0;
	struct totals base;

	TH_LOG("seed %u (LIFECYCLE_SEED repeats it)", seed0);
	ASSERT_LE(2, chain);
	ASSERT_LE(2, leaves);
	ASSERT_EQ(0, read_totals(&base));
	for (r = 0; r < rounds; r++) {
		bool by_close = r % 2;
		int p[2], status;
		long delay;

		memset(self->sh, 0, sizeof(*self->sh));
		ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
		self->child = fork();
		ASSERT_LE(0, self->child);
		if (!self->child) {
			close(p[0]);
			dealloc_child(self->sh, p[1], by_close, chain, leaves);
		}
		close(p[1]);
		status = read_byte(p[0], 4 * READY_MS);
		close(p[0]);
		ASSERT_EQ('d', status) TH_LOG("round %d: the child built nothing", r);
		build_us = self->sh->build_us;
		if (!r) {
			ASSERT_TRUE(wait_returned(self->sh, 4 * READY_MS));
		} else {
			delay = rand_r(&seed) % (call_us[0] + 1);
			usleep(delay);
		}
		status = kill_reap(&self->child, &max_reap);
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("round %d: the child ended with status %#x", r, status);
		if (self->sh->calls)
			call_us[by_close] = self->sh->call_us;
		else
			in_call++;
		recovers(_metadata, &base, &max_wait);
	}
	printf("lifecycle: case=dealloc_kill kills=%ld in_call=%d chain=%ld ",
	       rounds, in_call, chain);
	printf("tree_leaves=%ld build_ms=%ld drop_ms=%ld close_ms=%ld ",
	       leaves, build_us / 1000, call_us[0] / 1000, call_us[1] / 1000);
	printf("max_settle_us=%lld max_reap_ms=%lld seed=%u ms=%lld\n",
	       max_wait, max_reap / 1000, seed0, (now_us() - t0) / 1000);
	fflush(stdout);
}

/*
 * Case 3. A forked child shares the open file, hence the heap and its
 * handles: it reads what the parent made, stores a string "child" in
 * list[1], opens a second handle on str and leaves it open, clears
 * list[0], and drops a cycle.
 */
static void fork_child(int fd, __u32 list, __u32 str, int out)
{
	char back[8] = { 0 }, buf[8] = "child";
	struct objheap_op op = { .handle = str };
	__u32 x, y, z;

	CHILD_ASSERT(oh_refcount(fd, str) == 2);	/* its handle, list[0] */
	CHILD_ASSERT(!oh_rw(fd, OBJHEAP_IOC_READ, str, 0, back, sizeof(back)));
	CHILD_ASSERT(!strcmp(back, "parent"));
	x = oh_new(fd, 12, 0, sizeof(buf));
	CHILD_ASSERT(x);
	CHILD_ASSERT(!oh_rw(fd, OBJHEAP_IOC_WRITE, x, 0, buf, sizeof(buf)));
	CHILD_ASSERT(!oh_set(fd, list, 1, x));
	CHILD_ASSERT(!oh_drop(fd, x));
	CHILD_ASSERT(!ioctl(fd, OBJHEAP_IOC_DUP, &op));
	CHILD_ASSERT(!oh_set(fd, list, 0, 0));
	y = oh_new(fd, 13, 1, 0);
	z = oh_new(fd, 13, 1, 0);
	CHILD_ASSERT(y && z);
	CHILD_ASSERT(!oh_set(fd, y, 0, z) && !oh_set(fd, z, 0, y));
	CHILD_ASSERT(!oh_drop(fd, y) && !oh_drop(fd, z));
	CHILD_ASSERT(write(out, &op.ref, sizeof(op.ref)) == sizeof(op.ref));
	CHILD_ASSERT(!close(fd));
	_exit(0);
}

/*
 * The second child outlives the parent's close(): it uses the heap after
 * it ('c' in), reports ('w' out), closes it when told ('x' in, 'x' out),
 * and exits when told ('e' in).
 */
static void last_closer(int fd, __u32 list, int out, int in)
{
	__u32 got = 0, x;

	CHILD_ASSERT(read_byte(in, READY_MS) == 'c');
	CHILD_ASSERT(!oh_get(fd, list, 1, &got) && got);
	CHILD_ASSERT(oh_refcount(fd, got) == 3);	/* list[1], 2 handles */
	x = oh_new(fd, 14, 0, 0);
	CHILD_ASSERT(x);
	CHILD_ASSERT(!oh_set(fd, list, 0, x) && !oh_drop(fd, x));
	CHILD_ASSERT(!write_byte(out, 'w'));
	CHILD_ASSERT(read_byte(in, READY_MS) == 'x');
	CHILD_ASSERT(!close(fd));
	CHILD_ASSERT(!write_byte(out, 'x'));
	CHILD_ASSERT(read_byte(in, READY_MS) == 'e');
	_exit(0);
}

TEST_F(lifecycle, fork_shares_the_heap_until_the_last_close)
{
	char buf[8] = "parent", back[8] = { 0 };
	struct objheap_info si, di, gi;
	struct objheap_gc_collect c;
	__u32 list, str, got = 0, dup = 0;
	struct totals base, t;
	int p[2], q[2], status;
	long long waited;
	__u64 id;

	ASSERT_EQ(0, read_totals(&base));
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	id = heap_id(self->fd);
	ASSERT_NE(0, id);
	list = oh_new(self->fd, 10, 2, 0);
	str = oh_new(self->fd, 11, 0, sizeof(buf));
	ASSERT_NE(0, list);
	ASSERT_NE(0, str);
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_WRITE, str, 0, buf, sizeof(buf)));
	ASSERT_EQ(0, oh_set(self->fd, list, 0, str));

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(p[0]);
		fork_child(self->fd, list, str, p[1]);
	}
	close(p[1]);
	EXPECT_EQ(sizeof(dup), read(p[0], &dup, sizeof(dup)));
	close(p[0]);
	status = reap(&self->child);
	ASSERT_EQ(0, status) TH_LOG("the child failed: status %#x", status);

	/* Its exit closed its reference to the file, not the heap. */
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);
	EXPECT_TRUE(heap_dir_exists(id));
	EXPECT_EQ(0, oh_get(self->fd, list, 0, &got));
	EXPECT_EQ(0, got);
	ASSERT_EQ(0, oh_get(self->fd, list, 1, &got));
	ASSERT_NE(0, got);
	EXPECT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_READ, got, 0, back, sizeof(back)));
	EXPECT_STREQ("child", back);
	ASSERT_EQ(0, oh_info(self->fd, got, &gi));
	EXPECT_EQ(12, gi.type);
	EXPECT_EQ(2, gi.refcount);		/* list[1], got */
	/* The child's DUP is a handle here too, on the same object. */
	ASSERT_NE(0, dup);
	ASSERT_EQ(0, oh_info(self->fd, str, &si));
	ASSERT_EQ(0, oh_info(self->fd, dup, &di));
	EXPECT_EQ(si.id, di.id);
	EXPECT_EQ(2, si.refcount);		/* str, dup; list[0] cleared */
	/* And the cycle it dropped is garbage of this heap. */
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(2, c.collected);
	EXPECT_EQ(3, heap_objects(self->fd));	/* list, str, "child" */

	/* The other way round: the parent closes first. */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(q, O_CLOEXEC));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(p[0]);
		close(q[1]);
		last_closer(self->fd, list, p[1], q[0]);
	}
	close(p[1]);
	close(q[0]);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);
	EXPECT_TRUE(heap_dir_exists(id));
	ASSERT_EQ(0, write_byte(q[1], 'c'));
	ASSERT_EQ('w', read_byte(p[0], READY_MS));
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);
	EXPECT_EQ(base.objects + 4, t.objects);	/* and the child's new one */
	ASSERT_EQ(0, write_byte(q[1], 'x'));
	ASSERT_EQ('x', read_byte(p[0], READY_MS));
	/* The child lives on, its close was the last: the heap is gone. */
	waited = settle(_metadata, &base);
	EXPECT_FALSE(heap_dir_exists(id));
	ASSERT_EQ(0, write_byte(q[1], 'e'));
	status = reap(&self->child);
	EXPECT_EQ(0, status) TH_LOG("the child failed: status %#x", status);
	close(p[0]);
	close(q[1]);
	printf("lifecycle: case=fork children=2 last_close_settle_us=%lld\n",
	       waited);
	fflush(stdout);
}

/* Case 4. Send @n fds and the 8 bytes of @id over @sock; 0 or -errno. */
static int send_fds(int sock, const int *fds, int n, __u64 id)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &id, .iov_len = sizeof(id) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm;

	if (n < 1 || n > 2)
		return -EINVAL;
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(id) ? 0 : -errno;
}

/* Receive one fd and 8 bytes into *id; the fd, or -1. */
static int recv_fd(int sock, __u64 *id)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = id, .iov_len = sizeof(*id) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(*id))
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/*
 * The receiver: gets the heap over @sock, sees the sender's objects
 * (list[0] = str = "scm"), acks 1; after the sender's close (2 in) uses
 * the heap, acks 3; closes it when told (4 in, 5 out); exits on 6.
 */
static void receiver(int sock, __u32 list, __u32 str)
{
	struct objheap_gc_collect c;
	char back[4] = { 0 };
	__u32 got = 0, x;
	__u64 id = 0;
	int fd;

	fd = recv_fd(sock, &id);
	CHILD_ASSERT(fd >= 0);
	CHILD_ASSERT(heap_id(fd) == id);
	CHILD_ASSERT(!oh_get(fd, list, 0, &got) && got);
	CHILD_ASSERT(!oh_rw(fd, OBJHEAP_IOC_READ, got, 0, back, 3));
	CHILD_ASSERT(!strcmp(back, "scm"));
	CHILD_ASSERT(oh_refcount(fd, str) == 3);	/* str, list[0], got */
	CHILD_ASSERT(!write_byte(sock, 1));
	CHILD_ASSERT(read_byte(sock, READY_MS) == 2);
	CHILD_ASSERT(oh_refcount(fd, str) == 3);
	x = oh_new(fd, 7, 1, 0);
	CHILD_ASSERT(x);
	CHILD_ASSERT(!oh_set(fd, x, 0, x) && !oh_set(fd, list, 1, x));
	CHILD_ASSERT(!oh_drop(fd, x) && !oh_set(fd, list, 1, 0));
	CHILD_ASSERT(!oh_collect(fd, 2, &c) && c.collected == 1);
	CHILD_ASSERT(heap_objects(fd) == 2);
	CHILD_ASSERT(!write_byte(sock, 3));
	CHILD_ASSERT(read_byte(sock, READY_MS) == 4);
	CHILD_ASSERT(!close(fd));
	CHILD_ASSERT(!write_byte(sock, 5));
	CHILD_ASSERT(read_byte(sock, READY_MS) == 6);
	_exit(0);
}

TEST_F(lifecycle, scm_rights_hands_the_heap_to_another_process)
{
	char buf[4] = "scm";
	struct totals base, t;
	__u32 list, str;
	long long waited;
	int sv[2], status;
	__u64 id;

	ASSERT_EQ(0, read_totals(&base));
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	id = heap_id(self->fd);
	list = oh_new(self->fd, 1, 2, 0);
	str = oh_new(self->fd, 2, 0, 3);
	ASSERT_NE(0, list);
	ASSERT_NE(0, str);
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_WRITE, str, 0, buf, 3));
	ASSERT_EQ(0, oh_set(self->fd, list, 0, str));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		/* Only what comes over the socket: not the fork's copy. */
		close(self->fd);
		close(sv[0]);
		receiver(sv[1], list, str);
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fds(sv[0], &self->fd, 1, id));
	ASSERT_EQ(1, read_byte(sv[0], READY_MS));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The receiver's file keeps the heap. */
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);
	EXPECT_TRUE(heap_dir_exists(id));
	ASSERT_EQ(0, write_byte(sv[0], 2));
	ASSERT_EQ(3, read_byte(sv[0], READY_MS));
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);
	EXPECT_EQ(base.objects + 2, t.objects);
	ASSERT_EQ(0, write_byte(sv[0], 4));
	ASSERT_EQ(5, read_byte(sv[0], READY_MS));
	/* The receiver still runs, but closed the last reference. */
	waited = settle(_metadata, &base);
	EXPECT_FALSE(heap_dir_exists(id));
	ASSERT_EQ(0, write_byte(sv[0], 6));
	status = reap(&self->child);
	EXPECT_EQ(0, status) TH_LOG("the receiver failed: status %#x", status);
	close(sv[0]);
	printf("lifecycle: case=scm_rights receiver_close_settle_us=%lld\n",
	       waited);
	fflush(stdout);
}

/* A heap holding a chain, a cycle and strings, for the in-flight tests. */
static int make_some_objects(int fd)
{
	__u32 a = oh_new(fd, 1, 2, 0), b = oh_new(fd, 1, 2, 0);
	__u32 s = oh_new(fd, 2, 0, 100);

	if (!a || !b || !s)
		return -1;
	return oh_set(fd, a, 0, b) || oh_set(fd, b, 0, a) ||
	       oh_set(fd, b, 1, s) || oh_drop(fd, s) ? -1 : 0;
}

/*
 * An fd sent but never received: the socket's release frees it with the
 * queue. Sent in a message queued on the very socket it carries too, it
 * makes a cycle that only the unix garbage collector, a worker, frees.
 */
TEST_F(lifecycle, heap_in_flight_in_closed_sockets_is_freed)
{
	long long plain_us, cycle_us;
	struct totals base, t;
	int sv[2], fds[2];
	__u64 id;

	ASSERT_EQ(0, read_totals(&base));

	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	id = heap_id(self->fd);
	ASSERT_EQ(0, make_some_objects(self->fd));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, send_fds(sv[0], &self->fd, 1, id));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);	/* in flight, alive */
	EXPECT_EQ(base.objects + 3, t.objects);
	close(sv[0]);
	close(sv[1]);
	plain_us = settle(_metadata, &base);
	EXPECT_FALSE(heap_dir_exists(id));

	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	id = heap_id(self->fd);
	ASSERT_EQ(0, make_some_objects(self->fd));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* sv[1]'s queue holds sv[1] itself and the heap. */
	fds[0] = self->fd;
	fds[1] = sv[1];
	ASSERT_EQ(0, send_fds(sv[0], fds, 2, id));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	close(sv[1]);
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.heaps + 1, t.heaps);
	/* The last release of a unix socket schedules the collector. */
	close(sv[0]);
	cycle_us = settle(_metadata, &base);
	EXPECT_FALSE(heap_dir_exists(id));
	printf("lifecycle: case=in_flight plain_settle_us=%lld ", plain_us);
	printf("cycle_settle_us=%lld\n", cycle_us);
	fflush(stdout);
}

/* Entries in a directory besides . and .., or -1. */
static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * Case 5. Each open file pins the module (.owner = THIS_MODULE): while a
 * heap is open, delete_module() fails with EWOULDBLOCK (the kernel no
 * longer waits, whatever the flags) and changes nothing; once it is
 * closed, the module goes, /dev/objheap with it, and loads again fresh.
 * The fixture opens nothing, so the heaps here are the only holders.
 */
TEST_F_TIMEOUT(lifecycle, rmmod_is_refused_while_a_heap_is_open, 120)
{
	char path[PATH_MAX];
	struct totals t;
	__u32 list, str, got = 0;
	int fd2, ret;

	if (geteuid())
		SKIP(return, "unloading modules needs root");
	if (access(SYS_MODULE "/refcnt", F_OK))
		SKIP(return, "objheap is not a loadable module here");
	ASSERT_EQ(0, read_long(SYS_MODULE "/refcnt"))
		TH_LOG("something else holds objheap: no heap may be open now");
	ASSERT_EQ(0, dir_entries(SYS_MODULE "/holders"))
		TH_LOG("another module depends on objheap");

	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	list = oh_new(self->fd, 1, 1, 0);
	ASSERT_NE(0, list);
	EXPECT_EQ(1, read_long(SYS_MODULE "/refcnt"));
	fd2 = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(2, read_long(SYS_MODULE "/refcnt"));
	close(fd2);
	EXPECT_EQ(1, read_long(SYS_MODULE "/refcnt"));

	EXPECT_EQ(-EWOULDBLOCK, delete_objheap(O_NONBLOCK));
	EXPECT_EQ(-EWOULDBLOCK, delete_objheap(0));
	EXPECT_EQ(0, access(SYS_MODULE, F_OK));
	EXPECT_EQ(0, access(OBJHEAP_DEV, F_OK));
	EXPECT_EQ(1, read_long(SYS_MODULE "/refcnt"));
	/* The heap works on. */
	str = oh_new(self->fd, 2, 0, 8);
	ASSERT_NE(0, str);
	EXPECT_EQ(0, oh_set(self->fd, list, 0, str));
	EXPECT_EQ(0, oh_get(self->fd, list, 0, &got));
	EXPECT_EQ(3, oh_refcount(self->fd, got));
	EXPECT_EQ(2, heap_objects(self->fd));

	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(0, read_long(SYS_MODULE "/refcnt"));
	ASSERT_EQ(0, delete_objheap(O_NONBLOCK));
	EXPECT_EQ(-1, access(OBJHEAP_DEV, F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access(SYS_MODULE, F_OK));
	EXPECT_EQ(-1, access(OBJHEAP_DEBUGFS, F_OK));
	EXPECT_EQ(-ENOENT, delete_objheap(O_NONBLOCK));

	ret = load_objheap(path, sizeof(path));
	ASSERT_EQ(0, ret) TH_LOG("finit_module(%s): %s", path, strerror(-ret));
	ASSERT_EQ(0, access(OBJHEAP_DEV, F_OK));
	EXPECT_EQ(0, read_long(SYS_MODULE "/refcnt"));
	/* A fresh module: its counters start again. */
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(0, t.heaps);
	EXPECT_EQ(0, t.created);
	EXPECT_EQ(0, t.objects);
	check_fresh_heap(_metadata);
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(0, t.heaps);
	EXPECT_EQ(1, t.created);
	EXPECT_EQ(0, read_long(SYS_MODULE "/refcnt"));
	printf("lifecycle: case=rmmod busy_errno=%d(%s) reloaded_from=%s\n",
	       EWOULDBLOCK, strerror(EWOULDBLOCK), path);
	fflush(stdout);
}

/*
 * Case 6. One cycle: a new heap gets handles 1, 2, ... in order. Objects
 * of many size classes: containers of 1, 4 (and a payload), 16, 100, 500
 * and 1000 slots, strings of 0 to 5000 bytes (the largest of each kind
 * from kvmalloc). 1 -> 2 -> 3 -> 1 is a cycle with string 9 hanging off
 * it; 6 holds the rest, 4 <-> 5 among them. Every handle but 6 is
 * dropped, a collection frees the cycle, close() frees the rest.
 */
static const struct { __u32 slots, size; } cycle_objs[] = {
	{ 1, 0 }, { 4, 16 }, { 16, 0 }, { 100, 0 }, { 500, 0 }, { 1000, 0 },
	{ 0, 0 }, { 0, 8 }, { 0, 100 }, { 0, 300 }, { 0, 1500 }, { 0, 3000 },
	{ 0, 5000 },
};

#define NOBJS	ARRAY_SIZE(cycle_objs)

static __u32 cycle_ops(struct objheap_op *ops)
{
	static const __u32 kept[] = { 4, 5, 7, 8, 10, 11, 12, 13 };
	__u32 n = 0, i;

	ops[n++] = op_set(1, 0, 2);
	ops[n++] = op_set(2, 0, 3);
	ops[n++] = op_set(3, 0, 1);
	ops[n++] = op_set(2, 1, 9);
	for (i = 0; i < ARRAY_SIZE(kept); i++)
		ops[n++] = op_set(6, i, kept[i]);
	ops[n++] = op_set(4, 0, 5);
	ops[n++] = op_set(5, 0, 4);
	for (i = 1; i <= NOBJS; i++)
		if (i != 6)
			ops[n++] = op_drop(i);
	return n;
}

/*
 * The class caches objheap-<size>: their sizes from debugfs objheap/pools
 * (rows "class size ...", and one "large" row); returns how many.
 */
static int pool_sizes(unsigned int *sizes, int max)
{
	char line[256];
	unsigned int cls, size;
	int n = 0;
	FILE *f;

	f = fopen(OBJHEAP_DEBUGFS "/pools", "r");
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %u", &cls, &size) == 2 && cls == (unsigned int)n)
			sizes[n++] = size;
	fclose(f);
	return n;
}

/* Live and freelisted objects of every pools row, large included; or -1. */
static long pools_in_use(void)
{
	unsigned long long c[8];
	char line[256], cls[16];
	long sum = 0;
	FILE *f;

	f = fopen(OBJHEAP_DEBUGFS "/pools", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%15s %llu %llu %llu %llu", cls, &c[0], &c[1],
			   &c[2], &c[3]) != 5) {
			sum = -1;
			break;
		}
		sum += c[1] + c[3];	/* objects, freelisted */
	}
	fclose(f);
	return sum;
}

struct slab_count {
	bool merged;	/* a symlink: the cache is an alias of another */
	long objects;
	long slabs;
};

/*
 * Shrink objheap-<size> (flushes the per-CPU slabs, empties KASAN's
 * quarantine of it, frees empty slabs), then read its allocated objects
 * and slabs. 0 or -1.
 */
static int slab_read(unsigned int size, struct slab_count *sc)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), SLAB_SYSFS "/objheap-%u", size);
	if (lstat(path, &st))
		return -1;
	sc->merged = S_ISLNK(st.st_mode);
	snprintf(path, sizeof(path), SLAB_SYSFS "/objheap-%u/shrink", size);
	if (oh_write_file(path, "1", 0))
		return -1;
	snprintf(path, sizeof(path), SLAB_SYSFS "/objheap-%u/objects", size);
	sc->objects = read_long(path);
	snprintf(path, sizeof(path), SLAB_SYSFS "/objheap-%u/slabs", size);
	sc->slabs = read_long(path);
	return sc->objects < 0 || sc->slabs < 0 ? -1 : 0;
}

#define MAX_CLASSES	64

/*
 * How many of the pool classes in @sizes the objects with handles 1 to
 * NOBJS fall in, and how many come from kvmalloc (size_class 0).
 */
static void survey_classes(struct __test_metadata *_metadata, int fd,
			   const unsigned int *sizes, int nsizes,
			   unsigned int *classes, unsigned int *larges)
{
	bool seen[MAX_CLASSES] = { false };
	struct objheap_info info;

	*classes = 0;
	*larges = 0;
	for (__u32 h = 1; h <= NOBJS; h++) {
		ASSERT_EQ(0, oh_info(fd, h, &info));
		if (!info.size_class)
			(*larges)++;
		for (int c = 0; info.size_class && c < nsizes; c++) {
			if (sizes[c] == info.size_class && !seen[c]) {
				seen[c] = true;
				(*classes)++;
			}
		}
	}
}

TEST_F_TIMEOUT(lifecycle, a_thousand_heaps_leave_the_slab_caches_empty, 300)
{
	struct slab_count before[MAX_CLASSES], after[MAX_CLASSES];
	unsigned int sizes[MAX_CLASSES], classes = 0, larges = 0;
	struct objheap_op ops[NOBJS + 64];
	int nsizes, c, merged = 0;
	struct objheap_gc_collect gc;
	struct totals base, t;
	long long t0, cycles_us;
	__u32 nops, i;

	if (oh_lacks_feature(_metadata, SLAB_SYSFS "/objheap-16/objects",
			     "SLUB sysfs with CONFIG_SLUB_DEBUG"))
		return;
	nsizes = pool_sizes(sizes, MAX_CLASSES);
	ASSERT_LT(0, nsizes);
	for (c = 0; c < nsizes; c++)
		ASSERT_EQ(0, slab_read(sizes[c], &before[c]))
			TH_LOG("cache objheap-%u", sizes[c]);
	ASSERT_EQ(0, read_totals(&base));
	ASSERT_EQ(0, pools_in_use());

	for (i = 0; i < NOBJS; i++)
		ops[i] = op_new(i + 1, cycle_objs[i].slots, cycle_objs[i].size);
	nops = NOBJS + cycle_ops(ops + NOBJS);
	t0 = now_us();
	for (int n = 0; n < CYCLES; n++) {
		self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->fd) TH_LOG("cycle %d: %s", n, strerror(errno));
		if (!n) {
			/* The first time, look at the objects before the drops. */
			ASSERT_EQ(0, oh_batch(self->fd, ops, NOBJS, NULL));
			survey_classes(_metadata, self->fd, sizes, nsizes,
				       &classes, &larges);
			ASSERT_EQ(0, oh_batch(self->fd, ops + NOBJS,
					      nops - NOBJS, NULL));
		} else {
			ASSERT_EQ(0, oh_batch(self->fd, ops, nops, NULL))
				TH_LOG("cycle %d", n);
		}
		for (i = 0; i < NOBJS; i++)
			ASSERT_EQ(i + 1, ops[i].handle) TH_LOG("cycle %d", n);
		ASSERT_EQ(0, oh_collect(self->fd, 2, &gc));
		ASSERT_EQ(3, gc.collected) TH_LOG("cycle %d", n);
		ASSERT_EQ(4, gc.freed) TH_LOG("cycle %d", n);
		ASSERT_EQ(9, heap_objects(self->fd)) TH_LOG("cycle %d", n);
		ASSERT_EQ(0, close(self->fd));
		self->fd = -1;
	}
	cycles_us = now_us() - t0;
	/* What the cycles touched: most classes and kvmalloc. */
	EXPECT_LE(10, classes);
	EXPECT_EQ(2, larges);

	settle(_metadata, &base);
	ASSERT_EQ(0, read_totals(&t));
	EXPECT_EQ(base.created + CYCLES, t.created);
	EXPECT_EQ(0, pools_in_use());
	for (c = 0; c < nsizes; c++) {
		ASSERT_EQ(0, slab_read(sizes[c], &after[c]))
			TH_LOG("cache objheap-%u", sizes[c]);
		EXPECT_EQ(before[c].merged, after[c].merged);
		if (after[c].merged) {
			/* Others' objects count too: nothing exact to expect. */
			merged++;
			continue;
		}
		EXPECT_EQ(before[c].objects, after[c].objects)
			TH_LOG("objheap-%u", sizes[c]);
		EXPECT_EQ(before[c].slabs, after[c].slabs)
			TH_LOG("objheap-%u", sizes[c]);
		EXPECT_EQ(0, after[c].objects) TH_LOG("objheap-%u", sizes[c]);
		EXPECT_EQ(0, after[c].slabs) TH_LOG("objheap-%u", sizes[c]);
	}
	printf("lifecycle: case=cycles cycles=%d heaps_created=+%ld ",
	       CYCLES, t.created - base.created);
	printf("caches=%d merged=%d classes_used=%u large=%u cycles_ms=%lld\n",
	       nsizes, merged, classes, larges, cycles_us / 1000);
	fflush(stdout);
}

TEST_HARNESS_MAIN
