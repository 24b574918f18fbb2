// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * liboheap: one function per objheap ioctl, errno-style. No state of its
 * own: every call is self-contained (see oheap.h on threads).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "oheap.h"

#define OHEAP_DEV	"/dev/objheap"

/*
 * The rule for pointers: one the call must read or write through may not
 * be NULL (EFAULT, before any system call, so nothing changes); the few
 * optional outputs, named in oheap.h, may.
 */
static int efault(void)
{
	errno = EFAULT;
	return -1;
}

int oheap_lib_version_major(void)
{
	return OHEAP_LIB_VERSION_MAJOR;
}

int oheap_lib_version_minor(void)
{
	return OHEAP_LIB_VERSION_MINOR;
}

int oheap_open(void)
{
	return open(OHEAP_DEV, O_RDWR | O_CLOEXEC);
}

int oheap_version(int fd, struct objheap_version *ver)
{
	if (!ver)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_VERSION, ver) ? -1 : 0;
}

static int op(int fd, unsigned long cmd, struct objheap_op *o)
{
	return ioctl(fd, cmd, o) ? -1 : 0;
}

int oheap_new(int fd, __u32 type, __u32 nslots, __u32 size,
	      __u32 *handle)
{
	struct objheap_op o = { .type = type, .count = nslots, .size = size };

	if (!handle)
		return efault();
	if (op(fd, OBJHEAP_IOC_NEW, &o))
		return -1;
	*handle = o.handle;
	return 0;
}

int oheap_new_flags(int fd, __u32 type, __u32 nslots, __u32 size,
		    __u32 flags, __u32 *handle)
{
	struct objheap_op o = {
		.type = type, .count = nslots, .size = size, .index = flags,
	};

	if (!handle)
		return efault();
	if (op(fd, OBJHEAP_IOC_NEW, &o))
		return -1;
	*handle = o.handle;
	return 0;
}

int oheap_weakref(int fd, __u32 handle, __u32 type, __u32 flags,
		  __u32 *weak)
{
	struct objheap_op o = { .handle = handle, .type = type, .index = flags };

	if (!weak)
		return efault();
	if (op(fd, OBJHEAP_IOC_WEAKREF, &o))
		return -1;
	*weak = o.ref;
	return 0;
}

int oheap_deref(int fd, __u32 weak, __u32 *referent)
{
	struct objheap_op o = { .handle = weak };

	if (!referent)
		return efault();
	if (op(fd, OBJHEAP_IOC_DEREF, &o))
		return -1;
	*referent = o.ref;
	return 0;
}

int oheap_dup(int fd, __u32 handle, __u32 *copy)
{
	struct objheap_op o = { .handle = handle };

	if (!copy)
		return efault();
	if (op(fd, OBJHEAP_IOC_DUP, &o))
		return -1;
	*copy = o.ref;
	return 0;
}

int oheap_drop(int fd, __u32 handle)
{
	struct objheap_op o = { .handle = handle };

	return op(fd, OBJHEAP_IOC_DROP, &o);
}

int oheap_set(int fd, __u32 handle, __u32 slot, __u32 ref)
{
	struct objheap_op o = { .handle = handle, .index = slot, .ref = ref };

	return op(fd, OBJHEAP_IOC_SET, &o);
}

int oheap_get(int fd, __u32 handle, __u32 slot, __u32 *ref)
{
	struct objheap_op o = { .handle = handle, .index = slot };

	if (!ref)
		return efault();
	if (op(fd, OBJHEAP_IOC_GET, &o))
		return -1;
	*ref = o.ref;
	return 0;
}

int oheap_write(int fd, __u32 handle, __u32 offset, const void *buf,
		__u32 len)
{
	struct objheap_op o = {
		.handle = handle, .index = offset, .count = len,
		.buf = (uintptr_t)buf,
	};

	if (len && !buf)
		return efault();
	return op(fd, OBJHEAP_IOC_WRITE, &o);
}

int oheap_read(int fd, __u32 handle, __u32 offset, void *buf,
	       __u32 len)
{
	struct objheap_op o = {
		.handle = handle, .index = offset, .count = len,
		.buf = (uintptr_t)buf,
	};

	if (len && !buf)
		return efault();
	return op(fd, OBJHEAP_IOC_READ, &o);
}

int oheap_info(int fd, __u32 handle, struct objheap_info *info)
{
	if (!info)
		return efault();
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return ioctl(fd, OBJHEAP_IOC_INFO, info) ? -1 : 0;
}

