// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs interface: /sys/kernel/debug/objheap/.
 *
 * Every file is "key: value" lines, one per counter, so that scripts can
 * read them with a single split. Keys are only ever added, never renamed.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "objheap.h"

static struct dentry *objheap_debugfs_dir;

static int stats_show(struct seq_file *m, void *v)
{
	struct objheap_heap *heap;
	u64 objects = 0, bytes = 0;

	/* Unlocked reads of each heap: a snapshot, not a barrier. */
	mutex_lock(&objheap_heaps_lock);
	list_for_each_entry(heap, &objheap_heaps, node) {
		objects += READ_ONCE(heap->objects);
		bytes += READ_ONCE(heap->bytes);
	}
	mutex_unlock(&objheap_heaps_lock);

	seq_printf(m, "heaps: %ld\n",
		   atomic_long_read(&objheap_totals.heaps_live));
	seq_printf(m, "heaps_created: %lld\n",
		   (long long)atomic64_read(&objheap_totals.heaps_created));
	seq_printf(m, "objects: %llu\n", objects);
	seq_printf(m, "bytes: %llu\n", bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/**
 * objheap_debugfs_init() - create /sys/kernel/debug/objheap/
 *
 * debugfs failures are not fatal (Documentation/filesystems/debugfs.rst):
 * the module works without its statistics.
 */
void objheap_debugfs_init(void)
{
	objheap_debugfs_dir = debugfs_create_dir("objheap", NULL);
	debugfs_create_file("stats", 0400, objheap_debugfs_dir, NULL,
			    &stats_fops);
}

/**
 * objheap_debugfs_exit() - remove /sys/kernel/debug/objheap/
 */
void objheap_debugfs_exit(void)
{
	debugfs_remove_recursive(objheap_debugfs_dir);
}
