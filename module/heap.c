// SPDX-License-Identifier: GPL-2.0
/*
 * Heaps and the operations on them.
 *
 * One heap per open of /dev/objheap. Every operation takes the heap's
 * mutex for its whole duration and never touches user memory while it
 * holds it (ioctl.c copies in before and out after), so an operation either
 * takes full effect or none: each check comes before the first change.
 */
#include <linux/err.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "objheap.h"

struct objheap_totals objheap_totals;
EXPORT_SYMBOL_IF_KUNIT(objheap_totals);

/* Every live heap, for the shrinker and debugfs. */
DEFINE_MUTEX(objheap_heaps_lock);
EXPORT_SYMBOL_IF_KUNIT(objheap_heaps_lock);
LIST_HEAD(objheap_heaps);

/**
 * objheap_heap_create() - create an empty heap owned by the current task
 *
 * The heap is charged to the caller's memory cgroup, and its own memory to
 * its heap's and its user's byte limits (charge.c).
 *
 * Return: the new heap, ERR_PTR(-ENOMEM), or ERR_PTR(-EDQUOT) if the
 * user's budget has no room for one more heap.
 */
struct objheap_heap *objheap_heap_create(void)
{
	struct objheap_heap *heap;
	int ret;

	heap = objheap_reclaim_alloc_heap();
	if (!heap)
		return ERR_PTR(-ENOMEM);
	heap->user = objheap_user_get();
	if (!heap->user) {
		objheap_reclaim_free_heap(heap);
		return ERR_PTR(-ENOMEM);
	}

	refcount_set(&heap->pins, 1);
	objheap_handles_init(&heap->handles);
	objheap_weak_init(heap);
	objheap_gc_init(heap);
	objheap_events_init(&heap->events);
	objheap_types_init(heap);
	heap->limits.max_bytes = min_t(u64, READ_ONCE(objheap_default_max_bytes),
				       OBJHEAP_HARD_MAX_BYTES);
	heap->limits.max_objects = min(READ_ONCE(objheap_default_max_objects),
				       OBJHEAP_HARD_MAX_OBJECTS);
	heap->limits.max_handles = min(READ_ONCE(objheap_default_max_handles),
				       OBJHEAP_HARD_MAX_HANDLES);
	mutex_lock(&heap->lock);
	ret = objheap_charge(heap, objheap_heap_cost());
	objheap_heap_unlock(heap);
	if (ret) {
		objheap_user_put(heap->user);
		objheap_reclaim_free_heap(heap);
		return ERR_PTR(ret);
	}
	get_random_bytes(&heap->obj_key, sizeof(heap->obj_key));
	heap->owner_tgid = task_tgid_nr(current);
	get_task_comm(heap->owner_comm, current);

	/* Ids in list order: objheap_collect_all() walks them so. */
	mutex_lock(&objheap_heaps_lock);
	heap->id = atomic64_inc_return(&objheap_totals.heaps_created);
	list_add_tail(&heap->node, &objheap_heaps);
	mutex_unlock(&objheap_heaps_lock);
	atomic_long_inc(&objheap_totals.heaps_live);
	objheap_debugfs_heap_add(heap);
	return heap;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_create);

/**
 * objheap_heap_lock() - lock a heap for a caller's operation
 * @heap: the heap
 *
 * The wait is killable, whatever the lock's holder does: a collection or
 * a close may hold the lock for seconds. mutex_lock_killable() is not
 * enough: its waiter spins as long as the holder runs on another CPU, and
 * a spinner does not see a fatal signal. So waiters sleep on the heap's
 * own queue, which every unlock wakes (objheap_heap_unlock()), and take
 * the lock with a trylock; the timeout only bounds the wait should an
 * unlock come without a wakeup (another path's plain mutex_unlock()).
 * Waiters are not served in order of arrival.
 *
 * Return: 0 with the lock held, -EINTR if a fatal signal came first, or
 * -EIO if the heap is broken (see objheap_heap_break()).
 */
