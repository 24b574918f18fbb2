// SPDX-License-Identifier: GPL-2.0
/*
 * Model-checked stress: workers (threads and forked processes) run seeded
 * random sequences of every object operation (NEW, DUP, DROP, SET, GET,
 * WRITE, READ, INFO, BATCH, GC_COLLECT, GC_FREEZE/UNFREEZE; in the private
 * heap also finalizable objects, WEAKREF, DEREF, GC_FINALIZE and
 * WEAK_CALLBACKS, whose answers depend on garbage) and check every
 * answer against a userspace model of the heap: handles, reference counts,
 * slots, payload bytes, errnos of operations that must fail (and change
 * nothing), BATCH's stop at the failing operation, and what a full
 * collection reclaims.
 *
 * Each worker has three heaps: a private one with automatic collections off,
 * checked exactly after every operation; a heap shared by all workers, in
 * which it touches only its own objects (other workers' collections may free
 * its garbage at any time, so garbage only widens the bounds checked there);
 * and a private one with automatic collections on (invariants only). Once
 * all workers stop, the shared heap is checked exactly: a last collection
 * must reclaim what the workers' models left, and the heap must be empty.
 *
 * Environment: OBJHEAP_STRESS_SEED (replay), OBJHEAP_STRESS_OPS (operations
 * per worker), OBJHEAP_STRESS_SECONDS (wall-clock cap), OBJHEAP_STRESS_THREADS
 * and OBJHEAP_STRESS_PROCS (workers of each kind).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"
#include "../model/heap_model.h"

#define DEFAULT_OPS	10000
#define DEFAULT_SECONDS	200
/* The longest wall-clock cap: the harness's timeout is fixed at build. */
#define MAX_SECONDS	7000
#define DEFAULT_THREADS	2
#define DEFAULT_PROCS	2
/* Time past the wall-clock cap for the final checks, and the timeout. */
#define MARGIN_SECONDS	200
#define MAX_WORKERS	16

#define SOFT_OBJS	120	/* above: prefer DROP and COLLECT */
#define HARD_OBJS	200	/* at or above: no NEW */
#define SOFT_HANDLES	150
#define HARD_HANDLES	240
#define NTYPES		5
#define BATCH_LEN	8
#define SWEEP_EVERY	150	/* operations on a heap between full checks */
/* Never open: past the hard ceiling on handles (2^24). */
#define BAD_HANDLE	((1U << 24) + 1)
/* Out fields of batch operations that must not be written. */
#define SENT_RESULT	0x5a5a5a5a
#define SENT_OUT	0xa5a5a5a5U

enum heap_kind {
	HEAP_PRIVATE,	/* no automatic collection: everything exact */
	HEAP_SHARED,	/* all workers: garbage may vanish at any time */
	HEAP_AUTO,	/* automatic collections: garbage may vanish */
	HEAP_KINDS
};

static const char *const heap_names[HEAP_KINDS] = { "private", "shared", "auto" };

/* What a worker hands back to the parent, in shared memory. */
struct result {
	__u64 ops;
	__u64 checks;
	__u64 collections;
	__u64 collected;		/* by collections checked exactly */
	__u64 errors;			/* failing operations issued on purpose */
	__u64 garbage_containers;	/* left in the shared heap at the end */
	__u64 garbage_objects;
	int failed;
	int finished;
};

struct shared {
	__u64 seed;
	__u64 ops;
	int threads;
	int procs;
	int workers;
	int fd;			/* the shared heap */
	int abort;		/* a worker failed: the others stop early */
	int broken;		/* a worker died: barriers give up */
	int arrived[2];
	double deadline;	/* CLOCK_MONOTONIC seconds: stop random ops */
	struct result res[MAX_WORKERS];
};

struct worker {
	int index;
	__u64 rng;
	struct shared *sh;
	struct result *res;
	struct mheap *heap[HEAP_KINDS];
	__u64 opno;
	/* The operation being checked, for the failure report. */
	struct mheap *cur_heap;
	const char *cur_what;
	int cur_n;
	struct objheap_op cur_ops[BATCH_LEN];
	__u8 buf[MAX_PAYLOAD + 16];
	__u8 buf2[MAX_PAYLOAD + 16];
	__u8 bbuf[BATCH_LEN][MAX_PAYLOAD + 16];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One "# stress: ..." line, in one write: threads and processes share it. */
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "# ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, n) != n)
		return;
}

