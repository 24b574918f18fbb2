// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-failure sweep. For each ioctl of a heap, and for open(),
 * close() and read() of /dev/objheap, the allocations the call makes are
 * failed one at a time through /proc/thread-self/fail-nth (failslab, and
 * fail_page_alloc for orders of 1 and more). Fault n = 1, 2, ... is
 * injected into a fresh copy of the scenario's heap until the call no
 * longer reaches an n-th allocation; each fault is then injected again
 * together with a fault of the next slab allocation, which reaches the
 * fallbacks a single fault cannot fail (vmalloc() after kmalloc() in
 * kvmalloc(), an xarray's sleeping retry after its GFP_NOWAIT attempt):
 *  - a call that fails must fail with ENOMEM, leave the heap as it was (for
 *    BATCH and GC_GARBAGE, as the units before the failing one left it)
 *    and succeed when run again;
 *  - a call whose allocation had a fallback must still answer right.
 * Leaks are left to kmemleak, which the VM run scans after the tests, and
 * to the module-wide counts, which must be back where they started.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define MAKE_IT_FAIL	"/proc/thread-self/make-it-fail"

/* A scenario with more allocation points than this never ends: a failure. */
#define MAX_NTH		64
/* The largest payload and user buffer of a scenario. */
#define BIG		65536
/* Handles and slots a snapshot describes. */
#define SNAP_HANDLES	136
#define SNAP_SLOTS	4
/* Snapshot slot values besides a handle: not read, or no handle names it. */
#define SLOT_UNKNOWN	0xffffffffU
#define SLOT_ANON	0x80000000U
#define SETUP_OPS	1024
#define BATCH_N		14
#define GARBAGE_N	4
/* BATCH: the result of an operation the kernel must not touch. */
#define UNTOUCHED	12345

/*
 * Fault-injection settings for the sweep, each restored afterwards.
 * Sleeping allocations take part (objheap's all sleep), and page
 * allocations of order 1 and more: kvmalloc()'s kmalloc() of more than
 * 8 KiB is one. Order 0 does not: those are the pages behind user buffers,
 * page tables and vmalloc() areas, not objheap's own allocations. The
 * classic path (times, for a task with make-it-fail) gives the second
 * fault of a pair; with make-it-fail clear it fails nothing.
 */
static const struct knob {
	const char *path;
	const char *val;
} knobs[] = {
	{ FAILSLAB "ignore-gfp-wait", "N" },
	{ FAILSLAB "verbose", "0" },		/* no stack dump per fault */
	{ FAILSLAB "task-filter", "Y" },
	{ FAILSLAB "probability", "100" },
	{ FAILSLAB "interval", "1" },
	{ FAILSLAB "space", "0" },
	{ FAILSLAB "times", "0" },
	{ FAILPAGE "ignore-gfp-wait", "N" },
	{ FAILPAGE "min-order", "1" },
	{ FAILPAGE "verbose", "0" },
	{ FAILPAGE "task-filter", "Y" },
	{ FAILPAGE "probability", "100" },
	{ FAILPAGE "interval", "1" },
	{ FAILPAGE "space", "0" },
	{ FAILPAGE "times", "0" },
};

#define KNOB_LEN	32

struct modstat {
	long objects;
	long bytes;
	long heaps;
	long created;
};

/* What a snapshot says of one handle. */
struct hsnap {
	__u32 open;
	__u32 canon;			/* lowest handle on the same object */
	__u32 sum;			/* payload hash, on the canonical handle */
	__u32 slot[SNAP_SLOTS];		/* canonical handle of the referent */
	struct objheap_info info;
};

struct snap {
	int heap;
	struct modstat mod;
	struct objheap_heap_stats hs;
	struct objheap_gc_stats gs;
	struct objheap_limits lim;
	struct objheap_gc_params par;
	__u32 nh;
	struct hsnap h[SNAP_HANDLES + 1];
	char types[1024];
};

/* What one pass of a sweep found. */
struct tally {
	int injected;		/* runs with a fault */
	int enomem;
	int absorbed;
	int second;		/* pairs: runs where the second fault hit too */
	int cap_kept;		/* a failed call left the handle table grown */
};

/* Totals over the scenarios (single faults, pairs), for the summary. */
static struct totals {
	int started;
	int scenarios;
	struct tally one, two;
} *totals;

/* The thread's fault-injection controls, kept open: opening allocates. */
struct inject {
	int nth;		/* /proc/thread-self/fail-nth */
	int mif;		/* /proc/thread-self/make-it-fail */
};

/* The heap and every argument the call under test reads or writes. */
static struct ctx {
	int fd;
	__u32 got;			/* GC_GARBAGE: handles taken in all */
	long nread;
	struct objheap_op op;
	struct objheap_op ops[BATCH_N];
	struct objheap_batch batch;
	struct objheap_info info;
	struct objheap_limits lim;
	struct objheap_gc_params par;
	struct objheap_gc_collect coll;
	struct objheap_gc_stats gcs;
	struct objheap_heap_stats hst;
	struct objheap_version ver;
	struct objheap_gc_garbage gar;
	__u32 gh[GARBAGE_N];
	unsigned char bbuf[1024];	/* BATCH's READ */
	struct objheap_gc_event ev[2];
} cx = { .fd = -1 }, cx_keep;

static unsigned char wbuf[BIG], wbuf2[512], rbuf[BIG];
static unsigned char setupbuf[BIG], snapbuf[BIG];
static struct objheap_op setup_ops[SETUP_OPS];
static struct snap snap_before, snap_after, snap_want;
static const struct hsnap closed;
static struct modstat base;	/* module-wide, before the test's heaps */
static int notes;		/* heaps opened without a debugfs directory */
unsigned char faults_sink;	/* what prefaulting read, kept */

static void __attribute__((constructor)) totals_map(void)
{
	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (totals == MAP_FAILED)
		totals = NULL;
}

static void modstat_get(struct modstat *m)
{
	m->objects = objheap_stat("stats", "objects");
	m->bytes = objheap_stat("stats", "bytes");
	m->heaps = objheap_stat("stats", "heaps");
	m->created = objheap_stat("stats", "heaps_created");
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, len = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -errno;
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return 0;
}

/* Payload byte @i of pattern @seed; seed 0 is all zeros. */
static unsigned char pat(size_t i, unsigned int seed)
{
	return seed ? (unsigned char)(i * 7 + (i >> 8) + seed) : 0;
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pat(i, seed);
}

/* Make @n bytes present and writable: no page fault inside a call. */
static void touch(void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i += 4096)
		__atomic_fetch_add(b + i, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(b + n - 1, 0, __ATOMIC_RELAXED);
}

static void pretouch(void)
{
	touch(&cx, sizeof(cx));
	touch(wbuf, sizeof(wbuf));
	touch(wbuf2, sizeof(wbuf2));
	touch(rbuf, sizeof(rbuf));
	errno = 0;
}

/* Map the program's code and constants now, not on first use. */
static void text_prefault(void)
{
	char line[512], perms[8];
	unsigned long lo, hi, a;
	unsigned char sum = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		/* Read-only file mappings; not [vvar] and the like. */
		if (perms[0] != 'r' || perms[1] != '-' || strchr(line, '['))
			continue;
		for (a = lo; a < hi; a += 4096)
			sum += __atomic_load_n((unsigned char *)a, __ATOMIC_RELAXED);
	}
	fclose(f);
	faults_sink += sum;
}

/* Touch the stack the calls will use; any byte may be read back. */
static void stack_prefault(void)
{
	unsigned char pad[65536];

	memset(pad, 1, sizeof(pad));
	faults_sink += pad[(unsigned int)getpid() % sizeof(pad)];
}

static int arm(struct inject *in, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(in->nth, buf, len, 0) == len ? 0 : -errno;
}

/* Returns 1 if the armed fault was injected, 0 if not reached, or -errno. */
static int disarm(struct inject *in)
{
	char buf[16];
	ssize_t len = pread(in->nth, buf, sizeof(buf) - 1, 0);
	int err = errno;

	if (pwrite(in->nth, "0", 1, 0) != 1)
		return -errno;
	if (len <= 0)
		return len ? -err : -EIO;
	buf[len] = '\0';
	return strtol(buf, NULL, 10) == 0;
}

static int set_mif(struct inject *in, const char *val)
{
	return pwrite(in->mif, val, 1, 0) == 1 ? 0 : -errno;
}

/* The classic path's countdowns; written only while nothing is armed. */
static int times_set(long slab, long page)
{
	char buf[24];
	int ret;

	snprintf(buf, sizeof(buf), "%ld", slab);
	ret = oh_write_file(FAILSLAB "times", buf, 0);
	snprintf(buf, sizeof(buf), "%ld", page);
	return ret ?: oh_write_file(FAILPAGE "times", buf, 0);
}

static int times_get(long *slab, long *page)
{
	char buf[24];
	int ret = read_file(FAILSLAB "times", buf, sizeof(buf));

	*slab = strtol(buf, NULL, 10);
	ret = ret ?: read_file(FAILPAGE "times", buf, sizeof(buf));
	*page = strtol(buf, NULL, 10);
	return ret;
}

