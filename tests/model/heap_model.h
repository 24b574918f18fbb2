/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference model of a heap: what objheap must do, computed the
 * simplest way (arrays, full marking from the roots) without any of its
 * algorithms. The stress selftest (tests/selftests/stress_test.c) checks
 * the module in the VM against it, the fuzzer (tests/userland/fuzz_ops.c)
 * checks the userland core against it: one model for both.
 *
 * Objects are indices into mheap.obj; handles are what the heap answered.
 * The caller keeps the model in step with each operation that succeeded.
 *
 * Weak references and finalizers (ABI 1.6) follow docs/design.md: a
 * dying object's weak references are cleared first, callbacks queued for
 * those alive and not garbage themselves; a finalizable object that
 * dies for the first time is queued instead of freed; a collection keeps
 * what the finalizable garbage reaches. The queues are sets here: the
 * order in which a collection queues depends on its list order, which
 * the model does not follow.
 */
#ifndef OBJHEAP_HEAP_MODEL_H
#define OBJHEAP_HEAP_MODEL_H

#include <string.h>
#include <linux/types.h>

#include "../../include/uapi/linux/objheap.h"

#define MAX_OBJS	256	/* model objects per heap, garbage included */
#define MAX_HANDLES	512
#define MAX_SLOTS	8
#define MAX_PAYLOAD	300
#define NO_OBJ		(-1)

/* One object of the model. */
struct mobj {
	__u64 id;		/* INFO id: identity among live objects */
	__u32 type;
	__u32 nslots;
	__u32 size;
	__u32 refs;		/* handles, plus slots of model objects */
	__u32 gen;		/* exact heaps: the generation; others: a lower bound */
	__u8 used;
	__u8 weakref;		/* a weak reference */
	__u8 callback;		/* made with OBJHEAP_WEAK_CALLBACK */
	__u8 finalizer;		/* created OBJHEAP_NEW_FINALIZABLE */
	__u8 finalized;		/* queued for finalization once */
	__u8 queued;		/* waiting for WEAK_CALLBACKS (one reference) */
	__u8 garbage;		/* scratch: the garbage of a collection */
	__s16 referent;		/* weak reference: its referent, or NO_OBJ */
	__s16 slot[MAX_SLOTS];	/* object index, or NO_OBJ */
	__u8 data[MAX_PAYLOAD];
};

struct mhandle {
	__u32 handle;
	int obj;
};

/* One heap as one worker sees it. */
struct mheap {
	int kind;
	int fd;
	int exact;		/* refcounts, generations, collections exact */
	int nobj;
	int nh;
	int since_sweep;
	__u32 last_dropped;	/* a closed handle (private heaps only) */
	__u64 collections;	/* full collections run on it (private: all) */
	/*
	 * INFO alloc_size - size, per nslots, without and with a payload, and
	 * per kind: plain, finalizable, weak reference (m_kind())
	 */
	__u32 overhead[MAX_SLOTS + 1][2][3];
	struct mhandle h[MAX_HANDLES];
	struct mobj obj[MAX_OBJS];
	__u8 mark[MAX_OBJS];
};

/* @kind and @fd are the caller's; @exact: nobody else changes the heap. */
static inline void m_init(struct mheap *m, int kind, int fd, int exact)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->fd = fd;
	m->exact = exact;
}

static inline int m_find(const struct mheap *m, __u32 handle)
{
	for (int i = 0; i < m->nh; i++)
		if (m->h[i].handle == handle)
			return i;
	return -1;
}

/* m_alloc() flags */
#define MF_FINALIZER	1
#define MF_WEAKREF	2

/* Does the collector track @x? Containers, weak references, finalizable. */
static inline int m_tracked(const struct mobj *x)
{
	return x->nslots || x->weakref || x->finalizer;
}

/* The kind of @x, for its layout: plain, finalizable, weak reference. */
static inline int m_kind(const struct mobj *x)
{
	return x->weakref ? 2 : x->finalizer ? 1 : 0;
}

