// SPDX-License-Identifier: GPL-2.0
/*
 * Objects: allocation, reference counting and deallocation.
 *
 * Deallocation never recurses. A tracked object whose count reaches zero
 * leaves the collector's lists and is pushed on a stack threaded through
 * its gc head; the loop pops one, drops the references its slots hold
 * (pushing the children that die), and frees it. An untracked leaf that
 * dies has no references to drop and is freed at once. An object with
 * weak references or a finalizer takes a detour first (finalize.c), which
 * may keep it for its finalizer. Dropping the head of a
 * chain of a million objects takes a million iterations and no stack: the
 * problem CPython's "trashcan" solves.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "objheap.h"

/* objheap_obj_alloc() writes every header byte: there is no padding. */
static_assert(sizeof(struct objheap_obj) == 8);
/* The payload size word: a payload of OBJHEAP_MAX_PAYLOAD fits in it. */
static_assert(OBJHEAP_MAX_PAYLOAD <= U32_MAX);

/* How many objects the free loop handles between two cond_resched(). */
#define FREE_BATCH	1024

/* Words a weak reference's part takes, where slots would be. */
#define WEAKREF_WORDS	(sizeof(struct objheap_weakref) / sizeof(void *))

/* Bytes of an object: gc head if tracked, header, words, payload. */
static size_t alloc_bytes(bool tracked, u32 words, u32 size)
{
	return (tracked ? sizeof(struct objheap_gc_head) : 0) +
	       struct_size_t(struct objheap_obj, slots, words) +
	       (size ? sizeof(u64) + size : 0);
}

/**
 * objheap_obj_alloc_size() - bytes an object made by NEW needs
 * @nslots: its slots, at most OBJHEAP_MAX_SLOTS
 * @size: its payload, at most OBJHEAP_MAX_PAYLOAD
 * @flags: OBJHEAP_ALLOC_*
 *
 * Return: header, slots or weak reference, and payload (with its size
 * word if @size), plus the gc head if the collector tracks it.
 */
size_t objheap_obj_alloc_size(u32 nslots, u32 size, u32 flags)
{
	if (flags & OBJHEAP_ALLOC_WEAKREF)
		return alloc_bytes(true, WEAKREF_WORDS, 0);
	return alloc_bytes(nslots || (flags & OBJHEAP_ALLOC_FINALIZABLE),
			   nslots, size);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_alloc_size);

/**
 * objheap_obj_bytes() - the bytes of a live object's allocation
 * @obj: the object
 *
 * Return: what objheap_obj_alloc_size() said when it was made.
 */
size_t objheap_obj_bytes(const struct objheap_obj *obj)
{
	if (obj->weakref)
		return alloc_bytes(true, WEAKREF_WORDS, 0);
	return alloc_bytes(objheap_obj_tracked(obj), obj->nslots,
			   objheap_obj_size(obj));
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_bytes);

/**
 * objheap_obj_payload() - the payload bytes of an object
 * @obj: the object
 *
 * Return: the first payload byte, after the last slot and the size word;
 * meaningful only if the object has a payload.
 */
void *objheap_obj_payload(struct objheap_obj *obj)
{
	return (u64 *)&obj->slots[obj->nslots] + 1;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_payload);

/*
 * What an object of @bytes in @class counts in its heap's and its type's
 * bytes: what its pool really gives, the class size, or the exact size
 * for a large object.
 */
static size_t class_charge(unsigned int class, size_t bytes)
{
	return class == OBJHEAP_CLASS_LARGE ? bytes : objheap_class_size(class);
}

/**
 * objheap_obj_alloc() - allocate a zeroed object with one reference
 * @heap: the heap, locked; its limits were checked by the caller
 * @type: the user's type tag
 * @nslots: slots, at most OBJHEAP_MAX_SLOTS
 * @size: payload bytes, at most OBJHEAP_MAX_PAYLOAD
 * @flags: OBJHEAP_ALLOC_FINALIZABLE, or OBJHEAP_ALLOC_WEAKREF (then
 *	@nslots and @size are 0, and the caller fills the weak reference in)
 *
 * Return: the object, ERR_PTR(-EDQUOT) at the heap's or its user's byte
 * limit, or ERR_PTR(-ENOMEM).
 */
