// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the ioctl dispatcher that need no user memory; the user
 * copy paths are covered by tests/selftests.
 */
#include <kunit/test.h>
#include <linux/err.h>

#include "objheap.h"
#include "kunit_suites.h"

static void version_is_current_abi(struct kunit *test)
{
	struct objheap_version ver;
	int i;

	memset(&ver, 0xa5, sizeof(ver));
	objheap_version_fill(&ver);
	KUNIT_EXPECT_EQ(test, ver.major, OBJHEAP_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, ver.minor, OBJHEAP_ABI_MINOR);
	for (i = 0; i < ARRAY_SIZE(ver.reserved); i++)
		KUNIT_EXPECT_EQ(test, ver.reserved[i], 0ULL);
}

static void unknown_commands_are_enotty(struct kunit *test)
{
	struct objheap_heap *heap = objheap_heap_create();
	static const unsigned int bad_cmds[] = {
		0,
		_IO(OBJHEAP_IOC_MAGIC, 0x3f),
		/* right number, wrong direction or size */
		_IOW(OBJHEAP_IOC_MAGIC, 0x00, struct objheap_version),
		_IOR(OBJHEAP_IOC_MAGIC, 0x00, __u32),
		/* right number and size, another driver's magic */
		_IOR(0xBD, 0x00, struct objheap_version),
	};
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(heap));
	for (i = 0; i < ARRAY_SIZE(bad_cmds); i++)
		KUNIT_EXPECT_EQ(test, objheap_ioctl(heap, bad_cmds[i], NULL),
				(long)-ENOTTY);
	objheap_heap_destroy(heap);
}

static struct kunit_case objheap_ioctl_cases[] = {
	KUNIT_CASE(version_is_current_abi),
	KUNIT_CASE(unknown_commands_are_enotty),
	{}
};

struct kunit_suite objheap_ioctl_suite = {
	.name = "objheap_ioctl",
	.test_cases = objheap_ioctl_cases,
};