int oheap_batch(int fd, struct objheap_op *ops, __u32 count,
		__u32 *done)
{
	struct objheap_batch b = {
		.ops = (uintptr_t)ops, .count = count, .op_size = sizeof(*ops),
	};
	int ret;

	if (count && !ops)
		return efault();
	ret = ioctl(fd, OBJHEAP_IOC_BATCH, &b) ? -1 : 0;

	if (done)
		*done = b.done;
	return ret;
}

int oheap_get_limits(int fd, struct objheap_limits *lim)
{
	if (!lim)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_GET_LIMITS, lim) ? -1 : 0;
}

int oheap_set_limits(int fd, const struct objheap_limits *lim)
{
	if (!lim)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_SET_LIMITS, lim) ? -1 : 0;
}

int oheap_heap_stats(int fd, struct objheap_heap_stats *st)
{
	if (!st)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_HEAP_STATS, st) ? -1 : 0;
}

int oheap_collect(int fd, unsigned int generation,
		  struct objheap_gc_collect *res)
{
	struct objheap_gc_collect local;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->generation = generation;
	return ioctl(fd, OBJHEAP_IOC_GC_COLLECT, res) ? -1 : 0;
}

int oheap_gc_get_params(int fd, struct objheap_gc_params *params)
{
	if (!params)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_GC_GET_PARAMS, params) ? -1 : 0;
}

int oheap_gc_set_params(int fd, const struct objheap_gc_params *params)
{
	if (!params)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_GC_SET_PARAMS, params) ? -1 : 0;
}

int oheap_gc_enable(int fd, int enable)
{
	struct objheap_gc_params p;

	if (oheap_gc_get_params(fd, &p))
		return -1;
	if (enable)
		p.flags |= OBJHEAP_GC_ENABLED;
	else
		p.flags &= ~OBJHEAP_GC_ENABLED;
	return oheap_gc_set_params(fd, &p);
}

int oheap_gc_stats(int fd, struct objheap_gc_stats *st)
{
	if (!st)
		return efault();
	return ioctl(fd, OBJHEAP_IOC_GC_STATS, st) ? -1 : 0;
}

int oheap_gc_freeze(int fd)
{
	return ioctl(fd, OBJHEAP_IOC_GC_FREEZE) ? -1 : 0;
}

int oheap_gc_unfreeze(int fd)
{
	return ioctl(fd, OBJHEAP_IOC_GC_UNFREEZE) ? -1 : 0;
}

/* GC_GARBAGE, GC_FINALIZE, WEAK_CALLBACKS: one queue's objects back. */
static int take_queue(int fd, unsigned long cmd, __u32 *handles, __u32 count,
		      __u32 *done, __u32 *left)
{
	struct objheap_gc_garbage g = {
		.handles = (uintptr_t)handles, .count = count,
	};
	int ret;

	if (count && !handles)
		return efault();
	ret = ioctl(fd, cmd, &g) ? -1 : 0;

	if (done)
		*done = g.done;
	if (left)
		*left = g.left;
	return ret;
}

int oheap_gc_garbage(int fd, __u32 *handles, __u32 count,
		     __u32 *done, __u32 *left)
{
	return take_queue(fd, OBJHEAP_IOC_GC_GARBAGE, handles, count, done, left);
}

int oheap_gc_finalize(int fd, __u32 *handles, __u32 count,
		      __u32 *done, __u32 *left)
{
	return take_queue(fd, OBJHEAP_IOC_GC_FINALIZE, handles, count, done, left);
}

int oheap_weak_callbacks(int fd, __u32 *handles, __u32 count,
			 __u32 *done, __u32 *left)
{
	return take_queue(fd, OBJHEAP_IOC_WEAK_CALLBACKS, handles, count, done,
			  left);
}

/*
 * GC_OBJECTS, GC_REFERRERS: a snapshot of objects as new handles. The
 * kernel sets done and total, total also on ENOSPC.
 */
static int take_objects(int fd, unsigned long cmd, struct objheap_gc_objects *o,
			__u32 *done, __u32 *total)
{
	int ret;

	if (o->count && !o->handles)
		return efault();
	ret = ioctl(fd, cmd, o) ? -1 : 0;

	if (done)
		*done = o->done;
	if (total)
		*total = o->total;
	return ret;
}