/* A new object, no reference yet: the lowest free index (deterministic). */
static inline int m_alloc(struct mheap *m, __u32 type, __u32 nslots, __u32 size,
			  int flags)
{
	struct mobj *x;
	int o = 0;

	while (m->obj[o].used)
		o++;
	x = &m->obj[o];
	memset(x, 0, sizeof(*x));
	x->used = 1;
	x->type = type;
	x->nslots = nslots;
	x->size = size;
	x->finalizer = !!(flags & MF_FINALIZER);
	x->weakref = !!(flags & MF_WEAKREF);
	x->referent = NO_OBJ;
	x->gen = m_tracked(x) ? 0 : OBJHEAP_GEN_UNTRACKED;
	for (int s = 0; s < MAX_SLOTS; s++)
		x->slot[s] = NO_OBJ;
	m->nobj++;
	return o;
}

/* Does a weak reference point at @o? */
static inline int m_weakly(const struct mheap *m, int o)
{
	for (int w = 0; w < MAX_OBJS; w++)
		if (m->obj[w].used && m->obj[w].weakref && m->obj[w].referent == o)
			return 1;
	return 0;
}

/*
 * @o dies: its weak references are cleared; those with a callback that
 * are alive (a count) and not garbage of the collection at work are
 * queued, with a reference of the queue's.
 */
static inline void m_weak_clear(struct mheap *m, int o)
{
	for (int w = 0; w < MAX_OBJS; w++) {
		struct mobj *x = &m->obj[w];

		if (!x->used || !x->weakref || x->referent != o)
			continue;
		x->referent = NO_OBJ;
		if (x->callback && x->refs && !x->garbage) {
			x->queued = 1;
			x->refs++;
		}
	}
}

/*
 * @o's count reached zero: clear its weak references, then queue it for
 * finalization if it has a finalizer that never ran. Returns 1 if it was
 * queued (and lives, with the queue's reference).
 */
static inline int m_dying(struct mheap *m, int o)
{
	struct mobj *x = &m->obj[o];

	m_weak_clear(m, o);
	if (!x->finalizer || x->finalized)
		return 0;
	x->finalized = 1;
	x->refs = 1;
	x->gen = OBJHEAP_GEN_FINALIZE;
	return 1;
}

/*
 * Drop one reference to @o; at zero the object releases its slots, which
 * may free more: an explicit worklist, never recursion. Returns how many
 * objects were freed.
 */
static inline int m_put(struct mheap *m, int o)
{
	int stack[MAX_OBJS], n = 0, freed = 0;

	if (--m->obj[o].refs || m_dying(m, o))
		return 0;
	stack[n++] = o;
	while (n) {
		struct mobj *x = &m->obj[stack[--n]];

		for (__u32 s = 0; s < x->nslots; s++) {
			int t = x->slot[s];

			if (t != NO_OBJ && --m->obj[t].refs == 0 && !m_dying(m, t))
				stack[n++] = t;
		}
		x->used = 0;
		m->nobj--;
		freed++;
	}
	return freed;
}

static inline void m_add_handle(struct mheap *m, __u32 handle, int o)
{
	m->h[m->nh].handle = handle;
	m->h[m->nh].obj = o;
	m->nh++;
	m->obj[o].refs++;
}

/* Close handle index @hi; the table keeps its order but for the last. */
static inline void m_del_handle(struct mheap *m, int hi)
{
	int o = m->h[hi].obj;

	m->last_dropped = m->h[hi].handle;
	m->h[hi] = m->h[--m->nh];
	m_put(m, o);
}

/* Slot @s of @o = @v: take the new reference before dropping the old. */
static inline void m_set(struct mheap *m, int o, __u32 s, int v)
{
	int old = m->obj[o].slot[s];

	if (v != NO_OBJ)
		m->obj[v].refs++;
	m->obj[o].slot[s] = v;
	if (old != NO_OBJ)
		m_put(m, old);
}

/*
 * Mark what a collection of generations 0..@gen keeps: everything
 * reachable from an open handle, a queue, or a tracked object outside
 * those generations (older, frozen, saved or waiting for finalization:
 * not examined, so their references count as coming from outside).
 * Iterative. Returns how many are marked.
 */
