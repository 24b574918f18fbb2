// SPDX-License-Identifier: GPL-2.0
/*
 * One collection: CPython's trial deletion, on one heap, under its lock.
 *
 * The generations collected are merged into one list, "young". Then:
 *
 *  1. update_refs: each young object's scratch count starts as its
 *     reference count.
 *  2. subtract_refs: every slot of a young object that points at a young
 *     object takes one off the target's scratch count. What is left counts
 *     references from outside young: handles, older generations, frozen
 *     and saved objects.
 *  3. move_unreachable: an object left with a positive count is reachable,
 *     and so is everything it reaches; the others go to the "unreachable"
 *     list, tentatively, and come back if a reachable object is found to
 *     point at them later in the scan.
 *  4. Weak references to the unreachable objects are cleared; those with
 *     callbacks that are not garbage themselves are queued (weak.c).
 *  5. Finalizable unreachable objects never finalized are queued for
 *     finalization, and what they reach survives with them (finalize.c).
 *  6. Survivors move to the next generation. The rest of the unreachable
 *     objects are kept (OBJHEAP_GC_SAVEALL) or have their slots cleared,
 *     which breaks their cycles: they are freed, and what only they held.
 *
 * During steps 1-3 young is singly linked through objheap_gc_head.scan.next
 * and the scratch count lives where the back link was (CPython's PyGC_Head
 * trick): the collector needs no memory of its own and cannot fail. The
 * unreachable list is an ordinary list. Step 3 relinks the survivors as it
 * passes them, so both lists are whole again when it ends.
 *
 * Every loop is over a list, never over the object graph by recursion, and
 * calls cond_resched() every GC_BATCH objects: the heap's mutex may be
 * held for a long time, so other heaps and other tasks must still run.
 */
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/prefetch.h>
#include <linux/sched.h>

#include "objheap.h"

#define CREATE_TRACE_POINTS
#include "objheap_trace.h"

#define GC_BATCH	1024

static inline void gc_resched(unsigned long n)
{
	if (n % GC_BATCH == 0)
		cond_resched();
}

static inline struct objheap_gc_head *gc_of(struct list_head *pos)
{
	return container_of(pos, struct objheap_gc_head, link);
}

static inline bool gc_collecting(const struct objheap_obj *obj)
{
	return obj->state == OBJHEAP_OBJ_COLLECTING;
}

/*
 * Steps 2 and 3 touch every child of every young object. Once young
 * outgrows the last-level cache, every child of a random graph is a cache
 * miss and the scans wait on memory (at 10^6 objects, two thirds of a
 * full collection's time, natively). They walk young in list order, so
 * the object GC_AHEAD places ahead is known: its children's gc heads
 * (which hold the scratch count and mostly share a line with the header)
 * are fetched while the current object is worked on. Only the first
 * GC_PREFETCH_SLOTS of a large object: its later slots are reached long
 * after the lines would have been evicted. Below GC_PREFETCH_MIN objects
 * (10 MiB of two-slot containers) young mostly stays in the caches,
 * and graphs whose edges follow the list (rings, trees) are streamed in
 * by the CPU anyway: the prefetches would only cost instructions (20% of
 * a live tree's scan at 10^5, measured).
 */
#define GC_AHEAD		16
#define GC_PREFETCH_SLOTS	8
#define GC_PREFETCH_MIN		BIT(18)

/* Where the prefetches start: young's head (none) when it is small. */
static struct list_head *gc_ahead_start(struct list_head *young,
					unsigned long len)
{
	struct list_head *ahead = young->next;
	unsigned int i;

	if (len < GC_PREFETCH_MIN)
		return young;
	for (i = 0; i < GC_AHEAD && ahead != young; i++)
		ahead = ahead->next;
	return ahead;
}

static inline struct list_head *gc_prefetch_ahead(struct list_head *young,
						  struct list_head *ahead)
{
	struct objheap_obj *obj;
	u32 i, n;