/* splitmix64: small, and the same sequence everywhere. */
static __u64 next_rand(__u64 *state)
{
	__u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static __u32 rnd(struct worker *w, __u32 n)
{
	return n ? next_rand(&w->rng) % n : 0;
}

static void fill_random(struct worker *w, __u8 *p, __u32 len)
{
	__u64 r = 0;

	for (__u32 i = 0; i < len; i++) {
		if (i % 8 == 0)
			r = next_rand(&w->rng);
		p[i] = r >> (8 * (i % 8));
	}
}

static const char *op_name(__u32 op)
{
	static const char *const names[OBJHEAP_OP_COUNT] = {
		"NOP", "NEW", "DUP", "DROP", "SET", "GET", "WRITE", "READ",
		"WEAKREF", "DEREF",
	};

	return op < OBJHEAP_OP_COUNT ? names[op] : "BAD-OP";
}

static const char *err_name(int ret)
{
	switch (ret) {
	case 0:
		return "success";
	case -EBADF:
		return "EBADF";
	case -ERANGE:
		return "ERANGE";
	case -EINVAL:
		return "EINVAL";
	case -EFAULT:
		return "EFAULT";
	case -ENOMEM:
		return "ENOMEM";
	case -EMFILE:
		return "EMFILE";
	case -EDQUOT:
		return "EDQUOT";
	default:
		return "other";
	}
}

/* ---- Checking ---- */

static void note_op(struct worker *w, struct mheap *m, const char *what,
		    const struct objheap_op *ops, int n)
{
	w->cur_heap = m;
	w->cur_what = what;
	w->cur_n = n;
	if (n)
		memcpy(w->cur_ops, ops, n * sizeof(*ops));
}

static void mismatch(struct worker *w, const char *fmt, ...)
{
	const struct shared *sh = w->sh;
	char msg[256];
	va_list ap;

	if (w->res->failed)
		return;
	w->res->failed = 1;
	__atomic_store_n(&w->sh->abort, 1, __ATOMIC_RELEASE);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("stress: MISMATCH seed=%llu worker=%d heap=%s op#%llu %s: %s",
	    (unsigned long long)sh->seed, w->index,
	    w->cur_heap ? heap_names[w->cur_heap->kind] : "-",
	    (unsigned long long)w->opno, w->cur_what ? w->cur_what : "-", msg);
	for (int i = 0; i < w->cur_n; i++) {
		const struct objheap_op *op = &w->cur_ops[i];
		/* Single-operation ioctls may leave op at 0: name them. */
		const char *name = op->op || w->cur_n > 1 ? op_name(op->op) :
				   w->cur_what;

		say("stress:   [%d] %s(%u) handle=%u ref=%u index=%u count=%u type=%u size=%u",
		    i, name, op->op, op->handle, op->ref, op->index, op->count,
		    op->type, op->size);
	}
	say("stress: replay with OBJHEAP_STRESS_SEED=%llu OPS=%llu THREADS=%d PROCS=%d",
	    (unsigned long long)sh->seed, (unsigned long long)sh->ops,
	    sh->threads, sh->procs);
}

static int expect(struct worker *w, const char *what, long long want,
		  long long got)
{
	w->res->checks++;
	if (want == got)
		return 1;
	mismatch(w, "%s: expected %lld, observed %lld", what, want, got);
	return 0;
}

static int expect_in(struct worker *w, const char *what, long long lo,
		     long long hi, long long got)
{
	w->res->checks++;
	if (got >= lo && got <= hi)
		return 1;
	mismatch(w, "%s: expected %lld..%lld, observed %lld", what, lo, hi, got);
	return 0;
}

/* An ioctl's outcome: 0 or -errno. */
static int expect_ret(struct worker *w, const char *what, int want, int got)
{
	w->res->checks++;
	if (want == got)
		return 1;
	mismatch(w, "%s: expected %d (%s), observed %d (%s)", what, want,
		 err_name(want), got, err_name(got));
	return 0;
}

/* A handle an operation just opened: nonzero and not open already. */
static int expect_fresh(struct worker *w, struct mheap *m, const char *what,
			__u32 handle)
{
	w->res->checks++;
	if (handle && handle != SENT_OUT && m_find(m, handle) < 0)
		return 1;
	mismatch(w, "%s: handle %u is not a new handle", what, handle);
	return 0;
}

/* Compare an INFO answer with model object @o. */
static int info_matches(struct worker *w, struct mheap *m, int o,
			const struct objheap_info *info)
{
	const struct mobj *x = &m->obj[o];
	__u32 over = info->alloc_size - info->size;

	if (!expect(w, "INFO id (object identity)", x->id, info->id) ||
	    !expect(w, "INFO type", x->type, info->type) ||
	    !expect(w, "INFO nslots", x->nslots, info->nslots) ||
	    !expect(w, "INFO size", x->size, info->size) ||
	    !expect(w, "INFO flags", m_info_flags(m, o), info->flags) ||
	    !expect(w, "INFO pad", 0, info->pad) ||
	    !expect(w, "INFO reserved[0]", 0, info->reserved[0]) ||
	    !expect(w, "INFO reserved[1]", 0, info->reserved[1]))
		return 0;
	/* The same layout (slots; payload or none; kind) costs the same. */
	if (!m->overhead[x->nslots][!!x->size][m_kind(x)])
		m->overhead[x->nslots][!!x->size][m_kind(x)] = over;
	if (!expect(w, "INFO alloc_size - size",
		    m->overhead[x->nslots][!!x->size][m_kind(x)], over) ||
	    (info->size_class &&
	     !expect_in(w, "INFO size_class", info->alloc_size, UINT32_MAX,
			info->size_class)))
		return 0;
	if (m->exact) {
		if (!expect(w, "INFO refcount", x->refs, info->refcount) ||
		    !expect(w, "INFO generation", x->gen, info->generation))
			return 0;
		return 1;
	}
	/* Garbage pointing at @o may or may not have been collected yet. */
	m_mark(m);
	if (!expect_in(w, "INFO refcount", m_reach_refs(m, o), x->refs,
		       info->refcount))
		return 0;
	if (!m_tracked(x))
		return expect(w, "INFO generation", OBJHEAP_GEN_UNTRACKED,
			      info->generation);
	return expect_in(w, "INFO generation", x->gen, 2, info->generation);
}

static int check_info(struct worker *w, struct mheap *m, __u32 handle, int o)
{
	struct objheap_info info;

	if (!expect_ret(w, "INFO", 0, oh_info(m->fd, handle, &info)))
		return 0;
	return info_matches(w, m, o, &info);
}

/* Any open handle on @o, or 0. */
static __u32 handle_of(const struct mheap *m, int o)
{
	for (int i = 0; i < m->nh; i++)
		if (m->h[i].obj == o)
			return m->h[i].handle;
	return 0;
}

/* INFO of @o through any handle, if it is alive and has one. */
static int check_obj(struct worker *w, struct mheap *m, int o)
{
	__u32 h;

	if (o == NO_OBJ || !m->obj[o].used)
		return 1;
	h = handle_of(m, o);
	return h ? check_info(w, m, h, o) : 1;
}

/* Learn the id of new object @o, open as @handle, and check the rest. */
static int learn_obj(struct worker *w, struct mheap *m, __u32 handle, int o)
{
	struct objheap_info info;

	if (!expect_ret(w, "INFO of a new object", 0, oh_info(m->fd, handle, &info)))
		return 0;
	/* Live objects have distinct ids; on shared heaps garbage may be gone. */
	if (!m->exact)
		m_mark(m);
	for (int x = 0; x < MAX_OBJS; x++) {
		if (x == o || !m->obj[x].used || (!m->exact && !m->mark[x]))
			continue;
		w->res->checks++;
		if (m->obj[x].id == info.id) {
			mismatch(w, "new object has the id %llu of a live one",
				 (unsigned long long)info.id);
			return 0;
		}
	}
	m->obj[o].id = info.id;
	return info_matches(w, m, o, &info);
}

/* HEAP_STATS of heaps no other worker uses. */
static void check_counts(struct worker *w, struct mheap *m)
{
	struct objheap_heap_stats st;
	int ret;

	if (m->kind == HEAP_SHARED || w->res->failed)
		return;
	memset(&st, 0, sizeof(st));
	ret = ioctl(m->fd, OBJHEAP_IOC_HEAP_STATS, &st) ? -errno : 0;
	if (!expect_ret(w, "HEAP_STATS", 0, ret) ||
	    !expect(w, "HEAP_STATS handles", m->nh, st.handles))
		return;
	if (m->exact)
		expect(w, "HEAP_STATS objects", m->nobj, st.objects);
	else
		expect_in(w, "HEAP_STATS objects", m_mark(m), m->nobj, st.objects);
}

/* GC_STATS of a private heap: generations as the model has them. */
static void check_gc_stats(struct worker *w, struct mheap *m)
{
	__u64 tracked[3] = { 0 }, frozen = 0, finalizing = 0, callbacks = 0;
	struct objheap_gc_stats st;

	if (m->kind != HEAP_PRIVATE || w->res->failed)
		return;
	for (int o = 0; o < MAX_OBJS; o++) {
		const struct mobj *x = &m->obj[o];

		if (!x->used || !m_tracked(x))
			continue;
		callbacks += x->queued;
		if (x->gen == OBJHEAP_GEN_PERMANENT)
			frozen++;
		else if (x->gen == OBJHEAP_GEN_FINALIZE)
			finalizing++;
		else
			tracked[x->gen]++;
	}
	if (!expect_ret(w, "GC_STATS", 0, oh_gc_stats(m->fd, &st)))
		return;
	if (!expect(w, "GC_STATS tracked[0]", tracked[0], st.tracked[0]) ||
	    !expect(w, "GC_STATS tracked[1]", tracked[1], st.tracked[1]) ||
	    !expect(w, "GC_STATS tracked[2]", tracked[2], st.tracked[2]) ||
	    !expect(w, "GC_STATS frozen", frozen, st.frozen) ||
	    !expect(w, "GC_STATS garbage", 0, st.garbage) ||
	    !expect(w, "GC_STATS finalizing", finalizing, st.finalizing) ||
	    !expect(w, "GC_STATS callbacks", callbacks, st.callbacks) ||
	    !expect(w, "GC_STATS automatic", 0, st.automatic) ||
	    !expect(w, "GC_STATS pending", 0, st.state & OBJHEAP_GC_PENDING) ||
	    !expect(w, "GC_STATS gen[0].collections", 0, st.gen[0].collections) ||
	    !expect(w, "GC_STATS gen[1].collections", 0, st.gen[1].collections))
		return;
	expect(w, "GC_STATS gen[2].collections", m->collections,
	       st.gen[2].collections);
}

/* ---- Choosing what to operate on ---- */

static int pick_handle(struct worker *w, struct mheap *m)
{
	return m->nh ? (int)rnd(w, m->nh) : -1;
}

/*
 * A handle index not in @skip (handles a batch already drops), naming a
 * container if @container. -1 if there is none.
 */
static int pick_avail(struct worker *w, struct mheap *m, const int *skip,
		      int nskip, int container)
{
	int start;

	if (!m->nh)
		return -1;
	start = rnd(w, m->nh);
	for (int k = 0; k < m->nh; k++) {
		int hi = (start + k) % m->nh, i;

		if (container && !m->obj[m->h[hi].obj].nslots)
			continue;
		for (i = 0; i < nskip && skip[i] != hi; i++)
			;
		if (i == nskip)
			return hi;
	}
	return -1;
}

/* A handle that is not open: 0, past the ceiling, or one just closed. */
static __u32 bad_handle(struct worker *w, struct mheap *m, int in_batch)
{
	switch (rnd(w, 4)) {
	case 0:
		return 0;
	case 1:
		return UINT32_MAX;
	case 2:
		/* Others may reopen a closed handle of the shared heap. */
		if (!in_batch && m->kind != HEAP_SHARED && m->last_dropped &&
		    m_find(m, m->last_dropped) < 0)
			return m->last_dropped;
		return 0;
	default:
		return BAD_HANDLE + rnd(w, 1000);
	}
}

/* A payload range of @x, possibly empty. */
static void pick_range(struct worker *w, const struct mobj *x, __u32 *off,
		       __u32 *len)
{
	*off = rnd(w, x->size + 1);
	*len = rnd(w, x->size - *off + 1);
}

/* ---- Single operations ---- */

static void op_new(struct worker *w, struct mheap *m)
{
	struct objheap_op op = {
		.type = 1 + rnd(w, NTYPES), .count = rnd(w, MAX_SLOTS + 1),
		.size = rnd(w, MAX_PAYLOAD + 1),
	};
	int o;

	/* Finalizers only where garbage is exact: the private heap. */
	if (m->kind == HEAP_PRIVATE && !rnd(w, 5))
		op.index = OBJHEAP_NEW_FINALIZABLE;
	note_op(w, m, "NEW", &op, 1);
	if (!expect_ret(w, "NEW", 0, oh_op(m->fd, OBJHEAP_IOC_NEW, &op)) ||
	    !expect_fresh(w, m, "NEW", op.handle))
		return;
	o = m_alloc(m, op.type, op.count, op.size,
		    op.index ? MF_FINALIZER : 0);
	m_add_handle(m, op.handle, o);
	learn_obj(w, m, op.handle, o);
}

static void op_dup(struct worker *w, struct mheap *m, int hi)
{
	struct objheap_op op = { .handle = m->h[hi].handle };
	int o = m->h[hi].obj;

	note_op(w, m, "DUP", &op, 1);
	if (!expect_ret(w, "DUP", 0, oh_op(m->fd, OBJHEAP_IOC_DUP, &op)) ||
	    !expect_fresh(w, m, "DUP", op.ref))
		return;
	m_add_handle(m, op.ref, o);
	check_info(w, m, op.ref, o);
}

static void op_drop(struct worker *w, struct mheap *m, int hi)
{
	struct objheap_op op = { .handle = m->h[hi].handle };
	int o = m->h[hi].obj;

	note_op(w, m, "DROP", &op, 1);
	if (!expect_ret(w, "DROP", 0, oh_op(m->fd, OBJHEAP_IOC_DROP, &op)))
		return;
	m_del_handle(m, hi);
	check_obj(w, m, o);
}

/* A handle index on an object with a slot pointing at @o, or -1. */
static int pick_referrer(struct worker *w, struct mheap *m, int o)
{
	int start = rnd(w, m->nh);

	for (int k = 0; k < m->nh; k++) {
		int hi = (start + k) % m->nh;
		const struct mobj *x = &m->obj[m->h[hi].obj];

		for (__u32 s = 0; s < x->nslots; s++)
			if (x->slot[s] == o)
				return hi;
	}
	return -1;
}

static void op_set(struct worker *w, struct mheap *m, int hi)
{
	int o = m->h[hi].obj, v = NO_OBJ, ri = -1;
	struct objheap_op op = {
		.handle = m->h[hi].handle, .index = rnd(w, m->obj[o].nslots),
	};
	__u32 r = rnd(w, 10);

	if (r >= 2) {
		/* Self-references and back edges make cycles. */
		if (r == 2)
			ri = hi;
		else if (r <= 4)
			ri = pick_referrer(w, m, o);
		if (ri < 0)
			ri = pick_handle(w, m);
		op.ref = m->h[ri].handle;
		v = m->h[ri].obj;
	}
	note_op(w, m, "SET", &op, 1);
	if (!expect_ret(w, "SET", 0, oh_op(m->fd, OBJHEAP_IOC_SET, &op)))
		return;
	m_set(m, o, op.index, v);
	if (check_info(w, m, op.handle, o) && v != NO_OBJ)
		check_info(w, m, op.ref, v);
}

static void op_get(struct worker *w, struct mheap *m, int hi)
{
	int o = m->h[hi].obj;
	struct objheap_op op = {
		.handle = m->h[hi].handle, .index = rnd(w, m->obj[o].nslots),
	};
	int t = m->obj[o].slot[op.index];

	note_op(w, m, "GET", &op, 1);
	if (!expect_ret(w, "GET", 0, oh_op(m->fd, OBJHEAP_IOC_GET, &op)))
		return;
	if (t == NO_OBJ) {
		expect(w, "GET of an empty slot: ref", 0, op.ref);
		return;
	}
	if (!expect_fresh(w, m, "GET", op.ref))
		return;
	m_add_handle(m, op.ref, t);
	check_info(w, m, op.ref, t);
}

static void op_write(struct worker *w, struct mheap *m, int hi)
{
	struct mobj *x = &m->obj[m->h[hi].obj];
	struct objheap_op op = {
		.handle = m->h[hi].handle, .buf = (__u64)(uintptr_t)w->buf,
	};

	pick_range(w, x, &op.index, &op.count);
	fill_random(w, w->buf, op.count);
	note_op(w, m, "WRITE", &op, 1);
	if (!expect_ret(w, "WRITE", 0, oh_op(m->fd, OBJHEAP_IOC_WRITE, &op)))
		return;
	memcpy(x->data + op.index, w->buf, op.count);
}

/* @got holds bytes [off, off + len) of @x's payload? */
static int payload_matches(struct worker *w, const struct mobj *x,
			   const __u8 *got, __u32 off, __u32 len)
{
	w->res->checks++;
	for (__u32 i = 0; i < len; i++) {
		if (got[i] != x->data[off + i]) {
			mismatch(w, "payload byte %u of %u: expected %u, observed %u",
				 off + i, x->size, x->data[off + i], got[i]);
			return 0;
		}
	}
	return 1;
}

/* READ [off, off + len) of @o through @handle, and compare. */
static int read_check(struct worker *w, struct mheap *m, __u32 handle, int o,
		      __u32 off, __u32 len)
{
	memset(w->buf2, 0xee, len);
	if (!expect_ret(w, "READ", 0,
			oh_rw(m->fd, OBJHEAP_IOC_READ, handle, off, w->buf2, len)))
		return 0;
	return payload_matches(w, &m->obj[o], w->buf2, off, len);
}

static void op_read(struct worker *w, struct mheap *m, int hi)
{
	struct objheap_op op = { .handle = m->h[hi].handle };

	pick_range(w, &m->obj[m->h[hi].obj], &op.index, &op.count);
	note_op(w, m, "READ", &op, 1);
	read_check(w, m, op.handle, m->h[hi].obj, op.index, op.count);
}

static void drop_handles(struct worker *w, struct mheap *m, const __u32 *hs,
			 int n);
static void op_collect(struct worker *w, struct mheap *m);

/* WEAKREF of the object @hi names (private heap). */
static void op_weakref(struct worker *w, struct mheap *m, int hi)
{
	struct objheap_op op = {
		.handle = m->h[hi].handle, .type = 1 + rnd(w, NTYPES),
		.index = rnd(w, 2) ? OBJHEAP_WEAK_CALLBACK : 0,
	};
	int o;

	note_op(w, m, "WEAKREF", &op, 1);
	if (!expect_ret(w, "WEAKREF", 0, oh_op(m->fd, OBJHEAP_IOC_WEAKREF, &op)) ||
	    !expect_fresh(w, m, "WEAKREF", op.ref))
		return;
	o = m_alloc(m, op.type, 0, 0, MF_WEAKREF);
	m->obj[o].referent = m->h[hi].obj;
	m->obj[o].callback = !!op.index;
	m_add_handle(m, op.ref, o);
	learn_obj(w, m, op.ref, o);
	check_obj(w, m, m->h[hi].obj);
}

/* DEREF of a weak reference (private heap), if a handle names one. */
static void op_deref(struct worker *w, struct mheap *m)
{
	int start = rnd(w, m->nh), hi = -1, t;
	struct objheap_op op;

	for (int k = 0; k < m->nh && hi < 0; k++)
		if (m->obj[m->h[(start + k) % m->nh].obj].weakref)
			hi = (start + k) % m->nh;
	if (hi < 0)
		return;
	t = m->obj[m->h[hi].obj].referent;
	op = (struct objheap_op){ .handle = m->h[hi].handle, .ref = SENT_OUT };
	note_op(w, m, "DEREF", &op, 1);
	if (!expect_ret(w, "DEREF", 0, oh_op(m->fd, OBJHEAP_IOC_DEREF, &op)))
		return;
	if (t == NO_OBJ) {
		expect(w, "DEREF of a dead weak reference: ref", 0, op.ref);
		return;
	}
	if (!expect_fresh(w, m, "DEREF", op.ref))
		return;
	m_add_handle(m, op.ref, t);
	check_info(w, m, op.ref, t);
}

/*
 * GC_FINALIZE or WEAK_CALLBACKS (private heap): up to @n objects, each
 * one the model has in that queue, as fresh handles. Returns how many.
 */
static int op_take(struct worker *w, struct mheap *m, unsigned long cmd,
		   __u32 n, __u32 *got)
{
	struct objheap_gc_garbage g = { .handles = (uintptr_t)got, .count = n };
	struct objheap_info info;
	__u64 waiting = 0;
	int ret;

	for (int o = 0; o < MAX_OBJS; o++)
		waiting += m_in_queue(m, cmd, o);
	note_op(w, m, cmd == OBJHEAP_IOC_GC_FINALIZE ? "GC_FINALIZE" :
		"WEAK_CALLBACKS", NULL, 0);
	ret = ioctl(m->fd, cmd, &g) ? -errno : 0;
	if (!expect_ret(w, "queue", 0, ret) ||
	    !expect(w, "queue done", waiting < n ? waiting : n, g.done) ||
	    !expect(w, "queue left", waiting - g.done, g.left))
		return 0;
	for (__u32 i = 0; i < g.done; i++) {
		int o;

		if (!expect_fresh(w, m, "queue", got[i]) ||
		    !expect_ret(w, "INFO of a queued object", 0,
				oh_info(m->fd, got[i], &info)))
			return 0;
		o = m_by_id(m, info.id);
		if (o == NO_OBJ || !m_in_queue(m, cmd, o)) {
			mismatch(w, "a queue handed out an object it did not hold");
			return 0;
		}
		m_take_queued(m, got[i], o);
		if (!info_matches(w, m, o, &info))
			return 0;
	}
	return g.done;
}

/*
 * A finalizer or a callback runs: take some, and drop them or keep them
 * (a finalizer that resurrects keeps its object).
 */
static void op_finalize(struct worker *w, struct mheap *m)
{
	unsigned long cmd = rnd(w, 2) ? OBJHEAP_IOC_GC_FINALIZE :
					OBJHEAP_IOC_WEAK_CALLBACKS;
	__u32 got[4], drop[4];
	int n, ndrop = 0;

	if (m->nh + 4 > HARD_HANDLES)
		return;
	n = op_take(w, m, cmd, 1 + rnd(w, 4), got);
	for (int i = 0; i < n; i++)
		if (rnd(w, 4))
			drop[ndrop++] = got[i];
	drop_handles(w, m, drop, ndrop);
}

/*
 * GC_OBJECTS of a generation or GC_REFERRERS of one object (exact heaps):
 * the total and each handle against the model; sometimes too small an
 * array (ENOSPC, nothing opened) or none (the total alone). Most of the
 * handles are dropped again.
 */
static void op_introspect(struct worker *w, struct mheap *m, int hi)
{
	static const __u32 gens[] = {
		0, 1, 2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE,
		OBJHEAP_GEN_ALL,
	};
	int referrers = rnd(w, 2), target = m->h[hi].obj, want = 0;
	__u32 got[HARD_HANDLES], drop[HARD_HANDLES], th = m->h[hi].handle;
	__u32 total = 0, room = HARD_HANDLES - m->nh, n;
	struct objheap_gc_objects g = { .handles = (uintptr_t)got };
	unsigned char seen[MAX_OBJS] = { 0 };
	struct objheap_info info;
	int ret, ndrop = 0;

	if (referrers) {
		g.targets = (uintptr_t)&th;
		g.ntargets = 1;
	} else {
		g.generation = gens[rnd(w, ARRAY_SIZE(gens))];
	}
	for (int o = 0; o < MAX_OBJS; o++)
		total += referrers ? m_refers(m, &target, 1, o) :
				     m_listed(m, g.generation, o);
	n = rnd(w, 4) ? total : rnd(w, 4);
	g.count = n < room ? n : room;
	if (g.count && total > g.count)
		want = -ENOSPC;
	note_op(w, m, referrers ? "GC_REFERRERS" : "GC_OBJECTS", NULL, 0);
	ret = ioctl(m->fd, referrers ? OBJHEAP_IOC_GC_REFERRERS :
				       OBJHEAP_IOC_GC_OBJECTS, &g) ? -errno : 0;
	if (!expect_ret(w, "introspection", want, ret) ||
	    !expect(w, "introspection total", total, g.total) ||
	    !expect(w, "introspection done", ret || !g.count ? 0 : total,
		    g.done))
		return;
	for (__u32 i = 0; i < g.done; i++) {
		int o;

		if (!expect_fresh(w, m, "introspection", got[i]) ||
		    !expect_ret(w, "INFO of a listed object", 0,
				oh_info(m->fd, got[i], &info)))
			return;
		o = m_by_id(m, info.id);
		if (o == NO_OBJ || seen[o] ||
		    !(referrers ? m_refers(m, &target, 1, o) :
				  m_listed(m, g.generation, o))) {
			mismatch(w, "introspection listed an object it should not have");
			return;
		}
		seen[o] = 1;
		m_add_handle(m, got[i], o);
		if (!info_matches(w, m, o, &info))
			return;
		if (rnd(w, 8))
			drop[ndrop++] = got[i];
	}
	drop_handles(w, m, drop, ndrop);
}

/* Until both queues are empty: run every finalizer and callback, collect. */
static void drain_queues(struct worker *w, struct mheap *m)
{
	__u32 got[MAX_OBJS];
	int n;

	for (int round = 0; round < 64 && !w->res->failed; round++) {
		if (!m_in_queue_any(m))
			return;
		n = op_take(w, m, OBJHEAP_IOC_GC_FINALIZE, MAX_OBJS, got);
		drop_handles(w, m, got, n);
		n = op_take(w, m, OBJHEAP_IOC_WEAK_CALLBACKS, MAX_OBJS, got);
		drop_handles(w, m, got, n);
		op_collect(w, m);
	}
	if (!w->res->failed && m_in_queue_any(m))
		mismatch(w, "the queues did not drain in 64 rounds");
}

static void op_info(struct worker *w, struct mheap *m, int hi)
{
	struct objheap_op op = { .handle = m->h[hi].handle };

	note_op(w, m, "INFO", &op, 1);
	check_info(w, m, m->h[hi].handle, m->h[hi].obj);
}

static void op_collect(struct worker *w, struct mheap *m)
{
	__u64 scanned = m_scanned(m), collected, freed;
	struct objheap_gc_collect c;
	struct mcollect mc;

	note_op(w, m, "GC_COLLECT(2)", NULL, 0);
	w->res->collections++;
	m->collections++;
	if (!expect_ret(w, "GC_COLLECT", 0, oh_collect(m->fd, 2, &c)) ||
	    !expect(w, "GC_COLLECT saved", 0, c.saved))
		return;
	m_collect_gen(m, OBJHEAP_GC_GENERATIONS - 1, 0, &mc);
	collected = mc.collected;
	freed = mc.freed;
	if (!m->exact) {
		/* Others' garbage, or ours already gone: bounds only. */
		expect_in(w, "GC_COLLECT collected", 0, c.scanned, c.collected);
		expect_in(w, "GC_COLLECT freed", c.collected, UINT64_MAX >> 1,
			  c.freed);
		return;
	}
	if (!expect(w, "GC_COLLECT scanned", scanned, c.scanned) ||
	    !expect(w, "GC_COLLECT collected", collected, c.collected) ||
	    !expect(w, "GC_COLLECT freed", freed, c.freed) ||
	    !expect(w, "GC_COLLECT uncollectable", mc.uncollectable,
		    c.uncollectable))
		return;
	w->res->collected += collected;
	check_gc_stats(w, m);
}

static void op_freeze(struct worker *w, struct mheap *m, int freeze)
{
	note_op(w, m, freeze ? "GC_FREEZE" : "GC_UNFREEZE", NULL, 0);
	if (!expect(w, freeze ? "GC_FREEZE" : "GC_UNFREEZE", 0,
		    ioctl(m->fd, freeze ? OBJHEAP_IOC_GC_FREEZE :
			  OBJHEAP_IOC_GC_UNFREEZE) ? -errno : 0))
		return;
	if (freeze)
		m_freeze(m);
	else
		m_unfreeze(m);
	check_gc_stats(w, m);
}

static int any_frozen(const struct mheap *m)
{
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && m->obj[o].gen == OBJHEAP_GEN_PERMANENT)
			return 1;
	return 0;
}