int objheap_heap_lock(struct objheap_heap *heap)
{
	while (!mutex_trylock(&heap->lock)) {
		if (wait_event_killable_timeout(heap->lock_wait,
						!mutex_is_locked(&heap->lock),
						msecs_to_jiffies(10)) < 0)
			return -EINTR;
	}
	if (unlikely(heap->broken)) {
		objheap_heap_unlock(heap);
		return -EIO;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_lock);

/**
 * objheap_heap_unlock() - unlock a heap, waking its waiters
 * @heap: the heap, locked
 */
void objheap_heap_unlock(struct objheap_heap *heap)
{
	mutex_unlock(&heap->lock);
	if (wq_has_sleeper(&heap->lock_wait))
		wake_up(&heap->lock_wait);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_unlock);

/**
 * objheap_heap_break() - an invariant of the heap does not hold
 * @heap: the heap, locked
 * @why: what was found, for the log
 *
 * As KFENCE disables itself: every later call on the heap fails with EIO,
 * and nothing more is done to its objects but freeing what can be freed
 * when it is closed. Logged once per heap.
 */
void objheap_heap_break(struct objheap_heap *heap, const char *why)
{
	lockdep_assert_held(&heap->lock);
	if (heap->broken)
		return;
	/* Read without the lock by the event stream's ioctls. */
	WRITE_ONCE(heap->broken, true);
	pr_err("objheap: heap %llu is broken (%s); its calls fail with EIO\n",
	       heap->id, why);
}

/*
 * Leave the list of heaps, adding what the heap counted to the module's
 * totals in the same step, so that debugfs never counts it twice or not
 * at all. The heap is empty, unpinned and its lock free: nothing changes
 * it now.
 */
static void heap_retire(struct objheap_heap *heap)
{
	struct objheap_retired *r = &objheap_totals.retired;
	unsigned int i;

	mutex_lock(&objheap_heaps_lock);
	list_del(&heap->node);
	r->allocs += heap->allocs;
	r->frees += heap->frees;
	r->peak_bytes = max(r->peak_bytes, heap->peak_bytes);
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++) {
		objheap_gc_gen_stats_add(&r->gen[i], &heap->gc.gen[i]);
		r->uncollectable[i] += heap->gc.uncollectable[i];
	}
	for (i = 0; i < OBJHEAP_NR_CLASSES; i++) {
		r->hits[i] += heap->free[i].hits;
		r->misses[i] += heap->free[i].misses;
	}
	mutex_unlock(&objheap_heaps_lock);
}

/*
 * Free every object left on the collector's lists (cycles nobody
 * collected, frozen objects), whatever the shape of the graph: pin them
 * all, empty every slot (nothing dies: all are pinned; leaves they held
 * do), then drop the pins, each of which is now an object's last
 * reference. Three linear passes; clearing one object's slots and hoping
 * it dies would spin forever on an object that others still point at.
 */
static void heap_free_containers(struct objheap_heap *heap)
{
	struct objheap_gc_head *gch;
	unsigned int list;
	u64 n = 0;

	for (list = 0; list < OBJHEAP_GC_NR_LISTS; list++) {
		list_for_each_entry(gch, &heap->gc.lists[list], link) {
			objheap_obj_get(objheap_gc_obj(gch));
			if (++n % 1024 == 0)
				cond_resched();
		}
	}
	for (list = 0; list < OBJHEAP_GC_NR_LISTS; list++) {
		list_for_each_entry(gch, &heap->gc.lists[list], link) {
			objheap_obj_clear_slots(heap, objheap_gc_obj(gch));
			if (++n % 1024 == 0)
				cond_resched();
		}
	}
	for (list = 0; list < OBJHEAP_GC_NR_LISTS; list++) {
		struct list_head *head = &heap->gc.lists[list];

		while (!list_empty(head)) {
			struct objheap_obj *obj;

			gch = list_first_entry(head, struct objheap_gc_head,
					       link);
			obj = objheap_gc_obj(gch);
			/*
			 * The pin is the last reference of every object now.
			 * One held from elsewhere would keep the loop here
			 * forever: leave it (leaked), and say so.
			 */
			if (objheap_obj_refs(obj) != 1) {
				list_del_init(&gch->link);
				heap->gc.len[list]--;
				objheap_heap_break(heap, "a container outlived its heap");
				continue;
			}
			objheap_obj_put(heap, obj);
			if (++n % 1024 == 0)
				cond_resched();
		}
	}
}

