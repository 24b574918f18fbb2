// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage-guided fuzzing of the operation dispatcher and the collector.
 *
 * An input is a sequence of operations on one heap (decode() below): the
 * single-operation ioctls (weak references and finalizable objects among
 * them), BATCH, collections of each generation (by ioctl, and automatic
 * ones run from the workqueue), FREEZE, UNFREEZE, SAVEALL, the three
 * queues (GC_GARBAGE, GC_FINALIZE, WEAK_CALLBACKS), GC_OBJECTS and
 * GC_REFERRERS, lowered limits, bad fields and bad pointers, injected
 * allocation failures and the shrinker. Each result is checked
 * against the reference model the stress selftest uses
 * (tests/model/heap_model.h): its errno, its answers, and every few
 * operations the whole heap (objects, handles, generations, each object's
 * INFO and payload). A mismatch, a sanitizer report, a warning or a leak
 * aborts: libFuzzer keeps the input.
 *
 * Built with libFuzzer (clang -fsanitize=fuzzer), or with a main() that
 * replays files and directories (FUZZ_REPLAY), for gcc and for make check.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uheap.h"
#include "../model/heap_model.h"

#define NTYPES		5
#define FUZZ_OBJECTS	(MAX_OBJS - 16)	/* the heap's max_objects */
#define FUZZ_HANDLES	(MAX_HANDLES - 16)
#define SWEEP_EVERY	16
#define BATCH_LEN	8

struct fuzz {
	const u8 *in;
	size_t len, pos;
	struct objheap_heap *heap;
	struct mheap m;
	u32 max_objects, max_handles;
	bool saveall, enabled;
	bool alloc_armed;	/* an injected failure may hit this op */
	unsigned long ops;
	u8 buf[MAX_PAYLOAD + 64];
	u8 buf2[MAX_PAYLOAD + 64];
};

static struct fuzz fz;
static long baseline_allocs;

static __printf(1, 2) __noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_ops: mismatch after %lu operations: ", fz.ops);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK_EQ(what, want, got)					\
	do {								\
		long long __w = (long long)(want), __g = (long long)(got); \
		if (__w != __g)						\
			fail("%s: expected %lld, got %lld", what, __w, __g); \
	} while (0)

/* ---- the input ---- */

static u32 next(unsigned int bytes)
{
	u32 v = 0;

	while (bytes--) {
		v = v << 8 | (fz.pos < fz.len ? fz.in[fz.pos] : 0);
		fz.pos++;
	}
	return v;
}

static bool more(void)
{
	return fz.pos < fz.len;
}

/* A handle index of the model, or -1 if none is open. */
static int pick_handle(void)
{
	u32 r = next(1);

	return fz.m.nh ? (int)(r % fz.m.nh) : -1;
}

/* ---- what the model says an operation does ---- */

static bool open_handle(u32 h)
{
	return h && m_find(&fz.m, h) >= 0;
}

static struct mobj *obj_of(u32 h)
{
	return &fz.m.obj[fz.m.h[m_find(&fz.m, h)].obj];
}

/*
 * The errno @op must fail with, or 0 if it must succeed (given room in
 * the heap's byte limit and no failing allocation, which the caller
 * allows for). The checks in objheap_heap_op()'s order.
 */