/*
 * An operation that must fail, with the errno it must fail with; *hi is
 * the handle index it names (to check nothing changed), or -1. Handles in
 * @skip are not used. In a batch, *cmd is not used; for a single
 * operation it is the ioctl to issue.
 */
static int make_bad_op(struct worker *w, struct mheap *m, int in_batch,
		       const int *skip, int nskip, struct objheap_op *op,
		       unsigned long *cmd, int *hi)
{
	static const __u32 kinds[] = {
		OBJHEAP_OP_DUP, OBJHEAP_OP_DROP, OBJHEAP_OP_GET, OBJHEAP_OP_SET,
		OBJHEAP_OP_READ, OBJHEAP_OP_WRITE,
	};
	static const unsigned long cmds[OBJHEAP_OP_COUNT] = {
		0, OBJHEAP_IOC_NEW, OBJHEAP_IOC_DUP, OBJHEAP_IOC_DROP,
		OBJHEAP_IOC_SET, OBJHEAP_IOC_GET, OBJHEAP_IOC_WRITE,
		OBJHEAP_IOC_READ, OBJHEAP_IOC_WEAKREF, OBJHEAP_IOC_DEREF,
	};
	int h = pick_avail(w, m, skip, nskip, 0);
	int c = pick_avail(w, m, skip, nskip, 1);
	__u32 v = rnd(w, 8);
	const struct mobj *x;
	int err;

	memset(op, 0, sizeof(*op));
	*hi = -1;
	if (h < 0)
		v = 0;
	if (v == 1 && c < 0)
		v = 2;
	x = h >= 0 ? &m->obj[m->h[h].obj] : NULL;
	switch (v) {
	case 0:
		/* A handle that is not open. */
		op->op = kinds[rnd(w, ARRAY_SIZE(kinds))];
		op->handle = bad_handle(w, m, in_batch);
		if (op->op == OBJHEAP_OP_READ || op->op == OBJHEAP_OP_WRITE) {
			op->count = rnd(w, 16);
			op->buf = (__u64)(uintptr_t)w->buf2;
		}
		err = EBADF;
		break;
	case 1:
		/* SET of a slot to a handle that is not open. */
		*hi = c;
		op->op = OBJHEAP_OP_SET;
		op->handle = m->h[c].handle;
		op->index = rnd(w, m->obj[m->h[c].obj].nslots);
		op->ref = bad_handle(w, m, in_batch) ?: BAD_HANDLE;
		err = EBADF;
		break;
	case 2:
	case 3:
		/* GET or SET of a slot past the last. */
		*hi = h;
		op->op = v == 2 ? OBJHEAP_OP_GET : OBJHEAP_OP_SET;
		op->handle = m->h[h].handle;
		op->index = rnd(w, 4) ? x->nslots + rnd(w, 3) : UINT32_MAX;
		if (v == 3 && rnd(w, 2))
			op->ref = op->handle;
		err = ERANGE;
		break;
	case 4:
	case 5:
		/* A payload range past the end. */
		*hi = h;
		op->op = v == 4 ? OBJHEAP_OP_READ : OBJHEAP_OP_WRITE;
		op->handle = m->h[h].handle;
		op->buf = (__u64)(uintptr_t)(v == 4 ? w->buf2 : w->buf);
		switch (rnd(w, 3)) {
		case 0:
			op->index = x->size + 1 + rnd(w, 8);
			break;
		case 1:
			op->index = rnd(w, x->size + 1);
			op->count = x->size - op->index + 1 + rnd(w, 8);
			break;
		default:
			/* Over OBJHEAP_MAX_PAYLOAD: refused before any copy. */
			op->count = OBJHEAP_MAX_PAYLOAD + 1;
			break;
		}
		if (v == 5 && op->count <= sizeof(w->buf))
			fill_random(w, w->buf, op->count);
		err = ERANGE;
		break;
	default:
		/* Unused fields that are not zero, sizes over the maxima. */
		err = EINVAL;
		switch (rnd(w, 5)) {
		case 0:
			*hi = h;
			op->op = OBJHEAP_OP_DROP;
			op->handle = m->h[h].handle;
			op->index = 1 + rnd(w, 5);
			break;
		case 1:
			*hi = h;
			op->op = OBJHEAP_OP_DUP;
			op->handle = m->h[h].handle;
			op->type = 1 + rnd(w, 5);
			break;
		case 2:
			op->op = OBJHEAP_OP_NEW;
			op->count = OBJHEAP_MAX_SLOTS + 1 + rnd(w, 10);
			break;
		case 3:
			op->op = OBJHEAP_OP_NEW;
			op->size = OBJHEAP_MAX_PAYLOAD + 1;
			break;
		default:
			*hi = h;
			op->handle = m->h[h].handle;
			if (in_batch) {
				/* An unknown operation code. */
				op->op = OBJHEAP_OP_COUNT + rnd(w, 50);
			} else {
				/* DROP's ioctl with another op code. */
				op->op = OBJHEAP_OP_GET;
				*cmd = OBJHEAP_IOC_DROP;
				return err;
			}
			break;
		}
		break;
	}
	if (op->op < OBJHEAP_OP_COUNT)
		*cmd = cmds[op->op];
	return err;
}

