// SPDX-License-Identifier: GPL-2.0
/*
 * Every single-operation ioctl: what it does, and every way it can fail.
 * A failing call must return its documented errno and change nothing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

FIXTURE(heap) {
	int fd;
	long page;
};

FIXTURE_SETUP(heap)
{
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->page = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(heap)
{
	close(self->fd);
}

/* The module-wide object count, to check that failures change nothing. */
static long objects(void)
{
	return objheap_stat("stats", "objects");
}

TEST_F(heap, new_returns_small_handles_and_info_describes_the_object)
{
	struct objheap_info info;
	__u32 a, b;

	a = oh_new(self->fd, 42, 2, 0);
	b = oh_new(self->fd, 43, 0, 100);
	EXPECT_EQ(1, a);
	EXPECT_EQ(2, b);

	ASSERT_EQ(0, oh_info(self->fd, a, &info));
	EXPECT_EQ(1, info.refcount);
	EXPECT_EQ(42, info.type);
	EXPECT_EQ(2, info.nslots);
	EXPECT_EQ(0, info.size);
	EXPECT_EQ(40, info.alloc_size);	/* link 16 + header 8 + 2 slots */
	EXPECT_EQ(40, info.size_class);
	EXPECT_EQ(OBJHEAP_INFO_CONTAINER | OBJHEAP_INFO_TRACKED, info.flags);

	ASSERT_EQ(0, oh_info(self->fd, b, &info));
	EXPECT_EQ(43, info.type);
	EXPECT_EQ(100, info.size);
	EXPECT_EQ(116, info.alloc_size);	/* header 8 + size 8 + 100 */
	EXPECT_EQ(128, info.size_class);
	EXPECT_EQ(0, info.flags);

	a = oh_new(self->fd, 1, 1, 1 << 20);	/* the largest payload */
	ASSERT_NE(0, a);
	ASSERT_EQ(0, oh_info(self->fd, a, &info));
	EXPECT_EQ(0, info.size_class);		/* from kvmalloc */
}

TEST_F(heap, dup_and_drop_move_the_count)
{
	struct objheap_op op = { 0 };
	__u32 a = oh_new(self->fd, 0, 0, 0);

	op.handle = a;
	ASSERT_EQ(0, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
	EXPECT_NE(0, op.ref);
	EXPECT_NE(a, op.ref);
	EXPECT_EQ(2, oh_refcount(self->fd, a));
	EXPECT_EQ(0, oh_drop(self->fd, a));
	EXPECT_EQ(1, oh_refcount(self->fd, op.ref));
	EXPECT_EQ(-EBADF, oh_refcount(self->fd, a));
	EXPECT_EQ(0, oh_drop(self->fd, op.ref));
	EXPECT_EQ(-EBADF, oh_drop(self->fd, op.ref));
}

TEST_F(heap, set_get_and_clear_slots)
{
	__u32 box = oh_new(self->fd, 0, 3, 0);
	__u32 val = oh_new(self->fd, 9, 0, 0);
	struct objheap_info info;
	__u32 got;

	ASSERT_EQ(0, oh_get(self->fd, box, 2, &got));
	EXPECT_EQ(0, got);			/* empty */
	ASSERT_EQ(0, oh_set(self->fd, box, 2, val));
	EXPECT_EQ(2, oh_refcount(self->fd, val));
	ASSERT_EQ(0, oh_get(self->fd, box, 2, &got));
	ASSERT_NE(0, got);
	ASSERT_EQ(0, oh_info(self->fd, got, &info));
	EXPECT_EQ(9, info.type);
	EXPECT_EQ(3, info.refcount);
	EXPECT_EQ(0, oh_drop(self->fd, got));
	ASSERT_EQ(0, oh_set(self->fd, box, 2, 0));
	EXPECT_EQ(1, oh_refcount(self->fd, val));
}

/* TCG and the debug kernel make this slow: allow minutes, not seconds. */
TEST_F_TIMEOUT(heap, dropping_the_last_handle_frees_what_it_reaches, 300)
{
	long before = objects();
	__u32 head = oh_new(self->fd, 0, 1, 0), next;
	int i;

	/* A chain of 20000 (KUnit drops one of a million). */
	for (i = 1; i < 20000; i++) {
		next = oh_new(self->fd, 0, 1, 0);
		ASSERT_NE(0, next);
		ASSERT_EQ(0, oh_set(self->fd, next, 0, head));
		ASSERT_EQ(0, oh_drop(self->fd, head));
		head = next;
	}
	EXPECT_EQ(before + 20000, objects());
	EXPECT_EQ(0, oh_drop(self->fd, head));
	EXPECT_EQ(before, objects());
}

TEST_F(heap, write_and_read_payload)
{
	__u32 a = oh_new(self->fd, 0, 1, 64);
	char in[64], out[64];

	memset(out, 0x5a, sizeof(out));
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, out, 64));
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(0, out[i]);		/* fresh payload is zeroed */

	for (int i = 0; i < 64; i++)
		in[i] = i;
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 10, in, 20));
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, out, 64));
	for (int i = 0; i < 64; i++)
		EXPECT_EQ(i >= 10 && i < 30 ? i - 10 : 0, out[i]);
	/* Zero-length at the very end is in range. */
	EXPECT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 64, NULL, 0));
}

