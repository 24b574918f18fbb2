// SPDX-License-Identifier: GPL-2.0
/*
 * The cycle collector around a collection: which objects it tracks, in
 * which generation, when it runs, and the controls user space has over it
 * (CPython's gc module: enable, thresholds, freeze, DEBUG_SAVEALL).
 *
 * Allocating containers counts toward generation 0's threshold. Crossing
 * it queues the heap's work item on objheap_gc_wq; the collection runs
 * there, in a kworker, never inside the ioctl that crossed the threshold.
 * Like every heap operation it holds the heap's mutex throughout, so
 * mutators of that heap wait for it (CPython's collector holds the GIL)
 * and see the heap either before or after it. Heap destruction stops the
 * work first (objheap_gc_stop()).
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "objheap.h"

/* Collections of every heap; unbound: a long one must not pin a CPU. */
static struct workqueue_struct *objheap_gc_wq;

/* How many objects freeze and unfreeze relabel between cond_resched(). */
#define RELABEL_BATCH	1024

/*
 * CPython's choice: the oldest generation whose count exceeds its
 * threshold, except that a full collection also waits until the objects
 * that entered generation 2 since the last one exceed a quarter of those
 * that survived it, which keeps the cost of full collections linear in
 * the number of objects allocated (CPython issue 4074).
 */
static int gc_pick_generation(struct objheap_gc *gc)
{
	int i;

	for (i = OBJHEAP_GC_GENERATIONS - 1; i >= 0; i--) {
		if (gc->count[i] <= gc->threshold[i])
			continue;
		if (i == OBJHEAP_GC_GENERATIONS - 1 &&
		    gc->long_lived_pending < gc->long_lived_total / 4)
			continue;
		return i;
	}
	return -1;
}

static bool gc_due(struct objheap_gc *gc)
{
	return (gc->flags & OBJHEAP_GC_ENABLED) && gc->threshold[0] &&
	       gc->count[0] > gc->threshold[0] && !gc->dying;
}

static void gc_work_fn(struct work_struct *work)
{
	struct objheap_heap *heap = container_of(work, struct objheap_heap,
						 gc.work);
	struct objheap_gc *gc = &heap->gc;
	struct objheap_gc_collect res;
	int gen;

	mutex_lock(&heap->lock);
	gc->queued = false;
	/* Frees, or new settings, may have made it moot since it was queued. */
	if (gc_due(gc) && !heap->broken) {
		gen = gc_pick_generation(gc);
		if (gen >= 0) {
			objheap_gc_collect(heap, gen, OBJHEAP_GC_REASON_THRESHOLD,
					   &res);
			gc->automatic++;
		}
	}
	objheap_heap_unlock(heap);
}

/**
 * objheap_gc_module_init() - create the collector's workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int objheap_gc_module_init(void)
{
	objheap_gc_wq = alloc_workqueue("objheap_gc", WQ_UNBOUND, 0);
	return objheap_gc_wq ? 0 : -ENOMEM;
}

/**
 * objheap_gc_module_exit() - destroy the collector's workqueue
 *
 * Every heap is gone by now, and each cancelled its work when it went.
 */
void objheap_gc_module_exit(void)
{
	destroy_workqueue(objheap_gc_wq);
}

/**
 * objheap_gc_init() - set up a new heap's collector from the module
 *	parameters
 * @heap: the heap, not yet visible to anyone
 */
void objheap_gc_init(struct objheap_heap *heap)
{
	struct objheap_gc *gc = &heap->gc;
	unsigned int i;

	for (i = 0; i < OBJHEAP_GC_NR_LISTS; i++)
		INIT_LIST_HEAD(&gc->lists[i]);
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++)
		gc->threshold[i] = min(READ_ONCE(objheap_default_gc_threshold[i]),
				       OBJHEAP_GC_THRESHOLD_MAX);
	if (READ_ONCE(objheap_default_gc_enabled))
		gc->flags |= OBJHEAP_GC_ENABLED;
	if (READ_ONCE(objheap_default_gc_saveall))
		gc->flags |= OBJHEAP_GC_SAVEALL;
	INIT_WORK(&gc->work, gc_work_fn);
}

/**
 * objheap_gc_stop() - cancel a queued collection, wait for a running one
 * @heap: the heap, not locked; being destroyed, so nothing queues more
 *
 * A collection that already runs is waited for: it cannot be cut short
 * without undoing it, and it is bounded (one pass over the generations).
 */
void objheap_gc_stop(struct objheap_heap *heap)
{
	mutex_lock(&heap->lock);
	heap->gc.dying = true;
	objheap_heap_unlock(heap);
	cancel_work_sync(&heap->gc.work);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_stop);

