// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs interface: /sys/kernel/debug/objheap/.
 *
 * Two formats, both documented in docs/abi.md and only ever extended:
 * "key: value" lines, one per counter (stats), and tables (gc, pools): a
 * header line starting with "#" naming the columns, then one row per
 * entry, columns separated by spaces, as /proc/slabinfo.
 *
 * Module-wide figures add the live heaps, read under objheap_heaps_lock
 * with READ_ONCE (a snapshot, not a barrier: no heap's lock is taken, so a
 * read never stops a heap), to what destroyed heaps left behind.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "objheap.h"

static struct dentry *objheap_debugfs_dir;
static struct dentry *objheap_debugfs_heaps;

/* Rows of heaps/<id>/types: the tags with the most bytes. */
#define TYPES_TOP	64

/*
 * The collector's statistics per generation over all heaps, live and
 * destroyed, and the live heaps' counts and tracked objects. Under
 * objheap_heaps_lock, so that no heap is counted both live and retired.
 */
static void gather_gc(struct objheap_gc_gen_stats *st, u64 *count,
		      u64 *tracked, u64 *uncollectable)
{
	struct objheap_heap *heap;
	unsigned int g;

	lockdep_assert_held(&objheap_heaps_lock);
	memcpy(st, objheap_totals.retired.gen,
	       sizeof(objheap_totals.retired.gen));
	for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++)
		uncollectable[g] = objheap_totals.retired.uncollectable[g];
	list_for_each_entry(heap, &objheap_heaps, node) {
		for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++) {
			objheap_gc_gen_stats_add(&st[g], &heap->gc.gen[g]);
			count[g] += READ_ONCE(heap->gc.count[g]);
			tracked[g] += READ_ONCE(heap->gc.len[g]);
			uncollectable[g] += READ_ONCE(heap->gc.uncollectable[g]);
		}
	}
}

static int stats_show(struct seq_file *m, void *v)
{
	const struct objheap_retired *r = &objheap_totals.retired;
	struct objheap_gc_gen_stats st[OBJHEAP_GC_GENERATIONS];
	u64 count[OBJHEAP_GC_GENERATIONS] = { 0 };
	u64 tracked[OBJHEAP_GC_GENERATIONS] = { 0 };
	u64 uncoll[OBJHEAP_GC_GENERATIONS];
	u64 objects = 0, bytes = 0, pinned = 0, allocs, frees, peak;
	u64 colls = 0, coll = 0;
	struct objheap_heap *heap;
	unsigned int g;

	mutex_lock(&objheap_heaps_lock);
	allocs = r->allocs;
	frees = r->frees;
	peak = r->peak_bytes;
	list_for_each_entry(heap, &objheap_heaps, node) {
		objects += READ_ONCE(heap->objects);
		bytes += READ_ONCE(heap->bytes);
		pinned += READ_ONCE(heap->pinned) +
			  atomic_long_read(&heap->transient);
		allocs += READ_ONCE(heap->allocs);
		frees += READ_ONCE(heap->frees);
		peak = max(peak, READ_ONCE(heap->peak_bytes));
	}
	gather_gc(st, count, tracked, uncoll);
	mutex_unlock(&objheap_heaps_lock);
	for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++) {
		colls += st[g].collections;
		coll += st[g].collected;
	}

	seq_printf(m, "heaps: %ld\n",
		   atomic_long_read(&objheap_totals.heaps_live));
	seq_printf(m, "heaps_created: %lld\n",
		   (long long)atomic64_read(&objheap_totals.heaps_created));
	seq_printf(m, "objects: %llu\n", objects);
	seq_printf(m, "bytes: %llu\n", bytes);
	seq_printf(m, "pinned: %llu\n", pinned);
	seq_printf(m, "peak_heap_bytes: %llu\n", peak);
	seq_printf(m, "allocs: %llu\n", allocs);
	seq_printf(m, "frees: %llu\n", frees);
	seq_printf(m, "collections: %llu\n", colls);
	seq_printf(m, "collected: %llu\n", coll);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* One row per generation, as CPython's gc.get_stats(), for all heaps. */
