// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim of the freelists: a memcg-aware shrinker over a list_lru of
 * heaps, so that a memory cgroup at its limit gets back the memory its
 * own heaps keep on their freelists before an allocation in it fails.
 *
 * Heap structs come from their own cache through kmem_cache_alloc_lru(),
 * charged to the opener's memory cgroup, and each heap sits on the list
 * of that cgroup (list_lru keeps one per cgroup and node) from creation
 * to destruction. The shrinker counts and frees the freelisted objects of
 * the heaps of the cgroup being reclaimed; global reclaim visits every
 * cgroup in turn, the root one included. A heap shared with a task of
 * another cgroup is reclaimed with its opener's.
 *
 * Reclaim may run from any allocation, including one made under a heap's
 * lock, so the callbacks only trylock heaps; they run under the list's
 * spinlock, which is why they never sleep (freeing to the slab does not).
 */
#include <linux/list_lru.h>
#include <linux/nodemask.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "objheap.h"

static struct kmem_cache *objheap_heap_cache;
static struct list_lru objheap_lru;
/* objheap_lru is set up: a shrinker registered before it finds nothing. */
static bool objheap_lru_ready;

/*
 * A heap's debugfs directory, heaps/<id>/ with "info" and "types": three
 * dentries and inodes, some 700 bytes each; charged with the heap, though
 * allocated by debugfs.
 */
#define HEAP_DEBUGFS_COST	(3 * 1024)

/**
 * objheap_heap_cost() - what a heap's own struct costs
 *
 * Return: its slab object size and its debugfs directory's, charged from
 * creation to the last pin.
 */
size_t objheap_heap_cost(void)
{
	return kmem_cache_size(objheap_heap_cache) + HEAP_DEBUGFS_COST;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_heap_cost);

/**
 * objheap_reclaim_alloc_heap() - allocate a zeroed heap, on its cgroup's list
 *
 * The shrinker may trylock and unlock the heap from the moment it is on
 * the list: its lock and the lock's wait queue are set up before (a
 * zeroed wait queue looks like one with sleepers to the unlock, whose
 * wake_up() would follow its NULL list; ThreadSanitizer in the userland
 * harness found the race).
 *
 * Return: the heap, or NULL.
 */
struct objheap_heap *objheap_reclaim_alloc_heap(void)
{
	struct objheap_heap *heap;

	heap = kmem_cache_alloc_lru(objheap_heap_cache, &objheap_lru,
				    OBJHEAP_GFP | __GFP_ZERO);
	if (!heap)
		return NULL;
	mutex_init(&heap->lock);
	init_waitqueue_head(&heap->lock_wait);
	INIT_LIST_HEAD(&heap->lru);
#ifdef OBJHEAP_HAVE_LIST_LRU_ADD_OBJ
	list_lru_add_obj(&objheap_lru, &heap->lru);
#else
	list_lru_add(&objheap_lru, &heap->lru);
#endif
	return heap;
}

/**
 * objheap_reclaim_free_heap() - take a heap off its list and free it
 * @heap: from objheap_reclaim_alloc_heap(), with nothing left in it, unlocked
 *
 * Its lock goes last: a shrinker walk may try it until the heap is off
 * the list (list_lru_del_obj() waits for the walk).
 */
void objheap_reclaim_free_heap(struct objheap_heap *heap)
{
#ifdef OBJHEAP_HAVE_LIST_LRU_ADD_OBJ
	list_lru_del_obj(&objheap_lru, &heap->lru);
#else
	list_lru_del(&objheap_lru, &heap->lru);
#endif
	mutex_destroy(&heap->lock);
	kmem_cache_free(objheap_heap_cache, heap);
}

struct reclaim_walk {
	unsigned long count;	/* objects found, or freed */
	unsigned long todo;	/* objects still to free */
};

/* Count one heap's freelisted objects, read without its lock. */
static enum lru_status count_heap(struct list_head *item,
				  struct list_lru_one *list,
				  spinlock_t *lock, void *arg)
{
	struct objheap_heap *heap = container_of(item, struct objheap_heap, lru);
	struct reclaim_walk *w = arg;
	unsigned int class;

	for (class = 0; class < OBJHEAP_NR_CLASSES; class++)
		w->count += READ_ONCE(heap->free[class].count);
	return LRU_SKIP;
}

