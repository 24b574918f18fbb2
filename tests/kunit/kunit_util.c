// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the KUnit suites.
 */
#include <linux/err.h>

#include "kunit_util.h"

/* freelist_max as the run set it (0 in a run with the freelists off). */
static unsigned int kt_freelist_max;

/**
 * kt_init() - suite .init: a fresh heap in test->priv
 * @test: the test
 *
 * Return: 0 or the errno of objheap_heap_create().
 */
int kt_init(struct kunit *test)
{
	struct objheap_heap *heap;

	kt_freelist_max = READ_ONCE(objheap_freelist_max);
	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	test->priv = heap;
	return 0;
}

/**
 * kt_exit() - suite .exit: destroy the test's heap and all it holds
 * @test: the test
 */
void kt_exit(struct kunit *test)
{
	objheap_heap_destroy(test->priv);
	WRITE_ONCE(objheap_freelist_max, kt_freelist_max);
}

/**
 * kt_freelists_on() - a test of the freelists needs them
 * @test: the test
 *
 * A run may turn them off (objheap.freelist_max=0); this test gets the
 * default, and kt_exit() puts the run's value back.
 */
void kt_freelists_on(struct kunit *test)
{
	if (!READ_ONCE(objheap_freelist_max))
		WRITE_ONCE(objheap_freelist_max, 64);
}

/**
 * kt_op() - run one operation
 * @heap: the heap
 * @opcode: OBJHEAP_OP_*
 * @handle: op.handle
 * @ref: op.ref
 * @index: op.index
 * @out: if not NULL, receives op.handle (NEW) or op.ref (DUP, GET)
 *
 * Return: what objheap_heap_op() returned.
 */
int kt_op(struct objheap_heap *heap, u32 opcode, u32 handle, u32 ref,
	  u32 index, u32 *out)
{
	struct objheap_op op = {
		.op = opcode, .handle = handle, .ref = ref, .index = index,
	};
	int ret = objheap_heap_op(heap, &op, NULL);

	if (out)
		*out = opcode == OBJHEAP_OP_NEW ? op.handle : op.ref;
	return ret;
}

/**
 * kt_new() - create an object; aborts the test on failure
 * @test: the test
 * @heap: the heap
 * @nslots: its slots
 * @size: its payload bytes
 *
 * Return: its handle.
 */
u32 kt_new(struct kunit *test, struct objheap_heap *heap, u32 nslots,
	   u32 size)
{
	struct objheap_op op = {
		.op = OBJHEAP_OP_NEW, .count = nslots, .size = size, .type = 7,
	};

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_op(heap, &op, NULL));
	KUNIT_ASSERT_NE(test, 0, op.handle);
	return op.handle;
}

/**
 * kt_set() - store @ref in a slot; aborts the test on failure
 * @test: the test
 * @heap: the heap
 * @handle: the container
 * @slot: the slot
 * @ref: the handle to store, 0 to clear
 */
void kt_set(struct kunit *test, struct objheap_heap *heap, u32 handle,
	    u32 slot, u32 ref)
{
	KUNIT_ASSERT_EQ(test, 0,
			kt_op(heap, OBJHEAP_OP_SET, handle, ref, slot, NULL));
}

/**
 * kt_drop() - close a handle; aborts the test on failure
 * @test: the test
 * @heap: the heap
 * @handle: the handle
 */
void kt_drop(struct kunit *test, struct objheap_heap *heap, u32 handle)
{
	KUNIT_ASSERT_EQ(test, 0,
			kt_op(heap, OBJHEAP_OP_DROP, handle, 0, 0, NULL));
}

/**
 * kt_refcount() - an object's reference count; aborts the test on failure
 * @test: the test
 * @heap: the heap
 * @handle: an open handle
 *
 * Return: the count.
 */
u32 kt_refcount(struct kunit *test, struct objheap_heap *heap, u32 handle)
{
	struct objheap_info info = { .handle = handle };

	KUNIT_ASSERT_EQ(test, 0, objheap_heap_info(heap, &info));
	return info.refcount;
}
