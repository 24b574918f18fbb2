// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: fixed size classes, each backed by its own kmem_cache, plus small
 * per-heap freelists that keep recently freed objects for reuse, as
 * CPython's obmalloc pools and per-type freelists do.
 *
 * The class table: 8-byte steps up to 64 bytes (the smallest containers:
 * a two-slot one is 40 bytes, and an 8-byte header makes every slot count
 * 8 bytes in the class too), 16-byte steps up to 128, then 32-, 64- and
 * 256-byte steps, then halves of powers of two up to 4096. Rounding waste is
 * at most 1/4 of an object above 128 bytes, and at most 15 bytes below.
 * Anything larger than 4096 bytes comes from kvmalloc, which rounds to
 * pages itself.
 */
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "objheap.h"

const u16 objheap_class_sizes[OBJHEAP_NR_CLASSES] = {
	16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128,
	160, 192, 224, 256,
	320, 384, 448, 512,
	768, 1024, 1536, 2048, 3072, OBJHEAP_SMALL_MAX,
};
EXPORT_SYMBOL_IF_KUNIT(objheap_class_sizes);

static struct kmem_cache *class_cache[OBJHEAP_NR_CLASSES];
static char class_name[OBJHEAP_NR_CLASSES][16];

/* objheap_size_classes[(size + 7) / 8]: the smallest class that fits. */
u8 objheap_size_classes[OBJHEAP_SMALL_MAX / 8 + 1];
EXPORT_SYMBOL_IF_KUNIT(objheap_size_classes);

/*
 * Each class keeps its own cache so that it shows in /proc/slabinfo as
 * objheap-<size>. SLUB would merge it with other caches of the same size:
 * SLAB_NO_MERGE (6.5+) forbids that; before it, SLAB_NOLEAKTRACE does too
 * (and on a KASAN kernel no cache merges).
 *
 * kmemleak tracks objects only with the module parameter leak_check (the
 * debug VM's selftests load the module so): a heap counts its objects and
 * bytes itself and warns if they are not zero when it is destroyed, and
 * kmem_cache_destroy() reports any object left in a class cache, so a
 * leaked object is caught anyway; kmemleak finds one sooner, and says
 * where it came from, at some microseconds per allocation, too many for
 * the KUnit suites' million-object cases under TCG. Every live object is
 * reachable for kmemleak: handles from the handle table, containers from
 * the collector's lists, slots' targets from their containers, freelisted
 * objects from the freelists, all from the heap, which its file holds.
 */
#if defined(SLAB_NO_MERGE)
#define OBJHEAP_SLAB_FLAGS	(SLAB_ACCOUNT | SLAB_NO_MERGE)
#else
#define OBJHEAP_SLAB_FLAGS	SLAB_ACCOUNT
#endif

/* The caches' flags, from leak_check at load time. */
static slab_flags_t pool_slab_flags(void)
{
	return OBJHEAP_SLAB_FLAGS | (objheap_leak_check ? 0 : SLAB_NOLEAKTRACE);
}

/*
 * KASAN: an object waiting on a freelist is poisoned as freed memory, so
 * that a use after its last DROP is reported even though the slab never
 * saw it freed (mm/mempool.c does the same for its elements), and made
 * accessible again when it is reused or goes back to the slab (which
 * would take a poisoned object for a double free). The mempool helpers
 * are not exported; kasan_poison() (mm/kasan/kasan.h) is, on every kernel
 * objheap supports, and a shadow byte of 0 is an accessible granule. The
 * class sizes are whole granules. The freelist link is written before
 * poisoning and read after unpoisoning.
 */
#ifdef CONFIG_KASAN_GENERIC
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#define OBJHEAP_KASAN_FREE	0xFB	/* KASAN_SLAB_FREE */

static void freelist_poison(void *mem, unsigned int class)
{
	kasan_poison(mem, objheap_class_sizes[class], OBJHEAP_KASAN_FREE, false);
}

static void *freelist_unpoison(void *mem, unsigned int class)
{
	kasan_poison(mem, objheap_class_sizes[class], 0, false);
	return mem;
}
#else
static void freelist_poison(void *mem, unsigned int class) { }

static void *freelist_unpoison(void *mem, unsigned int class)
{
	return mem;
}
#endif