/* After a failed operation on handle index @hi: is everything as it was? */
static void check_unchanged(struct worker *w, struct mheap *m, int hi,
			    __u32 op)
{
	if (hi < 0 || w->res->failed)
		return;
	if (check_info(w, m, m->h[hi].handle, m->h[hi].obj) &&
	    op == OBJHEAP_OP_WRITE)
		read_check(w, m, m->h[hi].handle, m->h[hi].obj, 0,
			   m->obj[m->h[hi].obj].size);
}

static void op_error(struct worker *w, struct mheap *m)
{
	struct objheap_op op;
	unsigned long cmd = 0;
	int hi, err;

	err = make_bad_op(w, m, 0, NULL, 0, &op, &cmd, &hi);
	note_op(w, m, "single operation that must fail", &op, 1);
	w->res->errors++;
	if (!expect_ret(w, "failing operation", -err, oh_op(m->fd, cmd, &op)))
		return;
	check_unchanged(w, m, hi, op.op);
}

/* INFO that must fail: a handle not open, or a nonzero pad. */
static void op_info_error(struct worker *w, struct mheap *m, int hi)
{
	struct objheap_info info;
	int bad = rnd(w, 2), ret;

	note_op(w, m, bad ? "INFO of a closed handle" : "INFO with pad set",
		NULL, 0);
	w->res->errors++;
	memset(&info, 0, sizeof(info));
	info.handle = bad ? bad_handle(w, m, 0) : m->h[hi].handle;
	info.pad = !bad;
	ret = ioctl(m->fd, OBJHEAP_IOC_INFO, &info) ? -errno : 0;
	if (expect_ret(w, "INFO", bad ? -EBADF : -EINVAL, ret))
		check_unchanged(w, m, bad ? -1 : hi, OBJHEAP_OP_NOP);
}

