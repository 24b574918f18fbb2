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
 * The heap is charged to the caller's memory cgroup.
 *
 * Return: the new heap, or ERR_PTR(-ENOMEM).
 */
struct objheap_heap *objheap_heap_create(void)
{
	struct objheap_heap *heap;

	heap = kzalloc(sizeof(*heap), OBJHEAP_GFP);
	if (!heap)
		return ERR_PTR(-ENOMEM);

	mutex_init(&heap->lock);
	objheap_handles_init(&heap->handles);
	objheap_gc_init(heap);
	objheap_events_init(&heap->events);
	objheap_types_init(heap);
	heap->limits.max_bytes = min_t(u64, READ_ONCE(objheap_default_max_bytes),
				       OBJHEAP_HARD_MAX_BYTES);
	heap->limits.max_objects = min(READ_ONCE(objheap_default_max_objects),
				       OBJHEAP_HARD_MAX_OBJECTS);
	heap->limits.max_handles = min(READ_ONCE(objheap_default_max_handles),
				       OBJHEAP_HARD_MAX_HANDLES);
	heap->id = atomic64_inc_return(&objheap_totals.heaps_created);
	get_random_bytes(&heap->obj_key, sizeof(heap->obj_key));
	heap->owner_tgid = task_tgid_nr(current);
	get_task_comm(heap->owner_comm, current);

	mutex_lock(&objheap_heaps_lock);
	list_add_tail(&heap->node, &objheap_heaps);
	mutex_unlock(&objheap_heaps_lock);
	atomic_long_inc(&objheap_totals.heaps_live);
	objheap_debugfs_heap_add(heap);
	return heap;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_create);