/* Drop the references list @list holds on its objects. */
static void gc_release_list(struct objheap_heap *heap, unsigned int list)
{
	struct list_head *head = &heap->gc.lists[list];

	while (!list_empty(head)) {
		struct objheap_gc_head *gch;
		struct objheap_obj *obj;

		gch = list_first_entry(head, struct objheap_gc_head, link);
		obj = objheap_gc_obj(gch);
		objheap_gc_move(heap, obj, OBJHEAP_GC_GENERATIONS - 1);
		objheap_obj_put(heap, obj);
		cond_resched();
	}
}

/**
 * objheap_gc_release() - drop the references of the queues
 * @heap: the heap, locked, being destroyed
 *
 * Saved garbage and the objects waiting for finalization rejoin
 * generation 2 first, so that what the last reference frees is unlinked
 * from a real list; nothing is finalized (the heap is dying), and no
 * weak reference callback is queued any more.
 */
void objheap_gc_release(struct objheap_heap *heap)
{
	lockdep_assert_held(&heap->lock);
	gc_release_list(heap, OBJHEAP_GEN_GARBAGE);
	gc_release_list(heap, OBJHEAP_GEN_FINALIZE);
	objheap_weak_release(heap);
}

/**
 * objheap_gc_track() - start tracking a new container, in generation 0
 * @heap: the heap, locked
 * @obj: the container, flags zero
 *
 * Counts the allocation, and queues a collection if that crossed the
 * threshold.
 */
void objheap_gc_track(struct objheap_heap *heap, struct objheap_obj *obj)
{
	struct objheap_gc *gc = &heap->gc;

	list_add_tail(&objheap_obj_gc(obj)->link, &gc->lists[0]);
	objheap_stat_add(gc->len[0], 1);
	if (gc->count[0] < U32_MAX)
		objheap_stat_add(gc->count[0], 1);
	if (!gc->queued && gc_due(gc)) {
		gc->queued = true;
		queue_work(objheap_gc_wq, &gc->work);
	}
}

/**
 * objheap_gc_untrack() - stop tracking an object that is being freed
 * @heap: the heap, locked
 * @obj: the container
 */
void objheap_gc_untrack(struct objheap_heap *heap, struct objheap_obj *obj)
{
	struct objheap_gc *gc = &heap->gc;
	unsigned int list = objheap_obj_list(obj);

	list_del(&objheap_obj_gc(obj)->link);
	/* Never marked: nothing is freed while a collection judges. */
	if (WARN_ON_ONCE(list >= OBJHEAP_GC_NR_LISTS))
		objheap_heap_break(heap, "freed a container under judgement");
	else
		objheap_stat_add(gc->len[list], -1);
	/* As CPython: a deallocation undoes an allocation's count. */
	if (gc->count[0])
		objheap_stat_add(gc->count[0], -1);
}

/**
 * objheap_gc_move() - move a container to the tail of another list
 * @heap: the heap, locked
 * @obj: the container
 * @list: a generation, OBJHEAP_GEN_PERMANENT or OBJHEAP_GEN_GARBAGE
 */
void objheap_gc_move(struct objheap_heap *heap, struct objheap_obj *obj,
		     unsigned int list)
{
	struct objheap_gc *gc = &heap->gc;

	list_move_tail(&objheap_obj_gc(obj)->link, &gc->lists[list]);
	objheap_stat_add(gc->len[objheap_obj_list(obj)], -1);
	objheap_stat_add(gc->len[list], 1);
	objheap_obj_set_list(obj, list);
}

/**
 * objheap_gc_run() - run a collection now, for OBJHEAP_IOC_GC_COLLECT
 * @heap: the heap, not locked
 * @res: in: generation, flags and reserved; out: what it did
 *
 * Return: 0, or -EINVAL for a generation above 2 or nonzero flags or
 * reserved fields, -EINTR, -EIO (objheap_heap_lock()).
 */
int objheap_gc_run(struct objheap_heap *heap, struct objheap_gc_collect *res)
{
	unsigned int gen = res->generation;
	int ret;

	if (gen >= OBJHEAP_GC_GENERATIONS || res->flags ||
	    res->reserved)
		return -EINVAL;
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	objheap_gc_collect(heap, gen, OBJHEAP_GC_REASON_IOCTL, res);
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_run);

/**
 * objheap_gc_gen_stats_add() - add one generation's statistics to a total
 * @to: the total
 * @from: what to add; may be a live heap's, read without its lock
 *
 * Counts and times add up; the longest pause is the longer of the two.
 */
