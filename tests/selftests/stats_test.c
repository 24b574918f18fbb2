// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics against known operations: the debugfs files stats, gc and
 * pools, the control file, and OBJHEAP_IOC_HEAP_STATS. Every number is
 * checked as a difference from before the operations, and must match what
 * INFO says of the objects and what the operations did. Tests run one at
 * a time, so module-wide differences are this test's own.
 */
#include <fcntl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define MAX_COLS	16
#define SEPS		"\n\t "

FIXTURE(stats) {
	int fd;
	long freelists;	/* the run's freelist_max, put back at teardown */
};

FIXTURE_SETUP(stats)
{
	self->freelists = oh_freelists_on();
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, objheap_stat("stats", "objects"))
		TH_LOG("debugfs must be mounted at /sys/kernel/debug");
}

FIXTURE_TEARDOWN(stats)
{
	if (self->fd >= 0)
		close(self->fd);
	oh_freelists_restore(self->freelists);
}

/*
 * The row of debugfs table @file whose first column is @key, parsed into
 * @col (the key is col[0] when numeric). Returns the number of columns, or
 * -1 without such a row; checks that the header names as many columns.
 */
static int table_row(const char *file, const char *key,
		     unsigned long long *col)
{
	char path[256], line[512], *tok, *save;
	int n = -1, header = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", OBJHEAP_DEBUGFS, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			/* The first comment names the columns. */
			if (header)
				continue;
			for (tok = strtok_r(line + 1, SEPS, &save); tok;
			     tok = strtok_r(NULL, SEPS, &save))
				header++;
			continue;
		}
		tok = strtok_r(line, SEPS, &save);
		if (!tok || strcmp(tok, key))
			continue;
		n = 0;
		for (; tok && n < MAX_COLS; tok = strtok_r(NULL, SEPS, &save))
			col[n++] = strtoull(tok, NULL, 10);
		break;
	}
	fclose(f);
	return n == header ? n : -1;
}

static int heap_stats(int fd, struct objheap_heap_stats *st)
{
	memset(st, 0xff, sizeof(*st));
	return ioctl(fd, OBJHEAP_IOC_HEAP_STATS, st) ? -errno : 0;
}

/* Bytes the objects count for: the sum of INFO's pool sizes. */
static long pool_bytes(int fd, const __u32 *h, int n)
{
	struct objheap_info info;
	long sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (oh_info(fd, h[i], &info))
			return -1;
		sum += info.size_class;
	}
	return sum;
}