static int expect_op(const struct objheap_op *op)
{
	struct mobj *x;

	switch (op->op) {
	case OBJHEAP_OP_NEW:
		if (op->ref || (op->index & ~OBJHEAP_NEW_FINALIZABLE) || op->buf)
			return -EINVAL;
		if (op->count > OBJHEAP_MAX_SLOTS || op->size > OBJHEAP_MAX_PAYLOAD)
			return -EINVAL;
		if ((u32)fz.m.nobj + 1 > fz.max_objects)
			return -EDQUOT;
		return (u32)fz.m.nh >= fz.max_handles ? -EMFILE : 0;
	case OBJHEAP_OP_DUP:
		if (op->index || op->count || op->type || op->size || op->buf)
			return -EINVAL;
		if (!open_handle(op->handle))
			return -EBADF;
		return (u32)fz.m.nh >= fz.max_handles ? -EMFILE : 0;
	case OBJHEAP_OP_DROP:
		if (op->ref || op->index || op->count || op->type || op->size ||
		    op->buf)
			return -EINVAL;
		return open_handle(op->handle) ? 0 : -EBADF;
	case OBJHEAP_OP_SET:
	case OBJHEAP_OP_GET:
		if (op->count || op->type || op->size || op->buf)
			return -EINVAL;
		if (!open_handle(op->handle))
			return -EBADF;
		if (op->op == OBJHEAP_OP_SET && op->ref && !open_handle(op->ref))
			return -EBADF;
		x = obj_of(op->handle);
		if (op->index >= x->nslots)
			return -ERANGE;
		if (op->op == OBJHEAP_OP_GET && x->slot[op->index] != NO_OBJ &&
		    (u32)fz.m.nh >= fz.max_handles)
			return -EMFILE;
		return 0;
	case OBJHEAP_OP_READ:
	case OBJHEAP_OP_WRITE:
		if (op->count > OBJHEAP_MAX_PAYLOAD)
			return -ERANGE;
		if (op->ref || op->type || op->size)
			return -EINVAL;
		if (!open_handle(op->handle))
			return -EBADF;
		x = obj_of(op->handle);
		if (op->index > x->size || op->count > x->size - op->index)
			return -ERANGE;
		return 0;
	case OBJHEAP_OP_NOP:
		return op->handle || op->ref || op->index || op->count ||
		       op->type || op->size || op->buf ? -EINVAL : 0;
	case OBJHEAP_OP_WEAKREF:
		if ((op->index & ~OBJHEAP_WEAK_CALLBACK) || op->count || op->size ||
		    op->buf)
			return -EINVAL;
		if (!open_handle(op->handle))
			return -EBADF;
		if ((u32)fz.m.nobj + 1 > fz.max_objects)
			return -EDQUOT;
		return (u32)fz.m.nh >= fz.max_handles ? -EMFILE : 0;
	case OBJHEAP_OP_DEREF:
		if (op->index || op->count || op->type || op->size || op->buf)
			return -EINVAL;
		if (!open_handle(op->handle))
			return -EBADF;
		x = obj_of(op->handle);
		if (!x->weakref)
			return -EINVAL;
		if (x->referent != NO_OBJ && (u32)fz.m.nh >= fz.max_handles)
			return -EMFILE;
		return 0;
	default:
		return -EINVAL;
	}
}

static void check_info(u32 h, int o);

/* A handle the heap just opened: nonzero, and not open before. */
static void check_fresh(const char *what, u32 h)
{
	if (!h || m_find(&fz.m, h) >= 0)
		fail("%s answered handle %u, which is 0 or open", what, h);
}

/* @op succeeded: apply it to the model and check its answers. */
static void apply_op(const struct objheap_op *op)
{
	struct mobj *x;
	int o, t;

	switch (op->op) {
	case OBJHEAP_OP_NEW: {
		struct objheap_info info;

		check_fresh("NEW", op->handle);
		o = m_alloc(&fz.m, op->type, op->count, op->size,
			    op->index & OBJHEAP_NEW_FINALIZABLE ? MF_FINALIZER : 0);
		m_add_handle(&fz.m, op->handle, o);
		CHECK_EQ("INFO of a new object", 0, uh_info(fz.heap, op->handle, &info));
		if (m_by_id(&fz.m, info.id) != NO_OBJ)
			fail("a new object has the id of a live one");
		fz.m.obj[o].id = info.id;
		check_info(op->handle, o);
		break;
	}
	case OBJHEAP_OP_DUP:
		check_fresh("DUP", op->ref);
		o = fz.m.h[m_find(&fz.m, op->handle)].obj;
		m_add_handle(&fz.m, op->ref, o);
		check_info(op->ref, o);
		break;
	case OBJHEAP_OP_DROP:
		m_del_handle(&fz.m, m_find(&fz.m, op->handle));
		break;
	case OBJHEAP_OP_SET:
		o = fz.m.h[m_find(&fz.m, op->handle)].obj;
		t = op->ref ? fz.m.h[m_find(&fz.m, op->ref)].obj : NO_OBJ;
		m_set(&fz.m, o, op->index, t);
		break;
	case OBJHEAP_OP_GET:
		o = fz.m.h[m_find(&fz.m, op->handle)].obj;
		t = fz.m.obj[o].slot[op->index];
		if (t == NO_OBJ) {
			CHECK_EQ("GET of an empty slot", 0, op->ref);
			break;
		}
		check_fresh("GET", op->ref);
		m_add_handle(&fz.m, op->ref, t);
		check_info(op->ref, t);
		break;
	case OBJHEAP_OP_WEAKREF: {
		struct objheap_info info;

		check_fresh("WEAKREF", op->ref);
		t = fz.m.h[m_find(&fz.m, op->handle)].obj;
		o = m_alloc(&fz.m, op->type, 0, 0, MF_WEAKREF);
		fz.m.obj[o].referent = t;
		fz.m.obj[o].callback = !!(op->index & OBJHEAP_WEAK_CALLBACK);
		m_add_handle(&fz.m, op->ref, o);
		CHECK_EQ("INFO of a new weak reference", 0, uh_info(fz.heap, op->ref, &info));
		if (m_by_id(&fz.m, info.id) != NO_OBJ)
			fail("a new weak reference has the id of a live object");
		fz.m.obj[o].id = info.id;
		check_info(op->ref, o);
		break;
	}
	case OBJHEAP_OP_DEREF:
		t = obj_of(op->handle)->referent;
		if (t == NO_OBJ) {
			CHECK_EQ("DEREF of a dead weak reference", 0, op->ref);
			break;
		}
		check_fresh("DEREF", op->ref);
		m_add_handle(&fz.m, op->ref, t);
		check_info(op->ref, t);
		break;
	case OBJHEAP_OP_WRITE:
		x = obj_of(op->handle);
		memcpy(x->data + op->index, (void *)(uintptr_t)op->buf, op->count);
		break;
	case OBJHEAP_OP_READ:
		x = obj_of(op->handle);
		if (memcmp(x->data + op->index, (void *)(uintptr_t)op->buf, op->count))
			fail("READ of %u bytes at %u: payload differs", op->count,
			     op->index);
		break;
	}
}