int oheap_gc_objects(int fd, __u32 generation, __u32 *handles, __u32 count,
		     __u32 *done, __u32 *total)
{
	struct objheap_gc_objects o = {
		.handles = (uintptr_t)handles, .count = count,
		.generation = generation,
	};

	return take_objects(fd, OBJHEAP_IOC_GC_OBJECTS, &o, done, total);
}

int oheap_gc_referrers(int fd, const __u32 *targets, __u32 ntargets,
		       __u32 *handles, __u32 count, __u32 *done,
		       __u32 *total)
{
	struct objheap_gc_objects o = {
		.handles = (uintptr_t)handles, .count = count,
		.targets = (uintptr_t)targets, .ntargets = ntargets,
	};

	if (ntargets && !targets)
		return efault();
	return take_objects(fd, OBJHEAP_IOC_GC_REFERRERS, &o, done, total);
}

int oheap_set_event_format(int fd, __u32 format)
{
	struct objheap_event_format f = { .format = format };

	return ioctl(fd, OBJHEAP_IOC_SET_EVENT_FORMAT, &f) ? -1 : 0;
}

/* The stream's format; a module before ABI 1.4 has only the fixed one. */
static int event_format(int fd, __u32 *format)
{
	struct objheap_event_format f;

	if (ioctl(fd, OBJHEAP_IOC_GET_EVENT_FORMAT, &f)) {
		if (errno != ENOTTY)
			return -1;
		f.format = OBJHEAP_EVENTS_FIXED;
	}
	*format = f.format;
	return 0;
}

/*
 * Copy the GC records of the sized records in @buf (@len bytes) to @ev;
 * returns how many. Walks by header.size, as the ABI asks of readers.
 */
static size_t parse_sized(const unsigned char *buf, size_t len,
			  struct objheap_gc_event *ev)
{
	struct objheap_event_header hdr;
	size_t off = 0, n = 0, body;

	while (len - off >= sizeof(hdr)) {
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > len - off)
			break;	/* never: the kernel writes whole records */
		if (hdr.type == OBJHEAP_EVENT_GC) {
			body = hdr.size - sizeof(hdr);
			if (body > sizeof(*ev))
				body = sizeof(*ev);
			memset(&ev[n], 0, sizeof(ev[n]));
			memcpy(&ev[n], buf + off + sizeof(hdr), body);
			n++;
		}
		off += hdr.size;
	}
	return n;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/*
 * One read that does not wait: poll() said a record was there, but
 * another reader may have taken it since. ABI 1.5 honours RWF_NOWAIT;
 * before, the read blocks (the limit oheap.h documents).
 */
static ssize_t read_ready(int fd, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	ssize_t got = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);

	if (got < 0 && errno == EOPNOTSUPP)
		got = read(fd, buf, len);
	return got;
}

ssize_t oheap_gc_events(int fd, struct objheap_gc_event *ev, size_t n,
			int timeout_ms)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char *buf = NULL;
	size_t len;
	__u32 format;
	ssize_t got;
	int ready, wait = timeout_ms;

	if (!n)
		return 0;
	if (!ev)
		return efault();
	/* A heap keeps at most OBJHEAP_GC_EVENTS_MAX: no read gets more. */
	if (n > OBJHEAP_GC_EVENTS_MAX)
		n = OBJHEAP_GC_EVENTS_MAX;
	len = n * sizeof(struct objheap_gc_record);
	if (event_format(fd, &format))
		return -1;
	if (format != OBJHEAP_EVENTS_FIXED) {
		/* Room for n records of today's size; larger ones come fewer. */
		buf = malloc(len);
		if (!buf)
			return -1;
	}
	for (;;) {
		ready = poll(&p, 1, wait);
		if (ready <= 0) {
			got = ready;
			break;
		}
		if (format == OBJHEAP_EVENTS_FIXED) {
			got = read_ready(fd, ev, n * sizeof(*ev));
			if (got >= 0)
				got /= (ssize_t)sizeof(*ev);
		} else {
			got = read_ready(fd, buf, len);
			if (got >= 0)
				got = parse_sized(buf, got, ev);
			/* Only types it does not know: wait on, as for none. */
			if (!got) {
				errno = EAGAIN;
				got = -1;
			}
		}
		/* Another reader took it: wait again, for the time left. */
		if (got >= 0 || errno != EAGAIN)
			break;
		if (timeout_ms >= 0) {
			wait = deadline - now_ms();
			if (wait <= 0) {
				got = 0;
				break;
			}
		}
	}
	free(buf);
	return got;
}
