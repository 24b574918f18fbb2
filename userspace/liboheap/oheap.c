// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * liboheap: one function per objheap ioctl, errno-style.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "oheap.h"

#define OHEAP_DEV	"/dev/objheap"
#define OHEAP_DEBUGFS	"/sys/kernel/debug/objheap"

int oheap_open(void)
{
	return open(OHEAP_DEV, O_RDWR | O_CLOEXEC);
}

int oheap_version(int fd, struct objheap_version *ver)
{
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

	if (op(fd, OBJHEAP_IOC_NEW, &o))
		return -1;
	*handle = o.handle;
	return 0;
}

int oheap_dup(int fd, __u32 handle, __u32 *copy)
{
	struct objheap_op o = { .handle = handle };

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

	return op(fd, OBJHEAP_IOC_WRITE, &o);
}

int oheap_read(int fd, __u32 handle, __u32 offset, void *buf,
	       __u32 len)
{
	struct objheap_op o = {
		.handle = handle, .index = offset, .count = len,
		.buf = (uintptr_t)buf,
	};

	return op(fd, OBJHEAP_IOC_READ, &o);
}

int oheap_info(int fd, __u32 handle, struct objheap_info *info)
{
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
	int ret = ioctl(fd, OBJHEAP_IOC_BATCH, &b) ? -1 : 0;

	if (done)
		*done = b.done;
	return ret;
}

int oheap_get_limits(int fd, struct objheap_limits *lim)
{
	return ioctl(fd, OBJHEAP_IOC_GET_LIMITS, lim) ? -1 : 0;
}

int oheap_set_limits(int fd, const struct objheap_limits *lim)
{
	return ioctl(fd, OBJHEAP_IOC_SET_LIMITS, lim) ? -1 : 0;
}

int oheap_heap_stats(int fd, struct objheap_heap_stats *st)
{
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
	return ioctl(fd, OBJHEAP_IOC_GC_GET_PARAMS, params) ? -1 : 0;
}

int oheap_gc_set_params(int fd, const struct objheap_gc_params *params)
{
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

int oheap_gc_garbage(int fd, __u32 *handles, __u32 count,
		     __u32 *done, __u32 *left)
{
	struct objheap_gc_garbage g = {
		.handles = (uintptr_t)handles, .count = count,
	};
	int ret = ioctl(fd, OBJHEAP_IOC_GC_GARBAGE, &g) ? -1 : 0;

	if (done)
		*done = g.done;
	if (left)
		*left = g.left;
	return ret;
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

ssize_t oheap_gc_events(int fd, struct objheap_gc_event *ev, size_t n,
			int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char *buf;
	__u32 format;
	ssize_t got;
	int ready;

	if (!n)
		return 0;
	ready = poll(&p, 1, timeout_ms);
	if (ready <= 0)
		return ready;
	if (event_format(fd, &format))
		return -1;
	if (format == OBJHEAP_EVENTS_FIXED) {
		got = read(fd, ev, n * sizeof(*ev));
		return got < 0 ? -1 : got / (ssize_t)sizeof(*ev);
	}
	/* Room for n records of today's size; larger ones come fewer. */
	buf = malloc(n * sizeof(struct objheap_gc_record));
	if (!buf)
		return -1;
	got = read(fd, buf, n * sizeof(struct objheap_gc_record));
	if (got >= 0)
		got = parse_sized(buf, got, ev);
	free(buf);
	return got;
}

const char *oheap_debugfs_dir(void)
{
	const char *dir = getenv("OHEAP_DEBUGFS");

	return dir && *dir ? dir : OHEAP_DEBUGFS;
}

int oheap_debugfs_value(const char *file, const char *key,
			unsigned long long *val)
{
	char path[512], line[512];
	size_t klen = strlen(key);
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", oheap_debugfs_dir(), file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	errno = ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			*val = strtoull(line + klen + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int read_heap(const char *id, struct oheap_heap_row *r)
{
	char path[768], line[256], key[64];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/heaps/%s/info", oheap_debugfs_dir(),
		 id);
	memset(r, 0, sizeof(*r));
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "owner_comm: %31s", r->comm) == 1)
			continue;
		if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, "id"))
			r->id = v;
		else if (!strcmp(key, "owner_pid"))
			r->pid = v;
		else if (!strcmp(key, "objects"))
			r->objects = v;
		else if (!strcmp(key, "bytes"))
			r->bytes = v;
		else if (!strcmp(key, "peak_bytes"))
			r->peak_bytes = v;
		else if (!strcmp(key, "handles"))
			r->handles = v;
		else if (!strcmp(key, "collections"))
			r->collections = v;
	}
	fclose(f);
	return 0;
}

int oheap_debugfs_heaps(struct oheap_heap_row *rows, int max)
{
	char path[512];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/heaps", oheap_debugfs_dir());
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && n < max)
		if (d->d_name[0] != '.' && !read_heap(d->d_name, &rows[n]))
			n++;
	closedir(dir);
	return n;
}

void oheap_debugfs_explain(const char *prog, const char *file)
{
	int err = errno;

	if (access("/sys/module/objheap", F_OK))
		fprintf(stderr, "%s: the objheap module is not loaded (modprobe objheap)\n",
			prog);
	else if (access(oheap_debugfs_dir(), F_OK) && err != EACCES)
		fprintf(stderr,
			"%s: %s/%s: %s (is debugfs mounted? mount -t debugfs none /sys/kernel/debug)\n",
			prog, oheap_debugfs_dir(), file, strerror(err));
	else
		fprintf(stderr, "%s: %s/%s: %s (debugfs is for root)\n", prog,
			oheap_debugfs_dir(), file, strerror(err));
}
