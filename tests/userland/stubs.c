// SPDX-License-Identifier: GPL-2.0
/*
 * What the userland build leaves out of module/: the misc device (dev.c)
 * and debugfs (debugfs.c), the two files that are only glue to the VFS.
 * The core calls them at these points; here they do nothing.
 */
#include "objheap.h"

int objheap_dev_init(void)
{
	return 0;
}

void objheap_dev_exit(void)
{
}

void objheap_debugfs_init(void)
{
}

void objheap_debugfs_exit(void)
{
}

void objheap_debugfs_heap_add(struct objheap_heap *heap)
{
}

void objheap_debugfs_heap_remove(struct objheap_heap *heap)
{
}
