// SPDX-License-Identifier: GPL-2.0
/*
 * Weak references, as CPython's weakref.ref.
 *
 * A weak reference is an object of its own (it can sit in a slot, have
 * handles, die) that points at its referent without owning a reference.
 * The collector tracks it, so that a collection knows whether it is part
 * of the garbage. DEREF gives a new handle to the referent while that
 * lives, 0 after.
 *
 * The weak references to one object form a ring through their
 * objheap_weakref.link, without a head: the header has no room for one.
 * The heap's weak table maps a referent's address to one member of its
 * ring; the referent carries OBJHEAP_REFS_WEAKLY while it has one, so that
 * only those objects look the table up when they die. The table is open
 * addressing with linear probing and backward-shift deletion (no
 * tombstones), at most 3/4 full, charged to the heap like every other
 * byte it holds.
 *
 * When a referent dies (its count reached zero, or a collection found it
 * unreachable) objheap_weak_clear() clears every weak reference to it
 * before anything else happens to it, so no one can reach it through one
 * afterwards. A weak reference made with OBJHEAP_WEAK_CALLBACK that is
 * itself alive and not part of the same garbage is queued for
 * WEAK_CALLBACKS, holding a reference of the queue's, linked through the
 * same objheap_weakref.link it no longer needs for the ring.
 */
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/prefetch.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "objheap.h"

/* The smallest table: 16 entries, 256 bytes. */
#define WEAK_MIN_CAP	16
/* Weak references cleared between two cond_resched(). */
#define WEAK_BATCH	1024

/* Words of the weak reference's part, where a container's slots would be. */
static_assert(sizeof(struct objheap_weakref) % sizeof(void *) == 0);

static struct objheap_obj *weak_obj(struct objheap_weakref *wr)
{
	return container_of((void *)wr, struct objheap_obj, slots);
}

static size_t table_cost(u32 cap)
{
	return cap ? objheap_alloc_cost(cap * sizeof(struct objheap_weak_entry)) : 0;
}

static u32 weak_home(const struct objheap_weak *wk,
		     const struct objheap_obj *referent)
{
	return hash_ptr(referent, ilog2(wk->cap));
}

/* The entry of @referent, or -1. */
static long weak_find(const struct objheap_weak *wk,
		      const struct objheap_obj *referent)
{
	u32 mask = wk->cap - 1, i;

	if (!wk->cap)
		return -1;
	for (i = weak_home(wk, referent); wk->table[i].referent; i = (i + 1) & mask)
		if (wk->table[i].referent == referent)
			return i;
	return -1;
}

/* Put an entry into a table with a free entry; the referent is not in it. */
static void weak_put(struct objheap_weak *wk, struct objheap_obj *referent,
		     struct objheap_obj *first)
{
	u32 mask = wk->cap - 1, i;

	for (i = weak_home(wk, referent); wk->table[i].referent; i = (i + 1) & mask)
		;
	wk->table[i].referent = referent;
	wk->table[i].first = first;
	wk->used++;
}

/*
 * Remove entry @i, shifting back the entries of its probe run that would
 * no longer be found (Knuth's algorithm R): no tombstones.
 */
static void weak_del(struct objheap_weak *wk, u32 i)
{
	u32 mask = wk->cap - 1, j = i, home;

	for (;;) {
		wk->table[i].referent = NULL;
		do {
			j = (j + 1) & mask;
			if (!wk->table[j].referent) {
				wk->used--;
				return;
			}
			home = weak_home(wk, wk->table[j].referent);
			/* Stays if its home lies cyclically in (i, j]. */
		} while (i <= j ? (i < home && home <= j) : (i < home || home <= j));
		wk->table[i] = wk->table[j];
		i = j;
	}
}

/*
 * Rehash into a table of @cap entries. Shrinking may fail harmlessly: the
 * old table stays.
 */
static int weak_resize(struct objheap_heap *heap, u32 cap)
{
	struct objheap_weak *wk = &heap->weak;
	struct objheap_weak_entry *old = wk->table;
	u32 oldcap = wk->cap, i;
	int ret;

	ret = objheap_charge(heap, table_cost(cap));
	if (ret)
		return ret;
	wk->table = kvmalloc_array(cap, sizeof(*wk->table), OBJHEAP_GFP);
	if (!wk->table) {
		wk->table = old;
		objheap_uncharge(heap, table_cost(cap));
		return -ENOMEM;
	}
	memset(wk->table, 0, cap * sizeof(*wk->table));
	wk->cap = cap;
	wk->used = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].referent)
			weak_put(wk, old[i].referent, old[i].first);
		if ((i + 1) % (16 * WEAK_BATCH) == 0)
			cond_resched();
	}
	kvfree(old);
	objheap_uncharge(heap, table_cost(oldcap));
	return 0;
}

