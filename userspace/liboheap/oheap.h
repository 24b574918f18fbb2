/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * liboheap: a thin C library over the objheap ioctls (include/uapi/linux/
 * objheap.h documents every call; docs/abi.md has examples).
 *
 * Every function returns 0 (or a count) on success and -1 with errno set
 * on failure, like the system calls underneath; errno is the kernel's
 * (EBADF, ERANGE, EINVAL, EDQUOT, EMFILE, ENOMEM, EFAULT, ...).
 */
#ifndef OHEAP_H
#define OHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/objheap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A new private heap: open("/dev/objheap"); close() it to free it all. */
int oheap_open(void);
int oheap_version(int fd, struct objheap_version *ver);

/* Objects. */
int oheap_new(int fd, __u32 type, __u32 nslots, __u32 size,
	      __u32 *handle);
int oheap_dup(int fd, __u32 handle, __u32 *copy);
int oheap_drop(int fd, __u32 handle);
int oheap_set(int fd, __u32 handle, __u32 slot, __u32 ref);
int oheap_get(int fd, __u32 handle, __u32 slot, __u32 *ref);
int oheap_write(int fd, __u32 handle, __u32 offset, const void *buf,
		__u32 len);
int oheap_read(int fd, __u32 handle, __u32 offset, void *buf,
	       __u32 len);
int oheap_info(int fd, __u32 handle, struct objheap_info *info);
int oheap_batch(int fd, struct objheap_op *ops, __u32 count,
		__u32 *done);

/* The heap. */
int oheap_get_limits(int fd, struct objheap_limits *lim);
int oheap_set_limits(int fd, const struct objheap_limits *lim);
int oheap_heap_stats(int fd, struct objheap_heap_stats *st);

/* The cycle collector (Python's gc module). */
int oheap_collect(int fd, unsigned int generation,
		  struct objheap_gc_collect *res);
int oheap_gc_get_params(int fd, struct objheap_gc_params *params);
int oheap_gc_set_params(int fd, const struct objheap_gc_params *params);
int oheap_gc_enable(int fd, int enable);
int oheap_gc_stats(int fd, struct objheap_gc_stats *st);
int oheap_gc_freeze(int fd);
int oheap_gc_unfreeze(int fd);
int oheap_gc_garbage(int fd, __u32 *handles, __u32 count,
		     __u32 *done, __u32 *left);
/*
 * Wait up to @timeout_ms (-1: forever) for GC event records and read up
 * to @n of them, in either format of the stream (a sized record's known
 * fields are copied, fields it lacks are zero, types it does not know are
 * skipped). Returns how many, 0 on timeout, -1 with errno on error.
 */
ssize_t oheap_gc_events(int fd, struct objheap_gc_event *ev, size_t n,
			int timeout_ms);
/*
 * Choose what read() on @fd returns: OBJHEAP_EVENTS_FIXED (the default)
 * or OBJHEAP_EVENTS_SIZED (ABI 1.4; ENOTTY before). Readers of the file
 * share the format.
 */
int oheap_set_event_format(int fd, __u32 format);

/* debugfs (root): the directory, and one "key: value" of a file in it. */
const char *oheap_debugfs_dir(void);
int oheap_debugfs_value(const char *file, const char *key,
			unsigned long long *val);

/*
 * After a failed read of debugfs @file, say why on stderr, prefixed with
 * @prog, in words a user can act on (module not loaded, debugfs not
 * mounted, not root).
 */
void oheap_debugfs_explain(const char *prog, const char *file);

/* One open heap, from debugfs objheap/heaps/<id>/info. */
struct oheap_heap_row {
	unsigned long long id, pid, objects, bytes, peak_bytes, handles,
			   collections;
	char comm[32];
};

/*
 * Every open heap, up to @max rows (heaps closing meanwhile are skipped).
 * Returns how many, or -1 if objheap/heaps cannot be read.
 */
int oheap_debugfs_heaps(struct oheap_heap_row *rows, int max);

#ifdef __cplusplus
}
#endif

#endif /* OHEAP_H */