/* ---- checks of the whole heap ---- */

static void check_info(u32 h, int o)
{
	const struct mobj *x = &fz.m.obj[o];
	struct objheap_info info;

	CHECK_EQ("INFO", 0, uh_info(fz.heap, h, &info));
	CHECK_EQ("INFO id", x->id, info.id);
	CHECK_EQ("INFO refcount", x->refs, info.refcount);
	CHECK_EQ("INFO type", x->type, info.type);
	CHECK_EQ("INFO nslots", x->nslots, info.nslots);
	CHECK_EQ("INFO size", x->size, info.size);
	CHECK_EQ("INFO generation", x->gen, info.generation);
	CHECK_EQ("INFO flags", m_info_flags(&fz.m, o), info.flags);
}

static void sweep(void)
{
	struct objheap_heap_stats st;
	struct objheap_gc_stats gs;
	u64 tracked[3] = { 0 }, frozen = 0, garbage = 0, finalizing = 0;
	u64 callbacks = 0;
	int i, o;

	if (m_bad_refs(&fz.m) >= 0)
		fail("the model's own counts are wrong");
	CHECK_EQ("HEAP_STATS", 0, uh_stats(fz.heap, &st));
	CHECK_EQ("HEAP_STATS objects", fz.m.nobj, st.objects);
	CHECK_EQ("HEAP_STATS handles", fz.m.nh, st.handles);
	if (st.pinned > st.user_pinned)
		fail("a heap pins more than its user");
	for (o = 0; o < MAX_OBJS; o++) {
		const struct mobj *x = &fz.m.obj[o];

		if (!x->used || !m_tracked(x))
			continue;
		callbacks += x->queued;
		if (x->gen == OBJHEAP_GEN_PERMANENT)
			frozen++;
		else if (x->gen == OBJHEAP_GEN_GARBAGE)
			garbage++;
		else if (x->gen == OBJHEAP_GEN_FINALIZE)
			finalizing++;
		else
			tracked[x->gen]++;
	}
	CHECK_EQ("GC_STATS", 0, uh_gc_stats(fz.heap, &gs));
	for (i = 0; i < 3; i++)
		CHECK_EQ("GC_STATS tracked", tracked[i], gs.tracked[i]);
	CHECK_EQ("GC_STATS frozen", frozen, gs.frozen);
	CHECK_EQ("GC_STATS garbage", garbage, gs.garbage);
	CHECK_EQ("GC_STATS finalizing", finalizing, gs.finalizing);
	CHECK_EQ("GC_STATS callbacks", callbacks, gs.callbacks);
	for (i = 0; i < fz.m.nh; i++) {
		o = fz.m.h[i].obj;
		check_info(fz.m.h[i].handle, o);
		/* In stack-bounced pieces: a charged bounce could be EDQUOT. */
		for (u32 off = 0; off < fz.m.obj[o].size; off += 256) {
			u32 len = min(fz.m.obj[o].size - off, 256u);
			long ret;

			memset(fz.buf2, 0xee, len);
			ret = uh_rw(fz.heap, OBJHEAP_IOC_READ, fz.m.h[i].handle, off,
				    fz.buf2, len);
			CHECK_EQ("READ", 0, ret);
			if (memcmp(fz.buf2, fz.m.obj[o].data + off, len))
				fail("payload of handle %u differs", fz.m.h[i].handle);
		}
	}
}

/* ---- operations ---- */