/*
 * Leave the list of heaps, adding what the heap counted to the module's
 * totals in the same step, so that debugfs never counts it twice or not
 * at all. The heap is empty and its lock free: nothing changes it now.
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
	for (i = 0; i < OBJHEAP_GC_GENERATIONS; i++)
		objheap_gc_gen_stats_add(&r->gen[i], &heap->gc.gen[i]);
	for (i = 0; i < OBJHEAP_NR_CLASSES; i++) {
		r->hits[i] += heap->free[i].hits;
		r->misses[i] += heap->free[i].misses;
	}
	mutex_unlock(&objheap_heaps_lock);
}

/*
 * Free every container left on the collector's lists (cycles nobody
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
			gch = list_first_entry(head, struct objheap_gc_head,
					       link);
			objheap_obj_put(heap, objheap_gc_obj(gch));
		}
	}
}

/**
 * objheap_heap_destroy() - free a heap and everything in it
 * @heap: heap from objheap_heap_create(); no other user may remain
 *
 * Stops the collector, closes every handle, which frees all acyclic
 * garbage, drops the saved garbage, then empties the slots of the
 * containers still alive, which can only be cycles and what hangs off
 * them, until nothing is left.
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
	WARN_ON_ONCE(heap->objects || heap->bytes);
	objheap_pool_drain(heap);
	mutex_unlock(&heap->lock);
	heap_retire(heap);

	objheap_handles_destroy(&heap->handles);
	objheap_events_destroy(&heap->events);
	objheap_types_destroy(heap);
	mutex_destroy(&heap->lock);
	atomic_long_dec(&objheap_totals.heaps_live);
	kfree(heap);
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
	if (op->ref || op->index || op->buf)
		return -EINVAL;
	if (op->count > OBJHEAP_MAX_SLOTS || op->size > OBJHEAP_MAX_PAYLOAD)
		return -EINVAL;
	if (heap->objects + 1 > heap->limits.max_objects ||
	    heap->bytes + objheap_obj_charge(op->count, op->size) >
	    heap->limits.max_bytes)
		return -EDQUOT;
	ret = objheap_handle_reserve(&heap->handles, heap->limits.max_handles);
	if (ret)
		return ret;
	obj = objheap_obj_alloc(heap, op->type, op->count, op->size);
	if (!obj)
		return -ENOMEM;
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
	ret = objheap_handle_reserve(&heap->handles, heap->limits.max_handles);
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
	ret = objheap_handle_reserve(&heap->handles, heap->limits.max_handles);
	if (ret)
		return ret;
	op->ref = heap_open_handle(heap, val);
	return 0;
}

/* READ and WRITE: @kbuf holds op->count bytes, copied by the caller. */
static int op_rw(struct objheap_heap *heap, struct objheap_op *op, void *kbuf)
{
	struct objheap_obj *obj;
	u8 *payload;

	if (op->ref || op->type || op->size)
		return -EINVAL;
	obj = objheap_handle_lookup(&heap->handles, op->handle);
	if (!obj)
		return -EBADF;
	if (op->index > obj->size || op->count > obj->size - op->index)
		return -ERANGE;
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
 * Return: 0, or -EINVAL (bad op code, nonzero unused field, size over the
 * maximum), -EBADF (not an open handle), -ERANGE (slot or payload range
 * out of bounds), -EDQUOT (byte or object limit), -EMFILE (handle
 * limit), -ENOMEM.
 */
int objheap_heap_op(struct objheap_heap *heap, struct objheap_op *op,
		    void *kbuf)
{
	int ret;

	/* A NOP uses no field (a BATCH entry; the NOP ioctl has no argument). */
	if (op->op == OBJHEAP_OP_NOP)
		return op->handle || op->ref || op->index || op->count ||
		       op->type || op->size || op->buf ? -EINVAL : 0;
	mutex_lock(&heap->lock);
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
	default:
		ret = -EINVAL;
		break;
	}
	mutex_unlock(&heap->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_op);

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

	memset(info, 0, sizeof(*info));
	info->handle = handle;
	mutex_lock(&heap->lock);
	obj = objheap_handle_lookup(&heap->handles, handle);
	if (!obj) {
		mutex_unlock(&heap->lock);
		return -EBADF;
	}
	bytes = objheap_obj_alloc_size(obj->nslots, obj->size);
	info->refcount = refcount_read(&obj->refs);
	info->type = obj->type;
	info->nslots = obj->nslots;
	info->size = obj->size;
	info->alloc_size = bytes;
	info->size_class = objheap_class_size(obj->class);
	info->flags = obj->nslots ? OBJHEAP_INFO_CONTAINER : 0;
	info->generation = obj->nslots ? objheap_obj_list(obj) :
					 OBJHEAP_GEN_UNTRACKED;
	/* Keyed: user space may compare ids, never learn addresses. */
	info->id = siphash_1u64((u64)(unsigned long)obj, &heap->obj_key);
	mutex_unlock(&heap->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_info);

/**
 * objheap_heap_get_stats() - a heap's counters, for OBJHEAP_IOC_HEAP_STATS
 * @heap: the heap, not locked
 * @st: filled in, reserved fields zeroed
 */
void objheap_heap_get_stats(struct objheap_heap *heap,
			    struct objheap_heap_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	mutex_lock(&heap->lock);
	st->id = heap->id;
	st->objects = heap->objects;
	st->bytes = heap->bytes;
	st->peak_bytes = heap->peak_bytes;
	st->allocs = heap->allocs;
	st->frees = heap->frees;
	st->handles = heap->handles.used;
	st->handles_cap = heap->handles.cap;
	for (i = 0; i < OBJHEAP_NR_CLASSES; i++) {
		st->freelisted += heap->free[i].count;
		st->freelist_hits += heap->free[i].hits;
		st->freelist_misses += heap->free[i].misses;
	}
	mutex_unlock(&heap->lock);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_get_stats);

/**
 * objheap_heap_get_limits() - read a heap's limits
 * @heap: the heap, not locked
 * @lim: filled in, reserved fields zeroed
 */
void objheap_heap_get_limits(struct objheap_heap *heap,
			     struct objheap_limits *lim)
{
	mutex_lock(&heap->lock);
	*lim = heap->limits;
	mutex_unlock(&heap->lock);
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
	mutex_lock(&heap->lock);
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
	mutex_unlock(&heap->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_set_limits);
