// SPDX-License-Identifier: GPL-2.0
/*
 * liboheap against the module: its version calls, its rule for NULL
 * pointers (a required one fails with EFAULT before any system call and
 * changes nothing; the optional ones may be NULL), oheap_gc_events()
 * with several threads waiting on one heap: each record goes to one of
 * them and none waits past its timeout (ABI 1.5's RWF_NOWAIT read), and
 * the wrappers of ABI 1.7's GC_OBJECTS and GC_REFERRERS: all or nothing,
 * *total also with ENOSPC, count 0 for the number alone.
 */
#include <pthread.h>
#include <time.h>

#include "kselftest_harness.h"
#include "objheap_test.h"
#include "oheap.h"

FIXTURE(lib) {
	int fd;
};

FIXTURE_SETUP(lib)
{
	self->fd = oheap_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(lib)
{
	close(self->fd);
}

static long long ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* A garbage self-loop: something for a collection to find. */
static int garbage(int fd)
{
	__u32 h;

	if (oheap_new(fd, 7, 1, 0, &h) || oheap_set(fd, h, 0, h))
		return -1;
	return oheap_drop(fd, h);
}

TEST(lib_version_is_the_headers)
{
	EXPECT_EQ(OHEAP_LIB_VERSION_MAJOR, oheap_lib_version_major());
	EXPECT_EQ(OHEAP_LIB_VERSION_MINOR, oheap_lib_version_minor());
	/* The library follows the ABI it was written for. */
	EXPECT_EQ(OBJHEAP_ABI_MAJOR, oheap_lib_version_major());
	EXPECT_EQ(OBJHEAP_ABI_MINOR, oheap_lib_version_minor());
}

/* What a failed call must not have changed. */
struct snapshot {
	struct objheap_heap_stats st;
	struct objheap_limits lim;
	struct objheap_gc_params params;
	long refs;
};

static void snap(int fd, __u32 h, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	oheap_heap_stats(fd, &s->st);
	oheap_get_limits(fd, &s->lim);
	oheap_gc_get_params(fd, &s->params);
	s->refs = oh_refcount(fd, h);
}

static bool same(const struct snapshot *a, const struct snapshot *b)
{
	return a->st.objects == b->st.objects &&
	       a->st.handles == b->st.handles &&
	       a->st.allocs == b->st.allocs && a->refs == b->refs &&
	       !memcmp(&a->lim, &b->lim, sizeof(a->lim)) &&
	       !memcmp(&a->params, &b->params, sizeof(a->params));
}

TEST_F(lib, a_required_null_pointer_is_efault_and_changes_nothing)
{
	struct snapshot before, after;
	__u32 h;
	int i;

	ASSERT_EQ(0, oheap_new(self->fd, 1, 2, 8, &h));
	snap(self->fd, h, &before);
	for (i = 0; i < 21; i++) {
		int ret;

		errno = 0;
		switch (i) {
		case 0:
			ret = oheap_new(self->fd, 1, 1, 0, NULL);
			break;
		case 1:
			ret = oheap_dup(self->fd, h, NULL);
			break;
		case 2:
			ret = oheap_get(self->fd, h, 0, NULL);
			break;
		case 3:
			ret = oheap_version(self->fd, NULL);
			break;
		case 4:
			ret = oheap_info(self->fd, h, NULL);
			break;
		case 5:
			ret = oheap_write(self->fd, h, 0, NULL, 4);
			break;
		case 6:
			ret = oheap_read(self->fd, h, 0, NULL, 4);
			break;
		case 7:
			ret = oheap_batch(self->fd, NULL, 1, NULL);
			break;
		case 8:
			ret = oheap_get_limits(self->fd, NULL);
			break;
		case 9:
			ret = oheap_set_limits(self->fd, NULL);
			break;
		case 10:
			ret = oheap_heap_stats(self->fd, NULL);
			break;
		case 11:
			ret = oheap_gc_get_params(self->fd, NULL);
			break;
		case 12:
			ret = oheap_gc_set_params(self->fd, NULL);
			break;
		case 13:
			ret = oheap_gc_stats(self->fd, NULL);
			break;
		case 14:
			ret = oheap_gc_garbage(self->fd, NULL, 1, NULL, NULL);
			break;
		case 15:
			ret = oheap_gc_events(self->fd, NULL, 1, 0);
			break;
		case 16:
			ret = oheap_gc_objects(self->fd, OBJHEAP_GEN_ALL, NULL,
					       1, NULL, NULL);
			break;
		case 17:
			ret = oheap_gc_referrers(self->fd, NULL, 1, &h, 1, NULL,
						 NULL);
			break;
		case 18:
			ret = oheap_gc_referrers(self->fd, &h, 1, NULL, 1, NULL,
						 NULL);
			break;
		/* Before any system call: even a bad fd says EFAULT. */
		case 19:
			ret = oheap_new(-1, 1, 1, 0, NULL);
			break;
		default:
			ret = oheap_get(-1, h, 0, NULL);
			break;
		}
		EXPECT_EQ(-1, ret) TH_LOG("call %d", i);
		EXPECT_EQ(EFAULT, errno) TH_LOG("call %d", i);
		snap(self->fd, h, &after);
		EXPECT_TRUE(same(&before, &after)) TH_LOG("call %d changed the heap", i);
	}
}

TEST_F(lib, optional_outputs_may_be_null)
{
	struct objheap_op op = { .op = OBJHEAP_OP_NOP };
	__u32 handles[4], h;

	EXPECT_EQ(0, oheap_batch(self->fd, &op, 1, NULL));
	EXPECT_EQ(0, oheap_batch(self->fd, NULL, 0, NULL));
	ASSERT_EQ(0, garbage(self->fd));
	EXPECT_EQ(0, oheap_collect(self->fd, 2, NULL));
	EXPECT_EQ(0, oheap_gc_garbage(self->fd, handles, 4, NULL, NULL));
	EXPECT_EQ(0, oheap_gc_garbage(self->fd, NULL, 0, NULL, NULL));
	/* The collection above found the loop: the heap is empty again. */
	ASSERT_EQ(0, oheap_new(self->fd, 1, 0, 0, &h));
	EXPECT_EQ(1, oh_refcount(self->fd, h));
	/* A leaf is not tracked: neither call has anything to hand out. */
	EXPECT_EQ(0, oheap_gc_objects(self->fd, OBJHEAP_GEN_ALL, handles, 4,
				      NULL, NULL));
	EXPECT_EQ(0, oheap_gc_objects(self->fd, 0, NULL, 0, NULL, NULL));
	EXPECT_EQ(0, oheap_gc_referrers(self->fd, &h, 1, handles, 4, NULL,
					NULL));
	EXPECT_EQ(0, oheap_gc_referrers(self->fd, &h, 1, NULL, 0, NULL, NULL));
}

/* An object's identity: INFO's id, the same through any handle. */
static __u64 id_of(int fd, __u32 h)
{
	struct objheap_info info;

	return oheap_info(fd, h, &info) ? 0 : info.id;
}

static long handles_open(int fd)
{
	struct objheap_heap_stats st;

	return oheap_heap_stats(fd, &st) ? -1 : (long)st.handles;
}

/*
 * A small heap: containers a, b and c (tracked, generation 0, oldest
 * first) and a leaf x (not tracked); a and c point at x, b at a.
 */
struct small {
	__u32 a, b, c, x;
};

static int small_heap(int fd, struct small *s)
{
	if (oheap_new(fd, 1, 1, 0, &s->a) || oheap_new(fd, 1, 2, 0, &s->b) ||
	    oheap_new(fd, 1, 1, 0, &s->c) || oheap_new(fd, 2, 0, 8, &s->x))
		return -1;
	if (oheap_set(fd, s->a, 0, s->x) || oheap_set(fd, s->b, 1, s->a))
		return -1;
	return oheap_set(fd, s->c, 0, s->x);
}

static int drop_all(int fd, const __u32 *h, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (oheap_drop(fd, h[i]))
			return -1;
	return 0;
}

TEST_F(lib, gc_objects_lists_the_tracked_objects)
{
	__u32 h[8] = { 0 }, done = 99, total = 99;
	struct small s;
	long before;

	ASSERT_EQ(0, small_heap(self->fd, &s));
	before = handles_open(self->fd);
	ASSERT_EQ(0, oheap_gc_objects(self->fd, OBJHEAP_GEN_ALL, h, 8, &done,
				      &total));
	EXPECT_EQ(3, done);
	EXPECT_EQ(3, total);
	/* New handles on a, b and c, in that order; the leaf is not there. */
	EXPECT_EQ(before + 3, handles_open(self->fd));
	EXPECT_EQ(id_of(self->fd, s.a), id_of(self->fd, h[0]));
	EXPECT_EQ(id_of(self->fd, s.b), id_of(self->fd, h[1]));
	EXPECT_EQ(id_of(self->fd, s.c), id_of(self->fd, h[2]));
	EXPECT_EQ(2, oh_refcount(self->fd, s.c));
	ASSERT_EQ(0, drop_all(self->fd, h, 3));
	/* Nothing has been collected: all of them are in generation 0. */
	ASSERT_EQ(0, oheap_gc_objects(self->fd, 0, h, 8, &done, &total));
	EXPECT_EQ(3, done);
	ASSERT_EQ(0, drop_all(self->fd, h, 3));
	ASSERT_EQ(0, oheap_gc_objects(self->fd, 1, h, 8, &done, &total));
	EXPECT_EQ(0, done);
	EXPECT_EQ(0, total);
	EXPECT_EQ(before, handles_open(self->fd));

	errno = 0;
	EXPECT_EQ(-1, oheap_gc_objects(self->fd, OBJHEAP_GEN_FINALIZE, h, 8,
				       &done, &total));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, done);
	EXPECT_EQ(0, total);
}