/* ---- BATCH ---- */

/*
 * A random operation for a batch, on handles open before it and not in
 * @skip (handles the batch drops: handles it opens are not used either,
 * their numbers being the kernel's choice). A DROP adds to @skip.
 */
static void make_batch_op(struct worker *w, struct mheap *m, int *skip,
			  int *nskip, int *grow, struct objheap_op *op,
			  __u8 *buf)
{
	int hi = pick_avail(w, m, skip, *nskip, 0);
	int ci = pick_avail(w, m, skip, *nskip, 1);
	int room = m->nobj + *grow < HARD_OBJS && m->nh + *grow < HARD_HANDLES;
	__u32 r = rnd(w, 100);
	const struct mobj *x;

	memset(op, 0, sizeof(*op));
	if (hi < 0)
		op->op = room ? OBJHEAP_OP_NEW : OBJHEAP_OP_NOP;
	else if (r < 18)
		op->op = room ? OBJHEAP_OP_NEW : OBJHEAP_OP_DROP;
	else if (r < 28)
		op->op = room ? OBJHEAP_OP_DUP : OBJHEAP_OP_DROP;
	else if (r < 43)
		op->op = OBJHEAP_OP_DROP;
	else if (r < 63 && ci >= 0)
		op->op = OBJHEAP_OP_SET;
	else if (r < 78 && ci >= 0)
		op->op = room ? OBJHEAP_OP_GET : OBJHEAP_OP_SET;
	else if (r < 87)
		op->op = OBJHEAP_OP_WRITE;
	else if (r < 97)
		op->op = OBJHEAP_OP_READ;
	else
		op->op = OBJHEAP_OP_NOP;

	switch (op->op) {
	case OBJHEAP_OP_NEW:
		op->type = 1 + rnd(w, NTYPES);
		op->count = rnd(w, MAX_SLOTS + 1);
		op->size = rnd(w, MAX_PAYLOAD + 1);
		++*grow;
		break;
	case OBJHEAP_OP_DUP:
		op->handle = m->h[hi].handle;
		++*grow;
		break;
	case OBJHEAP_OP_DROP:
		op->handle = m->h[hi].handle;
		skip[(*nskip)++] = hi;
		break;
	case OBJHEAP_OP_SET:
	case OBJHEAP_OP_GET:
		op->handle = m->h[ci].handle;
		op->index = rnd(w, m->obj[m->h[ci].obj].nslots);
		if (op->op == OBJHEAP_OP_GET) {
			++*grow;
			break;
		}
		r = rnd(w, 10);
		if (r == 1)
			op->ref = op->handle;
		else if (r > 1)
			op->ref = m->h[pick_avail(w, m, skip, *nskip, 0)].handle;
		break;
	case OBJHEAP_OP_WRITE:
	case OBJHEAP_OP_READ:
		x = &m->obj[m->h[hi].obj];
		op->handle = m->h[hi].handle;
		pick_range(w, x, &op->index, &op->count);
		op->buf = (__u64)(uintptr_t)buf;
		if (op->op == OBJHEAP_OP_WRITE)
			fill_random(w, buf, op->count);
		else
			memset(buf, 0xee, op->count);
		break;
	}
}