/**
 * objheap_heap_tryget() - pin a heap listed in objheap_heaps
 * @heap: the heap; objheap_heaps_lock is held
 *
 * A heap whose last pin is gone stays listed until objheap_heap_put() gets
 * objheap_heaps_lock to take it off: that one cannot be pinned any more.
 * A pinned heap stays listed and its memory stays until objheap_heap_put(),
 * though it may be emptied meanwhile (objheap_heap_destroy()).
 *
 * Return: true if @heap is pinned now.
 */
bool objheap_heap_tryget(struct objheap_heap *heap)
{
	lockdep_assert_held(&objheap_heaps_lock);
	return refcount_inc_not_zero(&heap->pins);
}

/**
 * objheap_heap_put() - drop a pin; the last one frees the heap
 * @heap: the heap; objheap_heaps_lock must not be held
 */
void objheap_heap_put(struct objheap_heap *heap)
{
	if (!refcount_dec_and_test(&heap->pins))
		return;
	heap_retire(heap);
	objheap_events_destroy(&heap->events);
	mutex_lock(&heap->lock);
	objheap_uncharge(heap, objheap_heap_cost());
	/* Everything else was given back by objheap_heap_destroy(). */
	WARN_ON_ONCE(heap->pinned);
	objheap_heap_unlock(heap);
	objheap_user_put(heap->user);
	atomic_long_dec(&objheap_totals.heaps_live);
	objheap_reclaim_free_heap(heap);
}

/**
 * objheap_heap_destroy() - free everything in a heap, and the heap
 * @heap: heap from objheap_heap_create(), whose file is being released
 *
 * Stops the collector, closes every handle, which frees all acyclic
 * garbage, drops the queues (saved garbage, finalization, weak callbacks:
 * nothing is finalized), then empties the slots of the containers still
 * alive, which can only be cycles and what hangs off them, until nothing
 * is left. The heap's memory goes with the last pin.
 */
void objheap_heap_destroy(struct objheap_heap *heap)
{
	struct objheap_obj *obj;
	u32 h;

	/* Waits for readers of the heap's debugfs files. */
	objheap_debugfs_heap_remove(heap);
	objheap_gc_stop(heap);
	mutex_lock(&heap->lock);
	for (h = 1; h <= heap->handles.cap; h++) {
		obj = objheap_handle_remove(&heap->handles, h);
		if (obj)
			objheap_obj_put(heap, obj);
		if (h % 1024 == 0)
			cond_resched();
	}
	objheap_gc_release(heap);
	heap_free_containers(heap);
	WARN_ON_ONCE(heap->objects || heap->bytes || heap->gc.finalizers);
	objheap_weak_destroy(heap);
	objheap_pool_drain(heap);
	objheap_types_destroy(heap);
	objheap_handles_destroy(heap);
	objheap_heap_unlock(heap);
	objheap_heap_put(heap);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_destroy);

/* Open a handle on @obj, taking a reference for it. Reserved beforehand. */
static u32 heap_open_handle(struct objheap_heap *heap, struct objheap_obj *obj)
{
	objheap_obj_get(obj);
	return objheap_handle_install(&heap->handles, obj);
}

static int op_new(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *obj;
	int ret;

	/* op->handle is output only: ignored, so that arrays can be rerun. */
	if (op->ref || (op->index & ~OBJHEAP_NEW_FINALIZABLE) || op->buf)
		return -EINVAL;
	if (op->count > OBJHEAP_MAX_SLOTS || op->size > OBJHEAP_MAX_PAYLOAD)
		return -EINVAL;
	/* Bytes are checked as they are charged (charge.c). */
	if (heap->objects + 1 > heap->limits.max_objects)
		return -EDQUOT;
	ret = objheap_handle_reserve(heap);
	if (ret)
		return ret;
	obj = objheap_obj_alloc(heap, op->type, op->count, op->size,
				op->index & OBJHEAP_NEW_FINALIZABLE ?
				OBJHEAP_ALLOC_FINALIZABLE : 0);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	/* The allocation's reference becomes the handle's. */
	op->handle = objheap_handle_install(&heap->handles, obj);
	return 0;
}

