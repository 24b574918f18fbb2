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
	/* INFO alloc_size - size, per nslots, without and with a payload */
	__u32 overhead[MAX_SLOTS + 1][2];
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

/* A new object, no reference yet: the lowest free index (deterministic). */
static inline int m_alloc(struct mheap *m, __u32 type, __u32 nslots, __u32 size)
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
	x->gen = nslots ? 0 : OBJHEAP_GEN_UNTRACKED;
	for (int s = 0; s < MAX_SLOTS; s++)
		x->slot[s] = NO_OBJ;
	m->nobj++;
	return o;
}

/*
 * Drop one reference to @o; at zero the object releases its slots, which
 * may free more: an explicit worklist, never recursion. Returns how many
 * objects were freed.
 */
static inline int m_put(struct mheap *m, int o)
{
	int stack[MAX_OBJS], n = 0, freed = 0;

	if (--m->obj[o].refs)
		return 0;
	stack[n++] = o;
	while (n) {
		struct mobj *x = &m->obj[stack[--n]];

		for (__u32 s = 0; s < x->nslots; s++) {
			int t = x->slot[s];

			if (t != NO_OBJ && --m->obj[t].refs == 0)
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
 * reachable from an open handle or from a container outside those
 * generations (older, frozen or saved: not examined, so their references
 * count as coming from outside). Iterative. Returns how many are marked.
 */
static inline int m_mark_gen(struct mheap *m, __u32 gen)
{
	int stack[MAX_OBJS], n = 0, marked = 0;

	memset(m->mark, 0, sizeof(m->mark));
	for (int i = 0; i < m->nh + MAX_OBJS; i++) {
		int o;

		if (i < m->nh)
			o = m->h[i].obj;
		else if (m->obj[i - m->nh].used && m->obj[i - m->nh].nslots &&
			 m->obj[i - m->nh].gen > gen)
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

/* Containers a collection of generations 0..@gen examines. */
static inline __u64 m_scanned_gen(const struct mheap *m, __u32 gen)
{
	__u64 n = 0;

	for (int o = 0; o < MAX_OBJS; o++)
		n += m->obj[o].used && m->obj[o].nslots && m->obj[o].gen <= gen;
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
};

/*
 * A collection of generations 0..@gen. The unmarked objects are garbage
 * (its containers count as collected). With @saveall the containers are
 * saved (generation OBJHEAP_GEN_GARBAGE, one reference of the garbage
 * list's each) and nothing is freed. Otherwise they die, and their
 * references to survivors are released, which frees an older or frozen
 * object only they still held, and what only it held. Survivors of the
 * generations collected move to the next one.
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
		if (!dying[o])
			continue;
		c->collected += m->obj[o].nslots != 0;
		if (saveall) {
			if (m->obj[o].nslots) {
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
			if (dying[o]) {
				m->obj[o].used = 0;
				m->nobj--;
			}
		}
	}
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && m->obj[o].nslots && m->obj[o].gen <= gen &&
		    !(saveall && dying[o]))
			m->obj[o].gen = dest;
}

/* A full collection, saving nothing. */
static inline void m_collect(struct mheap *m, __u64 *collected, __u64 *freed)
{
	struct mcollect c;

	m_collect_gen(m, OBJHEAP_GC_GENERATIONS - 1, 0, &c);
	*collected = c.collected;
	*freed = c.freed;
}

/* GC_FREEZE: every tracked container to the permanent generation. */
static inline void m_freeze(struct mheap *m)
{
	for (int o = 0; o < MAX_OBJS; o++)
		if (m->obj[o].used && m->obj[o].nslots &&
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

/* GC_GARBAGE handed saved @o back as @handle: the list's reference is its. */
static inline void m_take_garbage(struct mheap *m, __u32 handle, int o)
{
	m->obj[o].refs--;
	m->obj[o].gen = OBJHEAP_GC_GENERATIONS - 1;
	m_add_handle(m, handle, o);
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
		/* The garbage list holds a reference of each saved object. */
		refs[o] += m->obj[o].gen == OBJHEAP_GEN_GARBAGE;
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