	if (ahead == young)
		return ahead;
	obj = objheap_gc_obj(gc_of(ahead));
	n = min_t(u32, obj->nslots, GC_PREFETCH_SLOTS);
	for (i = 0; i < n; i++) {
		struct objheap_obj *child = obj->slots[i];

		if (child)
			prefetch(objheap_obj_gc(child));
	}
	return ahead->next;
}

/*
 * Step 1; also marks every young object COLLECTING, which stands for list
 * @gen from here on. Returns how many.
 */
static unsigned long update_refs(struct list_head *young, unsigned int gen)
{
	struct list_head *pos;
	unsigned long n = 0;

	for (pos = young->next; pos != young; pos = pos->next) {
		struct objheap_gc_head *gc = gc_of(pos);
		struct objheap_obj *obj = objheap_gc_obj(gc);

		/* From here on young's back links are gone. */
		gc->scan.refs = objheap_obj_refs(obj);
		obj->state = OBJHEAP_OBJ_COLLECTING;
		gc_resched(++n);
	}
	return n;
}

/*
 * Step 2, over young of @len objects. A count cannot go below zero: each
 * slot pointing at an object holds one of its references. If one would,
 * the counts cannot be trusted; returns false and the caller keeps
 * everything.
 */
static bool subtract_refs(struct list_head *young, unsigned long len)
{
	struct list_head *pos, *ahead = gc_ahead_start(young, len);
	unsigned long n = 0;
	bool ok = true;

	for (pos = young->next; pos != young; pos = pos->next) {
		struct objheap_obj *obj = objheap_gc_obj(gc_of(pos));
		/* Locals: the stores below could alias them for the compiler. */
		struct objheap_obj **slots = obj->slots;
		u32 i, nslots = obj->nslots;

		ahead = gc_prefetch_ahead(young, ahead);

		for (i = 0; i < nslots; i++) {
			struct objheap_obj *child = slots[i];
			struct objheap_gc_head *cgc;

			/* Untracked objects never have the mark. */
			if (!child || !gc_collecting(child))
				continue;
			cgc = objheap_obj_gc(child);
			if (WARN_ON_ONCE(!cgc->scan.refs)) {
				ok = false;
				continue;
			}
			cgc->scan.refs--;
		}
		gc_resched(++n);
	}
	return ok;
}

/* After a failed step 2: every object counts as reachable, so all survive. */
static void keep_all(struct list_head *young)
{
	struct list_head *pos;
	unsigned long n = 0;

	for (pos = young->next; pos != young; pos = pos->next) {
		gc_of(pos)->scan.refs = 1;
		gc_resched(++n);
	}
}

/*
 * The debug self-check (module parameter gc_validate, as CPython's
 * validate_list()): is @head a whole doubly linked list of @len objects,
 * each in state @list (a list's number, or a mark)?
 */
static bool validate_list(struct list_head *head, u64 len, unsigned int list)
{
	struct list_head *pos;
	u64 n = 0;

	for (pos = head->next; pos != head; pos = pos->next) {
		struct objheap_obj *obj = objheap_gc_obj(gc_of(pos));

		if (pos->next->prev != pos || objheap_obj_list(obj) != list ||
		    !objheap_obj_tracked(obj))
			return false;
		gc_resched(++n);
	}
	return head->next->prev == head && n == len;
}

/* Every list of the collector, between collections. */
static bool validate_lists(struct objheap_gc *gc)
{
	unsigned int i;

	for (i = 0; i < OBJHEAP_GC_NR_LISTS; i++)
		if (!validate_list(&gc->lists[i], gc->len[i], i))
			return false;
	return true;
}

static bool validating(void)
{
	return READ_ONCE(objheap_gc_validate);
}

/* Append @gc to singly linked young; young->prev is its tail. */
static void young_append(struct list_head *young, struct objheap_gc_head *gc)
{
	young->prev->next = &gc->link;
	gc->scan.next = young;
	young->prev = &gc->link;
}

/*
 * @obj is reachable: so is every young object it points at. Those already
 * passed by the scan have lost the COLLECTING mark and are skipped.
 */
