/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving the userland core as a program drives /dev/objheap: the module
 * loaded with kshim_module_init(), a heap per "open", and every call
 * through objheap_ioctl() with arguments in this process's memory, which
 * the shim treats as user memory.
 */
#ifndef UHEAP_H
#define UHEAP_H

#include "objheap.h"

int kshim_module_init(void);
void kshim_module_exit(void);
long kshim_pinned_pages(void);

/* Load the module: aborts if it fails. */
void uh_load(void);
/* Unload it; then nothing may be left: allocations, pins, warnings. */
void uh_unload(void);

struct objheap_heap *uh_open(void);
void uh_close(struct objheap_heap *heap);

/* objheap_ioctl(): 0 or a negative errno. */
long uh_ioctl(struct objheap_heap *heap, unsigned int cmd, void *arg);

/* NEW: the handle, or a negative errno. */
long uh_new(struct objheap_heap *heap, u32 type, u32 nslots, u32 size);
long uh_dup(struct objheap_heap *heap, u32 h);
long uh_drop(struct objheap_heap *heap, u32 h);
long uh_set(struct objheap_heap *heap, u32 h, u32 index, u32 ref);
/* GET: the new handle, 0 for an empty slot, or a negative errno. */
long uh_get(struct objheap_heap *heap, u32 h, u32 index);
long uh_rw(struct objheap_heap *heap, unsigned int cmd, u32 h, u32 off,
	   void *buf, u32 len);
long uh_collect(struct objheap_heap *heap, u32 gen,
		struct objheap_gc_collect *res);
long uh_info(struct objheap_heap *heap, u32 h, struct objheap_info *info);
long uh_stats(struct objheap_heap *heap, struct objheap_heap_stats *st);
long uh_gc_stats(struct objheap_heap *heap, struct objheap_gc_stats *st);
long uh_set_gc(struct objheap_heap *heap, u32 flags, u32 t0, u32 t1, u32 t2);

#endif /* UHEAP_H */
