// SPDX-License-Identifier: GPL-2.0
/*
 * Per-type statistics: live objects and bytes for each type tag of a heap,
 * for the "where does my memory go" view (tracemalloc's top statistics).
 *
 * A red-black tree keyed by tag holds one entry per tag: created by the
 * first allocation of the tag and freed once its last object has died, so
 * the tree never holds more than the live tags plus the "hot" entry (the
 * one used last, which spares the allocation path a lookup). Each entry is
 * one allocation, charged to the heap (charge.c): a tree, unlike an
 * xarray, costs no more for sparse tags than for dense ones, so what a
 * heap pins for its tags is exactly what it is charged. Everything runs
 * under the heap's lock.
 *
 * Objects record their tag's entry by index, not the 32-bit tag: 14 bits
 * of an 8-byte header (struct objheap_obj). The type table maps indexes
 * to entries; its free entries form a LIFO list through the array, as the
 * handle table's do (handle.c), and it doubles when full, up to
 * OBJHEAP_MAX_TYPES entries: a heap holds that many distinct tags at once
 * at most. Counting an object out is an indexed load.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "objheap.h"

#define TYPE_FREE(next)		(((unsigned long)(next) << 1) | 1)
#define TYPE_NEXT(e)		((u32)((e) >> 1))
#define TYPES_MIN_CAP		16

/* What one entry costs its heap. */
static size_t types_entry_cost(void)
{
	return objheap_alloc_cost(sizeof(struct objheap_type_stat));
}

/**
 * objheap_types_init() - an empty table
 * @heap: a new heap
 */
void objheap_types_init(struct objheap_heap *heap)
{
	heap->types = RB_ROOT;
}

/* What a type table of @cap entries costs its heap. */
static size_t types_table_cost(u32 cap)
{
	return cap ? objheap_alloc_cost((size_t)cap * sizeof(unsigned long)) : 0;
}

/* Double the type table; the new entries go in front of the free list. */
static int types_table_grow(struct objheap_heap *heap)
{
	u32 i, newcap = heap->type_cap ? heap->type_cap * 2 : TYPES_MIN_CAP;
	unsigned long *table;
	int ret;

	if (heap->type_cap >= OBJHEAP_MAX_TYPES)
		return -EDQUOT;
	ret = objheap_charge(heap, types_table_cost(newcap));
	if (ret)
		return ret;
	table = kvmalloc_array(newcap, sizeof(*table), OBJHEAP_GFP);
	if (!table) {
		objheap_uncharge(heap, types_table_cost(newcap));
		return -ENOMEM;
	}
	if (heap->type_cap)
		memcpy(table, heap->type_table,
		       heap->type_cap * sizeof(*table));
	for (i = heap->type_cap; i < newcap; i++)
		table[i] = TYPE_FREE(i + 1 < newcap ? i + 2 : heap->type_free);
	heap->type_free = heap->type_cap + 1;
	kvfree(heap->type_table);
	objheap_uncharge(heap, types_table_cost(heap->type_cap));
	heap->type_table = table;
	heap->type_cap = newcap;
	return 0;
}

/* Unlink and free one entry, giving back its charge and its index. */
static void types_free(struct objheap_heap *heap, struct objheap_type_stat *ts)
{
	heap->type_table[ts->index] = TYPE_FREE(heap->type_free);
	heap->type_free = ts->index + 1;
	rb_erase(&ts->node, &heap->types);
	kfree(ts);
	objheap_uncharge(heap, types_entry_cost());
}

/**
 * objheap_types_destroy() - free the table of an empty heap
 * @heap: the heap, locked, whose objects are all gone
 */
void objheap_types_destroy(struct objheap_heap *heap)
{
	struct rb_node *node;

	/* Only the hot entry should be left; should others be, free them. */
	while ((node = rb_first(&heap->types)))
		types_free(heap, rb_entry(node, struct objheap_type_stat, node));
	heap->types_hot = NULL;
	kvfree(heap->type_table);
	objheap_uncharge(heap, types_table_cost(heap->type_cap));
	heap->type_table = NULL;
	heap->type_cap = 0;
	heap->type_free = 0;
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
	types_free(heap, ts);
}

