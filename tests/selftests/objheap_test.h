/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by objheap's selftests.
 */
#ifndef OBJHEAP_TEST_H
#define OBJHEAP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/objheap.h>

#define OBJHEAP_DEV	"/dev/objheap"
#define OBJHEAP_DEBUGFS	"/sys/kernel/debug/objheap"

/*
 * Does a test lack a feature of the debug kernel (failslab, fail-nth, SLUB
 * sysfs) at @path? Then it is skipped on a stock distribution kernel, where
 * the VM's init sets OBJHEAP_STOCK_KERNEL, and fails on any other, so that
 * a debug kernel that lost the feature cannot pass by skipping. Call it in
 * the test's body, "if (oh_lacks_feature(...)) return;": 6.1's harness
 * still runs a test whose FIXTURE_SETUP skipped.
 */
static inline bool oh_lacks_feature(struct __test_metadata *_metadata,
				    const char *path, const char *what)
{
	if (!access(path, F_OK))
		return false;
	if (getenv("OBJHEAP_STOCK_KERNEL"))
		SKIP(return true, "%s is not in this kernel", what);
	EXPECT_EQ(0, access(path, F_OK))
		TH_LOG("%s is needed (%s)", what, path);
	return true;
}

/*
 * The number after "@key@sep" on a line of the file at @path, or the first
 * line's number if @key is NULL. Returns -1 when the file or the key is
 * missing.
 */
static inline long oh_file_value(const char *path, const char *key, char sep)
{
	size_t klen = key ? strlen(key) : 0;
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			val = strtol(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, klen) && line[klen] == sep) {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

/*
 * Read "key: value" from a debugfs file under objheap/. Returns -1 when the
 * file or the key is missing.
 */
static inline long objheap_stat(const char *file, const char *key)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", OBJHEAP_DEBUGFS, file);
	return oh_file_value(path, key, ':');
}

/*
 * Write @val to the file at @path, opened O_WRONLY | @flags (O_TRUNC
 * clears tracefs "trace"); returns 0 or -errno.
 */