static void visit_reachable(struct list_head *young, struct objheap_obj *obj)
{
	struct objheap_obj **slots = obj->slots;
	u32 i, nslots = obj->nslots;
	unsigned long discard;

	for (i = 0; i < nslots; i++) {
		struct objheap_obj *child = slots[i];
		struct objheap_gc_head *cgc;
		unsigned long *refs;
		unsigned int state;
		uintptr_t mask;

		if (!child)
			continue;
		state = child->state;
		cgc = objheap_obj_gc(child);
		if (unlikely(state == OBJHEAP_OBJ_UNREACHABLE)) {
			/* Judged too early: back to young, to be scanned. */
			list_del(&cgc->link);
			child->state = OBJHEAP_OBJ_COLLECTING;
			young_append(young, cgc);
			cgc->scan.refs = 1;
			continue;
		}
		/*
		 * A child not scanned yet gets a count, which only has to be
		 * nonzero; one already passed (or not young, or untracked,
		 * without a gc head: only its address is taken) is left alone.
		 * Chosen by a mask, not a branch (compilers turn the ?: into
		 * one): in a random graph which of the two a child is, is a
		 * coin toss the CPU would mispredict.
		 */
		mask = -(uintptr_t)(state == OBJHEAP_OBJ_COLLECTING);
		refs = (unsigned long *)(((uintptr_t)&cgc->scan.refs & mask) |
					 ((uintptr_t)&discard & ~mask));
		*refs |= 1;
	}
}

/*
 * Step 3, over young of @len objects. Survivors stay on young, relinked
 * both ways and moved to list @dest; the rest end on @unreachable. Each
 * survivor passes the first branch exactly once (an object rescued from
 * @unreachable is appended to young and passes it then). Returns how
 * many survived.
 */
static unsigned long move_unreachable(struct list_head *young,
				      unsigned long len,
				      struct list_head *unreachable,
				      unsigned int dest)
{
	struct list_head *prev = young, *pos = young->next;
	struct list_head *ahead = gc_ahead_start(young, len);
	unsigned long n = 0, kept = 0;

	while (pos != young) {
		struct objheap_gc_head *gc = gc_of(pos);
		struct objheap_obj *obj = objheap_gc_obj(gc);

		/*
		 * Only pos leaves young here, and rescued objects join at
		 * its tail, so ahead stays ahead of pos (or young's head).
		 */
		ahead = gc_prefetch_ahead(young, ahead);
		if (gc->scan.refs) {
			/* May append to young, and so change pos->next. */
			visit_reachable(young, obj);
			gc->link.prev = prev;
			obj->state = dest;
			prev = pos;
			kept++;
		} else {
			prev->next = pos->next;
			obj->state = OBJHEAP_OBJ_UNREACHABLE;
			list_add_tail(&gc->link, unreachable);
		}
		pos = prev->next;
		gc_resched(++n);
	}
	young->prev = prev;
	return kept;
}

/* Step 4: no weak reference may lead into the garbage any more. */
static void clear_weakrefs(struct objheap_heap *heap,
			   struct list_head *unreachable)
{
	struct list_head *pos;
	unsigned long n = 0;

	struct list_head *ahead = unreachable->next;
	unsigned int i;

	/* Each lookup would miss the cache: fetch GC_AHEAD entries ahead. */
	for (i = 0; i < GC_AHEAD && ahead != unreachable; i++)
		ahead = ahead->next;
	list_for_each(pos, unreachable) {
		struct objheap_obj *obj = objheap_gc_obj(gc_of(pos));

		if (ahead != unreachable) {
			struct objheap_obj *next = objheap_gc_obj(gc_of(ahead));

			if (next->refs & OBJHEAP_REFS_WEAKLY)
				objheap_weak_prefetch(heap, next);
			ahead = ahead->next;
		}
		if (obj->refs & OBJHEAP_REFS_WEAKLY)
			objheap_weak_clear(heap, obj);
		gc_resched(++n);
	}
	objheap_weak_shrink(heap);
}

/*
 * Step 6, OBJHEAP_GC_SAVEALL: keep the garbage as it is, one reference of
 * the garbage list's each, out of every generation.
 */