static int gc_show(struct seq_file *m, void *v)
{
	struct objheap_gc_gen_stats st[OBJHEAP_GC_GENERATIONS];
	u64 count[OBJHEAP_GC_GENERATIONS] = { 0 };
	u64 tracked[OBJHEAP_GC_GENERATIONS] = { 0 };
	u64 uncoll[OBJHEAP_GC_GENERATIONS];
	unsigned int g;

	mutex_lock(&objheap_heaps_lock);
	gather_gc(st, count, tracked, uncoll);
	mutex_unlock(&objheap_heaps_lock);
	seq_puts(m, "# generation collections scanned collected uncollectable freed pause_total_ns pause_max_ns threshold count tracked\n");
	for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++)
		/* Uncollectable: kept for finalization (finalize.c). */
		seq_printf(m, "%u %llu %llu %llu %llu %llu %llu %llu %u %llu %llu\n",
			   g, st[g].collections, st[g].scanned,
			   st[g].collected, uncoll[g], st[g].freed,
			   st[g].pause_total_ns,
			   st[g].pause_max_ns,
			   READ_ONCE(objheap_default_gc_threshold[g]), count[g],
			   tracked[g]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gc);

/*
 * One row per size class, as /proc/slabinfo and sys._debugmallocstats():
 * what the heaps hold, what their freelists keep, and what that takes
 * from the slab (live plus freelisted objects).
 */
static int pools_show(struct seq_file *m, void *v)
{
	u64 objects[OBJHEAP_NR_CLASSES + 1] = { 0 };
	u64 freelisted[OBJHEAP_NR_CLASSES] = { 0 };
	u64 hits[OBJHEAP_NR_CLASSES], misses[OBJHEAP_NR_CLASSES];
	struct objheap_heap *heap;
	unsigned int c, size;

	mutex_lock(&objheap_heaps_lock);
	memcpy(hits, objheap_totals.retired.hits, sizeof(hits));
	memcpy(misses, objheap_totals.retired.misses, sizeof(misses));
	list_for_each_entry(heap, &objheap_heaps, node) {
		for (c = 0; c <= OBJHEAP_NR_CLASSES; c++)
			objects[c] += READ_ONCE(heap->class_objects[c]);
		for (c = 0; c < OBJHEAP_NR_CLASSES; c++) {
			freelisted[c] += READ_ONCE(heap->free[c].count);
			hits[c] += READ_ONCE(heap->free[c].hits);
			misses[c] += READ_ONCE(heap->free[c].misses);
		}
	}
	mutex_unlock(&objheap_heaps_lock);

	seq_puts(m, "# class size objects bytes freelisted freelist_hits freelist_misses slab_objects\n");
	for (c = 0; c < OBJHEAP_NR_CLASSES; c++) {
		size = objheap_class_size(c);
		seq_printf(m, "%u %u %llu %llu %llu %llu %llu %llu\n", c, size,
			   objects[c], objects[c] * size, freelisted[c],
			   hits[c], misses[c], objects[c] + freelisted[c]);
	}
	/* kvmalloc objects: sizes vary, their bytes are in "stats". */
	seq_printf(m, "large 0 %llu 0 0 0 0 0\n",
		   objects[OBJHEAP_NR_CLASSES]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pools);

/* "collect": a full collection of every heap, as kmemleak's "scan". */
static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[16];

	/* The whole write is the command: nothing cut off, no NUL inside. */
	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (strlen(buf) != count || strcmp(strim(buf), "collect"))
		return -EINVAL;
	objheap_collect_all();
	return count;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = control_write,
	.llseek = noop_llseek,
};

/**
 * objheap_debugfs_heap_info() - write heaps/<id>/info: "key: value" lines
 * @m: the seq_file
 * @heap: the heap
 *
 * Return: 0, or -EIO (the heap is broken), -EINTR (a fatal signal while
 * waiting for the heap); then nothing is written.
 */