/* Close the scenario's heap, and open a fresh one unless @none. */
static int fresh_heap(bool none)
{
	if (cx.fd >= 0)
		close(cx.fd);
	memset(&cx, 0, sizeof(cx));
	cx.fd = -1;
	if (none)
		return 0;
	cx.fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	return cx.fd < 0 ? -errno : 0;
}

/* NEW that must get handle @want. */
static int mk(__u32 type, __u32 nslots, __u32 size, __u32 want)
{
	__u32 h = oh_new(cx.fd, type, nslots, size);

	if (!h)
		return -errno;
	return h == want ? 0 : -EPROTO;
}

/* @n more handles on @h. */
static int dups(__u32 h, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		setup_ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_DUP, .handle = h };
	return oh_batch(cx.fd, setup_ops, n, NULL);
}

static int xioctl(unsigned long cmd, void *arg)
{
	return ioctl(cx.fd, cmd, arg) ? -errno : 0;
}

static int op_run(unsigned long cmd, __u32 handle, __u32 index, __u32 ref)
{
	cx.op = (struct objheap_op){ .handle = handle, .index = index, .ref = ref };
	return xioctl(cmd, &cx.op);
}

static int new_run(__u32 type, __u32 nslots, __u32 size)
{
	cx.op = (struct objheap_op){ .type = type, .count = nslots, .size = size };
	return xioctl(OBJHEAP_IOC_NEW, &cx.op);
}

static int batch_run(struct objheap_op *ops, __u32 n)
{
	cx.batch = (struct objheap_batch){
		.ops = (__u64)(uintptr_t)ops, .count = n, .op_size = sizeof(*ops),
	};
	return xioctl(OBJHEAP_IOC_BATCH, &cx.batch);
}

static int garbage_run(__u32 first, __u32 n)
{
	cx.gar = (struct objheap_gc_garbage){
		.handles = (__u64)(uintptr_t)(cx.gh + first), .count = n,
	};
	return xioctl(OBJHEAP_IOC_GC_GARBAGE, &cx.gar);
}

static int read_types(__u64 id, char *buf, size_t size)
{
	char path[96];

	snprintf(path, sizeof(path), OBJHEAP_DEBUGFS "/heaps/%llu/types",
		 (unsigned long long)id);
	return read_file(path, buf, size);
}

static int differ(struct __test_metadata *_metadata, const char *what,
		  __u32 h, unsigned long long want, unsigned long long got)
{
	if (want == got)
		return 0;
	TH_LOG("%s (handle %u): %llu expected, %llu found", what, h, want, got);
	return 1;
}

static void expect_obj(struct __test_metadata *_metadata, __u32 h, __u32 refs,
		       __u32 type, __u32 nslots, __u32 size)
{
	struct objheap_info info;

	ASSERT_EQ(0, oh_info(cx.fd, h, &info)) TH_LOG("handle %u", h);
	EXPECT_EQ(refs, info.refcount) TH_LOG("handle %u", h);
	EXPECT_EQ(type, info.type);
	EXPECT_EQ(nslots, info.nslots);
	EXPECT_EQ(size, info.size);
	EXPECT_EQ((nslots ? 16 : 0) + 8 + 8 * nslots + (size ? 8 + size : 0),
		  info.alloc_size);
	EXPECT_EQ(nslots ? OBJHEAP_INFO_CONTAINER | OBJHEAP_INFO_TRACKED : 0, info.flags);
	if (!nslots)
		EXPECT_EQ(OBJHEAP_GEN_UNTRACKED, info.generation);
}

static void expect_heap(struct __test_metadata *_metadata, __u64 objects,
			__u32 handles, __u32 cap)
{
	struct objheap_heap_stats st;

	ASSERT_EQ(0, ioctl(cx.fd, OBJHEAP_IOC_HEAP_STATS, &st));
	EXPECT_EQ(objects, st.objects);
	EXPECT_EQ(handles, st.handles);
	EXPECT_EQ(cap, st.handles_cap);
}

/* The payload of @h: pattern @a, but @len bytes at @off of pattern @b. */
static void expect_payload(struct __test_metadata *_metadata, __u32 h,
			   __u32 size, __u32 off, __u32 len, unsigned int a,
			   unsigned int b)
{
	__u32 i, bad = 0;
	unsigned char want;

	ASSERT_EQ(0, oh_rw(cx.fd, OBJHEAP_IOC_READ, h, 0, snapbuf, size));
	for (i = 0; i < size; i++) {
		want = i >= off && i - off < len ? pat(i - off, b) : pat(i, a);
		bad += snapbuf[i] != want;
	}
	EXPECT_EQ(0, bad) TH_LOG("handle %u: %u payload bytes differ", h, bad);
}

/* Two handles on the same object? */
static void expect_same(struct __test_metadata *_metadata, __u32 a, __u32 b)
{
	struct objheap_info ia, ib;

	ASSERT_EQ(0, oh_info(cx.fd, a, &ia));
	ASSERT_EQ(0, oh_info(cx.fd, b, &ib));
	EXPECT_EQ(ia.id, ib.id) TH_LOG("handles %u and %u", a, b);
}

/* FNV-1a of the first BIG bytes of a payload. */
static __u32 payload_sum(struct __test_metadata *_metadata, __u32 h, __u32 size)
{
	__u32 i, sum = 2166136261U;

	if (size > BIG)
		size = BIG;
	if (!size)
		return 0;
	ASSERT_EQ(0, oh_rw(cx.fd, OBJHEAP_IOC_READ, h, 0, snapbuf, size));
	for (i = 0; i < size; i++)
		sum = (sum ^ snapbuf[i]) * 16777619U;
	return sum;
}

/* The canonical handle of the object whose INFO id is @id, or 0. */
static __u32 canon_of(const struct snap *sn, __u64 id)
{
	__u32 h;

	for (h = 1; h <= sn->nh; h++)
		if (sn->h[h].open && sn->h[h].info.id == id)
			return sn->h[h].canon;
	return 0;
}

/* The slots of canonical handle @h; GET and DROP leave the table as it was. */
static void snap_slots(struct __test_metadata *_metadata, struct snap *sn,
		       __u32 h)
{
	struct hsnap *e = &sn->h[h];
	struct objheap_info info;
	__u32 i, ref;

	for (i = 0; i < SNAP_SLOTS && i < e->info.nslots; i++) {
		/* A GET on a full table would grow it. */
		if (sn->hs.handles >= sn->hs.handles_cap) {
			e->slot[i] = SLOT_UNKNOWN;
			continue;
		}
		ASSERT_EQ(0, oh_get(cx.fd, h, i, &ref));
		if (!ref)
			continue;
		ASSERT_EQ(0, oh_info(cx.fd, ref, &info));
		e->slot[i] = canon_of(sn, info.id);
		if (!e->slot[i])
			e->slot[i] = SLOT_ANON | info.type;
		ASSERT_EQ(0, oh_drop(cx.fd, ref));
	}
}

/*
 * Everything user space can see of the heap, module-wide counts included:
 * its counters, limits, collector state, per-type table, and the first
 * SNAP_HANDLES handles with their objects' slots and payloads.
 */
static void snap_take(struct __test_metadata *_metadata, struct snap *sn)
{
	struct hsnap *e;
	__u32 h;
	int ret;

	memset(sn, 0, sizeof(*sn));
	modstat_get(&sn->mod);
	if (cx.fd < 0)
		return;
	sn->heap = 1;
	ASSERT_EQ(0, ioctl(cx.fd, OBJHEAP_IOC_HEAP_STATS, &sn->hs));
	ASSERT_EQ(0, oh_gc_stats(cx.fd, &sn->gs));
	ASSERT_EQ(0, ioctl(cx.fd, OBJHEAP_IOC_GET_LIMITS, &sn->lim));
	ASSERT_EQ(0, oh_gc_params_get(cx.fd, &sn->par));
	if (read_types(sn->hs.id, sn->types, sizeof(sn->types)))
		snprintf(sn->types, sizeof(sn->types), "(no debugfs directory)");
	sn->nh = sn->hs.handles_cap < SNAP_HANDLES ? sn->hs.handles_cap : SNAP_HANDLES;
	for (h = 1; h <= sn->nh; h++) {
		e = &sn->h[h];
		ret = oh_info(cx.fd, h, &e->info);
		if (ret == -EBADF)
			continue;
		ASSERT_EQ(0, ret);
		e->open = 1;
		e->canon = canon_of(sn, e->info.id);
		if (!e->canon)
			e->canon = h;
	}
	for (h = 1; h <= sn->nh; h++) {
		e = &sn->h[h];
		if (!e->open || e->canon != h)
			continue;
		e->sum = payload_sum(_metadata, h, e->info.size);
		snap_slots(_metadata, sn, h);
	}
}

