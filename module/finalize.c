// SPDX-License-Identifier: GPL-2.0
/*
 * Finalizers, with PEP 442's semantics, run by user space.
 *
 * The kernel cannot run a program's finalizer, so an object created
 * OBJHEAP_NEW_FINALIZABLE that dies is not freed but queued, once: it
 * moves to the collector's OBJHEAP_GEN_FINALIZE list, which holds a
 * reference of its own on it, and GC_FINALIZE hands it to the program as
 * a handle. The program runs the finalizer and drops the handle. The
 * object carries OBJHEAP_REFS_FINALIZED from the moment it is queued (PEP
 * 442's finalized bit), so its next death frees it: if the finalizer
 * stored it somewhere reachable, it was resurrected and lives until then.
 *
 * Two ways to die:
 *  - its count reaches zero (objheap_finalize_dying(), from the free path);
 *  - a collection finds it unreachable (objheap_finalize_hold()). Then the
 *    finalizable objects of the garbage that were never finalized are
 *    queued, and everything in the garbage they reach waits with them:
 *    it is moved back among the survivors, since a finalizer may use it.
 *    The rest of the garbage is freed now. A later collection decides
 *    again about what waited, and frees only what is still unreachable:
 *    a resurrected object keeps only what it reaches (bpo-38379).
 *
 * In both cases the weak references to a dying object were cleared just
 * before (weak.c), as Java clears a WeakReference before finalization:
 * here the finalizer runs later, in user space, and in the meantime no
 * DEREF may hand out what is garbage. Heap close frees everything without
 * finalizing, as CPython does not promise finalizers at exit.
 */
#include <linux/list.h>
#include <linux/sched.h>

#include "objheap.h"

#define HOLD_BATCH	1024

static bool finalizer_due(const struct objheap_obj *obj)
{
	return (obj->refs & (OBJHEAP_REFS_FINALIZER | OBJHEAP_REFS_FINALIZED)) ==
	       OBJHEAP_REFS_FINALIZER;
}

/**
 * objheap_finalize_dying() - an object with weak references or a
 *	finalizer reached a count of zero
 * @heap: the heap, locked
 * @obj: the object; its count is zero
 *
 * Clears its weak references; queues it for finalization if it has a
 * finalizer that never ran and the heap is not being destroyed.
 *
 * Return: true if it was queued and lives on (with the queue's
 * reference), false if the caller frees it.
 */
bool objheap_finalize_dying(struct objheap_heap *heap, struct objheap_obj *obj)
{
	if (obj->refs & OBJHEAP_REFS_WEAKLY) {
		objheap_weak_clear(heap, obj);
		objheap_weak_shrink(heap);
	}
	if (!finalizer_due(obj) || heap->gc.dying)
		return false;
	/* Dying objects are on a list: nothing dies while a collection judges. */
	if (WARN_ON_ONCE(objheap_obj_list(obj) >= OBJHEAP_GC_NR_LISTS)) {
		objheap_heap_break(heap, "a finalizable object died under judgement");
		return false;
	}
	obj->refs |= OBJHEAP_REFS_FINALIZED;
	heap->gc.finalizers--;
	obj->refs++;
	objheap_gc_move(heap, obj, OBJHEAP_GEN_FINALIZE);
	return true;
}

/**
 * objheap_finalize_hold() - keep the part of a collection's garbage that
 *	finalizers need
 * @heap: the heap, locked, in a collection
 * @unreachable: the garbage, every object on it marked UNREACHABLE
 * @survivors: the collection's survivors, labelled @dest
 * @dest: their list
 * @queued: out: objects queued for finalization
 *
 * The finalizable objects of @unreachable whose finalizer never ran move
 * to the finalization queue, marked finalized, and everything on
 * @unreachable they reach moves to @survivors, labelled @dest. Every
 * object left on @unreachable is garbage no finalizer can see. The caller
 * moves the lengths of @survivors' list.
 *
 * Three passes and no memory: the finalizable objects are marked in list
 * order and pushed on a stack threaded through their gc heads' back links
 * (objheap_gc_head.hold; the list stays linked forward); the stack is
 * walked, marking and pushing each child still UNREACHABLE (so each object
 * is pushed once); a last pass in list order moves the marked objects out
 * and links the rest back both ways. The held objects keep their order:
 * the next collection walks them in allocation order, not in the random
 * order of a graph walk, which would miss the cache at every step.
 *
 * Return: how many moved to @survivors.
 */
unsigned long objheap_finalize_hold(struct objheap_heap *heap,
				    struct list_head *unreachable,
				    struct list_head *survivors,
				    unsigned int dest, unsigned long *queued)
{
	struct objheap_gc *gc = &heap->gc;
	struct objheap_gc_head *stack = NULL, *gch;
	struct list_head *pos, *next, *prev;
	unsigned long n = 0, nfin = 0, rescued = 0;

	for (pos = unreachable->next; pos != unreachable; pos = pos->next) {
		struct objheap_obj *obj;

		gch = list_entry(pos, struct objheap_gc_head, link);
		obj = objheap_gc_obj(gch);
		if (finalizer_due(obj)) {
			/* From here on the back links are the stack's. */
			obj->refs |= OBJHEAP_REFS_FINALIZED;
			obj->state = OBJHEAP_GEN_FINALIZE;
			gch->hold.stack = stack;
			stack = gch;
			nfin++;
		}
		if (++n % HOLD_BATCH == 0)
			cond_resched();
	}
	*queued = nfin;
	if (!nfin)
		return 0;
	gc->finalizers -= nfin;

	/* Everything the finalizers can reach. */
	while (stack) {
		struct objheap_obj *obj = objheap_gc_obj(stack);
		u32 i, nslots = obj->nslots;

		stack = stack->hold.stack;
		for (i = 0; i < nslots; i++) {
			struct objheap_obj *child = obj->slots[i];

			if (child && child->state == OBJHEAP_OBJ_UNREACHABLE) {
				child->state = dest;
				gch = objheap_obj_gc(child);
				gch->hold.stack = stack;
				stack = gch;
			}
		}
		if (++n % HOLD_BATCH == 0)
			cond_resched();
	}

	/* In list order: the held leave, the rest is linked both ways again. */
	prev = unreachable;
	for (pos = unreachable->next; pos != unreachable; pos = next) {
		struct objheap_obj *obj;

		next = pos->next;
		obj = objheap_gc_obj(list_entry(pos, struct objheap_gc_head, link));
		if (obj->state == OBJHEAP_OBJ_UNREACHABLE) {
			pos->prev = prev;
			prev->next = pos;
			prev = pos;
		} else if (obj->state == OBJHEAP_GEN_FINALIZE) {
			objheap_obj_get(obj);
			list_add_tail(pos, &gc->lists[OBJHEAP_GEN_FINALIZE]);
		} else {
			list_add_tail(pos, survivors);
			rescued++;
		}
		if (++n % HOLD_BATCH == 0)
			cond_resched();
	}
	prev->next = unreachable;
	unreachable->prev = prev;
	objheap_stat_add(gc->len[OBJHEAP_GEN_FINALIZE], nfin);
	return rescued;
}
