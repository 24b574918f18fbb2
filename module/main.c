// SPDX-License-Identifier: GPL-2.0
/*
 * objheap: a Python-style managed object heap for user programs.
 *
 * Module entry and exit. See docs/design.md for how the pieces fit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "objheap.h"

static int __init objheap_init(void)
{
	int ret;

	objheap_debugfs_init();
	ret = objheap_dev_init();
	if (ret) {
		objheap_debugfs_exit();
		return ret;
	}
	pr_info("ABI %d.%d loaded\n", OBJHEAP_ABI_MAJOR,
		OBJHEAP_ABI_MINOR);
	return 0;
}

static void __exit objheap_exit(void)
{
	objheap_dev_exit();
	objheap_debugfs_exit();
}

module_init(objheap_init);
module_exit(objheap_exit);

MODULE_DESCRIPTION("Reference-counted, cycle-collected object heap for user programs");
MODULE_LICENSE("GPL");