/* Build a random, mostly valid, operation of kind @kind into @op. */
static void make_op(u32 kind, struct objheap_op *op, u8 *buf)
{
	int hi = pick_handle(), ri;
	u32 r = next(1);

	memset(op, 0, sizeof(*op));
	op->op = kind;
	if (hi >= 0)
		op->handle = fz.m.h[hi].handle;
	switch (kind) {
	case OBJHEAP_OP_NEW:
		op->handle = 0;
		op->type = 1 + r % NTYPES;
		op->count = next(1) % (MAX_SLOTS + 1);
		op->size = next(2) % (MAX_PAYLOAD + 1);
		if (r / NTYPES % 4 == 0)
			op->index = OBJHEAP_NEW_FINALIZABLE;
		break;
	case OBJHEAP_OP_WEAKREF:
		op->type = 1 + r % NTYPES;
		op->index = r / NTYPES % 2 ? OBJHEAP_WEAK_CALLBACK : 0;
		break;
	case OBJHEAP_OP_SET:
		ri = pick_handle();
		if (ri >= 0 && r % 4)
			op->ref = fz.m.h[ri].handle;
		fallthrough;
	case OBJHEAP_OP_GET:
		op->index = hi >= 0 && fz.m.obj[fz.m.h[hi].obj].nslots ?
			    next(1) % fz.m.obj[fz.m.h[hi].obj].nslots : next(1) % 3;
		break;
	case OBJHEAP_OP_READ:
	case OBJHEAP_OP_WRITE: {
		u32 size = hi >= 0 ? fz.m.obj[fz.m.h[hi].obj].size : 0;

		op->index = size ? next(2) % (size + 1) : 0;
		op->count = next(2) % (size - op->index + 1);
		op->buf = (u64)(uintptr_t)buf;
		if (kind == OBJHEAP_OP_WRITE)
			for (u32 i = 0; i < op->count; i++)
				buf[i] = r + i * 31;
		else
			memset(buf, 0xee, op->count);
		break;
	}
	}
}

/* Spoil one field of @op (or its handle): it must fail, changing nothing. */
static void spoil_op(struct objheap_op *op)
{
	switch (next(1) % 8) {
	case 0:
		op->handle = next(1) % 2 ? 0 : (1u << 24) + next(2);
		break;
	case 1:
		op->op = OBJHEAP_OP_COUNT + next(1);
		break;
	case 2:
		op->type = op->op == OBJHEAP_OP_NEW ? op->type : 1 + next(1);
		break;
	case 3:
		op->index += 100;
		break;
	case 4:
		op->count = op->op == OBJHEAP_OP_NEW ? OBJHEAP_MAX_SLOTS + 1 :
			    OBJHEAP_MAX_PAYLOAD + 1;
		break;
	case 5:
		op->ref = (1u << 24) + 7;
		break;
	case 6:
		op->size = op->op == OBJHEAP_OP_NEW ? OBJHEAP_MAX_PAYLOAD + 1 : 1;
		break;
	default:
		op->buf = op->op == OBJHEAP_OP_NEW ? 8 : op->buf;
		break;
	}
}

static const unsigned int op_cmd[OBJHEAP_OP_COUNT] = {
	OBJHEAP_IOC_NOP, OBJHEAP_IOC_NEW, OBJHEAP_IOC_DUP, OBJHEAP_IOC_DROP,
	OBJHEAP_IOC_SET, OBJHEAP_IOC_GET, OBJHEAP_IOC_WRITE, OBJHEAP_IOC_READ,
	OBJHEAP_IOC_WEAKREF, OBJHEAP_IOC_DEREF,
};

/*
 * Did a failure come from the environment the input set up: the byte
 * limit, or an injected allocation failure? Only operations that
 * allocate or charge may fail so, and they must change nothing.
 */
static bool allowed_failure(int want, long got, const struct objheap_op *op)
{
	bool charges = op->op == OBJHEAP_OP_NEW || op->op == OBJHEAP_OP_DUP ||
		       op->op == OBJHEAP_OP_GET || op->op == OBJHEAP_OP_WEAKREF ||
		       op->op == OBJHEAP_OP_DEREF ||
		       ((op->op == OBJHEAP_OP_READ || op->op == OBJHEAP_OP_WRITE) &&
			op->count > 256);

	if (want || !charges)
		return false;
	if (got == -EDQUOT || (got == -ENOMEM && fz.alloc_armed)) {
		sweep();
		return true;
	}
	return false;
}

static void run_single(u32 kind, bool spoil)
{
	struct objheap_op op;
	int want;
	long got;

	make_op(kind, &op, fz.buf);
	if (spoil)
		spoil_op(&op);
	if (op.op != kind) {
		/* The ioctl says which operation: another one in op is EINVAL. */
		want = -EINVAL;
	} else {
		want = expect_op(&op);
	}
	got = uh_ioctl(fz.heap, op_cmd[kind], &op);
	if (got == want) {
		if (!got)
			apply_op(&op);
		return;
	}
	if (!allowed_failure(want, got, &op))
		fail("%s: expected %d, got %ld", "operation", want, got);
}