struct objheap_obj *objheap_obj_alloc(struct objheap_heap *heap, u32 type,
				      u32 nslots, u32 size, u32 flags)
{
	bool weakref = flags & OBJHEAP_ALLOC_WEAKREF;
	bool tracked = nslots || weakref || (flags & OBJHEAP_ALLOC_FINALIZABLE);
	size_t bytes = objheap_obj_alloc_size(nslots, size, flags);
	unsigned int class = objheap_size_to_class(bytes);
	size_t charge = class_charge(class, bytes);
	struct objheap_type_stat *ts;
	struct objheap_obj *obj;
	void *mem;
	u32 i;

	lockdep_assert_held(&heap->lock);
	ts = objheap_types_get(heap, type);
	if (IS_ERR(ts))
		return ERR_CAST(ts);
	mem = objheap_pool_alloc(heap, class, bytes);
	if (IS_ERR(mem)) {
		objheap_types_put(heap, ts);
		return mem;
	}
	/*
	 * Every byte but the gc head is written: no stale bytes reach user
	 * space. Header and slots by plain stores, which beat a memset() call
	 * for the small objects that are most of a heap.
	 */
	obj = tracked ? objheap_gc_obj(mem) : mem;
	*obj = (struct objheap_obj) {
		.refs = 1, .type = ts->index, .nslots = nslots, .payload = !!size,
		.weakref = weakref,
	};
	if (flags & OBJHEAP_ALLOC_FINALIZABLE) {
		obj->refs |= OBJHEAP_REFS_FINALIZER;
		heap->gc.finalizers++;
	}
	for (i = 0; i < nslots; i++)
		obj->slots[i] = NULL;
	if (size) {
		*(u64 *)&obj->slots[nslots] = size;
		memset(objheap_obj_payload(obj), 0, size);
	}
	if (weakref) {
		struct objheap_weakref *wr = objheap_obj_weak(obj);

		wr->referent = NULL;
		INIT_LIST_HEAD(&wr->link);
		wr->flags = 0;
	}
	if (tracked)
		objheap_gc_track(heap, obj);

	objheap_types_commit(heap, ts);
	ts->objects++;
	ts->bytes += charge;
	objheap_stat_add(heap->bytes, charge);
	objheap_stat_set(heap->peak_bytes, max(heap->peak_bytes, heap->bytes));
	objheap_stat_add(heap->objects, 1);
	objheap_stat_add(heap->class_objects[min_t(unsigned int, class,
						   OBJHEAP_NR_CLASSES)], 1);
	objheap_stat_add(heap->allocs, 1);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_alloc);

/* A count of 0 or a saturated one: a bug was seen; never free the object. */
static bool obj_refs_bad(const struct objheap_obj *obj)
{
	return objheap_obj_refs(obj) - 1 >= OBJHEAP_REFS_SATURATED - 1;
}

static void obj_refs_saturate(struct objheap_obj *obj)
{
	WARN_ONCE(objheap_obj_refs(obj) != OBJHEAP_REFS_SATURATED,
		  "objheap: object count %u; saturated, leaking it\n",
		  objheap_obj_refs(obj));
	obj->refs = (obj->refs & ~OBJHEAP_REFS_MASK) | OBJHEAP_REFS_SATURATED;
}

/**
 * objheap_obj_get() - take one more reference
 * @obj: a live object; its heap is locked
 *
 * Cannot overflow: see OBJHEAP_HARD_MAX_BYTES. A get on a dead object
 * saturates instead (OBJHEAP_REFS_SATURATED).
 */
void objheap_obj_get(struct objheap_obj *obj)
{
	if (unlikely(obj_refs_bad(obj)))
		obj_refs_saturate(obj);
	else
		obj->refs++;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_get);

/*
 * Before a weak reference or a finalizable object goes: the weak
 * reference leaves its referent's ring; an object freed unfinalized
 * (only when its heap is destroyed) is counted out of gc.finalizers.
 */
static noinline void obj_release_special(struct objheap_heap *heap,
					 struct objheap_obj *obj)
{
	if (obj->weakref)
		objheap_weak_unlink(heap, obj);
	if ((obj->refs & (OBJHEAP_REFS_FINALIZER | OBJHEAP_REFS_FINALIZED)) ==
	    OBJHEAP_REFS_FINALIZER)
		heap->gc.finalizers--;
}

/*
 * Count a dead object out of its heap's and its type's statistics and
 * give its memory back; its count is zero, its slots dropped, and it is
 * off the collector's lists. Plain objects, most of them, take the short
 * way: tracked exactly when they have slots.
 */
static void obj_release(struct objheap_heap *heap, struct objheap_obj *obj)
{
	bool tracked = obj->nslots;
	unsigned int class;
	size_t bytes, charge;
	void *mem;

	if (unlikely(obj->weakref || (obj->refs & OBJHEAP_REFS_FINALIZER))) {
		obj_release_special(heap, obj);
		bytes = objheap_obj_bytes(obj);
		tracked = true;
	} else {
		bytes = alloc_bytes(tracked, obj->nslots, objheap_obj_size(obj));
	}
	class = objheap_size_to_class(bytes);
	charge = class_charge(class, bytes);
	mem = tracked ? (void *)objheap_obj_gc(obj) : obj;
	objheap_types_uncount(heap, obj, charge);
	objheap_stat_add(heap->bytes, -(s64)charge);
	objheap_stat_add(heap->objects, -1);
	objheap_stat_add(heap->class_objects[min_t(unsigned int, class,
						   OBJHEAP_NR_CLASSES)], -1);
	objheap_stat_add(heap->frees, 1);
	objheap_pool_free(heap, mem, class, bytes);
}

