/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * liboheap: a thin C library over the objheap ioctls (include/uapi/linux/
 * objheap.h documents every call; docs/abi.md has examples).
 *
 * Every function returns 0 (or a count) on success and -1 with errno set
 * on failure, like the system calls underneath; errno is the kernel's
 * (EBADF, ERANGE, EINVAL, EDQUOT, EMFILE, ENOMEM, EFAULT, ...).
 *
 * Pointers: one a call must read its input from or write its result
 * through may not be NULL: NULL fails with EFAULT before any system call,
 * so the heap is unchanged. Only the outputs marked "may be NULL" below
 * are optional.
 *
 * Threads: the library keeps no state; each call is one ioctl (or a poll
 * and a read) on the heap's file, and the kernel serializes each heap, so
 * threads may share a heap's fd. Two calls are more than one step:
 * oheap_gc_enable() reads the parameters, then writes them (a concurrent
 * change of the parameters can be lost), and oheap_gc_events() asks the
 * stream's format, then reads (a concurrent oheap_set_event_format() can
 * make it misread one batch). errno is per thread.
 *
 * Linking: pkg-config --cflags --libs liboheap (liboheap.so.1, symbols
 * versioned LIBOHEAP_1.0, LIBOHEAP_1.6 and LIBOHEAP_1.7 by the release
 * that added them), or --static for liboheap.a.
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

/* This library's version (the running module's ABI: oheap_version()). */
#define OHEAP_LIB_VERSION_MAJOR	1
#define OHEAP_LIB_VERSION_MINOR	7
int oheap_lib_version_major(void);
int oheap_lib_version_minor(void);

/* A new private heap: open("/dev/objheap"); close() it to free it all. */
int oheap_open(void);
/* The running module's ABI version and OBJHEAP_FEAT_* bits. */
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
/*
 * ABI 1.6 (OBJHEAP_FEAT_FINALIZE): a finalizable object (oheap_new_flags()
 * with OBJHEAP_NEW_FINALIZABLE); a weak reference to @handle, with
 * OBJHEAP_WEAK_CALLBACK or 0; its referent as a new handle, or 0 once dead.
 */
int oheap_new_flags(int fd, __u32 type, __u32 nslots, __u32 size,
		    __u32 flags, __u32 *handle);
int oheap_weakref(int fd, __u32 handle, __u32 type, __u32 flags,
		  __u32 *weak);
int oheap_deref(int fd, __u32 weak, __u32 *referent);
/* @done (may be NULL): how many ops ran, also when one failed. */
int oheap_batch(int fd, struct objheap_op *ops, __u32 count,
		__u32 *done);

/* The heap. */
int oheap_get_limits(int fd, struct objheap_limits *lim);
int oheap_set_limits(int fd, const struct objheap_limits *lim);
int oheap_heap_stats(int fd, struct objheap_heap_stats *st);

/* The cycle collector (Python's gc module). @res may be NULL. */
int oheap_collect(int fd, unsigned int generation,
		  struct objheap_gc_collect *res);
int oheap_gc_get_params(int fd, struct objheap_gc_params *params);
int oheap_gc_set_params(int fd, const struct objheap_gc_params *params);
int oheap_gc_enable(int fd, int enable);
int oheap_gc_stats(int fd, struct objheap_gc_stats *st);
int oheap_gc_freeze(int fd);
int oheap_gc_unfreeze(int fd);
/* @done and @left may be NULL. */
int oheap_gc_garbage(int fd, __u32 *handles, __u32 count,
		     __u32 *done, __u32 *left);
/*
 * ABI 1.6: the objects to finalize, and the weak references whose
 * callbacks are due, as new handles; as oheap_gc_garbage().
 */
int oheap_gc_finalize(int fd, __u32 *handles, __u32 count,
		      __u32 *done, __u32 *left);
int oheap_weak_callbacks(int fd, __u32 *handles, __u32 count,
			 __u32 *done, __u32 *left);
/*
 * ABI 1.7 (OBJHEAP_FEAT_INTROSPECT), gc.get_objects(generation) and
 * gc.get_referrers(*targets): the objects the collector tracks in
 * @generation (0..2, OBJHEAP_GEN_PERMANENT, OBJHEAP_GEN_GARBAGE, or
 * OBJHEAP_GEN_ALL: 0, 1 and 2), or those with a slot that points at one
 * of the @ntargets (1..OBJHEAP_REFERRERS_MAX) handles in @targets, as new
 * handles in @handles: all of them or none (ENOSPC if @count is too
 * small). @count 0 asks for the number only. @done and @total may be
 * NULL; *@total is the number of objects, also with ENOSPC.
 */
int oheap_gc_objects(int fd, __u32 generation, __u32 *handles, __u32 count,
		     __u32 *done, __u32 *total);
int oheap_gc_referrers(int fd, const __u32 *targets, __u32 ntargets,
		       __u32 *handles, __u32 count, __u32 *done,
		       __u32 *total);
/*
 * Wait up to @timeout_ms (-1: forever) for GC event records and read up
 * to @n of them, in either format of the stream (a sized record's known
 * fields are copied, fields it lacks are zero, types it does not know are
 * skipped). Returns how many, 0 on timeout, -1 with errno on error.
 * Threads may wait on one heap together: each record goes to one of them,
 * and none waits past its timeout (ABI 1.5 and later; with an older
 * module, a reader that lost the race for the last record waits in
 * read() until the next one).
 */
ssize_t oheap_gc_events(int fd, struct objheap_gc_event *ev, size_t n,
			int timeout_ms);
/*
 * Choose what read() on @fd returns: OBJHEAP_EVENTS_FIXED (the default)
 * or OBJHEAP_EVENTS_SIZED (ABI 1.4; ENOTTY before). Readers of the file
 * share the format.
 */
int oheap_set_event_format(int fd, __u32 format);

#ifdef __cplusplus
}
#endif

#endif /* OHEAP_H */