static void save_unreachable(struct objheap_heap *heap,
			     struct list_head *unreachable, unsigned int gen,
			     unsigned long lost)
{
	struct objheap_gc *gc = &heap->gc;
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, unreachable) {
		struct objheap_obj *obj = objheap_gc_obj(gc_of(pos));

		obj->state = OBJHEAP_GEN_GARBAGE;
		objheap_obj_get(obj);
		gc_resched(++n);
	}
	list_splice_tail_init(unreachable, &gc->lists[OBJHEAP_GEN_GARBAGE]);
	objheap_stat_add(gc->len[gen], -lost);
	objheap_stat_add(gc->len[OBJHEAP_GEN_GARBAGE], lost);
}

/*
 * Step 6: free the garbage. Every reference to an unreachable object
 * comes from another one (that is what the scan found), so the set goes
 * in two passes instead of by refcounting one object at a time: empty
 * every slot, counting down the references into the set and dropping
 * those out of it (which frees what only the set held), then free every
 * object of the set, whose counts are now zero, all at once: no dead
 * stack, no unlinking one by one. Should a count not be zero (a
 * reference the collector did not see), that object goes back to
 * generation @gen, with its slots empty, and the heap is marked broken.
 */
static void clear_unreachable(struct objheap_heap *heap,
			      struct list_head *unreachable, unsigned int gen)
{
	struct list_head *pos, *next;
	unsigned long n = 0, freed = 0;
	bool kept = false;

	list_for_each(pos, unreachable) {
		objheap_obj_clear_garbage(heap, objheap_gc_obj(gc_of(pos)));
		gc_resched(++n);
	}
	list_for_each_safe(pos, next, unreachable) {
		struct objheap_obj *obj = objheap_gc_obj(gc_of(pos));

		/*
		 * Freed still marked UNREACHABLE: a store to the header just
		 * before the free path reads it would stall the load.
		 */
		if (objheap_obj_free_garbage(heap, obj)) {
			freed++;
		} else {
			/*
			 * Still counted in len[gen]; labelled @gen. Not
			 * list_move_tail(): its neighbours may be freed, and
			 * the list they were on is abandoned below.
			 */
			obj->state = gen;
			list_add_tail(pos, &heap->gc.lists[gen]);
			kept = true;
		}
		gc_resched(++n);
	}
	INIT_LIST_HEAD(unreachable);
	objheap_stat_add(heap->gc.len[gen], -freed);
	if (unlikely(kept))
		objheap_heap_break(heap, "unreachable objects survived clearing");
}

/*
 * After a failed check: the tentatively unreachable objects join the
 * survivors on @young, unmarked and labelled @dest; @unreachable is left
 * empty.
 */
static void keep_unreachable(struct list_head *unreachable,
			     struct list_head *young, unsigned int dest)
{
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, unreachable) {
		struct objheap_obj *obj = objheap_gc_obj(gc_of(pos));

		objheap_obj_set_list(obj, dest);
		gc_resched(++n);
	}
	list_splice_tail_init(unreachable, young);
}

/* CPython's bookkeeping after collecting @gen; @young holds the survivors. */
static void update_counts(struct objheap_gc *gc, unsigned int gen,
			  unsigned long survivors)
{
	unsigned int i;

	if (gen + 1 < OBJHEAP_GC_GENERATIONS)
		objheap_stat_add(gc->count[gen + 1], 1);
	for (i = 0; i <= gen; i++)
		objheap_stat_set(gc->count[i], 0);
	if (gen == OBJHEAP_GC_GENERATIONS - 2) {
		gc->long_lived_pending += survivors;
	} else if (gen == OBJHEAP_GC_GENERATIONS - 1) {
		gc->long_lived_pending = 0;
		gc->long_lived_total = survivors;
	}
}

/**
 * objheap_gc_collect() - collect generations 0..@gen of a heap
 * @heap: the heap, locked for the whole collection
 * @gen: the oldest generation collected, below OBJHEAP_GC_GENERATIONS
 * @reason: OBJHEAP_GC_REASON_*, for the tracepoints and the event stream
 * @res: filled with what the collection did
 *
 * Frozen objects and saved garbage are never collected; their references
 * keep what they point at alive. Cannot fail.
 */