TEST_F(lib, gc_referrers_of_one_object)
{
	__u32 h[8] = { 0 }, t, done = 99, total = 99;
	struct small s;
	long before;

	ASSERT_EQ(0, small_heap(self->fd, &s));
	before = handles_open(self->fd);
	t = s.x;
	ASSERT_EQ(0, oheap_gc_referrers(self->fd, &t, 1, h, 8, &done, &total));
	EXPECT_EQ(2, done);
	EXPECT_EQ(2, total);
	EXPECT_EQ(id_of(self->fd, s.a), id_of(self->fd, h[0]));
	EXPECT_EQ(id_of(self->fd, s.c), id_of(self->fd, h[1]));
	EXPECT_EQ(before + 2, handles_open(self->fd));
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
	t = s.a;
	ASSERT_EQ(0, oheap_gc_referrers(self->fd, &t, 1, h, 8, &done, &total));
	EXPECT_EQ(1, done);
	EXPECT_EQ(id_of(self->fd, s.b), id_of(self->fd, h[0]));
	ASSERT_EQ(0, oheap_drop(self->fd, h[0]));
	/* Nothing points at b. */
	t = s.b;
	ASSERT_EQ(0, oheap_gc_referrers(self->fd, &t, 1, h, 8, &done, &total));
	EXPECT_EQ(0, done);
	EXPECT_EQ(0, total);
	EXPECT_EQ(before, handles_open(self->fd));

	errno = 0;
	EXPECT_EQ(-1, oheap_gc_referrers(self->fd, &t, 0, h, 8, &done, &total));
	EXPECT_EQ(EINVAL, errno);
	t = 999;
	errno = 0;
	EXPECT_EQ(-1, oheap_gc_referrers(self->fd, &t, 1, h, 8, &done, &total));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(before, handles_open(self->fd));
}