static inline int m_mark_gen(struct mheap *m, __u32 gen)
{
	int stack[MAX_OBJS], n = 0, marked = 0;

	memset(m->mark, 0, sizeof(m->mark));
	for (int i = 0; i < m->nh + MAX_OBJS; i++) {
		int o;

		if (i < m->nh)
			o = m->h[i].obj;
		else if (m->obj[i - m->nh].used &&
			 ((m_tracked(&m->obj[i - m->nh]) &&
			   m->obj[i - m->nh].gen > gen) ||
			  m->obj[i - m->nh].queued))
			o = i - m->nh;
		else
			continue;
		if (m->mark[o])
			continue;
		m->mark[o] = 1;
		stack[n++] = o;
		while (n) {
			struct mobj *x = &m->obj[stack[--n]];

			marked++;
			for (__u32 s = 0; s < x->nslots; s++) {
				int t = x->slot[s];

				if (t != NO_OBJ && !m->mark[t]) {
					m->mark[t] = 1;
					stack[n++] = t;
				}
			}
		}
	}
	return marked;
}

/* What a full collection keeps. */
static inline int m_mark(struct mheap *m)
{
	return m_mark_gen(m, OBJHEAP_GC_GENERATIONS - 1);
}

/* References to @o from handles and marked objects (after m_mark()). */
static inline __u32 m_reach_refs(const struct mheap *m, int o)
{
	__u32 refs = 0;

	for (int i = 0; i < m->nh; i++)
		refs += m->h[i].obj == o;
	for (int x = 0; x < MAX_OBJS; x++) {
		if (!m->obj[x].used || !m->mark[x])
			continue;
		for (__u32 s = 0; s < m->obj[x].nslots; s++)
			refs += m->obj[x].slot[s] == o;
	}
	return refs;
}

/* Tracked objects a collection of generations 0..@gen examines. */
static inline __u64 m_scanned_gen(const struct mheap *m, __u32 gen)
{
	__u64 n = 0;

	for (int o = 0; o < MAX_OBJS; o++)
		n += m->obj[o].used && m_tracked(&m->obj[o]) && m->obj[o].gen <= gen;
	return n;
}

/* Tracked containers a full collection examines: all but frozen and saved. */
static inline __u64 m_scanned(const struct mheap *m)
{
	return m_scanned_gen(m, OBJHEAP_GC_GENERATIONS - 1);
}

/* What one collection did, as struct objheap_gc_collect reports it. */
struct mcollect {
	__u64 scanned;
	__u64 collected;
	__u64 freed;
	__u64 saved;
	__u64 uncollectable;
};

/*
 * Of the garbage @dying, what finalizers keep: the finalizable objects
 * never finalized are queued (marked finalized, a reference of the
 * queue's), and everything in @dying they reach survives with them.
 * Returns how many tracked objects were kept.
 */
static inline __u64 m_hold(struct mheap *m, __u8 *dying)
{
	int stack[MAX_OBJS], n = 0;
	__u64 kept = 0;

	for (int o = 0; o < MAX_OBJS; o++) {
		struct mobj *x = &m->obj[o];

		if (!dying[o] || !m_tracked(x) || !x->finalizer || x->finalized)
			continue;
		x->finalized = 1;
		x->gen = OBJHEAP_GEN_FINALIZE;
		x->refs++;
		dying[o] = 0;
		stack[n++] = o;
	}
	while (n) {
		struct mobj *x = &m->obj[stack[--n]];

		kept += m_tracked(x);
		for (__u32 s = 0; s < x->nslots; s++) {
			int t = x->slot[s];

			if (t != NO_OBJ && dying[t]) {
				dying[t] = 0;
				stack[n++] = t;
			}
		}
	}
	return kept;
}

/*
 * A collection of generations 0..@gen. The unmarked objects are garbage:
 * their weak references are cleared (callbacks queued for those alive and
 * not garbage), and what finalizers need is kept (m_hold()). The rest of
 * the garbage counts as collected (its tracked objects). With @saveall
 * its tracked objects are saved (generation OBJHEAP_GEN_GARBAGE, one
 * reference of the garbage list's each) and nothing is freed. Otherwise
 * they die, and their references to survivors are released, which frees
 * an older or frozen object only they still held, and what only it held.
 * Survivors of the generations collected move to the next one.
 */
