// SPDX-License-Identifier: GPL-2.0
/*
 * OBJHEAP_IOC_BATCH: many operations in one call, stopping at the first
 * that fails, which takes no effect.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

FIXTURE(batch) {
	int fd;
	long page;
};

FIXTURE_SETUP(batch)
{
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->page = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(batch)
{
	close(self->fd);
}

static int run(int fd, void *ops, __u32 count, __u32 op_size, __u32 *done)
{
	struct objheap_batch b = {
		.ops = (__u64)(uintptr_t)ops, .count = count, .op_size = op_size,
	};
	int ret = ioctl(fd, OBJHEAP_IOC_BATCH, &b) ? -errno : 0;

	if (done)
		*done = b.done;
	return ret;
}

static long objects(void)
{
	return objheap_stat("stats", "objects");
}

TEST_F(batch, runs_every_operation_in_order)
{
	char payload[8] = "objheap", back[8] = { 0 };
	struct objheap_op ops[] = {
		{ .op = OBJHEAP_OP_NEW, .count = 2, .type = 1 },
		{ .op = OBJHEAP_OP_NEW, .size = 8, .type = 2 },
		{ .op = OBJHEAP_OP_SET, .handle = 1, .index = 0, .ref = 2 },
		{ .op = OBJHEAP_OP_WRITE, .handle = 2, .count = 8,
		  .buf = (__u64)(uintptr_t)payload },
		{ .op = OBJHEAP_OP_DROP, .handle = 2 },
		{ .op = OBJHEAP_OP_GET, .handle = 1, .index = 0 },
		{ .op = OBJHEAP_OP_NOP },
		{ .op = OBJHEAP_OP_READ, .handle = 2, .count = 8,
		  .buf = (__u64)(uintptr_t)back },
		{ .op = OBJHEAP_OP_DUP, .handle = 1 },
	};
	__u32 done = 99;

	ASSERT_EQ(0, run(self->fd, ops, ARRAY_SIZE(ops), sizeof(ops[0]), &done));
	EXPECT_EQ(ARRAY_SIZE(ops), done);
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		EXPECT_EQ(0, ops[i].result);
	EXPECT_EQ(1, ops[0].handle);
	EXPECT_EQ(2, ops[1].handle);
	EXPECT_EQ(2, ops[5].ref);	/* the dropped handle, reused */
	EXPECT_EQ(0, memcmp(payload, back, 8));
	EXPECT_EQ(3, ops[8].ref);
	EXPECT_EQ(2, oh_refcount(self->fd, 1));
	EXPECT_EQ(2, oh_refcount(self->fd, 2));
}