/* The object @handle names in the model; NO_OBJ (and a mismatch) if none. */
static int obj_of(struct worker *w, struct mheap *m, __u32 handle)
{
	int hi = m_find(m, handle);

	if (hi >= 0)
		return m->h[hi].obj;
	mismatch(w, "model: handle %u is not open", handle);
	return NO_OBJ;
}

/* Apply operation @i of a batch that succeeded to the model, and check it. */
static int apply_batch_op(struct worker *w, struct mheap *m,
			  const struct objheap_op *op, __u32 *fresh, int *nfresh,
			  int *fresh_new)
{
	int o = NO_OBJ, v = NO_OBJ, t;

	if (op->op != OBJHEAP_OP_NEW && op->op != OBJHEAP_OP_NOP) {
		o = obj_of(w, m, op->handle);
		if (o == NO_OBJ)
			return 0;
	}
	switch (op->op) {
	case OBJHEAP_OP_NEW:
		if (!expect_fresh(w, m, "BATCH NEW", op->handle))
			return 0;
		o = m_alloc(m, op->type, op->count, op->size, 0);
		m_add_handle(m, op->handle, o);
		fresh_new[*nfresh] = 1;
		fresh[(*nfresh)++] = op->handle;
		break;
	case OBJHEAP_OP_DUP:
		if (!expect_fresh(w, m, "BATCH DUP", op->ref))
			return 0;
		m_add_handle(m, op->ref, o);
		fresh_new[*nfresh] = 0;
		fresh[(*nfresh)++] = op->ref;
		break;
	case OBJHEAP_OP_DROP:
		m_del_handle(m, m_find(m, op->handle));
		break;
	case OBJHEAP_OP_SET:
		if (op->ref) {
			v = obj_of(w, m, op->ref);
			if (v == NO_OBJ)
				return 0;
		}
		m_set(m, o, op->index, v);
		break;
	case OBJHEAP_OP_GET:
		t = m->obj[o].slot[op->index];
		if (t == NO_OBJ)
			return expect(w, "BATCH GET of an empty slot: ref", 0, op->ref);
		if (!expect_fresh(w, m, "BATCH GET", op->ref))
			return 0;
		m_add_handle(m, op->ref, t);
		fresh_new[*nfresh] = 0;
		fresh[(*nfresh)++] = op->ref;
		break;
	case OBJHEAP_OP_WRITE:
		memcpy(m->obj[o].data + op->index,
		       (const void *)(uintptr_t)op->buf, op->count);
		break;
	case OBJHEAP_OP_READ:
		return payload_matches(w, &m->obj[o],
				       (const void *)(uintptr_t)op->buf,
				       op->index, op->count);
	}
	return 1;
}

/*
 * A short random batch; sometimes its k-th operation must fail: the ones
 * before it took effect, it and the ones after did not, and the ones after
 * were not written to.
 */
static void op_batch(struct worker *w, struct mheap *m)
{
	struct objheap_op ops[BATCH_LEN];
	int n = 1 + rnd(w, BATCH_LEN), fail = -1, err = 0, bad_hi = -1;
	int skip[BATCH_LEN], nskip = 0, grow = 0, nfresh = 0, want_done;
	int fresh_new[BATCH_LEN];
	__u32 fresh[BATCH_LEN], bad_handle_num = 0, done = SENT_OUT;
	unsigned long cmd;
	int ret;

	if (rnd(w, 10) < 3)
		fail = rnd(w, n);
	for (int i = 0; i < n; i++) {
		if (i == fail) {
			err = make_bad_op(w, m, 1, skip, nskip, &ops[i], &cmd, &bad_hi);
			if (bad_hi >= 0)
				bad_handle_num = m->h[bad_hi].handle;
		} else {
			make_batch_op(w, m, skip, &nskip, &grow, &ops[i], w->bbuf[i]);
		}
		ops[i].result = SENT_RESULT;
		if (ops[i].op == OBJHEAP_OP_NEW)
			ops[i].handle = SENT_OUT;
		if (ops[i].op == OBJHEAP_OP_DUP || ops[i].op == OBJHEAP_OP_GET)
			ops[i].ref = SENT_OUT;
	}
	note_op(w, m, fail < 0 ? "BATCH" : "BATCH with a failing operation",
		ops, n);
	ret = oh_batch(m->fd, ops, n, &done);
	want_done = fail < 0 ? n : fail;
	if (fail >= 0) {
		w->res->errors++;
		if (!expect_ret(w, "BATCH", -err, ret) ||
		    !expect(w, "BATCH done", fail, done) ||
		    !expect(w, "BATCH result of the failing operation", -err,
			    ops[fail].result))
			return;
	} else if (!expect_ret(w, "BATCH", 0, ret) ||
		   !expect(w, "BATCH done", n, done)) {
		return;
	}
	for (int i = 0; i < n; i++) {
		if (i < want_done &&
		    !expect(w, "BATCH result of an operation before done", 0,
			    ops[i].result))
			return;
		if (fail < 0 || i <= fail)
			continue;
		if (!expect(w, "BATCH result after the failure (untouched)",
			    SENT_RESULT, ops[i].result) ||
		    (ops[i].op == OBJHEAP_OP_NEW &&
		     !expect(w, "BATCH NEW handle after the failure (untouched)",
			     SENT_OUT, ops[i].handle)) ||
		    ((ops[i].op == OBJHEAP_OP_DUP || ops[i].op == OBJHEAP_OP_GET) &&
		     !expect(w, "BATCH ref after the failure (untouched)",
			     SENT_OUT, ops[i].ref)))
			return;
	}
	for (int i = 0; i < want_done; i++)
		if (!apply_batch_op(w, m, &ops[i], fresh, &nfresh, fresh_new))
			return;
	/* What the batch opened: learn the new objects, check the others. */
	for (int i = 0; i < nfresh; i++) {
		int o = m->h[m_find(m, fresh[i])].obj;

		if (!(fresh_new[i] ? learn_obj(w, m, fresh[i], o) :
		      check_info(w, m, fresh[i], o)))
			return;
	}
	if (bad_hi >= 0)
		check_unchanged(w, m, m_find(m, bad_handle_num), ops[fail].op);
}

/* ---- Full checks ---- */

/* Close @n handles with BATCH DROPs, in the model too. */
static void drop_handles(struct worker *w, struct mheap *m, const __u32 *hs,
			 int n)
{
	struct objheap_op ops[64];

	for (int first = 0; first < n && !w->res->failed; first += 64) {
		int k = n - first < 64 ? n - first : 64;
		__u32 done;

		for (int i = 0; i < k; i++)
			ops[i] = (struct objheap_op){
				.op = OBJHEAP_OP_DROP, .handle = hs[first + i],
			};
		if (!expect_ret(w, "BATCH DROP", 0, oh_batch(m->fd, ops, k, &done)) ||
		    !expect(w, "BATCH DROP done", k, done))
			return;
		for (int i = 0; i < k; i++) {
			int hi = m_find(m, hs[first + i]);

			if (hi < 0) {
				mismatch(w, "model: handle %u is not open", hs[first + i]);
				return;
			}
			m_del_handle(m, hi);
		}
	}
}

/*
 * Everything reachable: INFO of each object, its payload, and each of its
 * slots (GET, identity by INFO id), walking from the open handles with an
 * explicit queue. A handle GET opens on an object not seen yet is kept to
 * visit it; the others are closed at once.
 */
