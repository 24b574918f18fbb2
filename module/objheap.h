/* SPDX-License-Identifier: GPL-2.0 */
/*
 * objheap internal interfaces, shared by the module's files and its KUnit
 * tests. Nothing here is ABI; the user ABI is include/uapi/linux/objheap.h.
 */
#ifndef OBJHEAP_INTERNAL_H
#define OBJHEAP_INTERNAL_H

#include <linux/atomic.h>
#include <linux/compiler_types.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <kunit/visibility.h>
#include <uapi/linux/objheap.h>

/**
 * struct objheap_heap - one private heap, created by each open of the device
 * @id: unique, never reused while the module is loaded
 * @owner_tgid: thread group that opened the device
 * @owner_comm: its command name at open time
 */
struct objheap_heap {
	u64 id;
	pid_t owner_tgid;
	char owner_comm[TASK_COMM_LEN];
};

/**
 * struct objheap_totals - module-wide counters shown in debugfs "stats"
 * @heaps_live: heaps currently open
 * @heaps_created: heaps ever created since load
 */
struct objheap_totals {
	atomic_long_t heaps_live;
	atomic64_t heaps_created;
};

extern struct objheap_totals objheap_totals;

struct objheap_heap *objheap_heap_create(void);
void objheap_heap_destroy(struct objheap_heap *heap);

void objheap_version_fill(struct objheap_version *ver);
long objheap_ioctl(struct objheap_heap *heap, unsigned int cmd,
		   void __user *uarg);

int objheap_dev_init(void);
void objheap_dev_exit(void);
void objheap_debugfs_init(void);
void objheap_debugfs_exit(void);

#endif /* OBJHEAP_INTERNAL_H */