TEST_F(heap, large_payload_round_trip)
{
	size_t n = OBJHEAP_MAX_PAYLOAD;
	unsigned char *in = malloc(n), *out = malloc(n);
	__u32 a = oh_new(self->fd, 0, 0, n);

	ASSERT_NE(0, a);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (size_t i = 0; i < n; i++)
		in[i] = i * 7;
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 0, in, n));
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, out, n));
	EXPECT_EQ(0, memcmp(in, out, n));
	free(in);
	free(out);
}

TEST_F(heap, bad_handles_are_ebadf)
{
	__u32 box = oh_new(self->fd, 0, 1, 8), gone = oh_new(self->fd, 0, 0, 0);
	int other = open(OBJHEAP_DEV, O_RDWR);
	struct objheap_op op = { 0 };
	long before;
	char c;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, oh_drop(self->fd, gone));
	/* Handle 5 is open in the other heap, not in this one. */
	for (int i = 0; i < 5; i++)
		ASSERT_NE(0, oh_new(other, 0, 0, 0));
	before = objects();

	__u32 bad[] = { 0, gone, 5, 12345, UINT32_MAX };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EBADF, oh_drop(self->fd, bad[i]));
		op = (struct objheap_op){ .handle = bad[i] };
		EXPECT_EQ(-EBADF, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
		EXPECT_EQ(-EBADF, oh_set(self->fd, bad[i], 0, box));
		EXPECT_EQ(-EBADF, oh_set(self->fd, box, 0, bad[i] ? bad[i] : gone));
		EXPECT_EQ(-EBADF, oh_get(self->fd, bad[i], 0, &op.ref));
		EXPECT_EQ(-EBADF, oh_rw(self->fd, OBJHEAP_IOC_READ, bad[i], 0, &c, 1));
		EXPECT_EQ(-EBADF, oh_rw(self->fd, OBJHEAP_IOC_WRITE, bad[i], 0, &c, 1));
		EXPECT_EQ(-EBADF, oh_refcount(self->fd, bad[i]));
	}
	EXPECT_EQ(before, objects());
	EXPECT_EQ(1, oh_refcount(self->fd, box));
	close(other);
}

TEST_F(heap, slots_and_payload_out_of_range_are_erange)
{
	__u32 box = oh_new(self->fd, 0, 2, 16), leaf = oh_new(self->fd, 0, 0, 0);
	char buf[32] = { 0 };
	__u32 got;

	EXPECT_EQ(-ERANGE, oh_set(self->fd, box, 2, leaf));
	EXPECT_EQ(-ERANGE, oh_set(self->fd, box, UINT32_MAX, leaf));
	EXPECT_EQ(-ERANGE, oh_set(self->fd, leaf, 0, box));
	EXPECT_EQ(-ERANGE, oh_get(self->fd, box, 2, &got));
	EXPECT_EQ(-ERANGE, oh_rw(self->fd, OBJHEAP_IOC_READ, box, 0, buf, 17));
	EXPECT_EQ(-ERANGE, oh_rw(self->fd, OBJHEAP_IOC_WRITE, box, 16, buf, 1));
	EXPECT_EQ(-ERANGE, oh_rw(self->fd, OBJHEAP_IOC_WRITE, box, 17, buf, 0));
	/* offset + count wraps around 2^32 */
	EXPECT_EQ(-ERANGE, oh_rw(self->fd, OBJHEAP_IOC_READ, box, UINT32_MAX, buf, 2));
	/* more than any payload can hold, before any buffer is touched */
	EXPECT_EQ(-ERANGE, oh_rw(self->fd, OBJHEAP_IOC_READ, box, 0, NULL, UINT32_MAX));
	EXPECT_EQ(1, oh_refcount(self->fd, leaf));
}