/*
 * After removals: give most of a mostly empty table back, in one rehash
 * however many entries went. Once shrunk, the table is less than half
 * full, so a few additions cannot make it grow straight back.
 */
static void weak_maybe_shrink(struct objheap_heap *heap)
{
	struct objheap_weak *wk = &heap->weak;
	u32 cap = wk->cap;

	while (cap > WEAK_MIN_CAP && wk->used < cap / 8)
		cap = max(WEAK_MIN_CAP, cap / 4);
	if (cap != wk->cap)
		weak_resize(heap, cap);
}

/**
 * objheap_weak_shrink() - fit the weak table to what is left in it
 * @heap: the heap, locked
 *
 * After objheap_weak_clear() of one object or of a collection's garbage:
 * a collection clears many and rehashes once, not at every quarter.
 */
void objheap_weak_shrink(struct objheap_heap *heap)
{
	lockdep_assert_held(&heap->lock);
	weak_maybe_shrink(heap);
}

/**
 * objheap_weak_init() - a new heap has no weak references
 * @heap: the heap, not yet visible
 */
void objheap_weak_init(struct objheap_heap *heap)
{
	heap->weak = (struct objheap_weak) { };
	INIT_LIST_HEAD(&heap->weak.callbacks);
}

/**
 * objheap_weak_destroy() - free the weak table of a heap being destroyed
 * @heap: the heap, locked, with no object left
 */
void objheap_weak_destroy(struct objheap_heap *heap)
{
	struct objheap_weak *wk = &heap->weak;

	lockdep_assert_held(&heap->lock);
	if (wk->used)
		objheap_heap_break(heap, "weak table entries outlived their referents");
	kvfree(wk->table);
	objheap_uncharge(heap, table_cost(wk->cap));
	wk->table = NULL;
	wk->cap = 0;
	wk->used = 0;
}

/**
 * objheap_weak_new() - make a weak reference to an object
 * @heap: the heap, locked; the object limit was checked by the caller
 * @referent: a live object
 * @type: the weak reference's type tag
 * @flags: OBJHEAP_WEAK_*, checked by the caller
 *
 * Return: the weak reference, with one reference (the caller's), or
 * ERR_PTR(-EDQUOT/-ENOMEM); then nothing changed but, perhaps, a table
 * grown ahead of need.
 */
struct objheap_obj *objheap_weak_new(struct objheap_heap *heap,
				     struct objheap_obj *referent, u32 type,
				     u32 flags)
{
	struct objheap_weak *wk = &heap->weak;
	struct objheap_weakref *wr;
	struct objheap_obj *w;
	long i = -1;
	int ret;

	lockdep_assert_held(&heap->lock);
	if (referent->refs & OBJHEAP_REFS_WEAKLY)
		i = weak_find(wk, referent);
	if (i < 0 && (wk->used + 1) * 4 > wk->cap * 3) {
		ret = weak_resize(heap, max(WEAK_MIN_CAP, wk->cap * 2));
		if (ret)
			return ERR_PTR(ret);
	}
	w = objheap_obj_alloc(heap, type, 0, 0, OBJHEAP_ALLOC_WEAKREF);
	if (IS_ERR(w))
		return w;
	wr = objheap_obj_weak(w);
	wr->referent = referent;
	wr->flags = flags;
	if (referent->refs & OBJHEAP_REFS_WEAKLY) {
		if (WARN_ON_ONCE(i < 0)) {
			objheap_heap_break(heap, "weak table lost a referent");
			wr->referent = NULL;
			return w;
		}
		/* Newest last: the ring's entry point is the oldest. */
		list_add_tail(&wr->link,
			      &objheap_obj_weak(wk->table[i].first)->link);
	} else {
		weak_put(wk, referent, w);
		referent->refs |= OBJHEAP_REFS_WEAKLY;
	}
	return w;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_weak_new);

/**
 * objheap_weak_referent() - what a weak reference refers to
 * @w: a weak reference
 *
 * Return: the referent, or NULL once it died.
 */
struct objheap_obj *objheap_weak_referent(struct objheap_obj *w)
{
	return objheap_obj_weak(w)->referent;
}

/*
 * Is @w's callback due? Not for a weak reference that is dead itself
 * (its count is zero while it waits on the free loop's dead stack), part
 * of the garbage being collected, or in a heap being destroyed.
 */
static bool callback_due(struct objheap_heap *heap, struct objheap_obj *w)
{
	return (objheap_obj_weak(w)->flags & OBJHEAP_WEAK_CALLBACK) &&
	       objheap_obj_refs(w) && w->state != OBJHEAP_OBJ_UNREACHABLE &&
	       !heap->gc.dying;
}