void objheap_gc_gen_stats_add(struct objheap_gc_gen_stats *to,
			      const struct objheap_gc_gen_stats *from)
{
	to->collections += READ_ONCE(from->collections);
	to->scanned += READ_ONCE(from->scanned);
	to->collected += READ_ONCE(from->collected);
	to->freed += READ_ONCE(from->freed);
	to->pause_total_ns += READ_ONCE(from->pause_total_ns);
	to->pause_max_ns = max(to->pause_max_ns, READ_ONCE(from->pause_max_ns));
}

/*
 * The first heap from @heap on (in list order) that can still be pinned,
 * pinned; NULL at the list's end. objheap_heaps_lock is held.
 */
static struct objheap_heap *collect_next(struct objheap_heap *heap)
{
	list_for_each_entry_from(heap, &objheap_heaps, node)
		if (objheap_heap_tryget(heap))
			return heap;
	return NULL;
}

/**
 * objheap_collect_all() - a full collection of every heap, for debugfs
 *
 * One heap at a time, in order of id: each is pinned and the list of heaps
 * let go while it is collected, so that opening and closing heaps, the
 * shrinker and debugfs readers never wait for more than one step of the
 * walk. Heaps created meanwhile may or may not be collected. Stops at a
 * fatal signal.
 */
void objheap_collect_all(void)
{
	struct objheap_gc_collect res;
	struct objheap_heap *heap;

	mutex_lock(&objheap_heaps_lock);
	heap = collect_next(list_first_entry(&objheap_heaps,
					     struct objheap_heap, node));
	mutex_unlock(&objheap_heaps_lock);

	while (heap) {
		struct objheap_heap *next = NULL;

		if (objheap_heap_lock(heap) == 0) {
			/* A heap being closed is emptied, not collected. */
			if (!heap->gc.dying)
				objheap_gc_collect(heap, OBJHEAP_GC_GENERATIONS - 1,
						   OBJHEAP_GC_REASON_DEBUGFS, &res);
			objheap_heap_unlock(heap);
		}
		/* A pinned heap stays listed: its successor is still there. */
		mutex_lock(&objheap_heaps_lock);
		if (!fatal_signal_pending(current))
			next = collect_next(list_next_entry(heap, node));
		mutex_unlock(&objheap_heaps_lock);
		objheap_heap_put(heap);
		heap = next;
		cond_resched();
	}
}

/**
 * objheap_gc_get_params() - read a heap's collector settings
 * @heap: the heap, not locked
 * @params: filled in, reserved fields zeroed
 */
int objheap_gc_get_params(struct objheap_heap *heap,
			  struct objheap_gc_params *params)
{
	int ret;

	memset(params, 0, sizeof(*params));
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	params->flags = heap->gc.flags;
	memcpy(params->threshold, heap->gc.threshold,
	       sizeof(params->threshold));
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_get_params);

/**
 * objheap_gc_set_params() - replace a heap's collector settings
 * @heap: the heap, not locked
 * @params: the new settings, all of them
 *
 * They apply from the next allocation on; a queued collection checks them
 * again before it runs.
 *
 * Return: 0, or -EINVAL (unknown flag, threshold above
 * OBJHEAP_GC_THRESHOLD_MAX, nonzero reserved field), and then nothing
 * changed.
 */
int objheap_gc_set_params(struct objheap_heap *heap,
			  const struct objheap_gc_params *params)
{
	unsigned int i;
	int ret;

	if (params->flags & ~(OBJHEAP_GC_ENABLED | OBJHEAP_GC_SAVEALL) ||
	    params->reserved[0] || params->reserved[1])
		return -EINVAL;
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++)
		if (params->threshold[i] > OBJHEAP_GC_THRESHOLD_MAX)
			return -EINVAL;
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	heap->gc.flags = params->flags;
	memcpy(heap->gc.threshold, params->threshold,
	       sizeof(heap->gc.threshold));
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_set_params);

/**
 * objheap_gc_get_stats() - read a heap's collector counters
 * @heap: the heap, not locked
 * @stats: filled in, reserved fields zeroed
 */
int objheap_gc_get_stats(struct objheap_heap *heap,
			 struct objheap_gc_stats *stats)
{
	struct objheap_gc *gc = &heap->gc;
	unsigned int i;
	int ret;

	memset(stats, 0, sizeof(*stats));
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++) {
		stats->count[i] = gc->count[i];
		stats->tracked[i] = gc->len[i];
		stats->gen[i] = gc->gen[i];
	}
	stats->state = gc->queued ? OBJHEAP_GC_PENDING : 0;
	stats->frozen = gc->len[OBJHEAP_GEN_PERMANENT];
	stats->garbage = gc->len[OBJHEAP_GEN_GARBAGE];
	stats->automatic = gc->automatic;
	stats->finalizing = gc->len[OBJHEAP_GEN_FINALIZE];
	stats->callbacks = heap->weak.ncallbacks;
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_get_stats);