static void sweep(struct worker *w, struct mheap *m)
{
	__u32 qh[MAX_OBJS], keep[MAX_OBJS], drop[MAX_SLOTS];
	int qo[MAX_OBJS], nq = 0, nkeep = 0, bad;
	struct objheap_op ops[MAX_SLOTS];
	__u8 seen[MAX_OBJS] = { 0 };

	note_op(w, m, "full check", NULL, 0);
	m->since_sweep = 0;
	bad = m_bad_refs(m);
	w->res->checks++;
	if (bad >= 0) {
		mismatch(w, "model bookkeeping is wrong at object %d", bad);
		return;
	}
	check_counts(w, m);
	check_gc_stats(w, m);
	for (int i = 0; i < m->nh; i++) {
		int o = m->h[i].obj;

		if (seen[o])
			continue;
		seen[o] = 1;
		qh[nq] = m->h[i].handle;
		qo[nq++] = o;
	}
	for (int q = 0; q < nq && !w->res->failed; q++) {
		const struct mobj *x = &m->obj[qo[q]];
		int ndrop = 0;
		__u32 done;

		if (!check_info(w, m, qh[q], qo[q]) ||
		    !read_check(w, m, qh[q], qo[q], 0, x->size))
			return;
		if (!x->nslots)
			continue;
		for (__u32 s = 0; s < x->nslots; s++)
			ops[s] = (struct objheap_op){
				.op = OBJHEAP_OP_GET, .handle = qh[q], .index = s,
				.ref = SENT_OUT,
			};
		if (!expect_ret(w, "BATCH GET of every slot", 0,
				oh_batch(m->fd, ops, x->nslots, &done)) ||
		    !expect(w, "BATCH GET done", x->nslots, done))
			return;
		/* The batch opened all its handles before any is checked. */
		for (__u32 s = 0; s < x->nslots; s++) {
			int t = x->slot[s];

			if (t == NO_OBJ) {
				if (!expect(w, "GET of an empty slot: ref", 0, ops[s].ref))
					return;
				continue;
			}
			if (!expect_fresh(w, m, "GET", ops[s].ref))
				return;
			m_add_handle(m, ops[s].ref, t);
		}
		for (__u32 s = 0; s < x->nslots; s++) {
			int t = x->slot[s];

			if (t == NO_OBJ)
				continue;
			if (!check_info(w, m, ops[s].ref, t))
				return;
			if (seen[t]) {
				drop[ndrop++] = ops[s].ref;
				continue;
			}
			seen[t] = 1;
			keep[nkeep++] = ops[s].ref;
			qh[nq] = ops[s].ref;
			qo[nq++] = t;
		}
		drop_handles(w, m, drop, ndrop);
	}
	drop_handles(w, m, keep, nkeep);
	check_counts(w, m);
}

static void drop_all(struct worker *w, struct mheap *m)
{
	__u32 hs[MAX_HANDLES];

	note_op(w, m, "BATCH DROP of every handle", NULL, 0);
	for (int i = 0; i < m->nh; i++)
		hs[i] = m->h[i].handle;
	drop_handles(w, m, hs, m->nh);
}

/*
 * A heap only this worker uses: collect, check everything, close every
 * handle, collect again: nothing may be left.
 */
static void final_private(struct worker *w, struct mheap *m)
{
	if (any_frozen(m))
		op_freeze(w, m, 0);
	op_collect(w, m);
	sweep(w, m);
	drop_all(w, m);
	check_counts(w, m);
	op_collect(w, m);
	drain_queues(w, m);
	note_op(w, m, "final", NULL, 0);
	if (!w->res->failed)
		expect(w, "model objects after the last collection", 0, m->nobj);
	check_counts(w, m);
}

/*
 * The shared heap once no worker collects any more and one collection
 * took all garbage: exact now. Close every handle and report what the last
 * collection must reclaim.
 */
static void final_shared(struct worker *w, struct mheap *m)
{
	__u64 collected, freed;

	m_collect(m, &collected, &freed);
	m->exact = 1;
	sweep(w, m);
	drop_all(w, m);
	for (int o = 0; o < MAX_OBJS; o++)
		w->res->garbage_containers += m->obj[o].used && m->obj[o].nslots;
	w->res->garbage_objects = m->nobj;
}

/* ---- Workers ---- */

static void step(struct worker *w)
{
	__u32 r = rnd(w, 100);
	struct mheap *m = w->heap[r < 45 ? HEAP_PRIVATE :
				  r < 85 ? HEAP_SHARED : HEAP_AUTO];
	int hi = pick_handle(w, m), ci = pick_avail(w, m, NULL, 0, 1);
	int high = m->nobj >= SOFT_OBJS || m->nh >= SOFT_HANDLES;
	int new_ok = m->nobj < HARD_OBJS, open_ok = m->nh < HARD_HANDLES;

	r = rnd(w, 100);
	if (hi < 0) {
		if (new_ok)
			op_new(w, m);
		else if (m->kind == HEAP_PRIVATE && any_frozen(m))
			op_freeze(w, m, 0);
		else
			op_collect(w, m);
	} else if (high && r < 50) {
		/* Bound the heap: close handles, collect, thaw. */
		if (m->kind == HEAP_PRIVATE && any_frozen(m) && r < 5)
			op_freeze(w, m, 0);
		else if (m->kind == HEAP_PRIVATE && r < 15 && m_in_queue_any(m))
			op_finalize(w, m);
		else if (m->nobj - m_mark(m) >= 16 && r < 25)
			op_collect(w, m);
		else
			op_drop(w, m, hi);
	} else if (r < 14) {
		if (new_ok)
			op_new(w, m);
		else
			op_drop(w, m, hi);
	} else if (r < 20) {
		if (open_ok)
			op_dup(w, m, hi);
		else
			op_drop(w, m, hi);
	} else if (r < 32) {
		op_drop(w, m, hi);
	} else if (r < 50) {
		if (ci >= 0)
			op_set(w, m, ci);
		else
			op_write(w, m, hi);
	} else if (r < 60) {
		if (ci >= 0 && open_ok)
			op_get(w, m, ci);
		else
			op_read(w, m, hi);
	} else if (r < 67) {
		op_write(w, m, hi);
	} else if (r < 74) {
		op_read(w, m, hi);
	} else if (r < 78) {
		op_info(w, m, hi);
	} else if (r < 87) {
		op_batch(w, m);
	} else if (r < 89) {
		op_collect(w, m);
	} else if (r < 92 && m->kind == HEAP_PRIVATE) {
		/* Weak references and finalizers: exact garbage only. */
		if (r == 89 && new_ok && open_ok)
			op_weakref(w, m, hi);
		else if (r == 90 && open_ok)
			op_deref(w, m);
		else if (rnd(w, 2))
			op_introspect(w, m, hi);
		else
			op_finalize(w, m);
	} else if (r < 95) {
		op_error(w, m);
	} else if (r < 96) {
		op_info_error(w, m, hi);
	} else if (r < 97 && m->kind == HEAP_PRIVATE) {
		op_freeze(w, m, !any_frozen(m));
	} else {
		op_info(w, m, hi);
	}
	if (w->res->failed)
		return;
	check_counts(w, m);
	if (++m->since_sweep >= SWEEP_EVERY)
		sweep(w, m);
}

/* Wait for every worker at @phase; 0 if one died or time ran out. */
static int barrier(struct worker *w, int phase)
{
	struct shared *sh = w->sh;
	double limit = sh->deadline + MARGIN_SECONDS / 2;

	__atomic_add_fetch(&sh->arrived[phase], 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&sh->arrived[phase], __ATOMIC_ACQUIRE) < sh->workers) {
		if (__atomic_load_n(&sh->broken, __ATOMIC_ACQUIRE))
			return 0;
		if (now() > limit) {
			mismatch(w, "phase %d: the other workers never arrived", phase);
			return 0;
		}
		usleep(1000);
	}
	return 1;
}

/* A private heap, with automatic collections on or off. */
static int open_heap(struct worker *w, int automatic)
{
	struct objheap_gc_params params = {
		.flags = automatic ? OBJHEAP_GC_ENABLED : 0,
		.threshold = { 4, 2, 2 },
	};
	int fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		mismatch(w, "open %s: %s", OBJHEAP_DEV, strerror(errno));
		return -1;
	}
	if (!expect_ret(w, "GC_SET_PARAMS", 0, oh_gc_params_set(fd, &params))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void run_worker(struct shared *sh, int index)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct result *res = &sh->res[index];
	int fds[HEAP_KINDS] = { -1, sh->fd, -1 }, ok = 1;

	if (!w) {
		res->failed = 1;
		say("stress: worker %d: out of memory", index);
		/* It cannot meet the others at the barriers. */
		__atomic_store_n(&sh->broken, 1, __ATOMIC_RELEASE);
		goto out;
	}
	w->index = index;
	w->sh = sh;
	w->res = res;
	/* Each worker's own sequence, a function of the seed and its index. */
	w->rng = sh->seed ^ (0x9e3779b97f4a7c15ULL * (index + 1));
	next_rand(&w->rng);
	for (int k = 0; k < HEAP_KINDS; k++) {
		w->heap[k] = calloc(1, sizeof(*w->heap[k]));
		if (!w->heap[k])
			ok = 0;
	}
	if (ok) {
		fds[HEAP_PRIVATE] = open_heap(w, 0);
		fds[HEAP_AUTO] = open_heap(w, 1);
		ok = fds[HEAP_PRIVATE] >= 0 && fds[HEAP_AUTO] >= 0;
	} else {
		mismatch(w, "out of memory");
	}
	for (int k = 0; ok && k < HEAP_KINDS; k++)
		m_init(w->heap[k], k, fds[k], k == HEAP_PRIVATE);

	for (w->opno = 1; ok && !res->failed && w->opno <= sh->ops; w->opno++) {
		if (__atomic_load_n(&sh->abort, __ATOMIC_ACQUIRE) ||
		    now() >= sh->deadline)
			break;
		step(w);
		res->ops++;
	}
	if (ok && !res->failed) {
		final_private(w, w->heap[HEAP_PRIVATE]);
		final_private(w, w->heap[HEAP_AUTO]);
	}
	for (int k = 0; k < HEAP_KINDS; k++)
		if (k != HEAP_SHARED && fds[k] >= 0)
			close(fds[k]);

	/* Nobody collects the shared heap after this one collection. */
	if (barrier(w, 0)) {
		if (index == 0) {
			struct objheap_gc_collect c;

			note_op(w, w->heap[HEAP_SHARED], "GC_COLLECT(2) after all stopped",
				NULL, 0);
			res->collections++;
			expect_ret(w, "GC_COLLECT", 0, oh_collect(sh->fd, 2, &c));
		}
		if (barrier(w, 1) && ok && !res->failed)
			final_shared(w, w->heap[HEAP_SHARED]);
	}
out:
	if (w) {
		for (int k = 0; k < HEAP_KINDS; k++)
			free(w->heap[k]);
		free(w);
	}
	__atomic_store_n(&res->finished, 1, __ATOMIC_RELEASE);
}