static int op_dup(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *obj;
	int ret;

	/* op->ref is output only (as for GET). */
	if (op->index || op->count || op->type || op->size || op->buf)
		return -EINVAL;
	obj = objheap_handle_lookup(&heap->handles, op->handle);
	if (!obj)
		return -EBADF;
	ret = objheap_handle_reserve(heap);
	if (ret)
		return ret;
	op->ref = heap_open_handle(heap, obj);
	return 0;
}

static int op_drop(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *obj;

	if (op->ref || op->index || op->count || op->type || op->size || op->buf)
		return -EINVAL;
	obj = objheap_handle_remove(&heap->handles, op->handle);
	if (!obj)
		return -EBADF;
	objheap_obj_put(heap, obj);
	return 0;
}

static int op_weakref(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *obj, *w;
	int ret;

	/* op->ref is output only (as for DUP). */
	if ((op->index & ~OBJHEAP_WEAK_CALLBACK) || op->count || op->size ||
	    op->buf)
		return -EINVAL;
	obj = objheap_handle_lookup(&heap->handles, op->handle);
	if (!obj)
		return -EBADF;
	if (heap->objects + 1 > heap->limits.max_objects)
		return -EDQUOT;
	ret = objheap_handle_reserve(heap);
	if (ret)
		return ret;
	w = objheap_weak_new(heap, obj, op->type, op->index);
	if (IS_ERR(w))
		return PTR_ERR(w);
	op->ref = objheap_handle_install(&heap->handles, w);
	return 0;
}

static int op_deref(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *w, *referent;
	int ret;

	if (op->index || op->count || op->type || op->size || op->buf)
		return -EINVAL;
	w = objheap_handle_lookup(&heap->handles, op->handle);
	if (!w)
		return -EBADF;
	if (!w->weakref)
		return -EINVAL;
	referent = objheap_weak_referent(w);
	op->ref = 0;
	if (!referent)
		return 0;	/* dead */
	ret = objheap_handle_reserve(heap);
	if (ret)
		return ret;
	op->ref = heap_open_handle(heap, referent);
	return 0;
}

static int op_set(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *obj, *val = NULL, *old;

	if (op->count || op->type || op->size || op->buf)
		return -EINVAL;
	obj = objheap_handle_lookup(&heap->handles, op->handle);
	if (!obj)
		return -EBADF;
	if (op->ref) {
		val = objheap_handle_lookup(&heap->handles, op->ref);
		if (!val)
			return -EBADF;
	}
	if (op->index >= obj->nslots)
		return -ERANGE;
	/* Take the new reference before dropping the old: they may be one. */
	if (val)
		objheap_obj_get(val);
	old = obj->slots[op->index];
	obj->slots[op->index] = val;
	if (old)
		objheap_obj_put(heap, old);
	return 0;
}

static int op_get(struct objheap_heap *heap, struct objheap_op *op)
{
	struct objheap_obj *obj, *val;
	int ret;

	if (op->count || op->type || op->size || op->buf)
		return -EINVAL;
	obj = objheap_handle_lookup(&heap->handles, op->handle);
	if (!obj)
		return -EBADF;
	if (op->index >= obj->nslots)
		return -ERANGE;
	val = obj->slots[op->index];
	op->ref = 0;
	if (!val)
		return 0;	/* empty slot */
	ret = objheap_handle_reserve(heap);
	if (ret)
		return ret;
	op->ref = heap_open_handle(heap, val);
	return 0;
}

/* READ and WRITE: the object and range, checked. */
static struct objheap_obj *rw_target(struct objheap_heap *heap,
				     const struct objheap_op *op)
{
	struct objheap_obj *obj;
	u32 size;

	if (op->ref || op->type || op->size)
		return ERR_PTR(-EINVAL);
	obj = objheap_handle_lookup(&heap->handles, op->handle);
	if (!obj)
		return ERR_PTR(-EBADF);
	size = objheap_obj_size(obj);
	if (op->index > size || op->count > size - op->index)
		return ERR_PTR(-ERANGE);
	return obj;
}