static inline void m_collect_gen(struct mheap *m, __u32 gen, int saveall,
				 struct mcollect *c)
{
	__u32 dest = gen + 1 < OBJHEAP_GC_GENERATIONS ? gen + 1 : gen;
	__u8 dying[MAX_OBJS];

	memset(c, 0, sizeof(*c));
	c->scanned = m_scanned_gen(m, gen);
	m_mark_gen(m, gen);
	for (int o = 0; o < MAX_OBJS; o++) {
		dying[o] = m->obj[o].used && !m->mark[o];
		m->obj[o].garbage = dying[o];
	}
	/* Only tracked garbage: an untracked leaf dies by its count later. */
	for (int o = 0; o < MAX_OBJS; o++)
		if (dying[o] && m_tracked(&m->obj[o]))
			m_weak_clear(m, o);
	c->uncollectable = m_hold(m, dying);
	for (int o = 0; o < MAX_OBJS; o++) {
		m->obj[o].garbage = dying[o];
		if (!dying[o])
			continue;
		c->collected += m_tracked(&m->obj[o]);
		if (saveall) {
			if (m_tracked(&m->obj[o])) {
				m->obj[o].gen = OBJHEAP_GEN_GARBAGE;
				m->obj[o].refs++;
			}
			continue;
		}
		c->freed += 1;
		/* Freed below, not by a cascade from a survivor. */
		m->obj[o].refs = MAX_HANDLES + MAX_OBJS * MAX_SLOTS;
	}
	if (saveall) {
		c->saved = c->collected;
	} else {
		for (int o = 0; o < MAX_OBJS; o++) {
			if (!dying[o])
				continue;
			for (__u32 s = 0; s < m->obj[o].nslots; s++) {
				int t = m->obj[o].slot[s];

				if (t != NO_OBJ && !dying[t])
					c->freed += m_put(m, t);
			}
		}
		for (int o = 0; o < MAX_OBJS; o++) {
			if (!dying[o])
				continue;
			/*
			 * An untracked leaf of the garbage dies by its count
			 * in objheap, as the set is emptied: its weak
			 * references are cleared then.
			 */
			if (!m_tracked(&m->obj[o]))
				m_weak_clear(m, o);
			m->obj[o].used = 0;
			m->nobj--;
		}
	}
	for (int o = 0; o < MAX_OBJS; o++) {
		m->obj[o].garbage = 0;
		if (m->obj[o].used && m_tracked(&m->obj[o]) && m->obj[o].gen <= gen &&
		    !(saveall && dying[o]))
			m->obj[o].gen = dest;
	}
}

/* A full collection, saving nothing. */
static inline void m_collect(struct mheap *m, __u64 *collected, __u64 *freed)
{
	struct mcollect c;

	m_collect_gen(m, OBJHEAP_GC_GENERATIONS - 1, 0, &c);
	*collected = c.collected;
	*freed = c.freed;
}

/* GC_FREEZE: every tracked object of a generation to the permanent one. */
static inline void m_freeze(struct mheap *m)
{
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && m_tracked(&m->obj[o]) &&
		    m->obj[o].gen < OBJHEAP_GC_GENERATIONS)
			m->obj[o].gen = OBJHEAP_GEN_PERMANENT;
}

/* GC_UNFREEZE: the permanent generation back into the oldest. */
static inline void m_unfreeze(struct mheap *m)
{
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && m->obj[o].gen == OBJHEAP_GEN_PERMANENT)
			m->obj[o].gen = OBJHEAP_GC_GENERATIONS - 1;
}

/*
 * GC_GARBAGE, GC_FINALIZE or WEAK_CALLBACKS handed @o back as @handle:
 * the queue's reference is the handle's. Saved and finalized objects
 * rejoin the oldest generation; a weak reference stays where it is.
 */
static inline void m_take_queued(struct mheap *m, __u32 handle, int o)
{
	m->obj[o].refs--;
	if (m->obj[o].queued)
		m->obj[o].queued = 0;
	else
		m->obj[o].gen = OBJHEAP_GC_GENERATIONS - 1;
	m_add_handle(m, handle, o);
}

