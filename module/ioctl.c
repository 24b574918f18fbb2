// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch: decode a command, copy its argument in, call the heap,
 * copy the answer out.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "objheap.h"

/**
 * objheap_version_fill() - describe the running ABI
 * @ver: filled in completely, reserved fields zeroed
 */
void objheap_version_fill(struct objheap_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->major = OBJHEAP_ABI_MAJOR;
	ver->minor = OBJHEAP_ABI_MINOR;
	ver->features = 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_version_fill);

static long objheap_ioctl_version(void __user *uarg)
{
	struct objheap_version ver;

	objheap_version_fill(&ver);
	if (copy_to_user(uarg, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

/**
 * objheap_ioctl() - run one ioctl command on a heap
 * @heap: the heap of the open file
 * @cmd: OBJHEAP_IOC_* command
 * @uarg: user pointer to the command's argument
 *
 * Return: 0 or a positive result on success; -ENOTTY for an unknown
 * command, -EFAULT for an unreadable or unwritable @uarg, or the command's
 * own documented errno.
 */
long objheap_ioctl(struct objheap_heap *heap, unsigned int cmd,
		   void __user *uarg)
{
	switch (cmd) {
	case OBJHEAP_IOC_VERSION:
		return objheap_ioctl_version(uarg);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_KUNIT(objheap_ioctl);