/* Free one heap's freelisted objects, if its lock is free now. */
static enum lru_status drain_heap(struct list_head *item,
				  struct list_lru_one *list,
				  spinlock_t *lock, void *arg)
{
	struct objheap_heap *heap = container_of(item, struct objheap_heap, lru);
	struct reclaim_walk *w = arg;
	unsigned long freed;

	/* Done: pass the rest by (6.1 has no LRU_STOP). */
	if (!w->todo)
		return LRU_SKIP;
	if (!mutex_trylock(&heap->lock))
		return LRU_SKIP;
	freed = objheap_pool_drain_some(heap, w->todo);
	objheap_heap_unlock(heap);
	w->count += freed;
	w->todo -= freed;
	/* Drained heaps go to the tail: the next scan starts elsewhere. */
	return LRU_ROTATE;
}

/*
 * Walk the heaps of @sc's cgroup on every node (the shrinker is not NUMA
 * aware), each at most once: the walk meets a rotated heap again at the
 * list's tail, so a walk bounded only by w->todo would spin forever under
 * the list's spinlock when the heaps hold fewer objects than asked for (a
 * busy heap skipped, the others empty; the userland harness found it).
 */
static void reclaim_walk(struct shrink_control *sc, list_lru_walk_cb cb,
			 struct reclaim_walk *w)
{
	int nid;

	/* Pairs with the release in objheap_reclaim_init(). */
	if (!smp_load_acquire(&objheap_lru_ready))
		return;
	for_each_node_state(nid, N_MEMORY) {
		unsigned long nr = list_lru_count_one(&objheap_lru, nid,
						      sc->memcg);

		list_lru_walk_one(&objheap_lru, nid, sc->memcg, cb, w, &nr);
	}
}

static unsigned long objheap_shrink_count(struct shrinker *s,
					  struct shrink_control *sc)
{
	struct reclaim_walk w = { 0 };

	reclaim_walk(sc, count_heap, &w);
	return w.count ? w.count : SHRINK_EMPTY;
}

static unsigned long objheap_shrink_scan(struct shrinker *s,
					 struct shrink_control *sc)
{
	struct reclaim_walk w = { .todo = sc->nr_to_scan };

	reclaim_walk(sc, drain_heap, &w);
	return w.count ? w.count : SHRINK_STOP;
}

#ifdef OBJHEAP_HAVE_SHRINKER_ALLOC
static struct shrinker *objheap_shrinker;

static int reclaim_register(void)
{
	int ret;

	objheap_shrinker = shrinker_alloc(SHRINKER_MEMCG_AWARE,
					  "objheap-freelists");
	if (!objheap_shrinker)
		return -ENOMEM;
	objheap_shrinker->count_objects = objheap_shrink_count;
	objheap_shrinker->scan_objects = objheap_shrink_scan;
	ret = list_lru_init_memcg(&objheap_lru, objheap_shrinker);
	if (ret) {
		shrinker_free(objheap_shrinker);
		return ret;
	}
	shrinker_register(objheap_shrinker);
	return 0;
}

static void reclaim_unregister(void)
{
	shrinker_free(objheap_shrinker);
	list_lru_destroy(&objheap_lru);
}
#else
static struct shrinker objheap_shrinker = {
	.count_objects = objheap_shrink_count,
	.scan_objects = objheap_shrink_scan,
	.seeks = DEFAULT_SEEKS,
	.flags = SHRINKER_MEMCG_AWARE,
};

/*
 * The list needs the shrinker's id, which only registration gives here:
 * the shrinker may run before the list exists (objheap_lru_ready).
 */
static int reclaim_register(void)
{
	int ret;

	ret = register_shrinker(&objheap_shrinker, "objheap-freelists");
	if (ret)
		return ret;
	ret = list_lru_init_memcg(&objheap_lru, &objheap_shrinker);
	if (ret)
		unregister_shrinker(&objheap_shrinker);
	return ret;
}

static void reclaim_unregister(void)
{
	unregister_shrinker(&objheap_shrinker);
	list_lru_destroy(&objheap_lru);
}
#endif

/**
 * objheap_reclaim_init() - the heap cache, its list_lru and the shrinker
 *
 * Return: 0 or -ENOMEM.
 */
int objheap_reclaim_init(void)
{
	int ret;

	objheap_heap_cache = KMEM_CACHE(objheap_heap, SLAB_ACCOUNT);
	if (!objheap_heap_cache)
		return -ENOMEM;
	ret = reclaim_register();
	if (ret) {
		kmem_cache_destroy(objheap_heap_cache);
		return ret;
	}
	/* The list is whole before a shrinker call can see it ready. */
	smp_store_release(&objheap_lru_ready, true);
	return 0;
}

/**
 * objheap_reclaim_exit() - undo objheap_reclaim_init(); no heap is left
 */
void objheap_reclaim_exit(void)
{
	WRITE_ONCE(objheap_lru_ready, false);
	reclaim_unregister();
	kmem_cache_destroy(objheap_heap_cache);
}