static int cmp_handle(struct __test_metadata *_metadata, __u32 h,
		      const struct hsnap *a, const struct hsnap *b, bool same)
{
	int bad = differ(_metadata, "open", h, a->open, b->open);
	__u32 i;

	if (!a->open || !b->open)
		return bad;
	bad += differ(_metadata, "refcount", h, a->info.refcount, b->info.refcount);
	bad += differ(_metadata, "type", h, a->info.type, b->info.type);
	bad += differ(_metadata, "nslots", h, a->info.nslots, b->info.nslots);
	bad += differ(_metadata, "size", h, a->info.size, b->info.size);
	bad += differ(_metadata, "alloc_size", h, a->info.alloc_size, b->info.alloc_size);
	bad += differ(_metadata, "size_class", h, a->info.size_class, b->info.size_class);
	bad += differ(_metadata, "flags", h, a->info.flags, b->info.flags);
	bad += differ(_metadata, "generation", h, a->info.generation, b->info.generation);
	bad += differ(_metadata, "same object as", h, a->canon, b->canon);
	if (same)
		bad += differ(_metadata, "id", h, a->info.id, b->info.id);
	bad += differ(_metadata, "payload hash", h, a->sum, b->sum);
	for (i = 0; i < SNAP_SLOTS; i++)
		if (a->slot[i] != SLOT_UNKNOWN && b->slot[i] != SLOT_UNKNOWN)
			bad += differ(_metadata, "slot referent", h, a->slot[i], b->slot[i]);
	return bad;
}

static int cmp_gc(struct __test_metadata *_metadata,
		  const struct objheap_gc_stats *a, const struct objheap_gc_stats *b)
{
	int bad = 0, g;

	for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++) {
		bad += differ(_metadata, "gc count", g, a->count[g], b->count[g]);
		bad += differ(_metadata, "gc tracked", g, a->tracked[g], b->tracked[g]);
		bad += differ(_metadata, "gc collections", g, a->gen[g].collections,
			      b->gen[g].collections);
		bad += differ(_metadata, "gc scanned", g, a->gen[g].scanned,
			      b->gen[g].scanned);
		bad += differ(_metadata, "gc collected", g, a->gen[g].collected,
			      b->gen[g].collected);
		bad += differ(_metadata, "gc freed", g, a->gen[g].freed, b->gen[g].freed);
	}
	bad += differ(_metadata, "gc frozen", 0, a->frozen, b->frozen);
	bad += differ(_metadata, "gc garbage", 0, a->garbage, b->garbage);
	bad += differ(_metadata, "gc automatic", 0, a->automatic, b->automatic);
	return bad;
}

/*
 * Differences between @want and @got, logged. @same: one heap before and
 * after (ids and module-wide counts compare too), else two heaps built
 * alike. One difference is tallied instead: a failed call may leave the
 * handle table it grew for a handle it then could not open (capacity, not
 * state: docs/abi.md).
 */
static int snap_cmp(struct __test_metadata *_metadata, const struct snap *want,
		    const struct snap *got, bool same, struct tally *t)
{
	const struct objheap_heap_stats *a = &want->hs, *b = &got->hs;
	__u32 h, nh = want->nh > got->nh ? want->nh : got->nh;
	int bad = 0, i;

	if (same) {
		bad += differ(_metadata, "module objects", 0, want->mod.objects,
			      got->mod.objects);
		bad += differ(_metadata, "module bytes", 0, want->mod.bytes,
			      got->mod.bytes);
		bad += differ(_metadata, "module heaps", 0, want->mod.heaps,
			      got->mod.heaps);
		bad += differ(_metadata, "module heaps_created", 0,
			      want->mod.created, got->mod.created);
	}
	bad += differ(_metadata, "heap open", 0, want->heap, got->heap);
	if (!want->heap || !got->heap)
		return bad;
	if (same)
		bad += differ(_metadata, "heap id", 0, a->id, b->id);
	bad += differ(_metadata, "objects", 0, a->objects, b->objects);
	bad += differ(_metadata, "bytes", 0, a->bytes, b->bytes);
	bad += differ(_metadata, "peak_bytes", 0, a->peak_bytes, b->peak_bytes);
	bad += differ(_metadata, "allocs", 0, a->allocs, b->allocs);
	bad += differ(_metadata, "frees", 0, a->frees, b->frees);
	bad += differ(_metadata, "handles", 0, a->handles, b->handles);
	bad += differ(_metadata, "freelisted", 0, a->freelisted, b->freelisted);
	bad += differ(_metadata, "freelist_hits", 0, a->freelist_hits, b->freelist_hits);
	if (b->handles_cap > a->handles_cap)
		t->cap_kept++;
	else
		bad += differ(_metadata, "handles_cap", 0, a->handles_cap, b->handles_cap);
	bad += differ(_metadata, "freelist_misses", 0, a->freelist_misses,
		      b->freelist_misses);
	bad += cmp_gc(_metadata, &want->gs, &got->gs);
	bad += differ(_metadata, "max_bytes", 0, want->lim.max_bytes, got->lim.max_bytes);
	bad += differ(_metadata, "max_objects", 0, want->lim.max_objects,
		      got->lim.max_objects);
	bad += differ(_metadata, "max_handles", 0, want->lim.max_handles,
		      got->lim.max_handles);
	bad += differ(_metadata, "gc flags", 0, want->par.flags, got->par.flags);
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++)
		bad += differ(_metadata, "gc threshold", i, want->par.threshold[i],
			      got->par.threshold[i]);
	for (h = 1; h <= nh; h++)
		bad += cmp_handle(_metadata, h, h <= want->nh ? &want->h[h] : &closed,
				  h <= got->nh ? &got->h[h] : &closed, same);
	if (strcmp(want->types, got->types)) {
		TH_LOG("types expected:\n%s\nfound:\n%s", want->types, got->types);
		bad++;
	}
	return bad;
}

FIXTURE(faults) {
	struct inject in;
	int nsaved;		/* knobs saved, restored by the teardown */
	char saved[ARRAY_SIZE(knobs)][KNOB_LEN];
};

/*
 * A scenario: @setup builds the heap the call runs on, @run makes the call,
 * @verify checks its answer and the heap after success. @failed checks
 * more after an ENOMEM (given the units done), for a call that returns
 * something on failure. Calls that keep part of their work when they fail
 * (BATCH, GC_GARBAGE) have @done (units that took effect), @prefix (run
 * the first k units; the reference the failed call must match) and @rest
 * (the retry: units k and after).
 */
struct scenario {
	const char *name;
	bool no_heap;		/* open(): there is no heap before the call */
	__u32 nh;		/* handles the setup opens */
	__u32 size, off, len;	/* READ and WRITE */
	int (*setup)(void);
	int (*run)(void);
	void (*verify)(struct __test_metadata *_metadata);
	void (*failed)(struct __test_metadata *_metadata, __u32 done);
	__u32 (*done)(void);
	int (*prefix)(__u32 k);
	int (*rest)(__u32 k);
};

FIXTURE_VARIANT(faults) {
	struct scenario s;
};

static const struct scenario *cur;

FIXTURE_SETUP(faults)
{
	self->in.nth = -1;
	self->in.mif = -1;
	self->nsaved = 0;
}

FIXTURE_TEARDOWN(faults)
{
	if (self->in.mif >= 0) {
		EXPECT_EQ(0, set_mif(&self->in, "0"));
		close(self->in.mif);
	}
	if (self->in.nth >= 0) {
		EXPECT_EQ(1, pwrite(self->in.nth, "0", 1, 0));
		close(self->in.nth);
	}
	if (cx.fd >= 0)
		close(cx.fd);
	cx.fd = -1;
	while (self->nsaved > 0) {
		self->nsaved--;
		EXPECT_EQ(0, oh_write_file(knobs[self->nsaved].path,
					   self->saved[self->nsaved], 0));
	}
}

/* open(): a new heap. */
static int setup_none(void)
{
	return 0;
}

static int run_open(void)
{
	int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	cx.fd = fd;
	return 0;
}

static void verify_open(struct __test_metadata *_metadata)
{
	char path[96];

	ASSERT_LE(0, cx.fd);
	ASSERT_EQ(0, xioctl(OBJHEAP_IOC_HEAP_STATS, &cx.hst));
	EXPECT_EQ(0, cx.hst.objects);
	EXPECT_EQ(0, cx.hst.handles);
	EXPECT_EQ(base.heaps + 1, objheap_stat("stats", "heaps"));
	EXPECT_EQ(1, oh_new(cx.fd, 0, 0, 8));
	expect_heap(_metadata, 1, 1, 64);
	/* The heap works without its debugfs directory: count those. */
	snprintf(path, sizeof(path), OBJHEAP_DEBUGFS "/heaps/%llu/info",
		 (unsigned long long)cx.hst.id);
	if (access(path, F_OK))
		notes++;
}

/*
 * close(): everything goes: a saved self-cycle, an unreachable 2-cycle
 * holding a leaf, and the leaf's handle.
 */