/*
 * The answer of NEW cannot be written (a read-only argument), or WRITE's
 * source cannot be read: EFAULT before anything changed.
 */
static void run_unwritable(void)
{
	static struct objheap_op op __aligned(64);
	u32 kind = next(1) % 2 ? OBJHEAP_OP_NEW : OBJHEAP_OP_WRITE;
	long got;
	int want;

	make_op(kind, &op, fz.buf);
	want = expect_op(&op);
	if (kind == OBJHEAP_OP_NEW)
		kshim_uaccess_block(&op, sizeof(op), true);
	else if (op.count)
		kshim_uaccess_block(fz.buf, op.count, false);
	else
		return;
	/*
	 * NEW pins its answer before it runs; WRITE copies its source in
	 * before it runs, but for a charged bounce buffer, which first
	 * checks the operation (ioctl.c).
	 */
	if (kind == OBJHEAP_OP_NEW || op.count <= 256 || !want)
		want = -EFAULT;
	got = uh_ioctl(fz.heap, op_cmd[kind], &op);
	/* A charged bounce buffer may meet the byte limit first. */
	if (!(got == -EDQUOT && kind == OBJHEAP_OP_WRITE && op.count > 256 &&
	      want == -EFAULT))
		CHECK_EQ("an operation on unwritable memory", want, got);
	kshim_uaccess_clear();
	sweep();
}

/* BATCH: in order, stopping at the first failure; done says where. */
static void run_batch(void)
{
	struct objheap_op ops[BATCH_LEN];
	static u8 bufs[BATCH_LEN][MAX_PAYLOAD + 8];
	struct objheap_batch b = { .op_size = sizeof(struct objheap_op) };
	u32 n = 1 + next(1) % BATCH_LEN, i;
	u32 bad = next(1) % (2 * BATCH_LEN);
	struct mheap saved;
	long ret;
	int want = 0;

	/* The model runs ahead on a copy, to know each op's handles. */
	saved = fz.m;
	for (i = 0; i < n; i++) {
		make_op(1 + next(1) % (OBJHEAP_OP_COUNT - 1), &ops[i], bufs[i]);
		if (i == bad)
			spoil_op(&ops[i]);
		want = expect_op(&ops[i]);
		if (want)
			break;
		/* Answers are unknown yet: model handles are fake until run. */
		if (ops[i].op == OBJHEAP_OP_NEW || ops[i].op == OBJHEAP_OP_DUP ||
		    ops[i].op == OBJHEAP_OP_GET || ops[i].op == OBJHEAP_OP_DROP ||
		    ops[i].op == OBJHEAP_OP_WEAKREF || ops[i].op == OBJHEAP_OP_DEREF)
			break;
	}
	n = i < n ? i + 1 : n;
	fz.m = saved;
	b.count = n;
	b.ops = (u64)(uintptr_t)ops;
	ret = uh_ioctl(fz.heap, OBJHEAP_IOC_BATCH, &b);
	for (i = 0; i < b.done; i++) {
		if (ops[i].result)
			fail("BATCH op %u before done has result %d", i, ops[i].result);
		if (expect_op(&ops[i]))
			fail("BATCH op %u succeeded, the model says it fails", i);
		apply_op(&ops[i]);
	}
	if (b.done == n) {
		CHECK_EQ("BATCH", 0, ret);
		return;
	}
	CHECK_EQ("BATCH result", ret, ops[b.done].result);
	want = expect_op(&ops[b.done]);
	if (ret != want && !allowed_failure(want, ret, &ops[b.done]))
		fail("BATCH op %u: expected %d, got %ld", b.done, want, ret);
}

/* Compare a collection's report with the model's. */
static void collected(u32 gen, const struct objheap_gc_collect *c,
		      bool uncollectable)
{
	struct mcollect mc;

	m_collect_gen(&fz.m, gen, fz.saveall, &mc);
	CHECK_EQ("scanned", mc.scanned, c->scanned);
	CHECK_EQ("collected", mc.collected, c->collected);
	CHECK_EQ("freed", mc.freed, c->freed);
	CHECK_EQ("saved", mc.saved, c->saved);
	if (uncollectable)
		CHECK_EQ("uncollectable", mc.uncollectable, c->uncollectable);
}

static void drain_events(bool automatic)
{
	struct objheap_gc_event ev;

	while (objheap_events_take(&fz.heap->events, &ev)) {
		struct objheap_gc_collect c = {
			.scanned = ev.scanned, .collected = ev.collected,
			.freed = ev.freed, .saved = ev.saved,
		};

		if (!automatic)
			fail("an event nobody expected");
		CHECK_EQ("automatic collection's reason",
			 OBJHEAP_GC_REASON_THRESHOLD, ev.reason);
		/* The fixed record has no uncollectable count. */
		collected(ev.generation, &c, false);
	}
}

