// SPDX-License-Identifier: GPL-2.0
/*
 * The GC event stream and the tracepoints: read() and poll() on the heap's
 * file return one record per finished collection, matching what the
 * collection reported; a reader that falls behind is told what it lost;
 * the objheap tracepoints fire in tracefs.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define TRACEFS	"/sys/kernel/tracing/"

FIXTURE(events) {
	int fd;
};

FIXTURE_SETUP(events)
{
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(events)
{
	close(self->fd);
}

/* A garbage self-loop: something for a collection to find. */
static int garbage(int fd)
{
	__u32 h = oh_new(fd, 7, 1, 0);

	if (!h)
		return -errno;
	if (oh_set(fd, h, 0, h))
		return -errno;
	return oh_drop(fd, h);
}

static int readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	return n < 0 ? -errno : n && (p.revents & POLLIN);
}

TEST_F(events, version_advertises_events)
{
	struct objheap_version v;

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_VERSION, &v));
	EXPECT_TRUE(v.features & OBJHEAP_FEAT_EVENTS);
	EXPECT_EQ(72, sizeof(struct objheap_gc_event));
}

TEST_F(events, nothing_to_read_before_a_collection)
{
	struct objheap_gc_event rec;
	int flags = fcntl(self->fd, F_GETFL);

	EXPECT_EQ(0, readable(self->fd, 100));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(events, a_record_matches_its_collection)
{
	struct objheap_gc_collect c;
	struct objheap_gc_event rec[2];

	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	EXPECT_EQ(1, readable(self->fd, 1000));
	ASSERT_EQ(sizeof(rec[0]), read(self->fd, rec, sizeof(rec)));
	EXPECT_EQ(1, rec[0].seq);
	EXPECT_EQ(1, rec[0].generation);
	EXPECT_EQ(OBJHEAP_GC_REASON_IOCTL, rec[0].reason);
	EXPECT_EQ(c.scanned, rec[0].scanned);
	EXPECT_EQ(2, rec[0].collected);
	EXPECT_EQ(2, rec[0].freed);
	EXPECT_EQ(0, rec[0].saved);
	EXPECT_EQ(c.time_ns, rec[0].pause_ns);
	EXPECT_EQ(0, rec[0].lost);
	EXPECT_LT(0, rec[0].time_ns);
	EXPECT_EQ(0, readable(self->fd, 0));
}

TEST_F(events, a_short_buffer_is_einval_and_consumes_nothing)
{
	struct objheap_gc_collect c;
	struct objheap_gc_event rec;

	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	EXPECT_EQ(-1, read(self->fd, &rec, sizeof(rec) - 1));
	EXPECT_EQ(EINVAL, errno);
	/* As any read(): zero bytes read nothing, and consume nothing. */
	EXPECT_EQ(0, read(self->fd, &rec, 0));
	ASSERT_EQ(sizeof(rec), read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(1, rec.seq);
}

TEST_F(events, a_bad_buffer_is_efault_and_consumes_nothing)
{
	long page = sysconf(_SC_PAGESIZE);
	void *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	struct objheap_gc_collect c;
	struct objheap_gc_event rec;

	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	EXPECT_EQ(-1, read(self->fd, none, sizeof(rec)));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(sizeof(rec), read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(1, rec.seq);
	EXPECT_EQ(2, rec.generation);
	munmap(none, page);
}

/* 40 collections unread: the heap keeps 32, and says 8 were lost. */
TEST_F(events, a_slow_reader_is_told_what_it_lost)
{
	struct objheap_gc_event rec[OBJHEAP_GC_EVENTS_MAX + 8];
	struct objheap_gc_collect c;
	ssize_t n;
	int i;

	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	n = read(self->fd, rec, sizeof(rec));
	ASSERT_EQ(OBJHEAP_GC_EVENTS_MAX * sizeof(rec[0]), n);
	EXPECT_EQ(9, rec[0].seq);
	EXPECT_EQ(8, rec[0].lost);
	for (i = 1; i < OBJHEAP_GC_EVENTS_MAX; i++) {
		EXPECT_EQ(9 + i, rec[i].seq);
		EXPECT_EQ(0, rec[i].lost);
	}
	EXPECT_EQ(0, readable(self->fd, 0));
}

static void *collect_later(void *arg)
{
	struct objheap_gc_collect c;
	int fd = *(int *)arg;

	usleep(200 * 1000);
	return (void *)(intptr_t)oh_collect(fd, 0, &c);
}

TEST_F(events, a_blocking_read_waits_for_a_collection)
{
	struct objheap_gc_event rec;
	pthread_t t;
	void *ret;

	ASSERT_EQ(0, pthread_create(&t, NULL, collect_later, &self->fd));
	ASSERT_EQ(sizeof(rec), read(self->fd, &rec, sizeof(rec)));
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(0, (intptr_t)ret);
	EXPECT_EQ(1, rec.seq);
	EXPECT_EQ(OBJHEAP_GC_REASON_IOCTL, rec.reason);
}

/* preadv2(RWF_NOWAIT): one call that must not wait (ABI 1.5). */
static ssize_t read_nowait(int fd, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
}

TEST_F(events, rwf_nowait_is_eagain_with_nothing_to_read)
{
	struct objheap_gc_collect c;
	struct objheap_gc_event rec;
	struct objheap_version v;
	struct timespec t0, t1;

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_VERSION, &v));
	EXPECT_TRUE(v.features & OBJHEAP_FEAT_NOWAIT_READ);
	/* The file stays blocking: only this one call does not wait. */
	EXPECT_EQ(0, fcntl(self->fd, F_GETFL) & O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-1, read_nowait(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_GT(5, t1.tv_sec - t0.tv_sec);
	/* A record that waits is read, and consumed, as by read(). */
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	ASSERT_EQ(sizeof(rec), read_nowait(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(1, rec.seq);
	EXPECT_EQ(1, rec.collected);
	EXPECT_EQ(-1, read_nowait(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(EAGAIN, errno);
}

/* readv() scatters records over several buffers, a record across two. */
TEST_F(events, readv_scatters_records)
{
	struct objheap_gc_collect c;
	struct objheap_gc_event rec[2];
	struct iovec iov[3] = {
		{ .iov_base = (char *)rec, .iov_len = 10 },
		{ .iov_base = (char *)rec + 10, .iov_len = sizeof(rec) - 20 },
		{ .iov_base = (char *)rec + sizeof(rec) - 10, .iov_len = 10 },
	};

	memset(rec, 0, sizeof(rec));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	ASSERT_EQ(sizeof(rec), readv(self->fd, iov, 3));
	EXPECT_EQ(1, rec[0].seq);
	EXPECT_EQ(2, rec[1].seq);
	EXPECT_EQ(1, rec[1].collected);
}

TEST_F_TIMEOUT(events, an_automatic_collection_is_reported, 120)
{
	struct objheap_gc_params p = {
		.flags = OBJHEAP_GC_ENABLED, .threshold = { 100, 10, 10 },
	};
	struct objheap_gc_event rec;
	int i;

	ASSERT_EQ(0, oh_gc_params_set(self->fd, &p));
	for (i = 0; i < 101; i++)
		ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(1, readable(self->fd, 60 * 1000));
	ASSERT_EQ(sizeof(rec), read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(OBJHEAP_GC_REASON_THRESHOLD, rec.reason);
	EXPECT_EQ(0, rec.generation);
	EXPECT_LT(0, rec.collected);
}

static int set_format(int fd, __u32 format)
{
	struct objheap_event_format f = { .format = format };

	return ioctl(fd, OBJHEAP_IOC_SET_EVENT_FORMAT, &f) ? -errno : 0;
}

TEST_F(events, the_default_format_is_fixed)
{
	struct objheap_event_format f = { .format = 0xdead, .flags = 1 };
	struct objheap_version v;

	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_VERSION, &v));
	EXPECT_TRUE(v.features & OBJHEAP_FEAT_SIZED_EVENTS);
	EXPECT_EQ(16, sizeof(f));
	EXPECT_EQ(8, sizeof(struct objheap_event_header));
	EXPECT_EQ(80, sizeof(struct objheap_gc_record));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GET_EVENT_FORMAT, &f));
	EXPECT_EQ(OBJHEAP_EVENTS_FIXED, f.format);
	EXPECT_EQ(0, f.flags);
	EXPECT_EQ(0, f.reserved);
}

/* A sized record: its header, then what the fixed format gives. */
TEST_F(events, a_sized_record_says_its_size_type_and_version)
{
	struct objheap_gc_record rec[2];
	struct objheap_event_format f;
	struct objheap_gc_collect c;

	ASSERT_EQ(0, set_format(self->fd, OBJHEAP_EVENTS_SIZED));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GET_EVENT_FORMAT, &f));
	EXPECT_EQ(OBJHEAP_EVENTS_SIZED, f.format);
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oh_collect(self->fd, 2, &c));
	ASSERT_EQ(sizeof(rec[0]), read(self->fd, rec, sizeof(rec)));
	EXPECT_EQ(sizeof(rec[0]), rec[0].header.size);
	EXPECT_EQ(OBJHEAP_EVENT_GC, rec[0].header.type);
	EXPECT_EQ(OBJHEAP_EVENT_GC_VERSION, rec[0].header.version);
	EXPECT_EQ(1, rec[0].gc.seq);
	EXPECT_EQ(2, rec[0].gc.generation);
	EXPECT_EQ(OBJHEAP_GC_REASON_IOCTL, rec[0].gc.reason);
	EXPECT_EQ(c.scanned, rec[0].gc.scanned);
	EXPECT_EQ(1, rec[0].gc.collected);
	EXPECT_EQ(c.time_ns, rec[0].gc.pause_ns);
	EXPECT_EQ(0, rec[0].gc.lost);
}

/*
 * A reader that walks by header.size: several records in one read, a
 * buffer too small for the next sized record (though big enough for a
 * fixed one) is EINVAL and consumes nothing, and switching back gives
 * fixed records again, the stream's order kept.
 */
TEST_F(events, readers_walk_sized_records_and_formats_switch)
{
	unsigned char buf[5 * sizeof(struct objheap_gc_record)];
	struct objheap_gc_event fixed;
	struct objheap_gc_collect c;
	struct objheap_gc_record r;
	size_t off;
	ssize_t n;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, oh_collect(self->fd, 0, &c));
	ASSERT_EQ(0, set_format(self->fd, OBJHEAP_EVENTS_SIZED));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(struct objheap_gc_record) - 1));
	EXPECT_EQ(EINVAL, errno);
	/* Room for three and a half: three are read. */
	n = read(self->fd, buf, 3 * sizeof(r) + sizeof(r) / 2);
	ASSERT_EQ(3 * sizeof(r), n);
	for (off = 0, i = 0; off < (size_t)n; i++) {
		memcpy(&r, buf + off, sizeof(r));
		ASSERT_LE(sizeof(r.header), r.header.size);
		ASSERT_EQ(0, r.header.size % 8);
		EXPECT_EQ(OBJHEAP_EVENT_GC, r.header.type);
		EXPECT_EQ(i + 1, r.gc.seq);
		off += r.header.size;
	}
	EXPECT_EQ(3, i);
	ASSERT_EQ(0, set_format(self->fd, OBJHEAP_EVENTS_FIXED));
	ASSERT_EQ(sizeof(fixed), read(self->fd, &fixed, sizeof(fixed)));
	EXPECT_EQ(4, fixed.seq);
}