/*
 * Too small an array: ENOSPC with *total, no handle opened, the array
 * untouched. Count 0 asks for *total alone, with or without an array.
 */
TEST_F(lib, gc_objects_and_referrers_all_or_nothing)
{
	__u32 h[4] = { 7, 7, 7, 7 }, t, done, total, i;
	struct small s;
	long before;

	ASSERT_EQ(0, small_heap(self->fd, &s));
	before = handles_open(self->fd);
	done = 99;
	total = 99;
	errno = 0;
	EXPECT_EQ(-1, oheap_gc_objects(self->fd, OBJHEAP_GEN_ALL, h, 2, &done,
				       &total));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, done);
	EXPECT_EQ(3, total);
	t = s.x;
	done = 99;
	total = 99;
	errno = 0;
	EXPECT_EQ(-1, oheap_gc_referrers(self->fd, &t, 1, h, 1, &done, &total));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, done);
	EXPECT_EQ(2, total);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(7, h[i]);

	done = 99;
	total = 99;
	EXPECT_EQ(0, oheap_gc_objects(self->fd, OBJHEAP_GEN_ALL, NULL, 0, &done,
				      &total));
	EXPECT_EQ(0, done);
	EXPECT_EQ(3, total);
	done = 99;
	total = 99;
	EXPECT_EQ(0, oheap_gc_objects(self->fd, 0, h, 0, &done, &total));
	EXPECT_EQ(0, done);
	EXPECT_EQ(3, total);
	done = 99;
	total = 99;
	EXPECT_EQ(0, oheap_gc_referrers(self->fd, &t, 1, NULL, 0, &done,
					&total));
	EXPECT_EQ(0, done);
	EXPECT_EQ(2, total);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(7, h[i]);
	EXPECT_EQ(before, handles_open(self->fd));

	/* The number the query gave is room enough. */
	ASSERT_EQ(0, oheap_gc_referrers(self->fd, &t, 1, h, total, &done,
					NULL));
	EXPECT_EQ(2, done);
	EXPECT_EQ(7, h[2]);
	ASSERT_EQ(0, drop_all(self->fd, h, 2));
}