void objheap_gc_collect(struct objheap_heap *heap, unsigned int gen,
			unsigned int reason, struct objheap_gc_collect *res)
{
	struct objheap_gc *gc = &heap->gc;
	struct objheap_gc_gen_stats *st = &gc->gen[gen];
	unsigned int dest = min(gen + 1, OBJHEAP_GC_GENERATIONS - 1U);
	struct list_head *young = &gc->lists[gen];
	u64 start = ktime_get_ns(), frees = heap->frees;
	unsigned long scanned = 0, kept = 0, lost = 0, rescued, queued;
	u64 total = 0;
	LIST_HEAD(unreachable);
	unsigned int i;

	lockdep_assert_held(&heap->lock);
	memset(res, 0, sizeof(*res));
	res->generation = gen;
	for (i = 0; i <= gen; i++)
		total += gc->len[i];
	trace_objheap_gc_start(heap->id, gen, reason, total);
	if (validating() && !validate_lists(gc)) {
		objheap_heap_break(heap, "collector lists corrupt before a collection");
		goto out;
	}
	for (i = 0; i < gen; i++) {
		list_splice_tail_init(&gc->lists[i], young);
		objheap_stat_add(gc->len[gen], gc->len[i]);
		objheap_stat_set(gc->len[i], 0);
	}

	scanned = update_refs(young, gen);
	if (!subtract_refs(young, scanned)) {
		objheap_heap_break(heap, "a reference count below its slots");
		keep_all(young);
	}
	kept = move_unreachable(young, scanned, &unreachable, dest);
	lost = scanned - kept;
	if (validating() &&
	    (!validate_list(young, kept, dest) ||
	     !validate_list(&unreachable, lost, OBJHEAP_OBJ_UNREACHABLE))) {
		/* Judgements that cannot be trusted: nothing is freed. */
		objheap_heap_break(heap, "collector lists corrupt after the scan");
		keep_unreachable(&unreachable, young, dest);
		kept = scanned;
		lost = 0;
	}
	/* Steps 4 and 5 only where there is something to find. */
	if (lost && heap->weak.used)
		clear_weakrefs(heap, &unreachable);
	if (lost && gc->finalizers) {
		rescued = objheap_finalize_hold(heap, &unreachable, young, dest,
						&queued);
		kept += rescued;
		lost -= rescued + queued;
		objheap_stat_add(gc->len[gen], -queued);
		res->uncollectable = rescued + queued;
		objheap_stat_add(gc->uncollectable[gen], res->uncollectable);
	}

	if (dest != gen) {
		list_splice_tail_init(young, &gc->lists[dest]);
		objheap_stat_add(gc->len[dest], kept);
		objheap_stat_add(gc->len[gen], -kept);
	}
	update_counts(gc, gen, kept);
	if (gc->flags & OBJHEAP_GC_SAVEALL) {
		save_unreachable(heap, &unreachable, gen, lost);
		res->saved = lost;
	} else {
		clear_unreachable(heap, &unreachable, gen);
	}
	if (validating() && !heap->broken && !validate_lists(gc))
		objheap_heap_break(heap, "collector lists corrupt after a collection");

out:
	res->scanned = scanned;
	res->collected = lost;
	res->freed = heap->frees - frees;
	res->time_ns = ktime_get_ns() - start;
	objheap_stat_add(st->collections, 1);
	objheap_stat_add(st->scanned, res->scanned);
	objheap_stat_add(st->collected, res->collected);
	objheap_stat_add(st->freed, res->freed);
	objheap_stat_add(st->pause_total_ns, res->time_ns);
	objheap_stat_set(st->pause_max_ns, max(st->pause_max_ns, res->time_ns));
	trace_objheap_gc_end(heap->id, gen, reason, res->scanned,
			     res->collected, res->freed, res->time_ns);
	objheap_events_push(&heap->events, res, reason);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_collect);