/*
 * Drop one reference; on zero, clear its weak references and perhaps keep
 * it for its finalizer, else free an untracked leaf at once, or take a
 * tracked object off the collector's lists and push it on the dead stack.
 */
static __always_inline void obj_put_push(struct objheap_heap *heap,
					 struct objheap_obj *obj,
					 struct objheap_gc_head **stack)
{
	struct objheap_gc_head *gc;

	if (unlikely(obj_refs_bad(obj))) {
		obj_refs_saturate(obj);
		return;
	}
	if (--obj->refs & OBJHEAP_REFS_MASK)
		return;
	if (unlikely(obj->refs & (OBJHEAP_REFS_WEAKLY | OBJHEAP_REFS_FINALIZER)) &&
	    objheap_finalize_dying(heap, obj))
		return;
	if (!objheap_obj_tracked(obj)) {
		obj_release(heap, obj);
		return;
	}
	objheap_gc_untrack(heap, obj);
	gc = objheap_obj_gc(obj);
	gc->dead_next = *stack;
	*stack = gc;
}

/* Free everything on the dead stack, and everything that dies with it. */
static void free_dead(struct objheap_heap *heap, struct objheap_gc_head *stack)
{
	while (stack) {
		struct objheap_obj *obj = objheap_gc_obj(stack);
		u64 frees = heap->frees;
		u32 i, nslots;

		stack = stack->dead_next;
		nslots = obj->nslots;
		for (i = 0; i < nslots; i++)
			if (obj->slots[i])
				obj_put_push(heap, obj->slots[i], &stack);
		obj_release(heap, obj);
		/*
		 * Counted per heap, not per call: a loop of many short calls
		 * (a collection clearing rings of 1000) adds up too. One pass
		 * may free up to OBJHEAP_MAX_SLOTS + 1 objects: test whether a
		 * multiple of FREE_BATCH was crossed, not reached.
		 */
		if (frees / FREE_BATCH != heap->frees / FREE_BATCH)
			cond_resched();
	}
}

/**
 * objheap_obj_put() - drop one reference, freeing what becomes garbage
 * @heap: the heap, locked
 * @obj: the object
 *
 * Iterative: see the top of this file.
 */
void objheap_obj_put(struct objheap_heap *heap, struct objheap_obj *obj)
{
	struct objheap_gc_head *stack = NULL;

	lockdep_assert_held(&heap->lock);
	obj_put_push(heap, obj, &stack);
	free_dead(heap, stack);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_put);

/**
 * objheap_obj_clear_slots() - empty every slot of an object
 * @heap: the heap, locked
 * @obj: the object; the caller holds a reference, so it survives
 *
 * Breaks the cycles @obj is part of; what dies is freed.
 */
void objheap_obj_clear_slots(struct objheap_heap *heap,
			     struct objheap_obj *obj)
{
	struct objheap_gc_head *stack = NULL;
	u32 i;

	lockdep_assert_held(&heap->lock);
	for (i = 0; i < obj->nslots; i++) {
		struct objheap_obj *child = obj->slots[i];

		if (child) {
			obj->slots[i] = NULL;
			obj_put_push(heap, child, &stack);
		}
	}
	free_dead(heap, stack);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_obj_clear_slots);

/**
 * objheap_obj_clear_garbage() - empty the slots of an unreachable object
 * @heap: the heap, locked, in a collection
 * @obj: a container the collection found unreachable (and marked so)
 *
 * Every reference to an unreachable object comes from another one, so
 * the references into the set are only counted down here: those objects
 * are freed by objheap_obj_free_garbage(), without a pass through the
 * dead stack. References out of the set are dropped, freeing what dies
 * (which never leads back into the set: nothing outside points in).
 */
void objheap_obj_clear_garbage(struct objheap_heap *heap,
			       struct objheap_obj *obj)
{
	struct objheap_gc_head *stack = NULL;
	u32 i, nslots = obj->nslots;

	lockdep_assert_held(&heap->lock);
	for (i = 0; i < nslots; i++) {
		struct objheap_obj *child = obj->slots[i];

		if (!child)
			continue;
		obj->slots[i] = NULL;
		if (child->state != OBJHEAP_OBJ_UNREACHABLE)
			obj_put_push(heap, child, &stack);
		else if (unlikely(obj_refs_bad(child)))
			obj_refs_saturate(child);
		else
			child->refs--;
	}
	if (stack)
		free_dead(heap, stack);
}

/**
 * objheap_obj_free_garbage() - free an unreachable object once cleared
 * @heap: the heap, locked, in a collection
 * @obj: an unreachable container whose set has been cleared; it is left
 *	on the collection's list, which the caller discards (and counts)
 *
 * Return: true if freed; false if a reference to it is left, which the
 * collection could not see: the caller keeps it and breaks the heap.
 */
bool objheap_obj_free_garbage(struct objheap_heap *heap,
			      struct objheap_obj *obj)
{
	if (objheap_obj_refs(obj))
		return false;
	obj_release(heap, obj);
	return true;
}
