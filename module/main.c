// SPDX-License-Identifier: GPL-2.0
/*
 * objheap: a Python-style managed object heap for user programs.
 *
 * Module entry and exit, and the module parameters. See docs/design.md for
 * how the pieces fit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "objheap.h"

/*
 * Defaults of the per-heap limits; each heap copies them when it is
 * created, clamped to the OBJHEAP_HARD_MAX_* ceilings, and may lower its
 * own copy with OBJHEAP_IOC_SET_LIMITS.
 */
unsigned long objheap_default_max_bytes = 256UL << 20;
EXPORT_SYMBOL_IF_KUNIT(objheap_default_max_bytes);
module_param_named(max_bytes, objheap_default_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes, "Default per-heap limit on all the memory a heap pins (256 MiB; at most 2 GiB)");

unsigned int objheap_default_max_objects = 1U << 22;
module_param_named(max_objects, objheap_default_max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Default per-heap limit on live objects (4M; at most 2^28)");

unsigned int objheap_default_max_handles = 1U << 20;
module_param_named(max_handles, objheap_default_max_handles, uint, 0644);
MODULE_PARM_DESC(max_handles, "Default per-heap limit on open handles (1M; at most 2^24)");

unsigned int objheap_freelist_max = 64;
EXPORT_SYMBOL_IF_KUNIT(objheap_freelist_max);
module_param_named(freelist_max, objheap_freelist_max, uint, 0644);
MODULE_PARM_DESC(freelist_max, "Freed objects each heap keeps per size class for reuse (64)");

/*
 * What all heaps of one user (real uid) may pin together, charged as each
 * heap's max_bytes is (charge.c). 0 at load: an eighth of RAM.
 */
unsigned long objheap_user_max_bytes;
EXPORT_SYMBOL_IF_KUNIT(objheap_user_max_bytes);
module_param_named(user_max_bytes, objheap_user_max_bytes, ulong, 0644);
MODULE_PARM_DESC(user_max_bytes, "Bytes all heaps of one user may pin together (default: 1/8 of RAM)");

/*
 * Defaults of each heap's collector settings (CPython's gc defaults); a
 * heap copies them when it is created and changes its own copy with
 * OBJHEAP_IOC_GC_SET_PARAMS.
 */
bool objheap_default_gc_enabled = true;
module_param_named(gc_enabled, objheap_default_gc_enabled, bool, 0644);
MODULE_PARM_DESC(gc_enabled, "Automatic cycle collection in new heaps (Y)");

bool objheap_default_gc_saveall;
module_param_named(gc_saveall, objheap_default_gc_saveall, bool, 0644);
MODULE_PARM_DESC(gc_saveall, "New heaps keep collected garbage for inspection instead of freeing it (N)");

unsigned int objheap_default_gc_threshold[OBJHEAP_GC_GENERATIONS] = {
	700, 10, 10
};

static int gc_threshold_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint_minmax(val, kp, 0, OBJHEAP_GC_THRESHOLD_MAX);

	/* Over 2^32 is as out of range as over 2^30: one errno for both. */
	return ret == -ERANGE ? -EINVAL : ret;
}

static const struct kernel_param_ops gc_threshold_ops = {
	.set = gc_threshold_set,
	.get = param_get_uint,
};

module_param_cb(gc_threshold0, &gc_threshold_ops,
		&objheap_default_gc_threshold[0], 0644);
MODULE_PARM_DESC(gc_threshold0, "Container allocations that trigger a collection (700; 0 disables; at most 2^30)");
module_param_cb(gc_threshold1, &gc_threshold_ops,
		&objheap_default_gc_threshold[1], 0644);
MODULE_PARM_DESC(gc_threshold1, "Generation-0 collections before generation 1 is collected too (10)");
module_param_cb(gc_threshold2, &gc_threshold_ops,
		&objheap_default_gc_threshold[2], 0644);
MODULE_PARM_DESC(gc_threshold2, "Generation-1 collections before a full collection (10)");

/* kmemleak tracks every object (pool.c); read at load; debugging. */
bool objheap_leak_check;
module_param_named(leak_check, objheap_leak_check, bool, 0444);
MODULE_PARM_DESC(leak_check, "Let kmemleak track every object (N; slows allocation, for debugging)");

/* The collector checks its lists at each phase (collect.c); debugging. */
bool objheap_gc_validate;
EXPORT_SYMBOL_IF_KUNIT(objheap_gc_validate);
module_param_named(gc_validate, objheap_gc_validate, bool, 0644);
MODULE_PARM_DESC(gc_validate, "Check the collector's lists at each phase of every collection (N; slow, for debugging)");

static int __init objheap_init(void)
{
	int ret;

	if (!objheap_user_max_bytes)
		objheap_user_max_bytes = (totalram_pages() << PAGE_SHIFT) / 8;
	ret = objheap_pool_init();
	if (ret)
		return ret;
	ret = objheap_reclaim_init();
	if (ret)
		goto pool;
	ret = objheap_gc_module_init();
	if (ret)
		goto reclaim;
	objheap_debugfs_init();
	ret = objheap_dev_init();
	if (ret)
		goto debugfs;
	pr_info("ABI %d.%d loaded\n", OBJHEAP_ABI_MAJOR, OBJHEAP_ABI_MINOR);
	return 0;

debugfs:
	objheap_debugfs_exit();
	objheap_gc_module_exit();
reclaim:
	objheap_reclaim_exit();
pool:
	objheap_pool_exit();
	return ret;
}

static void __exit objheap_exit(void)
{
	objheap_dev_exit();
	objheap_debugfs_exit();
	objheap_gc_module_exit();
	objheap_reclaim_exit();
	objheap_pool_exit();
}

module_init(objheap_init);
module_exit(objheap_exit);

MODULE_DESCRIPTION("Reference-counted, cycle-collected object heap for user programs");
MODULE_LICENSE("GPL");
/* The release: dkms.conf PACKAGE_VERSION and liboheap agree (host test). */
MODULE_VERSION("1.7.0");