struct thread_arg {
	struct shared *sh;
	int index;
};

static void *worker_thread(void *arg)
{
	struct thread_arg *a = arg;

	run_worker(a->sh, a->index);
	return NULL;
}

/* ---- The test ---- */

static unsigned long long env_num(const char *name, unsigned long long def)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		say("stress: ignoring %s=%s (not a number)", name, s);
		return def;
	}
	return v;
}

/* The wall-clock cap, at most MAX_SECONDS (the test's timeout is fixed). */
static unsigned long stress_seconds(void)
{
	unsigned long long s = env_num("OBJHEAP_STRESS_SECONDS", DEFAULT_SECONDS);

	if (!s)
		s = DEFAULT_SECONDS;
	return s > MAX_SECONDS ? MAX_SECONDS : s;
}

FIXTURE(stress) {
	int fd;
	struct shared *sh;
};

FIXTURE_SETUP(stress)
{
	self->fd = -1;
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
}

FIXTURE_TEARDOWN(stress)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
}

/* The timeout is set from OBJHEAP_STRESS_SECONDS at startup, below. */
TEST_F_TIMEOUT(stress, model_checked, MAX_SECONDS + MARGIN_SECONDS)
{
	struct shared *sh = self->sh;
	struct thread_arg args[MAX_WORKERS];
	pthread_t tid[MAX_WORKERS];
	pid_t pid[MAX_WORKERS];
	unsigned long seconds = stress_seconds();
	struct objheap_heap_stats hs;
	struct objheap_gc_collect c;
	struct objheap_gc_stats gs;
	struct timespec ts;
	unsigned long long seed;
	__u64 total[5] = { 0 };	/* ops checks collections collected errors */
	__u64 want_containers = 0, want_objects = 0;
	int started = 0, failed = 0, running, n, ret;
	char line[256];
	double start;

	clock_gettime(CLOCK_REALTIME, &ts);
	sh->seed = env_num("OBJHEAP_STRESS_SEED",
			   ((__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec) ^
			   ((__u64)getpid() << 40));
	seed = sh->seed;
	say("stress: seed=%llu", seed);
	sh->ops = env_num("OBJHEAP_STRESS_OPS", DEFAULT_OPS);
	sh->threads = env_num("OBJHEAP_STRESS_THREADS", DEFAULT_THREADS);
	sh->procs = env_num("OBJHEAP_STRESS_PROCS", DEFAULT_PROCS);
	ASSERT_LE(0, sh->threads);
	ASSERT_LE(0, sh->procs);
	ASSERT_LE(sh->threads, MAX_WORKERS);
	ASSERT_LE(sh->procs, MAX_WORKERS);
	sh->workers = sh->threads + sh->procs;
	ASSERT_LT(0, sh->workers);
	ASSERT_GE(MAX_WORKERS, sh->workers);
	say("stress: config threads=%d procs=%d ops_per_worker=%llu max_seconds=%lu timeout=%d",
	    sh->threads, sh->procs, (unsigned long long)sh->ops, seconds,
	    _metadata->timeout);

	/* The shared heap, opened before the workers start: no automatic GC. */
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
	ASSERT_EQ(0, oh_gc_flags(self->fd, 0));
	sh->fd = self->fd;
	start = now();
	sh->deadline = start + seconds;

	/* Processes first, while this one has no other thread. */
	fflush(stdout);
	fflush(stderr);
	for (int p = 0; p < sh->procs; p++) {
		int index = sh->threads + p;

		pid[p] = fork();
		if (pid[p] == 0) {
			run_worker(sh, index);
			_exit(sh->res[index].failed ? 1 : 0);
		}
		if (pid[p] < 0) {
			say("stress: fork: %s", strerror(errno));
			sh->res[index].failed = 1;
			__atomic_store_n(&sh->broken, 1, __ATOMIC_RELEASE);
		}
	}
	for (int t = 0; t < sh->threads; t++) {
		args[t].sh = sh;
		args[t].index = t;
		if (pthread_create(&tid[t], NULL, worker_thread, &args[t])) {
			say("stress: pthread_create failed");
			sh->res[t].failed = 1;
			__atomic_store_n(&sh->broken, 1, __ATOMIC_RELEASE);
			break;
		}
		started++;
	}

	/* Reap the processes as they end; one that dies breaks the barriers. */
	do {
		running = 0;
		for (int p = 0; p < sh->procs; p++) {
			int status, index = sh->threads + p;

			if (pid[p] <= 0)
				continue;
			if (waitpid(pid[p], &status, WNOHANG) != pid[p]) {
				running++;
				continue;
			}
			pid[p] = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) ||
			    !__atomic_load_n(&sh->res[index].finished, __ATOMIC_ACQUIRE)) {
				if (!sh->res[index].failed)
					say("stress: seed=%llu worker %d died (status %#x)",
					    (unsigned long long)sh->seed, index, status);
				sh->res[index].failed = 1;
				__atomic_store_n(&sh->broken, 1, __ATOMIC_RELEASE);
			}
		}
		for (int t = 0; t < started; t++)
			running += !__atomic_load_n(&sh->res[t].finished, __ATOMIC_ACQUIRE);
		if (running)
			usleep(10000);
	} while (running);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	if (started < sh->threads)
		__atomic_store_n(&sh->broken, 1, __ATOMIC_RELEASE);

	for (int i = 0; i < sh->workers; i++) {
		const struct result *r = &sh->res[i];

		total[0] += r->ops;
		total[1] += r->checks;
		total[2] += r->collections;
		total[3] += r->collected;
		total[4] += r->errors;
		want_containers += r->garbage_containers;
		want_objects += r->garbage_objects;
		failed += r->failed;
	}

	/* All quiet: the last collection takes exactly what the models left. */
	if (!failed && !sh->broken) {
		ret = oh_collect(self->fd, 2, &c);
		EXPECT_EQ(0, ret) TH_LOG("seed=%llu", seed);
		total[2]++;
		total[3] += c.collected;
		EXPECT_EQ(want_containers, c.scanned) TH_LOG("seed=%llu", seed);
		EXPECT_EQ(want_containers, c.collected) TH_LOG("seed=%llu", seed);
		EXPECT_EQ(want_objects, c.freed) TH_LOG("seed=%llu", seed);
		memset(&hs, 0, sizeof(hs));
		EXPECT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_HEAP_STATS, &hs));
		EXPECT_EQ(0, hs.objects) TH_LOG("seed=%llu", seed);
		EXPECT_EQ(0, hs.handles) TH_LOG("seed=%llu", seed);
		EXPECT_EQ(0, oh_gc_stats(self->fd, &gs));
		EXPECT_EQ(0, gs.automatic);
		EXPECT_EQ(0, gs.tracked[0] + gs.tracked[1] + gs.tracked[2]);
		total[1] += 10;		/* the checks just above */
	}
	/* The one summary line, which reports grep for. */
	n = snprintf(line, sizeof(line), "stress: seed=%llu workers=%d ops=%llu",
		     (unsigned long long)sh->seed, sh->workers,
		     (unsigned long long)total[0]);
	snprintf(line + n, sizeof(line) - n,
		 " checks=%llu collections=%llu collected=%llu errors_injected=%llu",
		 (unsigned long long)total[1], (unsigned long long)total[2],
		 (unsigned long long)total[3], (unsigned long long)total[4]);
	say("%s", line);
	say("stress: %.1f s", now() - start);
	EXPECT_EQ(0, failed) TH_LOG("seed=%llu: see the MISMATCH lines above",
				    (unsigned long long)sh->seed);
	EXPECT_EQ(0, sh->broken);
}

TEST_HARNESS_MAIN