static void run_collect(void)
{
	struct objheap_gc_collect c;
	struct objheap_gc_event ev;
	u32 gen = next(1) % 3;

	CHECK_EQ("GC_COLLECT", 0, uh_collect(fz.heap, gen, &c));
	CHECK_EQ("GC_COLLECT generation", gen, c.generation);
	collected(gen, &c, true);
	if (!objheap_events_take(&fz.heap->events, &ev))
		fail("GC_COLLECT left no event");
	CHECK_EQ("event scanned", c.scanned, ev.scanned);
	CHECK_EQ("event reason", OBJHEAP_GC_REASON_IOCTL, ev.reason);
}

static void run_params(void)
{
	u32 r = next(1);

	fz.enabled = r & 1;
	fz.saveall = r & 2;
	/* The collector's self-check (module parameter gc_validate) too. */
	WRITE_ONCE(objheap_gc_validate, !!(r & 4));
	CHECK_EQ("GC_SET_PARAMS", 0,
		 uh_set_gc(fz.heap, (fz.enabled ? OBJHEAP_GC_ENABLED : 0) |
			   (fz.saveall ? OBJHEAP_GC_SAVEALL : 0),
			   next(1) % 16, next(1) % 4, next(1) % 4));
}

/* GC_GARBAGE, GC_FINALIZE or WEAK_CALLBACKS: the queue's objects back. */
static void run_queue(void)
{
	static const unsigned long cmds[] = {
		OBJHEAP_IOC_GC_GARBAGE, OBJHEAP_IOC_GC_FINALIZE,
		OBJHEAP_IOC_WEAK_CALLBACKS,
	};
	unsigned long cmd = cmds[next(1) % ARRAY_SIZE(cmds)];
	u32 handles[8], n = next(1) % 9, i;
	struct objheap_gc_garbage g = {
		.handles = (u64)(uintptr_t)handles, .count = n,
	};
	u64 waiting = 0;
	long ret;

	for (i = 0; i < MAX_OBJS; i++)
		waiting += m_in_queue(&fz.m, cmd, i);
	ret = uh_ioctl(fz.heap, cmd, &g);
	if (ret && !(ret == -EMFILE || ret == -EDQUOT ||
		     (ret == -ENOMEM && fz.alloc_armed)))
		fail("queue ioctl %lx: %ld", cmd, ret);
	CHECK_EQ("queue left", waiting - g.done, g.left);
	for (i = 0; i < g.done; i++) {
		struct objheap_info info;
		int o;

		CHECK_EQ("INFO of a queued object", 0, uh_info(fz.heap, handles[i], &info));
		o = m_by_id(&fz.m, info.id);
		if (o == NO_OBJ || !m_in_queue(&fz.m, cmd, o))
			fail("queue ioctl %lx handed back an object it did not hold", cmd);
		check_fresh("a queue", handles[i]);
		m_take_queued(&fz.m, handles[i], o);
	}
	if (!ret && g.done < n)
		CHECK_EQ("queue left", 0, g.left);
}

/*
 * GC_OBJECTS or GC_REFERRERS (ABI 1.7): the total and every handle
 * against the model, all or nothing.
 */