int objheap_debugfs_heap_info(struct seq_file *m, struct objheap_heap *heap)
{
	struct objheap_heap_stats st;
	struct objheap_gc_stats gc;
	struct objheap_limits lim;
	int ret;

	/* A broken heap (EIO) or a killed reader (EINTR) prints nothing. */
	ret = objheap_heap_get_stats(heap, &st);
	if (!ret)
		ret = objheap_heap_get_limits(heap, &lim);
	if (!ret)
		ret = objheap_gc_get_stats(heap, &gc);
	if (ret)
		return ret;
	seq_printf(m, "id: %llu\n", st.id);
	seq_printf(m, "owner_pid: %d\n", heap->owner_tgid);
	seq_printf(m, "owner_comm: %s\n", heap->owner_comm);
	seq_printf(m, "objects: %llu\n", st.objects);
	seq_printf(m, "bytes: %llu\n", st.bytes);
	seq_printf(m, "pinned: %llu\n", st.pinned);
	seq_printf(m, "user_pinned: %llu\n", st.user_pinned);
	seq_printf(m, "peak_bytes: %llu\n", st.peak_bytes);
	seq_printf(m, "allocs: %llu\n", st.allocs);
	seq_printf(m, "frees: %llu\n", st.frees);
	seq_printf(m, "handles: %u\n", st.handles);
	seq_printf(m, "max_bytes: %llu\n", lim.max_bytes);
	seq_printf(m, "max_objects: %u\n", lim.max_objects);
	seq_printf(m, "max_handles: %u\n", lim.max_handles);
	seq_printf(m, "tracked: %llu\n",
		   gc.tracked[0] + gc.tracked[1] + gc.tracked[2]);
	seq_printf(m, "frozen: %llu\n", gc.frozen);
	seq_printf(m, "garbage: %llu\n", gc.garbage);
	seq_printf(m, "collections: %llu\n", gc.gen[0].collections +
		   gc.gen[1].collections + gc.gen[2].collections);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_debugfs_heap_info);

static int heap_info_show(struct seq_file *m, void *v)
{
	return objheap_debugfs_heap_info(m, m->private);
}
DEFINE_SHOW_ATTRIBUTE(heap_info);

/*
 * heaps/<id>/types: live objects and bytes per type tag, most bytes
 * first, as tracemalloc's top statistics. Gathered a chunk of tags per
 * hold of the heap's lock (objheap_types_top()).
 */
static int heap_types_show(struct seq_file *m, void *v)
{
	struct objheap_type_top *top;
	unsigned int i, n;
	u64 ntypes;

	top = kmalloc_array(TYPES_TOP, sizeof(*top), GFP_KERNEL);
	if (!top)
		return -ENOMEM;
	n = objheap_types_top(m->private, top, TYPES_TOP, &ntypes);
	seq_puts(m, "# type objects bytes\n");
	for (i = 0; i < n; i++)
		seq_printf(m, "%u %llu %llu\n", top[i].type, top[i].objects,
			   top[i].bytes);
	if (ntypes > n)
		seq_printf(m, "# %llu more types not shown\n", ntypes - n);
	kfree(top);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(heap_types);

/**
 * objheap_debugfs_heap_add() - create heaps/<id>/ for a new heap
 * @heap: the heap
 *
 * Failure is not fatal: the heap works without it.
 */
void objheap_debugfs_heap_add(struct objheap_heap *heap)
{
	char name[24];

	snprintf(name, sizeof(name), "%llu", heap->id);
	heap->debugfs = debugfs_create_dir(name, objheap_debugfs_heaps);
	debugfs_create_file("info", 0400, heap->debugfs, heap,
			    &heap_info_fops);
	debugfs_create_file("types", 0400, heap->debugfs, heap,
			    &heap_types_fops);
}

/**
 * objheap_debugfs_heap_remove() - remove heaps/<id>/
 * @heap: the heap, about to be destroyed
 *
 * Returns once no reader of its files is left, so the heap may go.
 */
void objheap_debugfs_heap_remove(struct objheap_heap *heap)
{
	debugfs_remove_recursive(heap->debugfs);
	heap->debugfs = NULL;
}

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
	debugfs_create_file("gc", 0400, objheap_debugfs_dir, NULL, &gc_fops);
	debugfs_create_file("pools", 0400, objheap_debugfs_dir, NULL,
			    &pools_fops);
	debugfs_create_file("control", 0200, objheap_debugfs_dir, NULL,
			    &control_fops);
	objheap_debugfs_heaps = debugfs_create_dir("heaps",
						   objheap_debugfs_dir);
}

/**
 * objheap_debugfs_exit() - remove /sys/kernel/debug/objheap/
 */
void objheap_debugfs_exit(void)
{
	debugfs_remove_recursive(objheap_debugfs_dir);
}
