// SPDX-License-Identifier: GPL-2.0
/*
 * objheap: a Python-style managed object heap for user programs.
 *
 * Module entry and exit, and the module parameters. See docs/design.md for
 * how the pieces fit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
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
MODULE_PARM_DESC(max_bytes, "Default per-heap limit on live object bytes (256 MiB; at most 2 GiB)");

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

static int __init objheap_init(void)
{
	int ret;

	ret = objheap_pool_init();
	if (ret)
		return ret;
	objheap_debugfs_init();
	ret = objheap_dev_init();
	if (ret) {
		objheap_debugfs_exit();
		objheap_pool_exit();
		return ret;
	}
	pr_info("ABI %d.%d loaded\n", OBJHEAP_ABI_MAJOR, OBJHEAP_ABI_MINOR);
	return 0;
}

static void __exit objheap_exit(void)
{
	objheap_dev_exit();
	objheap_debugfs_exit();
	objheap_pool_exit();
}

module_init(objheap_init);
module_exit(objheap_exit);

MODULE_DESCRIPTION("Reference-counted, cycle-collected object heap for user programs");
MODULE_LICENSE("GPL");