/* Move every object of list @from to list @to, relabelling each. */
static void gc_move_all(struct objheap_gc *gc, unsigned int from,
			unsigned int to)
{
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, &gc->lists[from]) {
		struct objheap_gc_head *gch = list_entry(pos,
						struct objheap_gc_head, link);

		objheap_obj_set_list(objheap_gc_obj(gch), to);
		if (++n % RELABEL_BATCH == 0)
			cond_resched();
	}
	list_splice_tail_init(&gc->lists[from], &gc->lists[to]);
	objheap_stat_add(gc->len[to], gc->len[from]);
	objheap_stat_set(gc->len[from], 0);
}

/**
 * objheap_gc_freeze() - move every tracked object to the permanent
 *	generation, which collections skip (gc.freeze())
 * @heap: the heap, not locked
 */
int objheap_gc_freeze(struct objheap_heap *heap)
{
	unsigned int i;
	int ret;

	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++)
		gc_move_all(&heap->gc, i, OBJHEAP_GEN_PERMANENT);
	heap->gc.count[0] = 0;
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_freeze);

/**
 * objheap_gc_unfreeze() - move the permanent generation back into the
 *	oldest one (gc.unfreeze())
 * @heap: the heap, not locked
 */
int objheap_gc_unfreeze(struct objheap_heap *heap)
{
	int ret;

	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	gc_move_all(&heap->gc, OBJHEAP_GEN_PERMANENT,
		    OBJHEAP_GC_GENERATIONS - 1);
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_unfreeze);

/* The collector list behind a queue of objects (not the callback queue). */
static unsigned int gc_queue_list(enum objheap_queue queue)
{
	return queue == OBJHEAP_QUEUE_GARBAGE ? OBJHEAP_GEN_GARBAGE :
						OBJHEAP_GEN_FINALIZE;
}

static u64 gc_queue_len(struct objheap_heap *heap, enum objheap_queue queue)
{
	if (queue == OBJHEAP_QUEUE_CALLBACKS)
		return heap->weak.ncallbacks;
	return heap->gc.len[gc_queue_list(queue)];
}

/* The oldest object of @queue, off it, its reference the caller's; or NULL. */
static struct objheap_obj *gc_queue_pop(struct objheap_heap *heap,
					enum objheap_queue queue)
{
	struct objheap_gc_head *gch;
	struct objheap_obj *obj;

	if (queue == OBJHEAP_QUEUE_CALLBACKS)
		return objheap_weak_take_callback(heap);
	gch = list_first_entry_or_null(&heap->gc.lists[gc_queue_list(queue)],
				       struct objheap_gc_head, link);
	if (!gch)
		return NULL;
	obj = objheap_gc_obj(gch);
	objheap_gc_move(heap, obj, OBJHEAP_GC_GENERATIONS - 1);
	return obj;
}

/**
 * objheap_gc_take() - hand the objects of a queue back as handles
 * @heap: the heap, not locked
 * @queue: which queue
 * @handles: receives up to @n new handles
 * @n: room in @handles
 * @taken: out: how many were handed back, also on failure
 *
 * Oldest first. The queue's reference of each object becomes its
 * handle's; saved and finalized objects rejoin generation 2 (weak
 * references stay in their generation: they never left it).
 *
 * Return: 0 (fewer than @n when the queue ran out), -EMFILE/-EDQUOT/
 * -ENOMEM when the handle table is full, or -EINTR/-EIO
 * (objheap_heap_lock()); the objects not taken stay queued.
 */
int objheap_gc_take(struct objheap_heap *heap, enum objheap_queue queue,
		    u32 *handles, u32 n, u32 *taken)
{
	struct objheap_obj *obj;
	int ret;
	u32 i;

	*taken = 0;
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	for (i = 0; i < n && gc_queue_len(heap, queue); i++) {
		ret = objheap_handle_reserve(heap);
		if (ret)
			break;
		obj = gc_queue_pop(heap, queue);
		handles[i] = objheap_handle_install(&heap->handles, obj);
	}
	objheap_heap_unlock(heap);
	*taken = i;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_take);

/**
 * objheap_gc_left() - objects still waiting in a queue
 * @heap: the heap, not locked
 * @queue: which queue
 *
 * Return: their number, capped at U32_MAX; 0 if the heap cannot be
 * locked (objheap_heap_lock()).
 */
u32 objheap_gc_left(struct objheap_heap *heap, enum objheap_queue queue)
{
	u64 left;

	if (objheap_heap_lock(heap))
		return 0;
	left = gc_queue_len(heap, queue);
	objheap_heap_unlock(heap);
	return min_t(u64, left, U32_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_left);