static int setup_close(void)
{
	return oh_gc_flags(cx.fd, OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL) ?:
	       mk(1, 1, 0, 1) ?: oh_set(cx.fd, 1, 0, 1) ?: oh_drop(cx.fd, 1) ?:
	       oh_collect(cx.fd, 2, &cx.coll) ?:
	       (cx.coll.saved == 1 ? 0 : -EPROTO) ?:
	       mk(1, 2, 0, 1) ?: mk(1, 2, 0, 2) ?: mk(2, 0, 100, 3) ?:
	       oh_set(cx.fd, 1, 0, 2) ?: oh_set(cx.fd, 2, 0, 1) ?:
	       oh_set(cx.fd, 1, 1, 3) ?: oh_drop(cx.fd, 1) ?: oh_drop(cx.fd, 2);
}

static int run_close(void)
{
	int ret = close(cx.fd) ? -errno : 0;

	cx.fd = -1;
	return ret;
}

static void verify_close(struct __test_metadata *_metadata)
{
	struct modstat m;

	modstat_get(&m);
	EXPECT_EQ(base.objects, m.objects);
	EXPECT_EQ(base.bytes, m.bytes);
	EXPECT_EQ(base.heaps, m.heaps);
}

/* NEW of the first object: the handle table is allocated. */
static int run_new_first(void)
{
	return new_run(0, 0, 8);
}

static void verify_new_first(struct __test_metadata *_metadata)
{
	EXPECT_EQ(1, cx.op.handle);
	expect_obj(_metadata, 1, 1, 0, 0, 8);
	expect_heap(_metadata, 1, 1, 64);
}

/*
 * NEW of a new type tag: its statistics entry and type-table entry. The
 * first object is 24 bytes (8 header, 8 size word, 8 payload), the new one 32.
 */
static int setup_new_type(void)
{
	return mk(1, 0, 8, 1);
}

static int run_new_type(void)
{
	return new_run(77, 0, 16);
}

static void verify_new_type(struct __test_metadata *_metadata)
{
	char types[1024];

	EXPECT_EQ(2, cx.op.handle);
	expect_obj(_metadata, 2, 1, 77, 0, 16);
	expect_heap(_metadata, 2, 2, 64);
	ASSERT_EQ(0, xioctl(OBJHEAP_IOC_HEAP_STATS, &cx.hst));
	ASSERT_EQ(0, read_types(cx.hst.id, types, sizeof(types)));
	EXPECT_NE(NULL, strstr(types, "\n77 1 32")) TH_LOG("%s", types);
	EXPECT_NE(NULL, strstr(types, "\n1 1 24")) TH_LOG("%s", types);
}

/* NEW of a container: tracked by the collector. */
static int setup_new_container(void)
{
	return mk(3, 2, 0, 1);
}

static int run_new_container(void)
{
	return new_run(3, 4, 0);
}

static void verify_new_container(struct __test_metadata *_metadata)
{
	EXPECT_EQ(2, cx.op.handle);
	expect_obj(_metadata, 2, 1, 3, 4, 0);
	EXPECT_EQ(0, oh_generation(cx.fd, 2));
	ASSERT_EQ(0, oh_gc_stats(cx.fd, &cx.gcs));
	EXPECT_EQ(2, cx.gcs.tracked[0]);
	EXPECT_EQ(2, cx.gcs.count[0]);
}

/* NEW of a kvmalloc() object: cur->size payload bytes. */
static int setup_new_payload(void)
{
	return mk(5, 0, 8, 1);
}

static int run_new_payload(void)
{
	return new_run(5, 0, cur->size);
}

static void verify_new_payload(struct __test_metadata *_metadata)
{
	EXPECT_EQ(2, cx.op.handle);
	expect_obj(_metadata, 2, 1, 5, 0, cur->size);
	ASSERT_EQ(0, oh_info(cx.fd, 2, &cx.info));
	EXPECT_EQ(0, cx.info.size_class);
	expect_payload(_metadata, 2, cur->size, 0, 0, 0, 0);
	fill(setupbuf, cur->size, 9);
	ASSERT_EQ(0, oh_rw(cx.fd, OBJHEAP_IOC_WRITE, 2, 0, setupbuf, cur->size));
	expect_payload(_metadata, 2, cur->size, 0, 0, 9, 0);
}

/* One object and cur->nh handles on it. */
static int setup_handles(void)
{
	return mk(1, 0, 8, 1) ?: dups(1, cur->nh - 1);
}

/* NEW, the handle table full: it grows. */
static int run_new_grows(void)
{
	return new_run(1, 0, 8);
}

static void verify_new_grows(struct __test_metadata *_metadata)
{
	EXPECT_EQ(cur->nh + 1, cx.op.handle);
	expect_obj(_metadata, cur->nh + 1, 1, 1, 0, 8);
	expect_obj(_metadata, 1, cur->nh, 1, 0, 8);
	expect_heap(_metadata, 2, cur->nh + 1, 2 * cur->nh);
}

/* DUP: with room in the table, or growing it (kvmalloc() of 8 or 16 KiB). */
static int run_dup(void)
{
	return op_run(OBJHEAP_IOC_DUP, 1, 0, 0);
}

static void verify_dup(struct __test_metadata *_metadata)
{
	__u32 cap = cur->nh < 64 ? 64 : 2 * cur->nh;

	EXPECT_EQ(cur->nh + 1, cx.op.ref);
	expect_obj(_metadata, 1, cur->nh + 1, 1, 0, 8);
	expect_obj(_metadata, cur->nh, cur->nh + 1, 1, 0, 8);
	expect_obj(_metadata, cur->nh / 2 + 1, cur->nh + 1, 1, 0, 8);
	expect_same(_metadata, 1, cx.op.ref);
	expect_heap(_metadata, 1, cur->nh + 1, cap);
	/* The new entries are chained: the next handle follows. */
	EXPECT_EQ(cur->nh + 2, oh_new(cx.fd, 1, 0, 8));
}

/*
 * GET of a slot: a container (handle 1) whose slot 0 holds a leaf, and
 * cur->nh handles open in all.
 */
static int setup_get(void)
{
	return mk(2, 2, 0, 1) ?: mk(4, 0, 8, 2) ?: oh_set(cx.fd, 1, 0, 2) ?:
	       oh_drop(cx.fd, 2) ?: dups(1, cur->nh - 1);
}

static int run_get(void)
{
	return op_run(OBJHEAP_IOC_GET, 1, 0, 0);
}

static void verify_get(struct __test_metadata *_metadata)
{
	EXPECT_EQ(cur->nh + 1, cx.op.ref);
	expect_obj(_metadata, cx.op.ref, 2, 4, 0, 8);
	expect_heap(_metadata, 2, cur->nh + 1, cur->nh < 64 ? 64 : 128);
}

/* SET: a slot's referent replaced, the old one kept by its handle. */
static int setup_set(void)
{
	return mk(2, 2, 0, 1) ?: mk(4, 0, 8, 2) ?: mk(5, 0, 8, 3) ?:
	       oh_set(cx.fd, 1, 0, 2);
}

static int run_set(void)
{
	return op_run(OBJHEAP_IOC_SET, 1, 0, 3);
}

static void verify_set(struct __test_metadata *_metadata)
{
	__u32 ref;

	expect_obj(_metadata, 2, 1, 4, 0, 8);
	expect_obj(_metadata, 3, 2, 5, 0, 8);
	ASSERT_EQ(0, oh_get(cx.fd, 1, 0, &ref));
	expect_same(_metadata, 3, ref);
}

/* DROP of the head of a chain of 100 containers: all are freed. */
static int setup_chain(void)
{
	__u32 i, n = 0;

	for (i = 1; i <= 100; i++)
		setup_ops[n++] = (struct objheap_op){ .op = OBJHEAP_OP_NEW, .count = 1 };
	for (i = 1; i < 100; i++)
		setup_ops[n++] = (struct objheap_op){
			.op = OBJHEAP_OP_SET, .handle = i, .ref = i + 1,
		};
	for (i = 2; i <= 100; i++)
		setup_ops[n++] = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = i };
	return oh_batch(cx.fd, setup_ops, n, NULL);
}

static int run_drop(void)
{
	return op_run(OBJHEAP_IOC_DROP, 1, 0, 0);
}

static void verify_drop(struct __test_metadata *_metadata)
{
	expect_heap(_metadata, 0, 0, 128);
	ASSERT_EQ(0, xioctl(OBJHEAP_IOC_HEAP_STATS, &cx.hst));
	EXPECT_EQ(100, cx.hst.frees);
	EXPECT_EQ(0, cx.hst.bytes);
}

/*
 * READ and WRITE of cur->len bytes at cur->off of a cur->size payload of
 * pattern 1: the bounce buffer is on the stack up to 256 bytes, then from
 * kvmalloc().
 */
static int setup_rw(void)
{
	int ret = mk(6, 0, cur->size, 1);

	if (ret)
		return ret;
	fill(setupbuf, cur->size, 1);
	fill(wbuf, cur->len, 2);
	memset(rbuf, 0xee, cur->len);
	return oh_rw(cx.fd, OBJHEAP_IOC_WRITE, 1, 0, setupbuf, cur->size);
}

