// SPDX-License-Identifier: GPL-2.0
/*
 * Heap lifecycle: one heap per open of /dev/objheap.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "objheap.h"

struct objheap_totals objheap_totals;
EXPORT_SYMBOL_IF_KUNIT(objheap_totals);

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

	heap = kzalloc(sizeof(*heap), GFP_KERNEL_ACCOUNT);
	if (!heap)
		return ERR_PTR(-ENOMEM);

	heap->id = atomic64_inc_return(&objheap_totals.heaps_created);
	heap->owner_tgid = task_tgid_nr(current);
	get_task_comm(heap->owner_comm, current);
	atomic_long_inc(&objheap_totals.heaps_live);
	return heap;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_create);

/**
 * objheap_heap_destroy() - free a heap and everything in it
 * @heap: heap from objheap_heap_create(); no other user may remain
 */
void objheap_heap_destroy(struct objheap_heap *heap)
{
	atomic_long_dec(&objheap_totals.heaps_live);
	kfree(heap);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_destroy);
