// SPDX-License-Identifier: GPL-2.0
/*
 * objheap_kunit.ko: loading it runs every objheap KUnit suite.
 */
#include <linux/module.h>

#include "kunit_suites.h"

kunit_test_suites(&objheap_ioctl_suite,
		  &objheap_heap_suite,
		  &objheap_object_suite,
		  &objheap_pool_suite,
		  &objheap_gc_suite,
		  &objheap_events_suite,
		  &objheap_finalize_suite,
		  &objheap_introspect_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for objheap");
MODULE_LICENSE("GPL");