TEST_F(heap, huge_and_negative_sizes_are_einval)
{
	long before = objects();
	struct objheap_op op;

	op = (struct objheap_op){ .count = OBJHEAP_MAX_SLOTS + 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	op = (struct objheap_op){ .size = OBJHEAP_MAX_PAYLOAD + 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	op = (struct objheap_op){ .size = (__u32)-1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	op = (struct objheap_op){ .count = (__u32)-1, .size = (__u32)-1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	EXPECT_EQ(before, objects());
}

TEST_F(heap, nonzero_unused_fields_are_einval)
{
	__u32 a = oh_new(self->fd, 0, 1, 8);
	long before = objects();
	struct objheap_info info;
	struct objheap_op op;

	op = (struct objheap_op){ .ref = 3 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	op = (struct objheap_op){ .index = 2 };	/* an unknown flag */
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	op = (struct objheap_op){ .buf = 8 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_NEW, &op));
	op = (struct objheap_op){ .handle = a, .type = 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
	op = (struct objheap_op){ .handle = a, .index = 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_DROP, &op));
	op = (struct objheap_op){ .handle = a, .size = 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_SET, &op));
	op = (struct objheap_op){ .handle = a, .count = 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_GET, &op));
	op = (struct objheap_op){ .handle = a, .ref = 1 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_READ, &op));
	op = (struct objheap_op){ .handle = a, .ref = 1, .index = 0 };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_WRITE, &op));
	/* op must be zero or the ioctl's own */
	op = (struct objheap_op){ .op = OBJHEAP_OP_DROP, .handle = a };
	EXPECT_EQ(-EINVAL, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
	op = (struct objheap_op){ .op = OBJHEAP_OP_DUP, .handle = a };
	EXPECT_EQ(0, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
	EXPECT_EQ(0, oh_drop(self->fd, op.ref));

	memset(&info, 0, sizeof(info));
	info.handle = a;
	info.reserved[1] = 1;	/* the last reserved word */
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(before, objects());
	EXPECT_EQ(1, oh_refcount(self->fd, a));
}

/* Every ioctl that takes an argument, with a NULL and an unmapped one. */
TEST_F(heap, bad_argument_pointers_are_efault)
{
	const unsigned long cmds[] = {
		OBJHEAP_IOC_NEW, OBJHEAP_IOC_DUP, OBJHEAP_IOC_DROP,
		OBJHEAP_IOC_SET, OBJHEAP_IOC_GET, OBJHEAP_IOC_WRITE,
		OBJHEAP_IOC_READ, OBJHEAP_IOC_INFO, OBJHEAP_IOC_BATCH,
		OBJHEAP_IOC_GET_LIMITS, OBJHEAP_IOC_SET_LIMITS,
		OBJHEAP_IOC_VERSION,
	};
	void *unmapped = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long before = objects();

	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, self->page));
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], NULL));
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], unmapped));
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
	EXPECT_EQ(before, objects());
	/* The NOP ioctl takes no argument at all. */
	EXPECT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_NOP, NULL));
}

/* Operations that answer through their argument need it writable. */
TEST_F(heap, read_only_arguments_are_efault_and_change_nothing)
{
	__u32 box = oh_new(self->fd, 0, 1, 0), leaf = oh_new(self->fd, 0, 0, 0);
	struct objheap_op *op = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long before;

	ASSERT_NE(MAP_FAILED, op);
	ASSERT_EQ(0, oh_set(self->fd, box, 0, leaf));
	before = objects();

	memset(op, 0, sizeof(*op));
	ASSERT_EQ(0, mprotect(op, self->page, PROT_READ));
	EXPECT_EQ(-EFAULT, oh_op(self->fd, OBJHEAP_IOC_NEW, op));
	EXPECT_EQ(before, objects());
	/* The handle the failed NEW took is free again. */
	EXPECT_EQ(3, oh_new(self->fd, 0, 0, 0));
	EXPECT_EQ(0, oh_drop(self->fd, 3));

	ASSERT_EQ(0, mprotect(op, self->page, PROT_READ | PROT_WRITE));
	op->handle = leaf;
	ASSERT_EQ(0, mprotect(op, self->page, PROT_READ));
	EXPECT_EQ(-EFAULT, oh_op(self->fd, OBJHEAP_IOC_DUP, op));
	EXPECT_EQ(2, oh_refcount(self->fd, leaf));

	ASSERT_EQ(0, mprotect(op, self->page, PROT_READ | PROT_WRITE));
	op->handle = box;
	ASSERT_EQ(0, mprotect(op, self->page, PROT_READ));
	EXPECT_EQ(-EFAULT, oh_op(self->fd, OBJHEAP_IOC_GET, op));
	EXPECT_EQ(2, oh_refcount(self->fd, leaf));
	EXPECT_EQ(before, objects());
	munmap(op, self->page);
}

