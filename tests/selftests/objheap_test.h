/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by objheap's selftests.
 */
#ifndef OBJHEAP_TEST_H
#define OBJHEAP_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/objheap.h>

#define OBJHEAP_DEV	"/dev/objheap"
#define OBJHEAP_DEBUGFS	"/sys/kernel/debug/objheap"

/*
 * Read "key: value" from a debugfs file under objheap/. Returns -1 when the
 * file or the key is missing.
 */
static inline long objheap_stat(const char *file, const char *key)
{
	char path[256], line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", OBJHEAP_DEBUGFS, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
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

#endif /* OBJHEAP_TEST_H */
