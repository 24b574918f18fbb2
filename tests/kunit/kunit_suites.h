/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KUnit suites of objheap_kunit.ko, one per test file; kunit_main.c
 * registers them all at once so that the module prints one KTAP plan.
 */
#ifndef OBJHEAP_KUNIT_SUITES_H
#define OBJHEAP_KUNIT_SUITES_H

#include <kunit/test.h>

extern struct kunit_suite objheap_ioctl_suite;
extern struct kunit_suite objheap_heap_suite;
extern struct kunit_suite objheap_object_suite;
extern struct kunit_suite objheap_pool_suite;
extern struct kunit_suite objheap_gc_suite;
extern struct kunit_suite objheap_events_suite;
extern struct kunit_suite objheap_finalize_suite;
extern struct kunit_suite objheap_introspect_suite;

#endif /* OBJHEAP_KUNIT_SUITES_H */