/**
 * objheap_heap_charge_rw() - charge the bounce buffer of a READ or WRITE
 * @heap: the heap, not locked
 * @op: the operation, checked first as objheap_heap_op() checks it, so
 *	that a bad one fails as it would without a buffer
 * @bytes: what the buffer costs (objheap_alloc_cost())
 *
 * Return: 0, an errno objheap_heap_op() would give @op, or -EDQUOT.
 */
int objheap_heap_charge_rw(struct objheap_heap *heap,
			   const struct objheap_op *op, size_t bytes)
{
	struct objheap_obj *obj;
	int ret;

	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	obj = rw_target(heap, op);
	ret = IS_ERR(obj) ? PTR_ERR(obj) : objheap_charge_transient(heap, bytes);
	objheap_heap_unlock(heap);
	return ret;
}

/* READ and WRITE: @kbuf holds op->count bytes, copied by the caller. */
static int op_rw(struct objheap_heap *heap, struct objheap_op *op, void *kbuf)
{
	struct objheap_obj *obj = rw_target(heap, op);
	u8 *payload;

	if (IS_ERR(obj))
		return PTR_ERR(obj);
	payload = (u8 *)objheap_obj_payload(obj) + op->index;
	if (op->op == OBJHEAP_OP_WRITE)
		memcpy(payload, kbuf, op->count);
	else
		memcpy(kbuf, payload, op->count);
	return 0;
}

/**
 * objheap_heap_op() - run one operation
 * @heap: the heap, not locked
 * @op: the operation; out fields are filled in on success
 * @kbuf: READ and WRITE: a kernel buffer of op->count bytes
 *
 * On failure nothing changed.
 *
 * Return: 0, or -EINVAL (bad op code, nonzero unused field, unknown flag,
 * size over the maximum, DEREF of an object that is not a weak
 * reference), -EBADF (not an open handle), -ERANGE (slot or payload range
 * out of bounds), -EDQUOT (the heap's byte or object limit, or its user's
 * byte budget), -EMFILE (handle limit), -ENOMEM, -EINTR (a fatal signal
 * while waiting for the heap), -EIO (the heap is broken).
 */
