// SPDX-License-Identifier: GPL-2.0
/* uheap.h's calls. */
#include "uheap.h"

/* Not utest.h's: the fuzzer links this file too. */
#define UH_CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();					\
		}							\
	} while (0)

void uh_load(void)
{
	UH_CHECK(kshim_module_init() == 0);
}

void uh_unload(void)
{
	kshim_module_exit();
	UH_CHECK(kshim_live_allocs() == 0);
	UH_CHECK(kshim_pinned_pages() == 0);
	UH_CHECK(kshim_warnings() == 0);
}

struct objheap_heap *uh_open(void)
{
	struct objheap_heap *heap = objheap_heap_create();

	UH_CHECK(!IS_ERR(heap));
	return heap;
}

void uh_close(struct objheap_heap *heap)
{
	objheap_heap_destroy(heap);
}

long uh_ioctl(struct objheap_heap *heap, unsigned int cmd, void *arg)
{
	return objheap_ioctl(heap, cmd, arg);
}

static long op(struct objheap_heap *heap, unsigned int cmd,
	       struct objheap_op *o)
{
	return uh_ioctl(heap, cmd, o);
}

long uh_new(struct objheap_heap *heap, u32 type, u32 nslots, u32 size)
{
	struct objheap_op o = { .type = type, .count = nslots, .size = size };
	long ret = op(heap, OBJHEAP_IOC_NEW, &o);

	return ret ? ret : o.handle;
}

long uh_dup(struct objheap_heap *heap, u32 h)
{
	struct objheap_op o = { .handle = h };
	long ret = op(heap, OBJHEAP_IOC_DUP, &o);

	return ret ? ret : o.ref;
}

long uh_drop(struct objheap_heap *heap, u32 h)
{
	struct objheap_op o = { .handle = h };

	return op(heap, OBJHEAP_IOC_DROP, &o);
}

long uh_set(struct objheap_heap *heap, u32 h, u32 index, u32 ref)
{
	struct objheap_op o = { .handle = h, .index = index, .ref = ref };

	return op(heap, OBJHEAP_IOC_SET, &o);
}

long uh_get(struct objheap_heap *heap, u32 h, u32 index)
{
	struct objheap_op o = { .handle = h, .index = index };
	long ret = op(heap, OBJHEAP_IOC_GET, &o);

	return ret ? ret : o.ref;
}

long uh_rw(struct objheap_heap *heap, unsigned int cmd, u32 h, u32 off,
	   void *buf, u32 len)
{
	struct objheap_op o = {
		.handle = h, .index = off, .count = len,
		.buf = (u64)(uintptr_t)buf,
	};

	return op(heap, cmd, &o);
}

long uh_collect(struct objheap_heap *heap, u32 gen,
		struct objheap_gc_collect *res)
{
	struct objheap_gc_collect c = { .generation = gen };
	long ret = uh_ioctl(heap, OBJHEAP_IOC_GC_COLLECT, &c);

	if (res)
		*res = c;
	return ret;
}

long uh_info(struct objheap_heap *heap, u32 h, struct objheap_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = h;
	return uh_ioctl(heap, OBJHEAP_IOC_INFO, info);
}

long uh_stats(struct objheap_heap *heap, struct objheap_heap_stats *st)
{
	return uh_ioctl(heap, OBJHEAP_IOC_HEAP_STATS, st);
}

long uh_gc_stats(struct objheap_heap *heap, struct objheap_gc_stats *st)
{
	return uh_ioctl(heap, OBJHEAP_IOC_GC_STATS, st);
}

long uh_set_gc(struct objheap_heap *heap, u32 flags, u32 t0, u32 t1, u32 t2)
{
	struct objheap_gc_params p = {
		.flags = flags, .threshold = { t0, t1, t2 },
	};

	return uh_ioctl(heap, OBJHEAP_IOC_GC_SET_PARAMS, &p);
}