static void weak_clear_one(struct objheap_heap *heap, struct objheap_weakref *wr)
{
	struct objheap_obj *w = weak_obj(wr);

	wr->referent = NULL;
	list_del_init(&wr->link);
	if (callback_due(heap, w)) {
		objheap_obj_get(w);
		list_add_tail(&wr->link, &heap->weak.callbacks);
		heap->weak.ncallbacks++;
	}
}

/**
 * objheap_weak_prefetch() - start fetching the weak table entry of an object
 * @heap: the heap, locked
 * @referent: an object with OBJHEAP_REFS_WEAKLY that is about to be cleared
 *
 * A collection clears the weak references of its garbage one object after
 * another, and each lookup is a cache miss in a large table: fetching the
 * entry of an object a few places ahead hides it. A hint only.
 */
void objheap_weak_prefetch(struct objheap_heap *heap,
			   const struct objheap_obj *referent)
{
	const struct objheap_weak *wk = &heap->weak;

	if (wk->cap)
		prefetch(&wk->table[weak_home(wk, referent)]);
}

/**
 * objheap_weak_clear() - clear every weak reference to a dying object
 * @heap: the heap, locked
 * @referent: an object with OBJHEAP_REFS_WEAKLY whose count reached zero,
 *	or that a collection found unreachable
 *
 * In ring order, oldest first, the weak references stop answering DEREF,
 * and those whose callback is due join the callback queue in that order
 * (CPython calls the callbacks newest first; nothing here depends on it).
 * The table keeps its size: objheap_weak_shrink() after.
 */
void objheap_weak_clear(struct objheap_heap *heap, struct objheap_obj *referent)
{
	struct objheap_weak *wk = &heap->weak;
	unsigned long n = 0;
	LIST_HEAD(ring);
	long i;

	lockdep_assert_held(&heap->lock);
	referent->refs &= ~OBJHEAP_REFS_WEAKLY;
	i = weak_find(wk, referent);
	if (WARN_ON_ONCE(i < 0)) {
		objheap_heap_break(heap, "weak table lost a referent");
		return;
	}
	/* A head in front of the oldest: the ring becomes a list, in order. */
	list_add_tail(&ring, &objheap_obj_weak(wk->table[i].first)->link);
	weak_del(wk, i);
	/* One object may have as many weak references as the heap holds. */
	while (!list_empty(&ring)) {
		weak_clear_one(heap, list_first_entry(&ring, struct objheap_weakref,
						      link));
		if (++n % WEAK_BATCH == 0)
			cond_resched();
	}
}

/**
 * objheap_weak_unlink() - a weak reference is freed
 * @heap: the heap, locked
 * @w: the weak reference; its count is zero, so it is on no queue
 *
 * Leaves its referent's ring, and the table if it was the last.
 */
void objheap_weak_unlink(struct objheap_heap *heap, struct objheap_obj *w)
{
	struct objheap_weakref *wr = objheap_obj_weak(w);
	struct objheap_weak *wk = &heap->weak;
	long i;

	if (!wr->referent)
		return;
	i = weak_find(wk, wr->referent);
	if (WARN_ON_ONCE(i < 0)) {
		objheap_heap_break(heap, "weak table lost a referent");
		return;
	}
	if (wk->table[i].first == w) {
		if (list_empty(&wr->link)) {
			wr->referent->refs &= ~OBJHEAP_REFS_WEAKLY;
			weak_del(wk, i);
			weak_maybe_shrink(heap);
		} else {
			wk->table[i].first = weak_obj(list_next_entry(wr, link));
		}
	}
	list_del_init(&wr->link);
	wr->referent = NULL;
}

/**
 * objheap_weak_take_callback() - the oldest weak reference whose callback
 *	is due
 * @heap: the heap, locked
 *
 * Return: the weak reference, off the queue; the queue's reference is now
 * the caller's. NULL when the queue is empty.
 */
struct objheap_obj *objheap_weak_take_callback(struct objheap_heap *heap)
{
	struct objheap_weak *wk = &heap->weak;
	struct objheap_weakref *wr;

	lockdep_assert_held(&heap->lock);
	wr = list_first_entry_or_null(&wk->callbacks, struct objheap_weakref,
				      link);
	if (!wr)
		return NULL;
	list_del_init(&wr->link);
	wk->ncallbacks--;
	return weak_obj(wr);
}

/**
 * objheap_weak_release() - drop the callback queue's references
 * @heap: the heap, locked, being destroyed (no callback is due any more)
 */
void objheap_weak_release(struct objheap_heap *heap)
{
	struct objheap_obj *w;

	lockdep_assert_held(&heap->lock);
	while ((w = objheap_weak_take_callback(heap))) {
		objheap_obj_put(heap, w);
		cond_resched();
	}
}