static void run_introspect(void)
{
	static const u32 gens[] = {
		0, 1, 2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE,
		OBJHEAP_GEN_ALL, OBJHEAP_GEN_FINALIZE,
	};
	bool referrers = next(1) % 2;
	u32 handles[8], targets[3], n = next(1) % 9, nt = 0, i;
	struct objheap_gc_objects g = {
		.handles = (u64)(uintptr_t)handles, .count = n,
	};
	int t[3], want = 0, o;
	u8 seen[MAX_OBJS] = { 0 };
	bool memory;
	u32 total = 0;
	long ret;

	if (referrers) {
		nt = 1 + next(1) % 3;
		for (i = 0; i < nt; i++) {
			int hi = pick_handle();

			/* Now and then a handle that is not open. */
			targets[i] = hi < 0 || next(1) % 16 == 0 ?
				     fz.m.last_dropped : fz.m.h[hi].handle;
			t[i] = open_handle(targets[i]) ?
			       fz.m.h[m_find(&fz.m, targets[i])].obj : NO_OBJ;
			if (t[i] == NO_OBJ)
				want = -EBADF;
		}
		g.targets = (u64)(uintptr_t)targets;
		g.ntargets = nt;
	} else {
		g.generation = gens[next(1) % ARRAY_SIZE(gens)];
		if (g.generation == OBJHEAP_GEN_FINALIZE)
			want = -EINVAL;
	}
	for (o = 0; o < MAX_OBJS; o++)
		total += referrers ? m_refers(&fz.m, t, nt, o) :
				     m_listed(&fz.m, g.generation, o);
	if (!want && n && total > n)
		want = -ENOSPC;
	else if (!want && n && fz.m.nh + total > fz.max_handles)
		want = -EMFILE;
	ret = uh_ioctl(fz.heap, referrers ? OBJHEAP_IOC_GC_REFERRERS :
			       OBJHEAP_IOC_GC_OBJECTS, &g);
	/* Memory: the table's growth, the transient charge, a failed alloc. */
	memory = ret == -EDQUOT || (ret == -ENOMEM && fz.alloc_armed);
	if (ret && ret != want && !(want != -EINVAL && memory))
		fail("introspection %s: %ld, the model says %d",
		     referrers ? "referrers" : "objects", ret, want);
	if (!ret || ret == -ENOSPC || ret == -EMFILE)
		CHECK_EQ("introspection total", total, g.total);
	CHECK_EQ("introspection done", ret || !n ? 0 : total, g.done);
	for (i = 0; i < g.done; i++) {
		struct objheap_info info;

		CHECK_EQ("INFO of a listed object", 0,
			 uh_info(fz.heap, handles[i], &info));
		o = m_by_id(&fz.m, info.id);
		if (o == NO_OBJ || seen[o] ||
		    !(referrers ? m_refers(&fz.m, t, nt, o) :
				  m_listed(&fz.m, g.generation, o)))
			fail("introspection listed an object it should not have");
		seen[o] = 1;
		check_fresh("introspection", handles[i]);
		m_add_handle(&fz.m, handles[i], o);
	}
}

static void run_limits(void)
{
	struct objheap_limits lim = { 0 }, lim_now;
	u32 r = next(1);

	/* Near what the heap holds now, so that the edges are reached. */
	if (r & 1)
		lim.max_objects = min(fz.max_objects, (u32)fz.m.nobj + next(1) % 4);
	if (r & 2)
		lim.max_handles = min(fz.max_handles, (u32)fz.m.nh + next(1) % 4);
	if (r & 8) {
		struct objheap_heap_stats st;

		/* Just above what the heap pins: later charges may be EDQUOT. */
		CHECK_EQ("HEAP_STATS", 0, uh_stats(fz.heap, &st));
		lim.max_bytes = st.pinned + next(2) % 8192;
		CHECK_EQ("GET_LIMITS", 0, uh_ioctl(fz.heap, OBJHEAP_IOC_GET_LIMITS, &lim_now));
		if (lim.max_bytes > lim_now.max_bytes)
			lim.max_bytes = lim_now.max_bytes;
	}
	if (r & 4) {
		/* Raising a limit is EPERM, and changes nothing. */
		lim.max_objects = fz.max_objects + 1;
		CHECK_EQ("SET_LIMITS up", -EPERM,
			 uh_ioctl(fz.heap, OBJHEAP_IOC_SET_LIMITS, &lim));
		return;
	}
	if (lim.max_objects == 0 && (r & 1))
		lim.max_objects = 1;
	if (lim.max_handles == 0 && (r & 2))
		lim.max_handles = 1;
	CHECK_EQ("SET_LIMITS", 0, uh_ioctl(fz.heap, OBJHEAP_IOC_SET_LIMITS, &lim));
	if (lim.max_objects)
		fz.max_objects = lim.max_objects;
	if (lim.max_handles)
		fz.max_handles = lim.max_handles;
}

/* An ioctl whose argument faults: EFAULT, and nothing changes. */
static void run_efault(void)
{
	static const unsigned int cmds[] = {
		OBJHEAP_IOC_NEW, OBJHEAP_IOC_DROP, OBJHEAP_IOC_GET,
		OBJHEAP_IOC_BATCH, OBJHEAP_IOC_GC_COLLECT, OBJHEAP_IOC_INFO,
		OBJHEAP_IOC_GC_GARBAGE, OBJHEAP_IOC_HEAP_STATS,
		OBJHEAP_IOC_GC_FINALIZE, OBJHEAP_IOC_WEAK_CALLBACKS,
		OBJHEAP_IOC_WEAKREF, OBJHEAP_IOC_DEREF,
	};
	unsigned int cmd = cmds[next(1) % ARRAY_SIZE(cmds)];

	CHECK_EQ("ioctl on a bad pointer", -EFAULT,
		 uh_ioctl(fz.heap, cmd, (void *)(uintptr_t)(next(2) & 0xfff0)));
}

