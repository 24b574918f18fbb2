// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_kunit.ko: loading it runs every objheap KUnit suite.
 */
#include <linux/module.h>

#include "kunit_suites.h"

kunit_test_suites(&objheap_ioctl_suite,
		  &objheap_heap_suite);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
MODULE_IMPORT_NS("OBJHEAP_KUNIT");
#else
MODULE_IMPORT_NS(OBJHEAP_KUNIT);
#endif
MODULE_DESCRIPTION("KUnit tests for objheap");
MODULE_LICENSE("GPL");