TEST_F(stats, heap_stats_follow_the_operations)
{
	struct objheap_heap_stats st;
	__u64 empty, full;
	__u32 h[10];
	long bytes;
	int i;

	ASSERT_EQ(0, heap_stats(self->fd, &st));
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, st.allocs);
	EXPECT_EQ(0, st.handles);
	EXPECT_LT(0, st.id);
	EXPECT_EQ(0, st.reserved);
	/* An empty heap pins its own struct, charged to its user too. */
	EXPECT_LT(1024, st.pinned);
	EXPECT_LE(st.pinned, st.user_pinned);
	EXPECT_LE(st.user_pinned, st.user_max_bytes);
	empty = st.pinned;

	for (i = 0; i < 10; i++) {
		h[i] = oh_new(self->fd, 1, i % 3, 8 * i);
		ASSERT_NE(0, h[i]);
	}
	bytes = pool_bytes(self->fd, h, 10);
	ASSERT_LT(0, bytes);
	ASSERT_EQ(0, heap_stats(self->fd, &st));
	EXPECT_EQ(10, st.objects);
	EXPECT_EQ(bytes, st.bytes);
	EXPECT_EQ(bytes, st.peak_bytes);
	EXPECT_EQ(10, st.allocs);
	EXPECT_EQ(0, st.frees);
	EXPECT_EQ(10, st.handles);
	EXPECT_LE(10, st.handles_cap);
	EXPECT_EQ(10, st.freelist_hits + st.freelist_misses);
	/*
	 * Pinned: the objects, the first handle table (64 words), the first
	 * type table (16 words) and one tag's entry.
	 */
	full = st.pinned;
	EXPECT_LE(empty + bytes + 64 * 8 + 16 * 8 + 32, full);
	EXPECT_GE(empty + bytes + 64 * 8 + 16 * 8 + 128, full);

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, oh_drop(self->fd, h[i]));
	ASSERT_EQ(0, heap_stats(self->fd, &st));
	/* Freelisted objects stay charged: the memory is still held. */
	EXPECT_EQ(full, st.pinned);
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(bytes, st.peak_bytes);
	EXPECT_EQ(10, st.frees);
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(10, st.freelisted);

	/* The same shapes again come from the freelists. */
	for (i = 0; i < 10; i++)
		ASSERT_NE(0, oh_new(self->fd, 1, i % 3, 8 * i));
	ASSERT_EQ(0, heap_stats(self->fd, &st));
	EXPECT_EQ(0, st.freelisted);
	EXPECT_EQ(20, st.freelist_hits + st.freelist_misses);
	EXPECT_LE(10, st.freelist_hits);
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_HEAP_STATS, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(stats, debugfs_stats_count_objects_bytes_allocs_frees)
{
	long objects = objheap_stat("stats", "objects");
	long bytes = objheap_stat("stats", "bytes");
	long allocs = objheap_stat("stats", "allocs");
	long frees = objheap_stat("stats", "frees");
	long heaps = objheap_stat("stats", "heaps");
	__u32 h[5];
	long b;
	int i;

	ASSERT_LE(0, allocs);
	ASSERT_LE(0, frees);
	for (i = 0; i < 5; i++)
		ASSERT_NE(0, h[i] = oh_new(self->fd, 2, 2, 100));
	b = pool_bytes(self->fd, h, 5);
	EXPECT_EQ(objects + 5, objheap_stat("stats", "objects"));
	EXPECT_EQ(bytes + b, objheap_stat("stats", "bytes"));
	EXPECT_EQ(allocs + 5, objheap_stat("stats", "allocs"));
	EXPECT_LE(b, objheap_stat("stats", "peak_heap_bytes"));
	ASSERT_EQ(0, oh_drop(self->fd, h[0]));
	EXPECT_EQ(frees + 1, objheap_stat("stats", "frees"));
	EXPECT_EQ(heaps, objheap_stat("stats", "heaps"));

	/* A closed heap's counts stay in the totals. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(heaps - 1, objheap_stat("stats", "heaps"));
	EXPECT_EQ(objects, objheap_stat("stats", "objects"));
	EXPECT_EQ(allocs + 5, objheap_stat("stats", "allocs"));
	EXPECT_EQ(frees + 5, objheap_stat("stats", "frees"));
}

TEST_F(stats, debugfs_gc_rows_count_collections)
{
	unsigned long long before[MAX_COLS], after[MAX_COLS];
	long colls = objheap_stat("stats", "collections");
	long coll = objheap_stat("stats", "collected");
	struct objheap_gc_collect c;
	int i;

	ASSERT_EQ(11, table_row("gc", "1", before));
	for (i = 0; i < 3; i++) {
		__u32 a = oh_new(self->fd, 1, 1, 0);

		ASSERT_NE(0, a);
		ASSERT_EQ(0, oh_set(self->fd, a, 0, a));
		ASSERT_EQ(0, oh_drop(self->fd, a));
	}
	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	ASSERT_EQ(11, table_row("gc", "1", after));
	EXPECT_EQ(1, after[0]);
	EXPECT_EQ(before[1] + 1, after[1]);	/* collections */
	EXPECT_EQ(before[2] + 3, after[2]);	/* scanned */
	EXPECT_EQ(before[3] + 3, after[3]);	/* collected */
	EXPECT_EQ(0, after[4]);			/* uncollectable */
	EXPECT_EQ(before[5] + 3, after[5]);	/* freed */
	EXPECT_LE(before[6] + c.time_ns, after[6]);
	EXPECT_LE(c.time_ns, after[7]);
	EXPECT_EQ(10, after[8]);		/* threshold (module default) */
	EXPECT_EQ(colls + 1, objheap_stat("stats", "collections"));
	EXPECT_EQ(coll + 3, objheap_stat("stats", "collected"));
	ASSERT_EQ(11, table_row("gc", "0", after));
	EXPECT_EQ(700, after[8]);
}

/* Two-slot containers with no payload: 40 bytes, the 40-byte class. */
TEST_F(stats, debugfs_pools_rows_follow_a_size_class)
{
	unsigned long long before[MAX_COLS], after[MAX_COLS];
	struct objheap_info info;
	__u32 h[10], cls;
	char key[16];
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_NE(0, h[i] = oh_new(self->fd, 3, 2, 0));
	ASSERT_EQ(0, oh_info(self->fd, h[0], &info));
	ASSERT_EQ(40, info.size_class);
	for (cls = 0; cls < 32; cls++) {
		snprintf(key, sizeof(key), "%u", cls);
		if (table_row("pools", key, before) == 8 && before[1] == 40)
			break;
	}
	ASSERT_EQ(8, table_row("pools", key, before));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, oh_drop(self->fd, h[i]));
	ASSERT_EQ(8, table_row("pools", key, after));
	EXPECT_EQ(before[2] - 10, after[2]);		/* objects */
	EXPECT_EQ(before[3] - 400, after[3]);		/* bytes */
	EXPECT_EQ(before[4] + 10, after[4]);		/* freelisted */
	EXPECT_EQ(after[2] + after[4], after[7]);	/* slab objects */
	for (i = 0; i < 10; i++)
		ASSERT_NE(0, oh_new(self->fd, 3, 2, 0));
	ASSERT_EQ(8, table_row("pools", key, before));
	EXPECT_EQ(after[5] + 10, before[5]);		/* freelist hits */
	EXPECT_EQ(after[6], before[6]);			/* no new misses */
	EXPECT_EQ(0, table_row("pools", "large", before) < 0);
}