TEST_F(lib, gc_events_times_out_with_nothing_to_read)
{
	struct objheap_gc_event ev;
	long long t0 = ms_now();

	EXPECT_EQ(0, oheap_gc_events(self->fd, &ev, 1, 200));
	EXPECT_LE(190, ms_now() - t0);
	EXPECT_EQ(0, oheap_gc_events(self->fd, &ev, 1, 0));
	EXPECT_EQ(0, oheap_gc_events(self->fd, &ev, 0, -1));
}

/*
 * Several readers, one record: each waits with a timeout. A reader that
 * poll() told of the record may find it taken; it must wait again, not
 * block in read(). Which reader loses is up to the scheduler, so rounds
 * repeat the race: half with the record there before the readers start
 * (they all see it at once), half with it coming while they wait.
 */
#define READERS	4
#define ROUNDS	8
#define WAIT_MS	300

struct reader {
	int fd;
	pthread_barrier_t *start;
	ssize_t got;
	int err;
	long long took_ms;
	struct objheap_gc_event ev;
};

static void *read_events(void *arg)
{
	struct reader *r = arg;
	long long t0;

	pthread_barrier_wait(r->start);
	t0 = ms_now();
	r->got = oheap_gc_events(r->fd, &r->ev, 1, WAIT_MS);
	r->err = errno;
	r->took_ms = ms_now() - t0;
	return NULL;
}

static void race_readers(struct __test_metadata *_metadata, int fd,
			 __u32 format)
{
	struct reader r[READERS];
	pthread_barrier_t start;
	pthread_t t[READERS];
	int i, round, got;

	ASSERT_EQ(0, oheap_set_event_format(fd, format));
	for (round = 0; round < ROUNDS; round++) {
		bool before = round % 2 == 0;

		ASSERT_EQ(0, pthread_barrier_init(&start, NULL, READERS + 1));
		if (before) {
			ASSERT_EQ(0, garbage(fd));
			ASSERT_EQ(0, oheap_collect(fd, 0, NULL));
		}
		for (i = 0; i < READERS; i++) {
			r[i] = (struct reader){ .fd = fd, .start = &start };
			ASSERT_EQ(0, pthread_create(&t[i], NULL, read_events, &r[i]));
		}
		pthread_barrier_wait(&start);
		if (!before) {
			usleep(50 * 1000);	/* the readers in poll() */
			ASSERT_EQ(0, garbage(fd));
			ASSERT_EQ(0, oheap_collect(fd, 0, NULL));
		}
		got = 0;
		for (i = 0; i < READERS; i++) {
			/* A reader stuck in read() hangs here: the test times out. */
			ASSERT_EQ(0, pthread_join(t[i], NULL));
			ASSERT_LE(0, r[i].got)
				TH_LOG("round %d reader %d: %s", round, i, strerror(r[i].err));
			got += r[i].got;
			if (r[i].got)
				EXPECT_EQ(1, r[i].ev.collected);
			/* The losers give up at their timeout. */
			EXPECT_GT(WAIT_MS + 3000, r[i].took_ms)
				TH_LOG("round %d reader %d", round, i);
		}
		EXPECT_EQ(1, got) TH_LOG("round %d", round);
		pthread_barrier_destroy(&start);
	}
}

TEST_F_TIMEOUT(lib, readers_of_fixed_records_share_one_and_time_out, 60)
{
	race_readers(_metadata, self->fd, OBJHEAP_EVENTS_FIXED);
}

TEST_F_TIMEOUT(lib, readers_of_sized_records_share_one_and_time_out, 60)
{
	race_readers(_metadata, self->fd, OBJHEAP_EVENTS_SIZED);
}

TEST_F(lib, gc_events_reads_both_formats_alike)
{
	struct objheap_gc_event ev[2];

	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oheap_collect(self->fd, 0, NULL));
	ASSERT_EQ(0, oheap_set_event_format(self->fd, OBJHEAP_EVENTS_SIZED));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oheap_collect(self->fd, 1, NULL));
	/* The format is the one at the read: both records come sized. */
	ASSERT_EQ(2, oheap_gc_events(self->fd, ev, 2, 0));
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(0, ev[0].generation);
	EXPECT_EQ(2, ev[1].seq);
	EXPECT_EQ(1, ev[1].generation);
	EXPECT_EQ(1, ev[1].collected);
	ASSERT_EQ(0, oheap_set_event_format(self->fd, OBJHEAP_EVENTS_FIXED));
	ASSERT_EQ(0, garbage(self->fd));
	ASSERT_EQ(0, oheap_collect(self->fd, 2, NULL));
	ASSERT_EQ(1, oheap_gc_events(self->fd, ev, 2, 0));
	EXPECT_EQ(3, ev[0].seq);
	EXPECT_EQ(2, ev[0].generation);
}

TEST_HARNESS_MAIN
