/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * objheap: a reference-counted, cycle-collected object heap driven through
 * ioctl calls on /dev/objheap.
 *
 * Conventions (Documentation/driver-api/ioctl.rst):
 *  - every structure has fixed-width fields and explicit padding, so the
 *    layout is the same for 32-bit and 64-bit processes;
 *  - user addresses travel as __u64;
 *  - fields named "reserved" or "pad" must be zero, or the call fails with
 *    EINVAL; this keeps them usable for later extensions;
 *  - an unknown command fails with ENOTTY, a bad user pointer with EFAULT.
 */
#ifndef _UAPI_LINUX_OBJHEAP_H
#define _UAPI_LINUX_OBJHEAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Registered in Documentation/userspace-api/ioctl/ioctl-number.rst terms:
 * 0xBE is unused by the kernel tree; objheap owns numbers 0x00-0x3F.
 */
#define OBJHEAP_IOC_MAGIC	0xBE

/*
 * ABI version. The major number changes only on an incompatible change;
 * the minor number grows when commands or fields are added.
 */
#define OBJHEAP_ABI_MAJOR	1
#define OBJHEAP_ABI_MINOR	0

/**
 * struct objheap_version - answer of OBJHEAP_IOC_VERSION
 * @major: OBJHEAP_ABI_MAJOR of the running module
 * @minor: OBJHEAP_ABI_MINOR of the running module
 * @features: OBJHEAP_FEAT_* bits the running module supports
 * @reserved: zero
 */
struct objheap_version {
	__u16 major;
	__u16 minor;
	__u32 features;
	__u64 reserved[3];
};

/* OBJHEAP_IOC_VERSION: read the ABI version; never fails on a valid pointer. */
#define OBJHEAP_IOC_VERSION	_IOR(OBJHEAP_IOC_MAGIC, 0x00, struct objheap_version)

#endif /* _UAPI_LINUX_OBJHEAP_H */