/* Take the first object off a freelist, usable again; NULL if empty. */
static void *freelist_pop(struct objheap_freelist *fl, unsigned int class)
{
	void **mem = fl->head;

	if (!mem)
		return NULL;
	mem = freelist_unpoison(mem, class);
	fl->head = *mem;
	objheap_stat_add(fl->count, -1);
	return mem;
}

/**
 * objheap_pool_alloc() - allocate the memory of one object
 * @heap: the heap, locked
 * @class: objheap_size_to_class(@size)
 * @size: bytes needed
 *
 * Takes from the heap's freelist of @class first, which is charged
 * already; memory from the slab is charged to the heap first (charge.c),
 * and to the caller's memory cgroup. It is not zeroed.
 *
 * Return: the memory, ERR_PTR(-EDQUOT) at the heap's or its user's byte
 * limit, or ERR_PTR(-ENOMEM).
 */
void *objheap_pool_alloc(struct objheap_heap *heap, unsigned int class,
			 size_t size)
{
	struct objheap_freelist *fl;
	size_t cost;
	void *obj;
	int ret;

	lockdep_assert_held(&heap->lock);
	if (class == OBJHEAP_CLASS_LARGE) {
		void *mem;

		cost = objheap_alloc_cost(size);
		ret = objheap_charge(heap, cost);
		if (ret)
			return ERR_PTR(ret);
		mem = kvmalloc(size, OBJHEAP_GFP);
		if (!mem) {
			objheap_uncharge(heap, cost);
			return ERR_PTR(-ENOMEM);
		}
		/*
		 * Unless objects are tracked, only untracked objects point at
		 * it (see above): tell kmemleak it is not a leak; the heap's
		 * counts would still catch one.
		 */
		if (!objheap_leak_check)
			kmemleak_not_leak(mem);
		return mem;
	}

	fl = &heap->free[class];
	obj = freelist_pop(fl, class);
	if (obj) {
		objheap_stat_add(fl->hits, 1);
		return obj;
	}
	ret = objheap_charge(heap, objheap_class_sizes[class]);
	if (ret)
		return ERR_PTR(ret);
	obj = kmem_cache_alloc(class_cache[class], OBJHEAP_GFP);
	if (!obj) {
		objheap_uncharge(heap, objheap_class_sizes[class]);
		return ERR_PTR(-ENOMEM);
	}
	/* A failed call changes no statistic: count the miss that served. */
	objheap_stat_add(fl->misses, 1);
	return obj;
}

/**
 * objheap_pool_freelisted_bytes() - bytes waiting on a heap's freelists
 * @heap: the heap, locked
 *
 * Return: their sum, as charged.
 */
size_t objheap_pool_freelisted_bytes(struct objheap_heap *heap)
{
	size_t bytes = 0;
	unsigned int class;

	for (class = 0; class < OBJHEAP_NR_CLASSES; class++)
		bytes += (size_t)heap->free[class].count * objheap_class_sizes[class];
	return bytes;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_pool_freelisted_bytes);

/*
 * Give the @n objects at the head of a freelist back to the slab in one
 * kmem_cache_free_bulk(): SLUB frees a run of objects of one slab with
 * one update, where single frees pay one each.
 */
static noinline void pool_release(struct objheap_heap *heap,
				  unsigned int class, unsigned int n)
{
	struct objheap_freelist *fl = &heap->free[class];
	void *batch[OBJHEAP_POOL_RELEASE];
	unsigned int i;

	for (i = 0; i < n && i < ARRAY_SIZE(batch) && fl->head; i++)
		batch[i] = freelist_pop(fl, class);
	kmem_cache_free_bulk(class_cache[class], i, batch);
	objheap_uncharge(heap, (size_t)i * objheap_class_sizes[class]);
}

/**
 * objheap_pool_free() - give back the memory of one object
 * @heap: the heap, locked
 * @mem: from objheap_pool_alloc() with the same @class
 * @class: its pool index
 * @size: the bytes it was allocated for
 *
 * Keeps it on the heap's freelist. A full freelist (objheap_freelist_max
 * objects) first gives OBJHEAP_POOL_RELEASE of them back to the slab at
 * once, so that freeing many objects (a collection, a heap's close) costs
 * one slab call per batch.
 */