static inline int oh_write_file(const char *path, const char *val, int flags)
{
	int fd = open(path, O_WRONLY | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

#define OH_FREELIST_MAX	"/sys/module/objheap/parameters/freelist_max"

/*
 * A run may turn the freelists off (objheap.freelist_max=0, the 6.1 debug
 * VM); a test of the freelists turns them on while it runs. Returns the
 * run's value for oh_freelists_restore(), -1 if it cannot be read.
 */
static inline long oh_freelists_on(void)
{
	long before = oh_file_value(OH_FREELIST_MAX, NULL, ' ');

	if (before == 0)
		oh_write_file(OH_FREELIST_MAX, "64", 0);
	return before;
}

static inline void oh_freelists_restore(long before)
{
	if (before == 0)
		oh_write_file(OH_FREELIST_MAX, "0", 0);
}

/* Run one single-operation ioctl; returns 0 or -errno. */
static inline int oh_op(int fd, unsigned long cmd, struct objheap_op *op)
{
	return ioctl(fd, cmd, op) ? -errno : 0;
}

/* NEW; returns the handle, or 0 with errno set. */
static inline __u32 oh_new(int fd, __u32 type, __u32 nslots, __u32 size)
{
	struct objheap_op op = { .type = type, .count = nslots, .size = size };

	return ioctl(fd, OBJHEAP_IOC_NEW, &op) ? 0 : op.handle;
}

static inline int oh_drop(int fd, __u32 handle)
{
	struct objheap_op op = { .handle = handle };

	return oh_op(fd, OBJHEAP_IOC_DROP, &op);
}

static inline int oh_set(int fd, __u32 handle, __u32 slot, __u32 ref)
{
	struct objheap_op op = { .handle = handle, .index = slot, .ref = ref };

	return oh_op(fd, OBJHEAP_IOC_SET, &op);
}

/* GET into *ref; returns 0 or -errno. */
static inline int oh_get(int fd, __u32 handle, __u32 slot, __u32 *ref)
{
	struct objheap_op op = { .handle = handle, .index = slot };
	int ret = oh_op(fd, OBJHEAP_IOC_GET, &op);

	*ref = op.ref;
	return ret;
}

static inline int oh_rw(int fd, unsigned long cmd, __u32 handle, __u32 off,
			void *buf, __u32 len)
{
	struct objheap_op op = {
		.handle = handle, .index = off, .count = len,
		.buf = (__u64)(uintptr_t)buf,
	};

	return oh_op(fd, cmd, &op);
}

/* INFO into *info; returns 0 or -errno. */
static inline int oh_info(int fd, __u32 handle, struct objheap_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return ioctl(fd, OBJHEAP_IOC_INFO, info) ? -errno : 0;
}

/* An object's reference count, or -errno. */
static inline long oh_refcount(int fd, __u32 handle)
{
	struct objheap_info info;
	int ret = oh_info(fd, handle, &info);

	return ret ? ret : (long)info.refcount;
}

/* BATCH of @count operations; returns 0 or -errno, and *done if @done. */
static inline int oh_batch(int fd, struct objheap_op *ops, __u32 count,
			   __u32 *done)
{
	struct objheap_batch b = {
		.ops = (__u64)(uintptr_t)ops, .count = count,
		.op_size = sizeof(*ops),
	};
	int ret = ioctl(fd, OBJHEAP_IOC_BATCH, &b) ? -errno : 0;

	if (done)
		*done = b.done;
	return ret;
}

/*
 * An object's collector generation (0..2 or OBJHEAP_GEN_*), or -errno.
 * long long: OBJHEAP_GEN_UNTRACKED does not fit a 32-bit long.
 */
static inline long long oh_generation(int fd, __u32 handle)
{
	struct objheap_info info;
	int ret = oh_info(fd, handle, &info);

	return ret ? ret : (long long)info.generation;
}

/* GC_COLLECT of generations 0..@gen, answer in *out; returns 0 or -errno. */
static inline int oh_collect(int fd, __u32 gen, struct objheap_gc_collect *out)
{
	memset(out, 0, sizeof(*out));
	out->generation = gen;
	return ioctl(fd, OBJHEAP_IOC_GC_COLLECT, out) ? -errno : 0;
}

/* GC_STATS into *st; returns 0 or -errno. */
static inline int oh_gc_stats(int fd, struct objheap_gc_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, OBJHEAP_IOC_GC_STATS, st) ? -errno : 0;
}

/* GC_GET_PARAMS into *params; returns 0 or -errno. */
static inline int oh_gc_params_get(int fd, struct objheap_gc_params *params)
{
	memset(params, 0, sizeof(*params));
	return ioctl(fd, OBJHEAP_IOC_GC_GET_PARAMS, params) ? -errno : 0;
}

/* GC_SET_PARAMS (replaces flags and thresholds); returns 0 or -errno. */
static inline int oh_gc_params_set(int fd,
				   const struct objheap_gc_params *params)
{
	return ioctl(fd, OBJHEAP_IOC_GC_SET_PARAMS, params) ? -errno : 0;
}

/* Replace the collector's flags, keeping its thresholds; 0 or -errno. */
static inline int oh_gc_flags(int fd, __u32 flags)
{
	struct objheap_gc_params params;
	int ret = oh_gc_params_get(fd, &params);

	if (ret)
		return ret;
	params.flags = flags;
	return oh_gc_params_set(fd, &params);
}

/*
 * GC_GARBAGE into @handles (room for @count), answer in *out; returns 0 or
 * -errno (out->done also counts on failure).
 */
static inline int oh_gc_garbage(int fd, __u32 *handles, __u32 count,
				struct objheap_gc_garbage *out)
{
	memset(out, 0, sizeof(*out));
	out->handles = (__u64)(uintptr_t)handles;
	out->count = count;
	return ioctl(fd, OBJHEAP_IOC_GC_GARBAGE, out) ? -errno : 0;
}

#endif /* OBJHEAP_TEST_H */