/* Start over with an empty heap and a fresh model. */
static void heap_begin(void)
{
	struct objheap_limits lim = {
		.max_objects = FUZZ_OBJECTS, .max_handles = FUZZ_HANDLES,
		.max_bytes = (1u << 20) + (next(1) % 4 == 0 ? 0 : 8u << 20),
	};

	fz.heap = uh_open();
	m_init(&fz.m, 0, -1, 1);
	fz.max_objects = FUZZ_OBJECTS;
	fz.max_handles = FUZZ_HANDLES;
	fz.saveall = false;
	fz.enabled = false;
	WRITE_ONCE(objheap_gc_validate, false);
	CHECK_EQ("SET_LIMITS", 0, uh_ioctl(fz.heap, OBJHEAP_IOC_SET_LIMITS, &lim));
	CHECK_EQ("GC_SET_PARAMS", 0, uh_set_gc(fz.heap, 0, 700, 10, 10));
}

static void heap_end(void)
{
	sweep();
	uh_close(fz.heap);
	fz.heap = NULL;
	/* Everything the heap held went back: nothing leaked. */
	CHECK_EQ("allocations left after close", baseline_allocs, kshim_live_allocs());
	CHECK_EQ("pages left pinned", 0, kshim_pinned_pages());
}

static void run_one(void)
{
	u32 op = next(1);

	fz.alloc_armed = false;
	switch (op % 25) {
	case 0 ... 3:
		run_single(OBJHEAP_OP_NEW, false);
		break;
	case 4 ... 9:
		run_single(1 + (op / 24) % (OBJHEAP_OP_COUNT - 1), false);
		break;
	case 10:
		run_single(OBJHEAP_OP_SET, false);
		break;
	case 11:
		run_single(OBJHEAP_OP_DROP, false);
		break;
	case 12:
		run_single(1 + next(1) % (OBJHEAP_OP_COUNT - 1), true);
		break;
	case 13:
		run_batch();
		break;
	case 14:
		run_collect();
		break;
	case 15:
		CHECK_EQ("GC_FREEZE", 0, uh_ioctl(fz.heap, OBJHEAP_IOC_GC_FREEZE, NULL));
		m_freeze(&fz.m);
		break;
	case 16:
		CHECK_EQ("GC_UNFREEZE", 0, uh_ioctl(fz.heap, OBJHEAP_IOC_GC_UNFREEZE, NULL));
		m_unfreeze(&fz.m);
		break;
	case 17:
		run_params();
		break;
	case 18:
		run_queue();
		break;
	case 19:
		run_limits();
		break;
	case 20:
		/* The queued collection, if any, runs now (as the kworker). */
		kshim_wq_run();
		drain_events(true);
		break;
	case 21:
		/* The next operation's n-th allocation fails. */
		fz.alloc_armed = true;
		kshim_fail_alloc_after(1 + next(1) % 4);
		run_single(1 + next(1) % (OBJHEAP_OP_COUNT - 1), false);
		kshim_fail_alloc_after(0);
		break;
	case 22:
		if (next(1) % 2)
			run_efault();
		else
			run_unwritable();
		break;
	case 23:
		run_introspect();
		break;
	default:
		kshim_shrink_scan(1 + next(1) % 64);
		break;
	}
	fz.ops++;
	drain_events(false);
	if (fz.ops % SWEEP_EVERY == 0)
		sweep();
}

/* Once per process (shim/libfuzzer.c calls these two). */
int fuzz_init(void)
{
	kshim_wq_manual = true;
	if (kshim_module_init())
		abort();
	baseline_allocs = kshim_live_allocs();
	return 0;
}

int fuzz_one(const u8 *data, size_t size)
{
	fz.in = data;
	fz.len = size;
	fz.pos = 0;
	fz.ops = 0;
	heap_begin();
	while (more())
		run_one();
	heap_end();
	return 0;
}

#ifdef FUZZ_REPLAY
/* Replay files, or every file of directories: make check's corpus run. */
static int replay(const char *path)
{
	static u8 data[1 << 16];
	struct stat st;
	size_t n;
	FILE *f;

	if (stat(path, &st))
		return perror(path), 1;
	if (S_ISDIR(st.st_mode)) {
		struct dirent *e;
		DIR *d = opendir(path);
		int rc = 0;
		char sub[4096];

		if (!d)
			return perror(path), 1;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rc |= replay(sub);
		}
		closedir(d);
		return rc;
	}
	f = fopen(path, "rb");
	if (!f)
		return perror(path), 1;
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	fuzz_one(data, n);
	return 0;
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	fuzz_init();
	for (i = 1; i < argc; i++)
		rc |= replay(argv[i]);
	kshim_module_exit();
	return rc;
}
#endif
