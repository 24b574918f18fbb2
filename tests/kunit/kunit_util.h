/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the KUnit suites: run heap operations and fail the
 * test on an unexpected errno.
 */
#ifndef OBJHEAP_KUNIT_UTIL_H
#define OBJHEAP_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/err.h>

#include "objheap.h"

/*
 * Suites that use a heap set .init = kt_init and .exit = kt_exit: each
 * test gets a fresh heap in test->priv, destroyed when it ends, pass or
 * fail.
 */
int kt_init(struct kunit *test);
void kt_exit(struct kunit *test);
void kt_freelists_on(struct kunit *test);

int kt_op(struct objheap_heap *heap, u32 opcode, u32 handle, u32 ref,
	  u32 index, u32 *out);
u32 kt_new(struct kunit *test, struct objheap_heap *heap, u32 nslots,
	   u32 size);
void kt_set(struct kunit *test, struct objheap_heap *heap, u32 handle,
	    u32 slot, u32 ref);
void kt_drop(struct kunit *test, struct objheap_heap *heap, u32 handle);
u32 kt_refcount(struct kunit *test, struct objheap_heap *heap, u32 handle);

/* objheap_obj_alloc(), NULL on any failure: for loops that stop at one. */
static inline struct objheap_obj *kt_obj_alloc(struct objheap_heap *heap,
					       u32 type, u32 nslots, u32 size)
{
	struct objheap_obj *obj = objheap_obj_alloc(heap, type, nslots, size, 0);

	return IS_ERR(obj) ? NULL : obj;
}

#endif /* OBJHEAP_KUNIT_UTIL_H */