TEST_F(stats, debugfs_control_collect_collects_every_heap)
{
	int other = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	struct objheap_gc_event rec;
	struct objheap_gc_stats st;
	int fds[2] = { self->fd, other }, i, fd;

	ASSERT_LE(0, other);
	for (i = 0; i < 2; i++) {
		__u32 a = oh_new(fds[i], 1, 1, 0);

		ASSERT_NE(0, a);
		ASSERT_EQ(0, oh_set(fds[i], a, 0, a));
		ASSERT_EQ(0, oh_drop(fds[i], a));
	}
	fd = open(OBJHEAP_DEBUGFS "/control", O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "scan", 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(8, write(fd, "collect\n", 8));
	close(fd);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, oh_gc_stats(fds[i], &st));
		EXPECT_EQ(1, st.gen[2].collections);
		EXPECT_EQ(1, st.gen[2].collected);
		ASSERT_EQ(sizeof(rec), read(fds[i], &rec, sizeof(rec)));
		EXPECT_EQ(OBJHEAP_GC_REASON_DEBUGFS, rec.reason);
		EXPECT_EQ(2, rec.generation);
	}
	close(other);
}

/* "key: value" of heaps/<id>/info, as a number; -1 if missing. */
static long heap_info(__u64 id, const char *key)
{
	char file[64];

	snprintf(file, sizeof(file), "heaps/%llu/info", (unsigned long long)id);
	return objheap_stat(file, key);
}

TEST_F(stats, debugfs_heap_directory_describes_the_heap)
{
	unsigned long long row[MAX_COLS];
	struct objheap_heap_stats st;
	struct objheap_info info;
	char path[128], line[128];
	__u32 big, small[3];
	long small_bytes = 0;
	FILE *f;
	int i;

	ASSERT_EQ(0, heap_stats(self->fd, &st));
	for (i = 0; i < 3; i++) {
		ASSERT_NE(0, small[i] = oh_new(self->fd, 5, 0, 100));
		ASSERT_EQ(0, oh_info(self->fd, small[i], &info));
		small_bytes += info.size_class;
	}
	ASSERT_NE(0, big = oh_new(self->fd, 9, 0, 1000));
	ASSERT_EQ(0, oh_info(self->fd, big, &info));

	EXPECT_EQ(st.id, heap_info(st.id, "id"));
	EXPECT_EQ(getpid(), heap_info(st.id, "owner_pid"));
	EXPECT_EQ(4, heap_info(st.id, "objects"));
	EXPECT_EQ(small_bytes + info.size_class, heap_info(st.id, "bytes"));
	EXPECT_EQ(4, heap_info(st.id, "handles"));
	EXPECT_EQ(4, heap_info(st.id, "allocs"));

	/* Tag 9's one object of 1024 bytes leads tag 5's three of 128. */
	snprintf(path, sizeof(path), "heaps/%llu/types",
		 (unsigned long long)st.id);
	ASSERT_EQ(3, table_row(path, "9", row));
	EXPECT_EQ(1, row[1]);
	EXPECT_EQ(info.size_class, row[2]);
	ASSERT_EQ(3, table_row(path, "5", row));
	EXPECT_EQ(3, row[1]);
	EXPECT_EQ(small_bytes, row[2]);
	snprintf(path, sizeof(path), OBJHEAP_DEBUGFS "/heaps/%llu/types",
		 (unsigned long long)st.id);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));	/* header */
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_EQ(0, strncmp(line, "9 ", 2));
	fclose(f);

	/* Dropping the last object of a tag removes its row. */
	ASSERT_EQ(0, oh_drop(self->fd, big));
	snprintf(path, sizeof(path), "heaps/%llu/types",
		 (unsigned long long)st.id);
	EXPECT_EQ(-1, table_row(path, "9", row));

	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-1, heap_info(st.id, "id"));
}

TEST_HARNESS_MAIN
