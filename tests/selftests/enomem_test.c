// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failure: with the kernel's failslab fault injection aimed at
 * this thread alone, operations that allocate fail with ENOMEM and leave
 * the heap as it was.
 */
#include <fcntl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"

#define NEED_FAILSLAB() OH_NEED_FEATURE(FAILSLAB "times", "failslab (CONFIG_FAILSLAB)")

FIXTURE(enomem) {
	int fd;
	int make_it_fail;	/* /proc/thread-self/make-it-fail, kept open */
};

/*
 * Fail the next @times (-1: every) slab allocation of this thread, quietly.
 * The switch is written through a file opened beforehand: while it is on,
 * opening a file would itself fail.
 */
static int arm(int make_it_fail, const char *times)
{
	int ret = oh_write_file(FAILSLAB "times", times, 0);

	if (!ret && pwrite(make_it_fail, "1", 1, 0) != 1)
		ret = -errno;
	return ret;
}

static int disarm(int make_it_fail)
{
	if (pwrite(make_it_fail, "0", 1, 0) != 1)
		return -errno;
	return oh_write_file(FAILSLAB "times", "0", 0);
}

FIXTURE_SETUP(enomem)
{
	self->make_it_fail = -1;
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	/* Each test checks for failslab: 6.1's harness runs a skipped setup's test. */
	if (access(FAILSLAB "times", F_OK))
		return;
	ASSERT_EQ(0, oh_write_file(FAILSLAB "task-filter", "Y", 0));
	ASSERT_EQ(0, oh_write_file(FAILSLAB "ignore-gfp-wait", "N", 0));
	ASSERT_EQ(0, oh_write_file(FAILSLAB "verbose", "0", 0));
	ASSERT_EQ(0, oh_write_file(FAILSLAB "interval", "1", 0));
	ASSERT_EQ(0, oh_write_file(FAILSLAB "probability", "100", 0));
	ASSERT_EQ(0, oh_write_file(FAILSLAB "times", "0", 0));
	self->make_it_fail = open("/proc/thread-self/make-it-fail", O_WRONLY);
	ASSERT_LE(0, self->make_it_fail);
}

FIXTURE_TEARDOWN(enomem)
{
	if (self->make_it_fail >= 0) {
		disarm(self->make_it_fail);
		close(self->make_it_fail);
	}
	close(self->fd);
}

TEST_F(enomem, first_new_fails_growing_the_handle_table)
{
	long before = objheap_stat("stats", "objects");
	struct objheap_op op = { .count = 1 };

	NEED_FAILSLAB();
	ASSERT_EQ(0, arm(self->make_it_fail, "1"));
	EXPECT_EQ(-ENOMEM, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	ASSERT_EQ(0, disarm(self->make_it_fail));
	EXPECT_EQ(before, objheap_stat("stats", "objects"));
	EXPECT_EQ(1, oh_new(self->fd, 0, 1, 0));
}

TEST_F(enomem, new_fails_allocating_the_object)
{
	struct objheap_op op = { .count = 3, .size = 200 };
	long before;
	__u32 a = oh_new(self->fd, 0, 0, 0);

	NEED_FAILSLAB();
	ASSERT_EQ(1, a);
	before = objheap_stat("stats", "objects");
	ASSERT_EQ(0, arm(self->make_it_fail, "1"));
	EXPECT_EQ(-ENOMEM, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	ASSERT_EQ(0, disarm(self->make_it_fail));
	EXPECT_EQ(before, objheap_stat("stats", "objects"));
	EXPECT_EQ(1, oh_refcount(self->fd, a));
	/* The handle the failed NEW would have taken is still free. */
	EXPECT_EQ(2, oh_new(self->fd, 0, 3, 200));
}

/* A tag's first object needs its statistics entry: that can fail too. */
TEST_F(enomem, new_of_a_new_type_fails_allocating_its_statistics)
{
	struct objheap_op op = { .type = 77, .count = 1 };
	long before;
	__u32 a = oh_new(self->fd, 0, 0, 0);

	NEED_FAILSLAB();
	ASSERT_EQ(1, a);
	before = objheap_stat("stats", "objects");
	ASSERT_EQ(0, arm(self->make_it_fail, "1"));
	EXPECT_EQ(-ENOMEM, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	ASSERT_EQ(0, disarm(self->make_it_fail));
	EXPECT_EQ(before, objheap_stat("stats", "objects"));
	EXPECT_EQ(2, oh_new(self->fd, 77, 1, 0));
}

TEST_F(enomem, write_fails_allocating_its_bounce_buffer)
{
	static char big[8192];
	__u32 a = oh_new(self->fd, 0, 0, sizeof(big));
	char back[16];

	NEED_FAILSLAB();
	ASSERT_NE(0, a);
	memset(big, 'x', sizeof(big));
	/* A 4 KiB kvmalloc has no vmalloc fallback: one failure is enough. */
	ASSERT_EQ(0, arm(self->make_it_fail, "1"));
	EXPECT_EQ(-ENOMEM, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 0, big, 4096));
	ASSERT_EQ(0, disarm(self->make_it_fail));
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, back, sizeof(back)));
	for (size_t i = 0; i < sizeof(back); i++)
		EXPECT_EQ(0, back[i]);
}

TEST_HARNESS_MAIN