void objheap_pool_free(struct objheap_heap *heap, void *mem,
		       unsigned int class, size_t size)
{
	unsigned int max = READ_ONCE(objheap_freelist_max);
	struct objheap_freelist *fl;

	lockdep_assert_held(&heap->lock);
	if (class == OBJHEAP_CLASS_LARGE) {
		kvfree(mem);
		objheap_uncharge(heap, objheap_alloc_cost(size));
		return;
	}
	fl = &heap->free[class];
	if (!max) {
		kmem_cache_free(class_cache[class], mem);
		objheap_uncharge(heap, objheap_class_sizes[class]);
		return;
	}
	if (fl->count >= max)
		pool_release(heap, class, fl->count - max + OBJHEAP_POOL_RELEASE);
	/* The link is the first word, whatever the object was. */
	*(void **)mem = fl->head;
	freelist_poison(mem, class);
	fl->head = mem;
	objheap_stat_add(fl->count, 1);
}

/**
 * objheap_pool_drain_some() - give freelisted objects back to the slab
 * @heap: the heap, locked
 * @nr: how many at most
 *
 * Return: how many were given back.
 */
unsigned long objheap_pool_drain_some(struct objheap_heap *heap,
				      unsigned long nr)
{
	unsigned long freed = 0;
	unsigned int class;

	lockdep_assert_held(&heap->lock);
	for (class = 0; class < OBJHEAP_NR_CLASSES && freed < nr; class++) {
		struct objheap_freelist *fl = &heap->free[class];

		while (fl->head && freed < nr) {
			kmem_cache_free(class_cache[class],
					freelist_pop(fl, class));
			objheap_uncharge(heap, objheap_class_sizes[class]);
			freed++;
		}
	}
	return freed;
}

/**
 * objheap_pool_drain() - empty all of a heap's freelists
 * @heap: the heap, locked
 */
void objheap_pool_drain(struct objheap_heap *heap)
{
	objheap_pool_drain_some(heap, ULONG_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_pool_drain);

/**
 * objheap_pool_shrink() - free objects from the freelists of all heaps
 * @nr_to_scan: how many to free at most
 *
 * For tests and debugging; reclaim goes through the memcg-aware shrinker
 * (reclaim.c). Only trylocks, as the shrinker: a busy heap (or heap list)
 * is skipped this time.
 *
 * Return: objects freed.
 */
unsigned long objheap_pool_shrink(unsigned long nr_to_scan)
{
	struct objheap_heap *heap;
	unsigned long freed = 0;

	if (!mutex_trylock(&objheap_heaps_lock))
		return 0;
	list_for_each_entry(heap, &objheap_heaps, node) {
		if (freed >= nr_to_scan)
			break;
		if (!mutex_trylock(&heap->lock))
			continue;
		freed += objheap_pool_drain_some(heap, nr_to_scan - freed);
		objheap_heap_unlock(heap);
	}
	mutex_unlock(&objheap_heaps_lock);
	return freed;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_pool_shrink);

static void pool_destroy_caches(void)
{
	unsigned int class;

	for (class = 0; class < OBJHEAP_NR_CLASSES; class++) {
		kmem_cache_destroy(class_cache[class]);
		class_cache[class] = NULL;
	}
}

/**
 * objheap_pool_init() - create the class caches
 *
 * Return: 0 or -ENOMEM.
 */
int objheap_pool_init(void)
{
	unsigned int class, i;

	for (class = 0, i = 0; i < ARRAY_SIZE(objheap_size_classes); i++) {
		while (objheap_class_sizes[class] < i * 8)
			class++;
		objheap_size_classes[i] = class;
	}

	for (class = 0; class < OBJHEAP_NR_CLASSES; class++) {
		snprintf(class_name[class], sizeof(class_name[class]),
			 "objheap-%u", objheap_class_sizes[class]);
		class_cache[class] = kmem_cache_create(class_name[class],
						       objheap_class_sizes[class], 8,
						       pool_slab_flags(), NULL);
		if (!class_cache[class]) {
			pool_destroy_caches();
			return -ENOMEM;
		}
	}

	return 0;
}

/**
 * objheap_pool_exit() - destroy the caches
 *
 * Every heap is gone by now, and with them every object and freelist.
 */
void objheap_pool_exit(void)
{
	pool_destroy_caches();
}
