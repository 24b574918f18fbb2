// SPDX-License-Identifier: GPL-2.0
/*
 * Handle tables: a heap's small integers that name objects for user space,
 * as file descriptors name files. Each open handle owns one reference.
 *
 * The table is an array of words. A used entry holds the object pointer;
 * a free entry holds (index of the next free entry + 1) << 1 | 1, so the
 * free entries form a LIFO list threaded through the array and allocation
 * and release are O(1). Objects are at least 8-byte aligned, so bit 0 tells
 * the two apart. The table is charged to its heap (charge.c): growing it
 * needs room for the old and the new table at once, and fails with EDQUOT
 * where they do not fit. All functions run under the heap's lock.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "objheap.h"

#define ENTRY_FREE(next)	(((unsigned long)(next) << 1) | 1)
#define ENTRY_IS_FREE(e)	((e) & 1)
#define ENTRY_NEXT(e)		((u32)((e) >> 1))

/* The first table holds this many handles; it doubles when full. */
#define HANDLES_MIN_CAP		64

/**
 * objheap_handles_init() - an empty table
 * @t: the table
 */
void objheap_handles_init(struct objheap_handles *t)
{
	memset(t, 0, sizeof(*t));
}

/* What a table of @cap entries costs its heap. */
static size_t handles_cost(u32 cap)
{
	return cap ? objheap_alloc_cost((size_t)cap * sizeof(unsigned long)) : 0;
}

/**
 * objheap_handles_destroy() - free a heap's table itself
 * @heap: the heap, locked; its handles must have been released
 */
void objheap_handles_destroy(struct objheap_heap *heap)
{
	struct objheap_handles *t = &heap->handles;

	kvfree(t->entries);
	objheap_uncharge(heap, handles_cost(t->cap));
	memset(t, 0, sizeof(*t));
}

static int handles_grow(struct objheap_heap *heap)
{
	struct objheap_handles *t = &heap->handles;
	u32 newcap = t->cap ? t->cap * 2 : HANDLES_MIN_CAP;
	unsigned long *entries;
	int ret;
	u32 i;

	if (newcap > OBJHEAP_HARD_MAX_HANDLES)
		newcap = OBJHEAP_HARD_MAX_HANDLES;
	if (newcap <= t->cap)
		return -EMFILE;
	ret = objheap_charge(heap, handles_cost(newcap));
	if (ret)
		return ret;
	entries = kvmalloc_array(newcap, sizeof(*entries), OBJHEAP_GFP);
	if (!entries) {
		objheap_uncharge(heap, handles_cost(newcap));
		return -ENOMEM;
	}
	if (t->cap)
		memcpy(entries, t->entries, t->cap * sizeof(*entries));
	/* Chain the new entries in order, in front of the old free list. */
	for (i = t->cap; i < newcap; i++)
		entries[i] = ENTRY_FREE(i + 1 < newcap ? i + 2 : t->free);
	t->free = t->cap + 1;
	kvfree(t->entries);
	objheap_uncharge(heap, handles_cost(t->cap));
	t->entries = entries;
	t->cap = newcap;
	return 0;
}

/**
 * objheap_handle_reserve_n() - make sure @n more handles can be installed
 * @heap: the heap, locked
 * @n: how many
 *
 * After success, the next @n objheap_handle_install() cannot fail, so
 * callers reserve before they change anything.
 *
 * Return: 0, -EMFILE past the heap's max_handles, -EDQUOT if a larger
 * table cannot be charged, or -ENOMEM.
 */
int objheap_handle_reserve_n(struct objheap_heap *heap, u32 n)
{
	struct objheap_handles *t = &heap->handles;
	int ret;

	lockdep_assert_held(&heap->lock);
	if ((u64)t->used + n > heap->limits.max_handles)
		return -EMFILE;
	/* Every entry not used is free. */
	while (t->cap - t->used < n) {
		ret = handles_grow(heap);
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_handle_reserve_n);

/**
 * objheap_handle_reserve() - make sure one more handle can be installed
 * @heap: the heap, locked
 *
 * Return: as objheap_handle_reserve_n().
 */
int objheap_handle_reserve(struct objheap_heap *heap)
{
	return objheap_handle_reserve_n(heap, 1);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_handle_reserve);

/**
 * objheap_handle_install() - open a handle on @obj
 * @t: the table, with a free entry (objheap_handle_reserve())
 * @obj: the object; the reference the handle owns is the caller's
 *
 * Return: the handle, never 0.
 */
u32 objheap_handle_install(struct objheap_handles *t, struct objheap_obj *obj)
{
	u32 h = t->free;

	t->free = ENTRY_NEXT(t->entries[h - 1]);
	t->entries[h - 1] = (unsigned long)obj;
	t->used++;
	return h;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_handle_install);

/**
 * objheap_handle_lookup() - the object a handle names
 * @t: the table
 * @h: the handle, any value
 *
 * Return: the object, or NULL if @h is not an open handle.
 */
struct objheap_obj *objheap_handle_lookup(struct objheap_handles *t, u32 h)
{
	unsigned long e;

	if (h == 0 || h > t->cap)
		return NULL;
	e = t->entries[h - 1];
	return ENTRY_IS_FREE(e) ? NULL : (struct objheap_obj *)e;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_handle_lookup);

/**
 * objheap_handle_remove() - close a handle
 * @t: the table
 * @h: the handle, any value
 *
 * Return: the object whose reference the caller now owns, or NULL if @h
 * is not an open handle.
 */
struct objheap_obj *objheap_handle_remove(struct objheap_handles *t, u32 h)
{
	struct objheap_obj *obj = objheap_handle_lookup(t, h);

	if (!obj)
		return NULL;
	t->entries[h - 1] = ENTRY_FREE(t->free);
	t->free = h;
	t->used--;
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_handle_remove);