/* Is @o waiting in @queue (OBJHEAP_IOC_GC_GARBAGE, _GC_FINALIZE, ...)? */
static inline int m_in_queue(const struct mheap *m, unsigned long queue, int o)
{
	const struct mobj *x = &m->obj[o];

	if (!x->used)
		return 0;
	if (queue == OBJHEAP_IOC_WEAK_CALLBACKS)
		return x->queued;
	return x->gen == (queue == OBJHEAP_IOC_GC_GARBAGE ? OBJHEAP_GEN_GARBAGE :
			  OBJHEAP_GEN_FINALIZE);
}

/*
 * Would GC_OBJECTS of @gen list @o (exact heaps)? The tracked objects of
 * generation @gen, or of 0..2 for OBJHEAP_GEN_ALL. Weak references
 * waiting for WEAK_CALLBACKS stay in their generation.
 */
static inline int m_listed(const struct mheap *m, __u32 gen, int o)
{
	const struct mobj *x = &m->obj[o];

	if (!x->used || !m_tracked(x))
		return 0;
	if (gen == OBJHEAP_GEN_ALL)
		return x->gen < OBJHEAP_GC_GENERATIONS;
	return x->gen == gen;
}

/*
 * Would GC_REFERRERS of the @nt objects @t list @o? A tracked object of
 * generations 0..2, frozen or saved (not waiting for finalization) with
 * a slot that points at one of them.
 */
static inline int m_refers(const struct mheap *m, const int *t, int nt, int o)
{
	const struct mobj *x = &m->obj[o];

	if (!x->used || !m_tracked(x) || x->gen > OBJHEAP_GEN_GARBAGE)
		return 0;
	for (__u32 s = 0; s < x->nslots; s++)
		for (int i = 0; i < nt; i++)
			if (x->slot[s] != NO_OBJ && x->slot[s] == t[i])
				return 1;
	return 0;
}

/* Does any object wait in GC_FINALIZE's or WEAK_CALLBACKS' queue? */
static inline int m_in_queue_any(const struct mheap *m)
{
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && (m->obj[o].queued ||
				       m->obj[o].gen == OBJHEAP_GEN_FINALIZE))
			return 1;
	return 0;
}

/* INFO flags the model expects of @o. */
static inline __u32 m_info_flags(const struct mheap *m, int o)
{
	const struct mobj *x = &m->obj[o];

	return (x->nslots ? OBJHEAP_INFO_CONTAINER : 0) |
	       (m_tracked(x) ? OBJHEAP_INFO_TRACKED : 0) |
	       (x->weakref ? OBJHEAP_INFO_WEAKREF : 0) |
	       (m_weakly(m, o) ? OBJHEAP_INFO_WEAKLY_REFERENCED : 0) |
	       (x->finalizer ? OBJHEAP_INFO_FINALIZABLE : 0) |
	       (x->finalized ? OBJHEAP_INFO_FINALIZED : 0);
}

/* The model object whose INFO id is @id, or NO_OBJ. */
static inline int m_by_id(const struct mheap *m, __u64 id)
{
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && m->obj[o].id == id)
			return o;
	return NO_OBJ;
}

/* The model's own bookkeeping: refs recounted from scratch. */
static inline int m_bad_refs(const struct mheap *m)
{
	__u32 refs[MAX_OBJS] = { 0 };
	int n = 0;

	for (int i = 0; i < m->nh; i++)
		refs[m->h[i].obj]++;
	for (int o = 0; o < MAX_OBJS; o++) {
		if (!m->obj[o].used)
			continue;
		n++;
		/* Each queue holds a reference of each of its objects. */
		refs[o] += m->obj[o].gen == OBJHEAP_GEN_GARBAGE ||
			   m->obj[o].gen == OBJHEAP_GEN_FINALIZE ||
			   m->obj[o].queued;
		for (__u32 s = 0; s < m->obj[o].nslots; s++)
			if (m->obj[o].slot[s] != NO_OBJ)
				refs[m->obj[o].slot[s]]++;
	}
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && refs[o] != m->obj[o].refs)
			return o;
	return n == m->nobj ? -1 : MAX_OBJS;
}

#endif /* OBJHEAP_HEAP_MODEL_H */