TEST_F(events, a_bad_format_is_einval_and_keeps_the_format)
{
	struct objheap_event_format bad[] = {
		{ .format = OBJHEAP_EVENTS_SIZED + 1 },
		{ .format = 0x80000000U },
		{ .format = OBJHEAP_EVENTS_SIZED, .flags = 1 },
		{ .format = OBJHEAP_EVENTS_SIZED, .reserved = 1 },
	};
	struct objheap_event_format f;
	unsigned int i;

	ASSERT_EQ(0, set_format(self->fd, OBJHEAP_EVENTS_SIZED));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_SET_EVENT_FORMAT,
				    &bad[i]));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, ioctl(self->fd, OBJHEAP_IOC_SET_EVENT_FORMAT, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_GET_EVENT_FORMAT, &f));
	EXPECT_EQ(OBJHEAP_EVENTS_SIZED, f.format);
}

/* Both tracepoints fire, with the collection's figures. */
TEST_F(events, tracepoints_fire_in_tracefs)
{
	char buf[65536], want[128];
	struct objheap_gc_collect c;
	size_t len = 0;
	ssize_t n;
	int fd;

	ASSERT_EQ(0, access(TRACEFS "events/objheap/objheap_gc_end/enable", W_OK))
		TH_LOG("tracefs with events/objheap/ is needed");
	ASSERT_EQ(0, oh_write_file(TRACEFS "trace", "", O_TRUNC));
	ASSERT_EQ(0, oh_write_file(TRACEFS "events/objheap/enable", "1", 0));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oh_collect(self->fd, 1, &c));
	ASSERT_EQ(0, oh_write_file(TRACEFS "events/objheap/enable", "0", 0));

	fd = open(TRACEFS "trace", O_RDONLY);
	ASSERT_LE(0, fd);
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	EXPECT_NE(NULL, strstr(buf, "objheap_gc_start: heap="));
	snprintf(want, sizeof(want),
		 "generation=1 reason=ioctl scanned=3 collected=3 freed=3 pause_ns=%llu",
		 (unsigned long long)c.time_ns);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("no \"%s\" in:\n%s", want, buf);
}

TEST_HARNESS_MAIN
