// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/objheap basics: open, the version ioctl, and the errors every
 * command shares (bad pointers, unknown commands, no seeking).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/objheap.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", OBJHEAP_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version_is_current_abi)
{
	struct objheap_version ver;

	memset(&ver, 0xa5, sizeof(ver));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_VERSION, &ver));
	EXPECT_EQ(OBJHEAP_ABI_MAJOR, ver.major);
	EXPECT_EQ(OBJHEAP_ABI_MINOR, ver.minor);
	for (size_t i = 0; i < ARRAY_SIZE(ver.reserved); i++)
		EXPECT_EQ(0ULL, ver.reserved[i]);
}

TEST_F(dev, version_null_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, version_unmapped_pointer_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_VERSION, p));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, version_read_only_pointer_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_VERSION, p));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, page);
}

TEST_F(dev, version_straddling_the_end_of_a_mapping_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + page, page));
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_VERSION, p + page - 4));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, page);
}

TEST_F(dev, unknown_commands_are_enotty)
{
	struct objheap_version ver;
	const unsigned long bad[] = {
		0,
		_IO(OBJHEAP_IOC_MAGIC, 0x3f),
		_IOW(OBJHEAP_IOC_MAGIC, 0x00, struct objheap_version),
		_IOR(OBJHEAP_IOC_MAGIC, 0x00, __u32),
		_IOR(0xBD, 0x00, struct objheap_version),
		TCGETS,
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, bad[i], &ver)) TH_LOG("cmd %#lx", bad[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", bad[i]);
	}
}

TEST_F(dev, seek_is_espipe)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST(each_open_is_one_heap)
{
	long before, during, after;
	int a, b;

	before = objheap_stat("stats", "heaps");
	if (before < 0)
		SKIP(return, "debugfs objheap/stats not readable");
	a = open(OBJHEAP_DEV, O_RDWR);
	ASSERT_LE(0, a);
	b = open(OBJHEAP_DEV, O_RDWR);
	ASSERT_LE(0, b);
	during = objheap_stat("stats", "heaps");
	close(a);
	close(b);
	after = objheap_stat("stats", "heaps");
	EXPECT_EQ(before + 2, during);
	EXPECT_EQ(before, after);
}

TEST(dup_shares_the_heap)
{
	long before, during;
	int a, b;

	before = objheap_stat("stats", "heaps");
	if (before < 0)
		SKIP(return, "debugfs objheap/stats not readable");
	a = open(OBJHEAP_DEV, O_RDWR);
	ASSERT_LE(0, a);
	b = dup(a);
	ASSERT_LE(0, b);
	during = objheap_stat("stats", "heaps");
	close(a);
	EXPECT_EQ(before + 1, objheap_stat("stats", "heaps"));
	close(b);
	EXPECT_EQ(before + 1, during);
	EXPECT_EQ(before, objheap_stat("stats", "heaps"));
}

TEST_HARNESS_MAIN
