// SPDX-License-Identifier: GPL-2.0
/*
 * Per-type statistics: live objects and bytes for each type tag of a heap,
 * for the "where does my memory go" view (tracemalloc's top statistics).
 *
 * An xarray maps a tag to its counts; an entry is created by the first
 * allocation of the tag and freed once its last object has died, so the
 * table never holds more than the live tags plus the "hot" entry (the one
 * used last, which spares the allocation path a lookup). Everything runs
 * under the heap's lock.
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "objheap.h"

/**
 * objheap_types_init() - an empty table
 * @heap: a new heap
 */
void objheap_types_init(struct objheap_heap *heap)
{
	xa_init(&heap->types);
}

/**
 * objheap_types_destroy() - free the table of an empty heap
 * @heap: the heap, whose objects are all gone
 */
void objheap_types_destroy(struct objheap_heap *heap)
{
	struct objheap_type_stat *ts;
	unsigned long type;

	/* Empty by now; should an entry remain, free it anyway. */
	xa_for_each(&heap->types, type, ts)
		kfree(ts);
	xa_destroy(&heap->types);
	heap->types_hot = NULL;
}

/**
 * objheap_types_put() - forget an entry that may have no object left
 * @heap: the heap, locked
 * @ts: the entry, from objheap_types_get()
 *
 * The hot entry stays (see objheap_types_get()).
 */
void objheap_types_put(struct objheap_heap *heap,
		       struct objheap_type_stat *ts)
{
	if (ts->objects || ts == heap->types_hot)
		return;
	xa_erase(&heap->types, ts->type);
	kfree(ts);
}

/* The entry of @type, from the hot entry first: allocations come in runs. */
static struct objheap_type_stat *types_find(struct objheap_heap *heap,
					    u32 type)
{
	struct objheap_type_stat *ts = heap->types_hot;

	if (ts && ts->type == type)
		return ts;
	ts = xa_load(&heap->types, type);
	if (ts) {
		swap(heap->types_hot, ts);
		if (ts)
			objheap_types_put(heap, ts);
		return heap->types_hot;
	}
	return NULL;
}

/**
 * objheap_types_get() - the counts of a tag, created if new
 * @heap: the heap, locked
 * @type: the tag
 *
 * The entry becomes the hot one: the next call for the same tag needs no
 * lookup, and an object allocated and freed in a loop does not create
 * and erase the entry each time. The entry the hot one replaces is erased
 * if it counts no object, so the table holds the live tags plus at most
 * one.
 *
 * Return: the entry, or NULL when memory is short.
 */
struct objheap_type_stat *objheap_types_get(struct objheap_heap *heap,
					    u32 type)
{
	struct objheap_type_stat *ts, *old;

	lockdep_assert_held(&heap->lock);
	ts = types_find(heap, type);
	if (ts)
		return ts;
	ts = kzalloc(sizeof(*ts), OBJHEAP_GFP);
	if (!ts)
		return NULL;
	ts->type = type;
	if (xa_err(xa_store(&heap->types, type, ts, OBJHEAP_GFP))) {
		kfree(ts);
		return NULL;
	}
	old = heap->types_hot;
	heap->types_hot = ts;
	if (old)
		objheap_types_put(heap, old);
	return ts;
}

/**
 * objheap_types_uncount() - an object of @type and @bytes dies
 * @heap: the heap, locked
 * @type: its tag
 * @bytes: what it was charged
 */
void objheap_types_uncount(struct objheap_heap *heap, u32 type, u64 bytes)
{
	struct objheap_type_stat *ts = types_find(heap, type);

	if (WARN_ON_ONCE(!ts))
		return;
	ts->objects--;
	ts->bytes -= bytes;
}

/**
 * objheap_types_top() - the tags with the most bytes, and the totals
 * @heap: the heap, not locked: it is locked a chunk of tags at a time,
 *	so that a heap with many tags is never stopped for long
 * @top: receives up to @n entries, most bytes first
 * @n: room in @top
 * @ntypes: out: tags with live objects
 *
 * Return: how many entries @top holds.
 */
unsigned int objheap_types_top(struct objheap_heap *heap,
			       struct objheap_type_top *top, unsigned int n,
			       u64 *ntypes)
{
	struct objheap_type_stat *ts;
	unsigned long index = 0;
	unsigned int held = 0, i, chunk;

	*ntypes = 0;
	do {
		chunk = 0;
		mutex_lock(&heap->lock);
		xa_for_each_start(&heap->types, index, ts, index) {
			struct objheap_type_top e = {
				.type = index, .objects = ts->objects,
				.bytes = ts->bytes,
			};

			/* The hot entry may count nothing: not a live tag. */
			if (e.objects) {
				(*ntypes)++;
				/* Insert into the sorted @top, dropping the least. */
				for (i = held; i > 0 && top[i - 1].bytes < e.bytes; i--)
					if (i < n)
						top[i] = top[i - 1];
				if (i < n) {
					top[i] = e;
					held = min(held + 1, n);
				}
			}
			if (++chunk == 256)
				break;
		}
		mutex_unlock(&heap->lock);
		cond_resched();
	} while (chunk == 256 && index++ < U32_MAX);
	return held;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_types_top);