static int run_write(void)
{
	cx.op = (struct objheap_op){
		.handle = 1, .index = cur->off, .count = cur->len,
		.buf = (__u64)(uintptr_t)wbuf,
	};
	return xioctl(OBJHEAP_IOC_WRITE, &cx.op);
}

static void verify_write(struct __test_metadata *_metadata)
{
	expect_payload(_metadata, 1, cur->size, cur->off, cur->len, 1, 2);
}

static int run_read(void)
{
	cx.op = (struct objheap_op){
		.handle = 1, .index = cur->off, .count = cur->len,
		.buf = (__u64)(uintptr_t)rbuf,
	};
	return xioctl(OBJHEAP_IOC_READ, &cx.op);
}

static void verify_read(struct __test_metadata *_metadata)
{
	__u32 i, bad = 0;

	for (i = 0; i < cur->len; i++)
		bad += rbuf[i] != pat(cur->off + i, 1);
	EXPECT_EQ(0, bad);
}

/* A failed READ leaves the user's buffer alone. */
static void failed_read(struct __test_metadata *_metadata, __u32 done)
{
	__u32 i, bad = 0;

	for (i = 0; i < cur->len; i++)
		bad += rbuf[i] != 0xee;
	EXPECT_EQ(0, bad);
}

/* INFO, HEAP_STATS, GC_STATS, VERSION, NOP: nothing to allocate. */
static int setup_info(void)
{
	return mk(8, 3, 40, 1);
}

static int run_info(void)
{
	cx.info = (struct objheap_info){ .handle = 1 };
	return xioctl(OBJHEAP_IOC_INFO, &cx.info);
}

static void verify_info(struct __test_metadata *_metadata)
{
	EXPECT_EQ(1, cx.info.refcount);
	EXPECT_EQ(8, cx.info.type);
	EXPECT_EQ(3, cx.info.nslots);
	EXPECT_EQ(40, cx.info.size);
	EXPECT_EQ(96, cx.info.alloc_size);	/* 16 + 8 + 3 * 8 + 8 + 40 */
	EXPECT_EQ(96, cx.info.size_class);
	EXPECT_EQ(OBJHEAP_INFO_CONTAINER | OBJHEAP_INFO_TRACKED, cx.info.flags);
	EXPECT_EQ(0, cx.info.generation);
	EXPECT_NE(0, cx.info.id);
}

static int run_heap_stats(void)
{
	return xioctl(OBJHEAP_IOC_HEAP_STATS, &cx.hst);
}

static void verify_heap_stats(struct __test_metadata *_metadata)
{
	EXPECT_EQ(1, cx.hst.objects);
	EXPECT_EQ(96, cx.hst.bytes);
	EXPECT_EQ(1, cx.hst.allocs);
	EXPECT_EQ(1, cx.hst.handles);
	EXPECT_EQ(64, cx.hst.handles_cap);
}

static int run_gc_stats(void)
{
	return xioctl(OBJHEAP_IOC_GC_STATS, &cx.gcs);
}

static void verify_gc_stats(struct __test_metadata *_metadata)
{
	EXPECT_EQ(1, cx.gcs.count[0]);
	EXPECT_EQ(1, cx.gcs.tracked[0]);
	EXPECT_EQ(0, cx.gcs.frozen);
	EXPECT_EQ(0, cx.gcs.garbage);
}

static int run_version(void)
{
	return xioctl(OBJHEAP_IOC_VERSION, &cx.ver);
}

static void verify_version(struct __test_metadata *_metadata)
{
	__u32 all = OBJHEAP_FEAT_GC | OBJHEAP_FEAT_EVENTS | OBJHEAP_FEAT_HEAP_STATS |
		    OBJHEAP_FEAT_PINNED | OBJHEAP_FEAT_SIZED_EVENTS |
		    OBJHEAP_FEAT_NOWAIT_READ | OBJHEAP_FEAT_FINALIZE;

	EXPECT_EQ(OBJHEAP_ABI_MAJOR, cx.ver.major);
	EXPECT_LE(6, cx.ver.minor);
	EXPECT_EQ(all, cx.ver.features & all);
}

static int run_nop(void)
{
	return ioctl(cx.fd, OBJHEAP_IOC_NOP) ? -errno : 0;
}

static void verify_nop(struct __test_metadata *_metadata)
{
	expect_obj(_metadata, 1, 1, 8, 3, 40);
}

/* GET_LIMITS and SET_LIMITS. */
static const struct objheap_limits low = {
	.max_bytes = 1 << 20, .max_objects = 1000, .max_handles = 500,
};

static int setup_limits(void)
{
	return ioctl(cx.fd, OBJHEAP_IOC_SET_LIMITS, &low) ? -errno : 0;
}

static int run_get_limits(void)
{
	return xioctl(OBJHEAP_IOC_GET_LIMITS, &cx.lim);
}

static void verify_limits(struct __test_metadata *_metadata)
{
	EXPECT_EQ(low.max_bytes, cx.lim.max_bytes);
	EXPECT_EQ(low.max_objects, cx.lim.max_objects);
	EXPECT_EQ(low.max_handles, cx.lim.max_handles);
}

static int run_set_limits(void)
{
	cx.lim = low;
	return xioctl(OBJHEAP_IOC_SET_LIMITS, &cx.lim);
}

static void verify_set_limits(struct __test_metadata *_metadata)
{
	memset(&cx.lim, 0, sizeof(cx.lim));
	ASSERT_EQ(0, xioctl(OBJHEAP_IOC_GET_LIMITS, &cx.lim));
	verify_limits(_metadata);
}

/* GC_GET_PARAMS and GC_SET_PARAMS. */
static const struct objheap_gc_params params = {
	.flags = OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL,
	.threshold = { 500, 7, 3 },
};

static int setup_params(void)
{
	return oh_gc_params_set(cx.fd, &params);
}

static int run_get_params(void)
{
	return xioctl(OBJHEAP_IOC_GC_GET_PARAMS, &cx.par);
}

static void verify_params(struct __test_metadata *_metadata)
{
	EXPECT_EQ(0, memcmp(&params, &cx.par, sizeof(params)));
}

static int run_set_params(void)
{
	cx.par = params;
	return xioctl(OBJHEAP_IOC_GC_SET_PARAMS, &cx.par);
}

static void verify_set_params(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, oh_gc_params_get(cx.fd, &cx.par));
	verify_params(_metadata);
}

/*
 * GC_COLLECT: container 1 stays reachable; three unreachable 2-cycles
 * each hold a leaf (the last one of them with OBJHEAP_GC_SAVEALL).
 */
static int setup_cycles(void)
{
	__u32 a, b, l;
	int i, ret = mk(1, 1, 0, 1);

	for (i = 0; !ret && i < 3; i++) {
		a = oh_new(cx.fd, 2, 2, 0);
		b = oh_new(cx.fd, 2, 2, 0);
		l = oh_new(cx.fd, 3, 0, 8);
		if (!a || !b || !l)
			return -errno;
		ret = oh_set(cx.fd, a, 0, b) ?: oh_set(cx.fd, b, 0, a) ?:
		      oh_set(cx.fd, a, 1, l) ?: oh_drop(cx.fd, a) ?:
		      oh_drop(cx.fd, b) ?: oh_drop(cx.fd, l);
	}
	return ret;
}

static int setup_cycles_saveall(void)
{
	return setup_cycles() ?:
	       oh_gc_flags(cx.fd, OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL);
}

static int run_collect(void)
{
	cx.coll = (struct objheap_gc_collect){ .generation = 2 };
	return xioctl(OBJHEAP_IOC_GC_COLLECT, &cx.coll);
}

static void verify_collect(struct __test_metadata *_metadata)
{
	EXPECT_EQ(7, cx.coll.scanned);
	EXPECT_EQ(6, cx.coll.collected);
	EXPECT_EQ(9, cx.coll.freed);
	EXPECT_EQ(0, cx.coll.saved);
	expect_heap(_metadata, 1, 1, 64);
	EXPECT_EQ(2, oh_generation(cx.fd, 1));
}

static void verify_collect_saveall(struct __test_metadata *_metadata)
{
	EXPECT_EQ(7, cx.coll.scanned);
	EXPECT_EQ(6, cx.coll.collected);
	EXPECT_EQ(0, cx.coll.freed);
	EXPECT_EQ(6, cx.coll.saved);
	expect_heap(_metadata, 10, 1, 64);
	ASSERT_EQ(0, oh_gc_stats(cx.fd, &cx.gcs));
	EXPECT_EQ(6, cx.gcs.garbage);
}

/* GC_FREEZE and GC_UNFREEZE: three containers. */
static int setup_three(void)
{
	return mk(3, 2, 0, 1) ?: mk(3, 2, 0, 2) ?: mk(3, 2, 0, 3);
}

static int setup_frozen(void)
{
	return setup_three() ?: (ioctl(cx.fd, OBJHEAP_IOC_GC_FREEZE) ? -errno : 0);
}