TEST_F(heap, bad_payload_buffers_are_efault_and_change_nothing)
{
	__u32 a = oh_new(self->fd, 0, 0, 2 * 4096);
	char *map = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, self->page, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char out[4096];

	ASSERT_NE(0, a);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_NE(MAP_FAILED, ro);
	memset(map, 0x77, 2 * self->page);
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 0, map, 4096));
	ASSERT_EQ(0, munmap(map + self->page, self->page));

	/* A source whose second half is unmapped: nothing is written. */
	memset(map, 0x11, self->page);
	EXPECT_EQ(-EFAULT, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 0, map, 8192));
	EXPECT_EQ(-EFAULT, oh_rw(self->fd, OBJHEAP_IOC_WRITE, a, 0, NULL, 1));
	ASSERT_EQ(0, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, out, sizeof(out)));
	for (size_t i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0x77, out[i]);

	/* Reading into read-only or unmapped memory. */
	EXPECT_EQ(-EFAULT, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, ro, 16));
	EXPECT_EQ(-EFAULT, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, map, 8192));
	EXPECT_EQ(-EFAULT, oh_rw(self->fd, OBJHEAP_IOC_READ, a, 0, NULL, 8));
	EXPECT_EQ(1, oh_refcount(self->fd, a));
	munmap(map, self->page);
	munmap(ro, self->page);
}

TEST_F(heap, limits_hold_and_only_go_down)
{
	struct objheap_limits lim;
	struct objheap_op op;
	long before;
	__u32 a;

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GET_LIMITS, &lim));
	EXPECT_NE(0, lim.max_bytes);
	EXPECT_NE(0, lim.max_objects);
	EXPECT_NE(0, lim.max_handles);
	EXPECT_EQ(0, lim.reserved[0]);
	EXPECT_EQ(0, lim.reserved[1]);

	lim.max_objects++;
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	EXPECT_EQ(EPERM, errno);
	lim = (struct objheap_limits){ .max_handles = 3, .reserved[0] = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	EXPECT_EQ(EINVAL, errno);

	lim = (struct objheap_limits){ .max_objects = 2, .max_handles = 3 };
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	a = oh_new(self->fd, 0, 1, 0);
	ASSERT_NE(0, oh_new(self->fd, 0, 0, 0));
	before = objects();
	EXPECT_EQ(0, oh_new(self->fd, 0, 0, 0));
	EXPECT_EQ(EDQUOT, errno);
	op = (struct objheap_op){ .handle = a };
	ASSERT_EQ(0, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
	op = (struct objheap_op){ .handle = a };
	EXPECT_EQ(-EMFILE, oh_op(self->fd, OBJHEAP_IOC_DUP, &op));
	EXPECT_EQ(2, oh_refcount(self->fd, a));
	EXPECT_EQ(before, objects());

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GET_LIMITS, &lim));
	EXPECT_EQ(2, lim.max_objects);
	EXPECT_EQ(3, lim.max_handles);

	/* Bytes: a 64-byte object does not fit under a 100-byte limit. */
	lim = (struct objheap_limits){ .max_bytes = 100 };
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_SET_LIMITS, &lim));
	EXPECT_EQ(0, oh_drop(self->fd, 2));
	EXPECT_EQ(0, oh_new(self->fd, 0, 0, 48));
	EXPECT_EQ(EDQUOT, errno);
}

/* Each size class is its own slab cache, named after its object size. */
TEST(pools_are_visible_in_slabinfo)
{
	static const int sizes[] = {
		16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224,
		256, 320, 384, 448, 512, 768, 1024, 1536, 2048, 3072, 4096,
	};
	char line[512], name[32];
	int found = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			snprintf(name, sizeof(name), "objheap-%d ", sizes[i]);
			found += !strncmp(line, name, strlen(name));
		}
	}
	fclose(f);
	EXPECT_EQ(ARRAY_SIZE(sizes), found);
}

TEST_HARNESS_MAIN
