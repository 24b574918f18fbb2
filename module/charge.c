// SPDX-License-Identifier: GPL-2.0
/*
 * Charging: every byte of kernel memory objheap holds for a heap counts
 * against that heap's max_bytes and against its user's budget.
 *
 * What counts is what the allocators really hand out: the heap itself,
 * objects (their size class, or the kvmalloc size of a large one) while
 * they live and while they wait on a freelist, the handle table, the
 * per-type statistics, and the bounce buffers of READ and WRITE while a
 * call uses them. So what a heap pins is at most its max_bytes, and what a
 * user's heaps pin together at most objheap_user_max_bytes (as pipes have
 * pipe-user-pages-soft). Both fail with EDQUOT; the memory cgroup, which
 * is charged as well (OBJHEAP_GFP), fails with ENOMEM.
 *
 * Users are found by real uid, as pipes and ucounts do, in a small hash
 * table; an entry lives while a heap of its user does. The user's counter
 * is atomic and shared by all its heaps; a heap's counter is under the
 * heap's lock.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include "objheap.h"

/* Protects objheap_users and the entries' membership in it. */
static DEFINE_SPINLOCK(objheap_users_lock);
static DEFINE_HASHTABLE(objheap_users, 6);

/**
 * objheap_alloc_cost() - memory an allocation of @size really takes
 * @size: bytes asked of kmalloc() or kvmalloc()
 *
 * Return: the kmalloc size class; above the largest one, the power of two
 * pages that kmalloc() takes from the page allocator, which is also at
 * least what kvmalloc()'s vmalloc fallback takes.
 */
size_t objheap_alloc_cost(size_t size)
{
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_size_roundup(size);
	return PAGE_SIZE << get_order(size);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_alloc_cost);

/**
 * objheap_user_get() - the current user's entry, created if new
 *
 * Return: the entry with a reference, or NULL when memory is short.
 */
struct objheap_user *objheap_user_get(void)
{
	kuid_t uid = current_uid();
	struct objheap_user *u, *fresh;

	fresh = kzalloc(sizeof(*fresh), OBJHEAP_GFP);
	if (!fresh)
		return NULL;
	spin_lock(&objheap_users_lock);
	hash_for_each_possible(objheap_users, u, node, __kuid_val(uid)) {
		if (uid_eq(u->uid, uid)) {
			refcount_inc(&u->refs);
			spin_unlock(&objheap_users_lock);
			kfree(fresh);
			return u;
		}
	}
	fresh->uid = uid;
	refcount_set(&fresh->refs, 1);
	atomic_long_set(&fresh->pinned, 0);
	hash_add(objheap_users, &fresh->node, __kuid_val(uid));
	spin_unlock(&objheap_users_lock);
	return fresh;
}

/**
 * objheap_user_put() - drop a reference to a user's entry
 * @u: the entry; freed with its last heap, which has uncharged everything
 */
void objheap_user_put(struct objheap_user *u)
{
	bool last;

	spin_lock(&objheap_users_lock);
	last = refcount_dec_and_test(&u->refs);
	if (last)
		hash_del(&u->node);
	spin_unlock(&objheap_users_lock);
	if (!last)
		return;
	WARN_ON_ONCE(atomic_long_read(&u->pinned));
	kfree(u);
}

/**
 * objheap_user_pinned() - bytes a heap's user has pinned in all its heaps
 * @heap: the heap
 *
 * Return: the user's total, a snapshot.
 */
u64 objheap_user_pinned(struct objheap_heap *heap)
{
	return atomic_long_read(&heap->user->pinned);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_user_pinned);

/* Take @bytes from the user's budget, or fail without taking any. */
static bool user_try_charge(struct objheap_user *u, size_t bytes)
{
	unsigned long max = READ_ONCE(objheap_user_max_bytes);
	long old = atomic_long_read(&u->pinned);

	do {
		if (bytes > max || old > max - bytes)
			return false;
	} while (!atomic_long_try_cmpxchg(&u->pinned, &old, old + bytes));
	return true;
}

/**
 * objheap_heap_pinned() - all a heap holds: charged under its lock, and
 *	the bounce buffers of the calls running now
 * @heap: the heap, locked
 *
 * Return: bytes.
 */
u64 objheap_heap_pinned(struct objheap_heap *heap)
{
	return heap->pinned + atomic_long_read(&heap->transient);
}

/* Both limits, as they stand. */
static bool charge_fits(struct objheap_heap *heap, size_t bytes)
{
	return objheap_heap_pinned(heap) + bytes <= heap->limits.max_bytes &&
	       user_try_charge(heap->user, bytes);
}

/* Take @bytes from the user's budget, if the heap has room for them too. */
static int charge(struct objheap_heap *heap, size_t bytes)
{
	lockdep_assert_held(&heap->lock);
	if (charge_fits(heap, bytes))
		return 0;
	/* Even an empty freelist would not do: change nothing. */
	if (objheap_heap_pinned(heap) - objheap_pool_freelisted_bytes(heap) +
	    bytes > heap->limits.max_bytes)
		return -EDQUOT;
	objheap_pool_drain(heap);
	return charge_fits(heap, bytes) ? 0 : -EDQUOT;
}

/**
 * objheap_charge() - account @bytes more memory held for @heap
 * @heap: the heap, locked
 * @bytes: what the allocation takes (objheap_alloc_cost())
 *
 * If the limits are reached and the heap's freelists hold enough to make
 * room, they are given back to the slab first: they are a cache, and a
 * cache must not make a heap fail. Otherwise nothing changes (but for
 * freelists given back when only the user's budget was short).
 *
 * Return: 0, or -EDQUOT if the heap's max_bytes or its user's budget
 * (objheap_user_max_bytes) would be exceeded.
 */
int objheap_charge(struct objheap_heap *heap, size_t bytes)
{
	int ret = charge(heap, bytes);

	if (!ret)
		objheap_stat_add(heap->pinned, bytes);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_charge);

/**
 * objheap_charge_transient() - charge memory a call holds while it runs
 * @heap: the heap, locked
 * @bytes: what the allocation takes
 *
 * As objheap_charge(), for a bounce buffer (objheap_heap_charge_rw()): it
 * is given back by objheap_uncharge_transient(), which needs no lock.
 *
 * Return: 0 or -EDQUOT.
 */
int objheap_charge_transient(struct objheap_heap *heap, size_t bytes)
{
	int ret = charge(heap, bytes);

	if (!ret)
		atomic_long_add(bytes, &heap->transient);
	return ret;
}

/**
 * objheap_uncharge() - @bytes held for @heap were freed
 * @heap: the heap, locked
 * @bytes: what objheap_charge() was given for them
 */
void objheap_uncharge(struct objheap_heap *heap, size_t bytes)
{
	lockdep_assert_held(&heap->lock);
	if (WARN_ON_ONCE(bytes > heap->pinned))
		bytes = heap->pinned;
	objheap_stat_add(heap->pinned, -bytes);
	atomic_long_sub(bytes, &heap->user->pinned);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_uncharge);

/**
 * objheap_uncharge_transient() - give back what objheap_charge_transient()
 *	charged
 * @heap: the heap, locked or not: a call gives its buffer back without
 *	waiting for the heap
 * @bytes: as charged
 */
void objheap_uncharge_transient(struct objheap_heap *heap, size_t bytes)
{
	atomic_long_sub(bytes, &heap->transient);
	atomic_long_sub(bytes, &heap->user->pinned);
}