static int run_freeze(void)
{
	return ioctl(cx.fd, OBJHEAP_IOC_GC_FREEZE) ? -errno : 0;
}

static void verify_freeze(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, oh_gc_stats(cx.fd, &cx.gcs));
	EXPECT_EQ(3, cx.gcs.frozen);
	EXPECT_EQ(0, cx.gcs.tracked[0] + cx.gcs.tracked[1] + cx.gcs.tracked[2]);
	EXPECT_EQ(0, cx.gcs.count[0]);
	EXPECT_EQ(OBJHEAP_GEN_PERMANENT, oh_generation(cx.fd, 2));
}

static int run_unfreeze(void)
{
	return ioctl(cx.fd, OBJHEAP_IOC_GC_UNFREEZE) ? -errno : 0;
}

static void verify_unfreeze(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, oh_gc_stats(cx.fd, &cx.gcs));
	EXPECT_EQ(0, cx.gcs.frozen);
	EXPECT_EQ(3, cx.gcs.tracked[2]);
	EXPECT_EQ(2, oh_generation(cx.fd, 2));
}

/*
 * GC_GARBAGE: two saved 2-cycles, and 63 handles open, so that the second
 * object handed back grows the handle table.
 */
static int setup_garbage(void)
{
	int ret = oh_gc_flags(cx.fd, OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL);
	__u32 i, l;

	for (i = 1; !ret && i <= 4; i++)
		ret = mk(2, 2, 0, i);
	ret = ret ?: oh_set(cx.fd, 1, 0, 2) ?: oh_set(cx.fd, 2, 0, 1) ?:
	      oh_set(cx.fd, 3, 0, 4) ?: oh_set(cx.fd, 4, 0, 3);
	for (i = 1; !ret && i <= 4; i++)
		ret = oh_drop(cx.fd, i);
	if (ret)
		return ret;
	l = oh_new(cx.fd, 1, 0, 8);
	if (!l)
		return -errno;
	ret = dups(l, 62) ?: oh_collect(cx.fd, 2, &cx.coll);
	if (!ret && cx.coll.saved != GARBAGE_N)
		ret = -EPROTO;
	memset(cx.gh, 0xff, sizeof(cx.gh));
	return ret;
}

static int run_garbage(void)
{
	int ret = garbage_run(0, GARBAGE_N);

	cx.got = cx.gar.done;
	return ret;
}

static __u32 done_garbage(void)
{
	return cx.gar.done;
}

static int prefix_garbage(__u32 k)
{
	return k ? garbage_run(0, k) : 0;
}

static int rest_garbage(__u32 k)
{
	int ret = garbage_run(k, GARBAGE_N - k);

	cx.got = k + cx.gar.done;
	return ret;
}

static void verify_garbage(struct __test_metadata *_metadata)
{
	__u32 i, j;

	EXPECT_EQ(GARBAGE_N, cx.got);
	EXPECT_EQ(0, cx.gar.left);
	for (i = 0; i < GARBAGE_N; i++) {
		for (j = 0; j < i; j++)
			EXPECT_NE(cx.gh[j], cx.gh[i]);
		expect_obj(_metadata, cx.gh[i], 2, 2, 2, 0);
		EXPECT_EQ(2, oh_generation(cx.fd, cx.gh[i]));
	}
	ASSERT_EQ(0, oh_gc_stats(cx.fd, &cx.gcs));
	EXPECT_EQ(0, cx.gcs.garbage);
	EXPECT_EQ(GARBAGE_N, cx.gcs.tracked[2]);
	expect_heap(_metadata, GARBAGE_N + 1, 63 + GARBAGE_N, 128);
}

/* The handles before @done were handed out; the entries after, untouched. */
static void failed_garbage(struct __test_metadata *_metadata, __u32 done)
{
	__u32 i;

	EXPECT_GT(GARBAGE_N, done);
	EXPECT_EQ(GARBAGE_N - done, cx.gar.left);
	for (i = 0; i < done; i++)
		expect_obj(_metadata, cx.gh[i], 2, 2, 2, 0);
	for (i = done; i < GARBAGE_N; i++)
		EXPECT_EQ(0xffffffffU, cx.gh[i]);
}

/*
 * BATCH: mixed operations on container 1 and 59 more handles on it; the
 * GET at 6 fills the table, the NEW at 7 grows it. Handles are predictable:
 * free entries are taken in order, a closed one first.
 */
static const struct objheap_op batch_ops[BATCH_N] = {
	{ .op = OBJHEAP_OP_NEW, .type = 9, .size = 1024 },		/* 61 */
	{ .op = OBJHEAP_OP_WRITE, .handle = 61, .count = 1024 },
	{ .op = OBJHEAP_OP_DUP, .handle = 61 },				/* 62 */
	{ .op = OBJHEAP_OP_NEW, .type = 9, .count = 2 },		/* 63 */
	{ .op = OBJHEAP_OP_SET, .handle = 63, .index = 0, .ref = 61 },
	{ .op = OBJHEAP_OP_SET, .handle = 1, .index = 1, .ref = 63 },
	{ .op = OBJHEAP_OP_GET, .handle = 1, .index = 1 },		/* 64 */
	{ .op = OBJHEAP_OP_NEW, .type = 100, .size = 8 },		/* 65 */
	{ .op = OBJHEAP_OP_READ, .handle = 62, .count = 1024 },
	{ .op = OBJHEAP_OP_DROP, .handle = 62 },
	{ .op = OBJHEAP_OP_GET, .handle = 63, .index = 0 },		/* 62 */
	{ .op = OBJHEAP_OP_NEW, .type = 1, .size = 300 },		/* 66 */
	{ .op = OBJHEAP_OP_WRITE, .handle = 66, .count = 300 },
	{ .op = OBJHEAP_OP_DROP, .handle = 65 },
};

static int setup_batch(void)
{
	__u32 i;

	fill(wbuf, 1024, 3);
	fill(wbuf2, 300, 4);
	memcpy(cx.ops, batch_ops, sizeof(cx.ops));
	for (i = 0; i < BATCH_N; i++)
		cx.ops[i].result = UNTOUCHED;
	cx.ops[1].buf = (__u64)(uintptr_t)wbuf;
	cx.ops[8].buf = (__u64)(uintptr_t)cx.bbuf;
	cx.ops[12].buf = (__u64)(uintptr_t)wbuf2;
	return mk(1, 2, 0, 1) ?: dups(1, 59);
}

static int run_batch(void)
{
	return batch_run(cx.ops, BATCH_N);
}

static __u32 done_batch(void)
{
	return cx.batch.done;
}

static int prefix_batch(__u32 k)
{
	return k ? batch_run(cx.ops, k) : 0;
}

static int rest_batch(__u32 k)
{
	return batch_run(cx.ops + k, BATCH_N - k);
}

static void verify_batch(struct __test_metadata *_metadata)
{
	__u32 i;

	for (i = 0; i < BATCH_N; i++)
		EXPECT_EQ(0, cx.ops[i].result) TH_LOG("op %u", i);
	EXPECT_EQ(61, cx.ops[0].handle);
	EXPECT_EQ(62, cx.ops[2].ref);
	EXPECT_EQ(63, cx.ops[3].handle);
	EXPECT_EQ(64, cx.ops[6].ref);
	EXPECT_EQ(65, cx.ops[7].handle);
	EXPECT_EQ(62, cx.ops[10].ref);
	EXPECT_EQ(66, cx.ops[11].handle);
	EXPECT_EQ(0, memcmp(cx.bbuf, wbuf, sizeof(cx.bbuf)));
	expect_obj(_metadata, 1, 60, 1, 2, 0);
	expect_obj(_metadata, 61, 3, 9, 0, 1024);
	expect_obj(_metadata, 63, 3, 9, 2, 0);
	expect_obj(_metadata, 66, 1, 1, 0, 300);
	expect_same(_metadata, 61, 62);
	expect_same(_metadata, 63, 64);
	EXPECT_EQ(-EBADF, oh_info(cx.fd, 65, &cx.info));
	expect_payload(_metadata, 61, 1024, 0, 1024, 0, 3);
	expect_payload(_metadata, 66, 300, 0, 300, 0, 4);
	expect_heap(_metadata, 4, 65, 128);
}

/* The failing operation says why; those after it are untouched. */
static void failed_batch(struct __test_metadata *_metadata, __u32 done)
{
	__u32 i;

	ASSERT_GT(BATCH_N, done);
	for (i = 0; i < done; i++)
		EXPECT_EQ(0, cx.ops[i].result) TH_LOG("op %u", i);
	EXPECT_EQ(-ENOMEM, cx.ops[done].result);
	for (i = done + 1; i < BATCH_N; i++)
		EXPECT_EQ(UNTOUCHED, cx.ops[i].result) TH_LOG("op %u", i);
}

/* read() of the GC event stream: one record waits. */
static int setup_event(void)
{
	return oh_collect(cx.fd, 0, &cx.coll);
}

static int run_read_events(void)
{
	cx.nread = read(cx.fd, cx.ev, sizeof(cx.ev));
	return cx.nread < 0 ? -errno : 0;
}