int objheap_heap_op(struct objheap_heap *heap, struct objheap_op *op,
		    void *kbuf)
{
	int ret;

	/* A NOP uses no field (a BATCH entry; the NOP ioctl has no argument). */
	if (op->op == OBJHEAP_OP_NOP)
		return op->handle || op->ref || op->index || op->count ||
		       op->type || op->size || op->buf ? -EINVAL : 0;
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	switch (op->op) {
	case OBJHEAP_OP_NEW:
		ret = op_new(heap, op);
		break;
	case OBJHEAP_OP_DUP:
		ret = op_dup(heap, op);
		break;
	case OBJHEAP_OP_DROP:
		ret = op_drop(heap, op);
		break;
	case OBJHEAP_OP_SET:
		ret = op_set(heap, op);
		break;
	case OBJHEAP_OP_GET:
		ret = op_get(heap, op);
		break;
	case OBJHEAP_OP_WRITE:
	case OBJHEAP_OP_READ:
		ret = op_rw(heap, op, kbuf);
		break;
	case OBJHEAP_OP_WEAKREF:
		ret = op_weakref(heap, op);
		break;
	case OBJHEAP_OP_DEREF:
		ret = op_deref(heap, op);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	objheap_heap_unlock(heap);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_op);

static u32 info_flags(const struct objheap_obj *obj)
{
	u32 flags = 0;

	if (obj->nslots)
		flags |= OBJHEAP_INFO_CONTAINER;
	if (objheap_obj_tracked(obj))
		flags |= OBJHEAP_INFO_TRACKED;
	if (obj->weakref)
		flags |= OBJHEAP_INFO_WEAKREF;
	if (obj->refs & OBJHEAP_REFS_WEAKLY)
		flags |= OBJHEAP_INFO_WEAKLY_REFERENCED;
	if (obj->refs & OBJHEAP_REFS_FINALIZER)
		flags |= OBJHEAP_INFO_FINALIZABLE;
	if (obj->refs & OBJHEAP_REFS_FINALIZED)
		flags |= OBJHEAP_INFO_FINALIZED;
	return flags;
}

/**
 * objheap_heap_info() - describe one object
 * @heap: the heap, not locked
 * @info: @info->handle in; the rest out
 *
 * Return: 0, or -EBADF if the handle is not open.
 */
int objheap_heap_info(struct objheap_heap *heap, struct objheap_info *info)
{
	struct objheap_obj *obj;
	size_t bytes;
	u32 handle = info->handle;
	int ret;

	memset(info, 0, sizeof(*info));
	info->handle = handle;
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	obj = objheap_handle_lookup(&heap->handles, handle);
	if (!obj) {
		objheap_heap_unlock(heap);
		return -EBADF;
	}
	info->size = objheap_obj_size(obj);
	bytes = objheap_obj_bytes(obj);
	info->refcount = objheap_obj_refs(obj);
	info->type = objheap_types_tag(heap, obj);
	info->nslots = obj->nslots;
	info->alloc_size = bytes;
	info->size_class = objheap_class_size(objheap_size_to_class(bytes));
	info->flags = info_flags(obj);
	info->generation = objheap_obj_tracked(obj) ? objheap_obj_list(obj) :
						      OBJHEAP_GEN_UNTRACKED;
	/* Keyed: user space may compare ids, never learn addresses. */
	info->id = siphash_1u64((u64)(unsigned long)obj, &heap->obj_key);
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_info);

/**
 * objheap_heap_get_stats() - a heap's counters, for OBJHEAP_IOC_HEAP_STATS
 * @heap: the heap, not locked
 * @st: filled in, reserved fields zeroed
 */
int objheap_heap_get_stats(struct objheap_heap *heap,
			   struct objheap_heap_stats *st)
{
	unsigned int i;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	st->id = heap->id;
	st->objects = heap->objects;
	st->bytes = heap->bytes;
	st->peak_bytes = heap->peak_bytes;
	st->allocs = heap->allocs;
	st->frees = heap->frees;
	st->handles = heap->handles.used;
	st->handles_cap = heap->handles.cap;
	st->pinned = objheap_heap_pinned(heap);
	st->user_pinned = objheap_user_pinned(heap);
	st->user_max_bytes = READ_ONCE(objheap_user_max_bytes);
	for (i = 0; i < OBJHEAP_NR_CLASSES; i++) {
		st->freelisted += heap->free[i].count;
		st->freelist_hits += heap->free[i].hits;
		st->freelist_misses += heap->free[i].misses;
	}
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_get_stats);

/**
 * objheap_heap_get_limits() - read a heap's limits
 * @heap: the heap, not locked
 * @lim: filled in, reserved fields zeroed
 */
int objheap_heap_get_limits(struct objheap_heap *heap,
			    struct objheap_limits *lim)
{
	int ret;

	memset(lim, 0, sizeof(*lim));
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	*lim = heap->limits;
	objheap_heap_unlock(heap);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_get_limits);

/**
 * objheap_heap_set_limits() - lower a heap's limits
 * @heap: the heap, not locked
 * @lim: new limits; 0 keeps a limit as it is
 *
 * Return: 0, -EINVAL for nonzero reserved fields, -EPERM if a limit would
 * rise. On failure no limit changed.
 */
int objheap_heap_set_limits(struct objheap_heap *heap,
			    const struct objheap_limits *lim)
{
	struct objheap_limits *cur = &heap->limits;
	int ret = 0;

	if (lim->reserved[0] || lim->reserved[1])
		return -EINVAL;
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	if (lim->max_bytes > cur->max_bytes ||
	    lim->max_objects > cur->max_objects ||
	    lim->max_handles > cur->max_handles) {
		ret = -EPERM;
	} else {
		if (lim->max_bytes)
			cur->max_bytes = lim->max_bytes;
		if (lim->max_objects)
			cur->max_objects = lim->max_objects;
		if (lim->max_handles)
			cur->max_handles = lim->max_handles;
	}
	objheap_heap_unlock(heap);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_set_limits);