TEST_F(batch, stops_at_the_first_failure_which_takes_no_effect)
{
	struct objheap_op ops[] = {
		{ .op = OBJHEAP_OP_NEW, .count = 1 },
		{ .op = OBJHEAP_OP_NEW },
		{ .op = OBJHEAP_OP_SET, .handle = 1, .index = 1, .ref = 2 },
		{ .op = OBJHEAP_OP_NEW },
	};
	long before = objects();
	__u32 done = 0;

	ops[3].result = 12345;
	EXPECT_EQ(-ERANGE, run(self->fd, ops, 4, sizeof(ops[0]), &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(0, ops[0].result);
	EXPECT_EQ(0, ops[1].result);
	EXPECT_EQ(-ERANGE, ops[2].result);
	EXPECT_EQ(12345, ops[3].result);	/* never reached */
	EXPECT_EQ(before + 2, objects());
	EXPECT_EQ(1, oh_refcount(self->fd, 2));
}

TEST_F(batch, a_failure_deep_in_a_long_batch_reports_its_index)
{
	enum { N = 1000 };
	struct objheap_op *ops = calloc(N, sizeof(*ops));
	__u32 done;

	ASSERT_NE(NULL, ops);
	for (int i = 0; i < N; i++)
		ops[i].op = OBJHEAP_OP_NEW;
	ops[777] = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = 5000 };
	EXPECT_EQ(-EBADF, run(self->fd, ops, N, sizeof(*ops), &done));
	EXPECT_EQ(777, done);
	EXPECT_EQ(-EBADF, ops[777].result);
	EXPECT_EQ(777, ops[776].handle);
	EXPECT_EQ(0, ops[778].handle);
	free(ops);
}

TEST_F(batch, empty_batch_does_nothing)
{
	__u32 done = 7;

	EXPECT_EQ(0, run(self->fd, NULL, 0, sizeof(struct objheap_op), &done));
	EXPECT_EQ(0, done);
}

TEST_F(batch, bad_batch_headers_are_einval)
{
	struct objheap_op op = { .op = OBJHEAP_OP_NEW };
	struct objheap_batch b;
	long before = objects();

	b = (struct objheap_batch){ .ops = (__u64)(uintptr_t)&op, .count = 1,
				    .op_size = sizeof(op), .flags = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.flags = 0;
	b.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.reserved = 0;
	b.count = OBJHEAP_BATCH_MAX + 1;
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.count = 1;
	b.op_size = sizeof(op) - 8;		/* shorter than any ABI's */
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.op_size = 1 << 20;
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(before, objects());
}

TEST_F(batch, unknown_op_codes_are_einval)
{
	struct objheap_op ops[] = {
		{ .op = OBJHEAP_OP_NEW }, { .op = OBJHEAP_OP_COUNT },
	};
	__u32 done;

	EXPECT_EQ(-EINVAL, run(self->fd, ops, 2, sizeof(ops[0]), &done));
	EXPECT_EQ(1, done);
	ops[1].op = UINT32_MAX;
	EXPECT_EQ(-EINVAL, run(self->fd, ops, 2, sizeof(ops[0]), &done));
	EXPECT_EQ(1, done);
}

/* A caller built against a newer ABI passes bigger operations. */
TEST_F(batch, longer_operations_need_zero_tails)
{
	struct { struct objheap_op op; __u64 extra; } big[3] = {
		{ { .op = OBJHEAP_OP_NEW } },
		{ { .op = OBJHEAP_OP_NEW } },
		{ { .op = OBJHEAP_OP_NEW }, 1 },
	};
	__u32 done;

	EXPECT_EQ(0, run(self->fd, big, 2, sizeof(big[0]), &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(1, big[0].op.handle);
	EXPECT_EQ(2, big[1].op.handle);
	EXPECT_EQ(0, big[0].extra);
	EXPECT_EQ(-E2BIG, run(self->fd, big, 3, sizeof(big[0]), &done));
	EXPECT_EQ(2, done);
}

TEST_F(batch, bad_operation_arrays_are_efault_and_change_nothing)
{
	struct objheap_op *ops = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t per_page = self->page / sizeof(*ops);
	long before = objects();
	struct objheap_batch *rob;
	__u32 done;

	ASSERT_NE(MAP_FAILED, ops);
	for (size_t i = 0; i < 2 * per_page; i++)
		ops[i] = (struct objheap_op){ .op = OBJHEAP_OP_NEW };

	/* Read-only: nothing may run, since no result could be reported. */
	ASSERT_EQ(0, mprotect(ops, 2 * self->page, PROT_READ));
	EXPECT_EQ(-EFAULT, run(self->fd, ops, 4, sizeof(*ops), &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(before, objects());
	EXPECT_EQ(-EFAULT, run(self->fd, (void *)8, 4, sizeof(*ops), &done));
	EXPECT_EQ(before, objects());

	/* Unmapped past the first page: the first chunks run, then EFAULT. */
	ASSERT_EQ(0, mprotect(ops, self->page, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, munmap((char *)ops + self->page, self->page));
	EXPECT_EQ(-EFAULT, run(self->fd, ops, per_page + 16, sizeof(*ops), &done));
	EXPECT_EQ(per_page, done);	/* the one that straddles the hole */
	EXPECT_EQ(before + (long)done, objects());
	for (size_t i = 0; i < done; i++)
		EXPECT_EQ(i + 1, ops[i].handle);

	/* A read-only batch header cannot report done: nothing runs. */
	rob = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rob);
	*rob = (struct objheap_batch){ .ops = (__u64)(uintptr_t)ops, .count = 1,
				       .op_size = sizeof(*ops) };
	ASSERT_EQ(0, mprotect(rob, self->page, PROT_READ));
	before = objects();
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_BATCH, rob));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(before, objects());
	munmap(rob, self->page);
	munmap(ops, self->page);
}

TEST_HARNESS_MAIN