static void verify_read_events(struct __test_metadata *_metadata)
{
	EXPECT_EQ(sizeof(cx.ev[0]), cx.nread);
	EXPECT_EQ(1, cx.ev[0].seq);
	EXPECT_EQ(OBJHEAP_GC_REASON_IOCTL, cx.ev[0].reason);
	EXPECT_EQ(0, cx.ev[0].lost);
}

/* Build the reference for a partial failure: a fresh heap, @k units run. */
static void reference(struct __test_metadata *_metadata,
		      const struct scenario *s, __u32 k)
{
	cx_keep = cx;
	cx.fd = -1;
	ASSERT_EQ(0, fresh_heap(false));
	ASSERT_EQ(0, s->setup());
	ASSERT_EQ(0, s->prefix(k));
	snap_take(_metadata, &snap_want);
	close(cx.fd);
	cx = cx_keep;
}

/* A failed call: ENOMEM, the heap as expected, then a retry that works. */
static void after_enomem(struct __test_metadata *_metadata,
			 const struct scenario *s, struct tally *t)
{
	__u32 k = s->done ? s->done() : 0;

	if (s->failed)
		s->failed(_metadata, k);
	snap_take(_metadata, &snap_after);
	if (s->done) {
		reference(_metadata, s, k);
		ASSERT_EQ(0, snap_cmp(_metadata, &snap_want, &snap_after, false, t))
			TH_LOG("%s: heap differs from one that ran %u units", s->name, k);
		ASSERT_EQ(0, s->rest(k));
	} else {
		ASSERT_EQ(0, snap_cmp(_metadata, &snap_before, &snap_after, true, t))
			TH_LOG("%s: the failed call changed the heap", s->name);
		ASSERT_EQ(0, s->run());
	}
	s->verify(_metadata);
}

/* A run with a fault in it: judged as the top of the file says. */
static void judge(struct __test_metadata *_metadata, const struct scenario *s,
		  struct tally *t, int n, int ret)
{
	t->injected++;
	if (!ret) {
		t->absorbed++;
		s->verify(_metadata);
		return;
	}
	ASSERT_EQ(-ENOMEM, ret) TH_LOG("%s: fault %d", s->name, n);
	t->enomem++;
	after_enomem(_metadata, s, t);
}

/* The scenario's heap and its snapshot; nothing armed yet. */
static void prepare(struct __test_metadata *_metadata, const struct scenario *s)
{
	ASSERT_EQ(0, fresh_heap(s->no_heap));
	ASSERT_EQ(0, s->setup()) TH_LOG("%s: setup", s->name);
	snap_take(_metadata, &snap_before);
	pretouch();
}

/*
 * Fault n alone. Returns whether the call reached it; *slab: whether it
 * failed a slab allocation (seen in the classic countdowns, which count
 * the faults fail-nth injects and fail nothing without make-it-fail).
 */
static bool one_fault(struct __test_metadata *_metadata, struct inject *in,
		      const struct scenario *s, struct tally *t, int n,
		      bool *slab)
{
	long ts, tp;
	int ret, hit;

	ASSERT_EQ(0, times_set(1000, 1000));
	prepare(_metadata, s);
	ASSERT_EQ(0, arm(in, n));
	ret = s->run();
	hit = disarm(in);
	ASSERT_LE(0, hit);
	ASSERT_EQ(0, times_get(&ts, &tp));
	ASSERT_EQ(0, times_set(0, 0));
	*slab = ts < 1000;
	if (!hit) {
		/* The call made fewer than n allocations. */
		ASSERT_EQ(0, ret) TH_LOG("%s: failed without a fault", s->name);
		s->verify(_metadata);
		return false;
	}
	judge(_metadata, s, t, n, ret);
	return true;
}

/* Fault n, and the first slab allocation after it: the classic path. */
static void two_faults(struct __test_metadata *_metadata, struct inject *in,
		       const struct scenario *s, struct tally *t, int n,
		       bool slab)
{
	long ts, tp;
	int ret, hit;

	/* Fault n counts failslab's countdown down too when it is a slab's. */
	ASSERT_EQ(0, times_set(slab ? 2 : 1, 0));
	prepare(_metadata, s);
	ASSERT_EQ(0, arm(in, n));
	ASSERT_EQ(0, set_mif(in, "1"));
	ret = s->run();
	ASSERT_EQ(0, set_mif(in, "0"));
	hit = disarm(in);
	ASSERT_LE(0, hit);
	ASSERT_EQ(0, times_get(&ts, &tp));
	ASSERT_EQ(0, times_set(0, 0));
	if (!hit) {
		/* Fewer allocations this time (the slab refilled, say). */
		ASSERT_EQ(0, ret) TH_LOG("%s: failed without a fault", s->name);
		s->verify(_metadata);
		return;
	}
	t->second += ts == 0;
	judge(_metadata, s, t, n, ret);
}

static void tally_add(struct tally *to, const struct tally *t)
{
	__atomic_add_fetch(&to->injected, t->injected, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&to->enomem, t->enomem, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&to->absorbed, t->absorbed, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&to->second, t->second, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&to->cap_kept, t->cap_kept, __ATOMIC_SEQ_CST);
}

static void sweep(struct __test_metadata *_metadata, struct inject *in,
		  const struct scenario *s)
{
	struct tally one = { 0 }, two = { 0 };
	struct modstat m;
	bool slab;
	int n;

	ASSERT_NE(NULL, totals);
	__atomic_add_fetch(&totals->started, 1, __ATOMIC_SEQ_CST);
	cur = s;
	notes = 0;
	for (n = 1; n <= MAX_NTH; n++) {
		if (!one_fault(_metadata, in, s, &one, n, &slab))
			break;
		two_faults(_metadata, in, s, &two, n, slab);
	}
	ASSERT_GE(MAX_NTH, n) TH_LOG("%s: more than %d allocations", s->name, MAX_NTH);

	ASSERT_EQ(0, fresh_heap(true));
	modstat_get(&m);
	EXPECT_EQ(base.objects, m.objects);
	EXPECT_EQ(base.bytes, m.bytes);
	EXPECT_EQ(base.heaps, m.heaps);

	ksft_print_msg("%-19s injected=%d enomem=%d absorbed=%d cap=%d nodir=%d\n",
		       s->name, one.injected, one.enomem, one.absorbed,
		       one.cap_kept, notes);
	ksft_print_msg("%-19s pairs=%d enomem=%d absorbed=%d second=%d cap=%d\n",
		       "", two.injected, two.enomem, two.absorbed, two.second,
		       two.cap_kept);
	fflush(stdout);
	__atomic_add_fetch(&totals->scenarios, 1, __ATOMIC_SEQ_CST);
	tally_add(&totals->one, &one);
	tally_add(&totals->two, &two);
}

/*
 * Fault injection for this thread: the settings the teardown restores,
 * and the thread's controls.
 */
static void faults_on(struct __test_metadata *_metadata, struct inject *in,
		      char saved[][KNOB_LEN], int *nsaved)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		ASSERT_EQ(0, read_file(knobs[i].path, saved[i], KNOB_LEN));
		*nsaved = i + 1;
		ASSERT_EQ(0, oh_write_file(knobs[i].path, knobs[i].val, 0));
	}
	in->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, in->nth);
	in->mif = open(MAKE_IT_FAIL, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, in->mif);
}

TEST_F_TIMEOUT(faults, sweep, 600)
{
	/* In the body: 6.1's harness runs it even when the setup skipped. */
	if (oh_lacks_feature(_metadata, FAILSLAB "ignore-gfp-wait",
			     "failslab (CONFIG_FAILSLAB)") ||
	    oh_lacks_feature(_metadata, FAILPAGE "min-order",
			     "fail_page_alloc (CONFIG_FAIL_PAGE_ALLOC)") ||
	    oh_lacks_feature(_metadata, FAIL_NTH,
			     "fail-nth (CONFIG_FAULT_INJECTION)") ||
	    oh_lacks_feature(_metadata, MAKE_IT_FAIL,
			     "make-it-fail (CONFIG_FAULT_INJECTION)"))
		return;
	modstat_get(&base);
	ASSERT_LE(0, base.objects);
	faults_on(_metadata, &self->in, self->saved, &self->nsaved);
	text_prefault();
	stack_prefault();
	sweep(_metadata, &self->in, &variant->s);
}

FIXTURE_VARIANT_ADD(faults, open) {
	.s = {
		.name = "open", .no_heap = true, .setup = setup_none,
		.run = run_open, .verify = verify_open,
	},
};

FIXTURE_VARIANT_ADD(faults, close) {
	.s = {
		.name = "close", .setup = setup_close, .run = run_close,
		.verify = verify_close,
	},
};

FIXTURE_VARIANT_ADD(faults, new_first) {
	.s = {
		.name = "new_first", .setup = setup_none, .run = run_new_first,
		.verify = verify_new_first,
	},
};

FIXTURE_VARIANT_ADD(faults, new_type) {
	.s = {
		.name = "new_type", .setup = setup_new_type, .run = run_new_type,
		.verify = verify_new_type,
	},
};