/* The entry of @type in the tree, or NULL; *@link and *@parent: where it goes. */
static struct objheap_type_stat *types_lookup(struct objheap_heap *heap,
					      u32 type, struct rb_node ***link,
					      struct rb_node **parent)
{
	struct rb_node **p = &heap->types.rb_node, *up = NULL;

	while (*p) {
		struct objheap_type_stat *ts;

		up = *p;
		ts = rb_entry(up, struct objheap_type_stat, node);
		if (type == ts->type)
			return ts;
		p = type < ts->type ? &up->rb_left : &up->rb_right;
	}
	if (link) {
		*link = p;
		*parent = up;
	}
	return NULL;
}

/**
 * objheap_types_get() - the counts of a tag, created if new
 * @heap: the heap, locked
 * @type: the tag
 *
 * Changes nothing else: the entry becomes the hot one only when the
 * allocation it is for succeeds (objheap_types_commit()); one that fails
 * gives a new entry back with objheap_types_put().
 *
 * Return: the entry, ERR_PTR(-EDQUOT) if the heap cannot be charged for a
 * new one or holds OBJHEAP_MAX_TYPES tags already, or ERR_PTR(-ENOMEM).
 */
struct objheap_type_stat *objheap_types_get(struct objheap_heap *heap,
					    u32 type)
{
	struct objheap_type_stat *ts = heap->types_hot;
	struct rb_node **link, *parent;
	int ret;

	lockdep_assert_held(&heap->lock);
	if (ts && ts->type == type)
		return ts;
	ts = types_lookup(heap, type, &link, &parent);
	if (ts)
		return ts;
	if (!heap->type_free) {
		ret = types_table_grow(heap);
		if (ret)
			return ERR_PTR(ret);
	}
	ret = objheap_charge(heap, types_entry_cost());
	if (ret)
		return ERR_PTR(ret);
	ts = kzalloc(sizeof(*ts), OBJHEAP_GFP);
	if (!ts) {
		objheap_uncharge(heap, types_entry_cost());
		return ERR_PTR(-ENOMEM);
	}
	ts->type = type;
	ts->index = heap->type_free - 1;
	heap->type_free = TYPE_NEXT(heap->type_table[ts->index]);
	heap->type_table[ts->index] = (unsigned long)ts;
	/* The charge may have drained freelists, never the tree: look now. */
	types_lookup(heap, type, &link, &parent);
	rb_link_node(&ts->node, parent, link);
	rb_insert_color(&ts->node, &heap->types);
	return ts;
}

/**
 * objheap_types_commit() - an object of @ts's tag was allocated
 * @heap: the heap, locked
 * @ts: the entry, from objheap_types_get()
 *
 * The entry becomes the hot one: the next call for the same tag needs no
 * lookup, and an object allocated and freed in a loop does not create
 * and erase the entry each time. The entry the hot one replaces is erased
 * if it counts no object, so the table holds the live tags plus at most
 * one.
 */
void objheap_types_commit(struct objheap_heap *heap,
			  struct objheap_type_stat *ts)
{
	struct objheap_type_stat *old = heap->types_hot;

	if (old == ts)
		return;
	heap->types_hot = ts;
	if (old)
		objheap_types_put(heap, old);
}

/* The first entry whose tag is @type or above, or NULL. */
static struct rb_node *types_from(struct objheap_heap *heap, u64 type)
{
	struct rb_node *n = heap->types.rb_node, *best = NULL;

	while (n) {
		struct objheap_type_stat *ts;

		ts = rb_entry(n, struct objheap_type_stat, node);
		if (ts->type >= type) {
			best = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
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
	unsigned int held = 0, i, chunk;
	struct rb_node *node;
	u64 next = 0;

	*ntypes = 0;
	do {
		chunk = 0;
		mutex_lock(&heap->lock);
		for (node = types_from(heap, next); node && chunk < 256;
		     node = rb_next(node), chunk++) {
			struct objheap_type_stat *ts;
			struct objheap_type_top e;

			ts = rb_entry(node, struct objheap_type_stat, node);
			e = (struct objheap_type_top) {
				.type = ts->type, .objects = ts->objects,
				.bytes = ts->bytes,
			};
			next = (u64)ts->type + 1;
			/* The hot entry may count nothing: not a live tag. */
			if (!e.objects)
				continue;
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
		objheap_heap_unlock(heap);
		cond_resched();
	} while (node);
	return held;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_types_top);
