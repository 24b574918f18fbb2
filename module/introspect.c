// SPDX-License-Identifier: GPL-2.0
/*
 * The gc module's introspection (ABI 1.7): the objects the collector
 * tracks in a generation (gc.get_objects()) and the referrers of given
 * objects (gc.get_referrers()), each handed out as new handles.
 *
 * An answer is one snapshot: counted, then installed, in one hold of the
 * heap's lock, so that it is all of the objects or none. Handles cannot
 * be taken back once the user may have seen them (they are reused LIFO,
 * uout.c), so the user's whole array is pinned before the lock is taken,
 * and the scan that counts, which is the long part of GC_REFERRERS, is
 * where a fatal signal stops the call: nothing has changed yet. The pass
 * that installs is not interrupted: it installs no more handles than the
 * heap may hold (max_handles) and scans no more than the count did.
 *
 * The page array of the pin and the sorted targets are charged to the
 * heap while the call runs (objheap_charge_transient()).
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "objheap.h"

#define SCAN_BATCH	1024
/* Handles go to the pinned array this many at a time. */
#define WRITE_CHUNK	64

/* Lists GC_REFERRERS scans, in the order of its answer. */
static const u8 referrer_lists[] = {
	0, 1, 2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE,
};

struct scan {
	struct objheap_heap *heap;
	const u8 *lists;
	unsigned int nlists;
	/* GC_REFERRERS: the targets' addresses, sorted; else NULL. */
	struct objheap_obj **targets;
	u32 ntargets;
};

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_target(const struct scan *s, const struct objheap_obj *obj)
{
	u32 lo = 0, hi = s->ntargets;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->targets[mid] == obj)
			return true;
		if ((uintptr_t)s->targets[mid] < (uintptr_t)obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Is @obj part of the answer? A weak reference has no slots: never. */
static bool answers(const struct scan *s, const struct objheap_obj *obj)
{
	u32 i;

	if (!s->targets)
		return true;
	for (i = 0; i < obj->nslots; i++)
		if (obj->slots[i] && is_target(s, obj->slots[i]))
			return true;
	return false;
}

/*
 * The counting pass. GC_OBJECTS needs no scan: the lists keep their
 * lengths. Return: the total, or -EINTR.
 */
static long scan_count(const struct scan *s)
{
	struct objheap_gc *gc = &s->heap->gc;
	struct objheap_gc_head *gch;
	unsigned long seen = 0;
	u64 total = 0;
	unsigned int l;

	for (l = 0; l < s->nlists; l++) {
		if (!s->targets) {
			total += gc->len[s->lists[l]];
			continue;
		}
		list_for_each_entry(gch, &gc->lists[s->lists[l]], link) {
			total += answers(s, objheap_gc_obj(gch));
			if (++seen % SCAN_BATCH)
				continue;
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	/* No more than the heap's objects, fewer than 2^29 (objheap.h). */
	return total;
}

/*
 * The installing pass: a handle for each of the @total objects that
 * answer, written to @out. Cannot fail: the handles are reserved.
 */
static void scan_install(const struct scan *s, u32 total,
			 struct objheap_uout *out)
{
	struct objheap_heap *heap = s->heap;
	struct objheap_gc_head *gch;
	u32 buf[WRITE_CHUNK];
	unsigned long seen = 0;
	u32 n = 0, done = 0;
	unsigned int l;

	for (l = 0; l < s->nlists && done + n < total; l++) {
		list_for_each_entry(gch, &heap->gc.lists[s->lists[l]], link) {
			struct objheap_obj *obj = objheap_gc_obj(gch);

			if (done + n == total)
				break;
			if (answers(s, obj)) {
				objheap_obj_get(obj);
				buf[n++] = objheap_handle_install(&heap->handles,
								  obj);
			}
			if (n == WRITE_CHUNK) {
				objheap_uout_write(out, done * sizeof(u32), buf,
						   sizeof(buf));
				done += n;
				n = 0;
			}
			if (++seen % SCAN_BATCH == 0)
				cond_resched();
		}
	}
	objheap_uout_write(out, done * sizeof(u32), buf, n * sizeof(u32));
}

/* Look the targets up and sort them; under the lock. */
static int scan_targets(struct scan *s, const u32 *handles)
{
	u32 i;

	for (i = 0; i < s->ntargets; i++) {
		s->targets[i] = objheap_handle_lookup(&s->heap->handles,
						      handles[i]);
		if (!s->targets[i])
			return -EBADF;
	}
	sort(s->targets, s->ntargets, sizeof(*s->targets), cmp_ptr, NULL);
	return 0;
}

/* What the call holds while it runs, charged to the heap. */
static size_t scan_cost(unsigned long nr_pages, u32 ntargets)
{
	size_t cost = 0;

	if (nr_pages)
		cost += objheap_alloc_cost(nr_pages * sizeof(struct page *));
	if (ntargets)
		cost += objheap_alloc_cost(ntargets * sizeof(struct objheap_obj *));
	return cost;
}

/* The room worth pinning: beyond max_handles, no answer fits anyway. */
static int scan_charge(struct objheap_heap *heap, u32 count,
		       const void __user *uhandles, u32 ntargets,
		       u32 *room, size_t *cost)
{
	int ret;

	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	*room = min(count, heap->limits.max_handles);
	*cost = scan_cost(*room ? objheap_uout_nr_pages(uhandles,
							*room * sizeof(u32)) : 0,
			  ntargets);
	ret = objheap_charge_transient(heap, *cost);
	objheap_heap_unlock(heap);
	return ret;
}

/*
 * Pin, lock, count, reserve, install. *@total is set whenever the count
 * ran (also with -ENOSPC).
 */
static int scan_run(struct scan *s, const u32 *handles, u32 __user *uhandles,
		    u32 count, u32 room, struct page **pages, u32 *total)
{
	struct objheap_heap *heap = s->heap;
	struct objheap_uout out;
	long n;
	int ret;

	ret = objheap_uout_pin_array(&out, uhandles, room * sizeof(u32), pages);
	if (ret)
		return ret;
	ret = objheap_heap_lock(heap);
	if (ret)
		goto unpin;
	if (s->targets) {
		ret = scan_targets(s, handles);
		if (ret)
			goto unlock;
	}
	n = scan_count(s);
	if (n < 0) {
		ret = n;
		goto unlock;
	}
	*total = n;
	if (!count || !n)
		goto unlock;
	if (n > count) {
		ret = -ENOSPC;
		goto unlock;
	}
	ret = n > room ? -EMFILE : objheap_handle_reserve_n(heap, n);
	if (!ret)
		scan_install(s, n, &out);
unlock:
	objheap_heap_unlock(heap);
unpin:
	objheap_uout_unpin(&out);
	return ret;
}

static int scan_call(struct scan *s, const u32 *handles, u32 __user *uhandles,
		     u32 count, u32 *total)
{
	struct page **pages = NULL;
	size_t cost;
	u32 room;
	int ret;

	ret = scan_charge(s->heap, count, uhandles, s->ntargets, &room, &cost);
	if (ret)
		return ret;
	if (room) {
		pages = kvmalloc_array(objheap_uout_nr_pages(uhandles,
							     room * sizeof(u32)),
				       sizeof(*pages), OBJHEAP_GFP);
		if (!pages) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (s->ntargets) {
		s->targets = kvmalloc_array(s->ntargets, sizeof(*s->targets),
					    OBJHEAP_GFP);
		if (!s->targets) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = scan_run(s, handles, uhandles, count, room, pages, total);
out:
	kvfree(s->targets);
	kvfree(pages);
	objheap_uncharge_transient(s->heap, cost);
	return ret;
}

/**
 * objheap_gc_objects() - handles to the objects tracked in a generation
 * @heap: the heap, not locked
 * @generation: 0..2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE, or
 *	OBJHEAP_GEN_ALL (0, 1 and 2)
 * @uhandles: user array of @count handles
 * @count: room in it; 0 asks for *@total only
 * @total: out: how many objects there are, set when the count ran
 *
 * All of them are written to @uhandles, oldest first, or none.
 *
 * Return: 0; -EINVAL for another @generation; -ENOSPC if @count is
 * nonzero but less than *@total; -EMFILE/-EDQUOT/-ENOMEM if the handles
 * cannot be opened; -EFAULT if @uhandles cannot be written; -EINTR/-EIO
 * (objheap_heap_lock()). Nothing changes on failure.
 */
int objheap_gc_objects(struct objheap_heap *heap, u32 generation,
		       u32 __user *uhandles, u32 count, u32 *total)
{
	struct scan s = { .heap = heap, .lists = referrer_lists, .nlists = 1 };

	*total = 0;
	if (generation == OBJHEAP_GEN_ALL)
		s.nlists = OBJHEAP_GC_GENERATIONS;
	else if (generation <= OBJHEAP_GEN_GARBAGE)
		s.lists = &referrer_lists[generation];
	else
		return -EINVAL;
	return scan_call(&s, NULL, uhandles, count, total);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_objects);

/**
 * objheap_gc_referrers() - handles to the objects that point at others
 * @heap: the heap, not locked
 * @targets: @ntargets handles, in kernel memory
 * @ntargets: 1..OBJHEAP_REFERRERS_MAX
 * @uhandles: user array of @count handles
 * @count: room in it; 0 asks for *@total only
 * @total: out: how many referrers there are, set when the count ran
 *
 * A referrer is a tracked object, in generations 0..2, frozen or saved,
 * with a slot that points at one of the targets; each is written once.
 *
 * Return: as objheap_gc_objects(); -EINVAL for a bad @ntargets, -EBADF
 * if a target is not an open handle.
 */
int objheap_gc_referrers(struct objheap_heap *heap, const u32 *targets,
			 u32 ntargets, u32 __user *uhandles, u32 count,
			 u32 *total)
{
	struct scan s = {
		.heap = heap,
		.lists = referrer_lists,
		.nlists = ARRAY_SIZE(referrer_lists),
		.ntargets = ntargets,
	};

	*total = 0;
	if (!ntargets || ntargets > OBJHEAP_REFERRERS_MAX)
		return -EINVAL;
	return scan_call(&s, targets, uhandles, count, total);
}
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_referrers);