FIXTURE_VARIANT_ADD(faults, new_container) {
	.s = {
		.name = "new_container", .setup = setup_new_container,
		.run = run_new_container, .verify = verify_new_container,
	},
};

/* 6016 bytes: kmalloc-8k, or vmalloc(). */
FIXTURE_VARIANT_ADD(faults, new_payload_6000) {
	.s = {
		.name = "new_payload_6000", .size = 6000, .setup = setup_new_payload,
		.run = run_new_payload, .verify = verify_new_payload,
	},
};

/* 64 KiB: pages of order 5, or vmalloc(). */
FIXTURE_VARIANT_ADD(faults, new_payload_64k) {
	.s = {
		.name = "new_payload_64k", .size = BIG, .setup = setup_new_payload,
		.run = run_new_payload, .verify = verify_new_payload,
	},
};

FIXTURE_VARIANT_ADD(faults, new_grows_table) {
	.s = {
		.name = "new_grows_table", .nh = 64, .setup = setup_handles,
		.run = run_new_grows, .verify = verify_new_grows,
	},
};

FIXTURE_VARIANT_ADD(faults, dup) {
	.s = {
		.name = "dup", .nh = 1, .setup = setup_handles, .run = run_dup,
		.verify = verify_dup,
	},
};

FIXTURE_VARIANT_ADD(faults, dup_grows_table) {
	.s = {
		.name = "dup_grows_table", .nh = 64, .setup = setup_handles,
		.run = run_dup, .verify = verify_dup,
	},
};

/* The table grows to 8 KiB: kmalloc-8k, or vmalloc(). */
FIXTURE_VARIANT_ADD(faults, dup_grows_table_8k) {
	.s = {
		.name = "dup_grows_table_8k", .nh = 512, .setup = setup_handles,
		.run = run_dup, .verify = verify_dup,
	},
};

/* The table grows to 16 KiB: pages of order 2, or vmalloc(). */
FIXTURE_VARIANT_ADD(faults, dup_grows_table_16k) {
	.s = {
		.name = "dup_grows_table_16k", .nh = 1024, .setup = setup_handles,
		.run = run_dup, .verify = verify_dup,
	},
};

FIXTURE_VARIANT_ADD(faults, get) {
	.s = {
		.name = "get", .nh = 1, .setup = setup_get, .run = run_get,
		.verify = verify_get,
	},
};

FIXTURE_VARIANT_ADD(faults, get_grows_table) {
	.s = {
		.name = "get_grows_table", .nh = 64, .setup = setup_get,
		.run = run_get, .verify = verify_get,
	},
};

FIXTURE_VARIANT_ADD(faults, set) {
	.s = {
		.name = "set", .setup = setup_set, .run = run_set, .verify = verify_set,
	},
};

FIXTURE_VARIANT_ADD(faults, drop_chain) {
	.s = {
		.name = "drop_chain", .setup = setup_chain, .run = run_drop,
		.verify = verify_drop,
	},
};

FIXTURE_VARIANT_ADD(faults, write_stack) {
	.s = {
		.name = "write_stack", .size = 512, .off = 100, .len = 200,
		.setup = setup_rw, .run = run_write, .verify = verify_write,
	},
};

FIXTURE_VARIANT_ADD(faults, write_1k) {
	.s = {
		.name = "write_1k", .size = 2048, .off = 512, .len = 1024,
		.setup = setup_rw, .run = run_write, .verify = verify_write,
	},
};

FIXTURE_VARIANT_ADD(faults, write_6000) {
	.s = {
		.name = "write_6000", .size = 8192, .off = 1000, .len = 6000,
		.setup = setup_rw, .run = run_write, .verify = verify_write,
	},
};

FIXTURE_VARIANT_ADD(faults, write_64k) {
	.s = {
		.name = "write_64k", .size = BIG, .off = 0, .len = BIG,
		.setup = setup_rw, .run = run_write, .verify = verify_write,
	},
};

FIXTURE_VARIANT_ADD(faults, read_stack) {
	.s = {
		.name = "read_stack", .size = 512, .off = 100, .len = 200,
		.setup = setup_rw, .run = run_read, .verify = verify_read,
		.failed = failed_read,
	},
};

FIXTURE_VARIANT_ADD(faults, read_1k) {
	.s = {
		.name = "read_1k", .size = 2048, .off = 256, .len = 1024,
		.setup = setup_rw, .run = run_read, .verify = verify_read,
		.failed = failed_read,
	},
};

FIXTURE_VARIANT_ADD(faults, read_6000) {
	.s = {
		.name = "read_6000", .size = 8192, .off = 2000, .len = 6000,
		.setup = setup_rw, .run = run_read, .verify = verify_read,
		.failed = failed_read,
	},
};

FIXTURE_VARIANT_ADD(faults, read_64k) {
	.s = {
		.name = "read_64k", .size = BIG, .off = 0, .len = BIG,
		.setup = setup_rw, .run = run_read, .verify = verify_read,
		.failed = failed_read,
	},
};

FIXTURE_VARIANT_ADD(faults, batch) {
	.s = {
		.name = "batch", .setup = setup_batch, .run = run_batch,
		.verify = verify_batch, .failed = failed_batch, .done = done_batch,
		.prefix = prefix_batch, .rest = rest_batch,
	},
};

FIXTURE_VARIANT_ADD(faults, info) {
	.s = {
		.name = "info", .setup = setup_info, .run = run_info,
		.verify = verify_info,
	},
};

FIXTURE_VARIANT_ADD(faults, heap_stats) {
	.s = {
		.name = "heap_stats", .setup = setup_info, .run = run_heap_stats,
		.verify = verify_heap_stats,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_stats) {
	.s = {
		.name = "gc_stats", .setup = setup_info, .run = run_gc_stats,
		.verify = verify_gc_stats,
	},
};

FIXTURE_VARIANT_ADD(faults, version) {
	.s = {
		.name = "version", .setup = setup_none, .run = run_version,
		.verify = verify_version,
	},
};

FIXTURE_VARIANT_ADD(faults, nop) {
	.s = {
		.name = "nop", .setup = setup_info, .run = run_nop,
		.verify = verify_nop,
	},
};

FIXTURE_VARIANT_ADD(faults, get_limits) {
	.s = {
		.name = "get_limits", .setup = setup_limits, .run = run_get_limits,
		.verify = verify_limits,
	},
};

FIXTURE_VARIANT_ADD(faults, set_limits) {
	.s = {
		.name = "set_limits", .setup = setup_none, .run = run_set_limits,
		.verify = verify_set_limits,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_get_params) {
	.s = {
		.name = "gc_get_params", .setup = setup_params, .run = run_get_params,
		.verify = verify_params,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_set_params) {
	.s = {
		.name = "gc_set_params", .setup = setup_none, .run = run_set_params,
		.verify = verify_set_params,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_collect) {
	.s = {
		.name = "gc_collect", .setup = setup_cycles, .run = run_collect,
		.verify = verify_collect,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_collect_saveall) {
	.s = {
		.name = "gc_collect_saveall", .setup = setup_cycles_saveall,
		.run = run_collect, .verify = verify_collect_saveall,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_freeze) {
	.s = {
		.name = "gc_freeze", .setup = setup_three, .run = run_freeze,
		.verify = verify_freeze,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_unfreeze) {
	.s = {
		.name = "gc_unfreeze", .setup = setup_frozen, .run = run_unfreeze,
		.verify = verify_unfreeze,
	},
};

FIXTURE_VARIANT_ADD(faults, gc_garbage) {
	.s = {
		.name = "gc_garbage", .setup = setup_garbage, .run = run_garbage,
		.verify = verify_garbage, .failed = failed_garbage,
		.done = done_garbage, .prefix = prefix_garbage, .rest = rest_garbage,
	},
};

FIXTURE_VARIANT_ADD(faults, read_events) {
	.s = {
		.name = "read_events", .setup = setup_event, .run = run_read_events,
		.verify = verify_read_events,
	},
};

/* After every scenario (fixtures run in order): the line a report greps. */
FIXTURE(summary) {
};

FIXTURE_SETUP(summary)
{
}

FIXTURE_TEARDOWN(summary)
{
}

TEST_F(summary, totals)
{
	ASSERT_NE(NULL, totals);
	printf("faults: scenarios=%d injected=%d enomem=%d absorbed=%d\n",
	       totals->scenarios, totals->one.injected, totals->one.enomem,
	       totals->one.absorbed);
	ksft_print_msg("pairs: injected=%d enomem=%d absorbed=%d second=%d\n",
		       totals->two.injected, totals->two.enomem,
		       totals->two.absorbed, totals->two.second);
	ksft_print_msg("failed calls that left the handle table grown: %d\n",
		       totals->one.cap_kept + totals->two.cap_kept);
	fflush(stdout);
	/* Every sweep that started ran to its end. */
	EXPECT_EQ(totals->started, totals->scenarios);
}

TEST_HARNESS_MAIN
