// SPDX-License-Identifier: GPL-2.0
/*
 * The character device /dev/objheap: each open is a private heap.
 */
#include <linux/compat.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "objheap.h"

static int objheap_open(struct inode *inode, struct file *file)
{
	struct objheap_heap *heap;

	heap = objheap_heap_create();
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	file->private_data = heap;
	/* read_iter honours IOCB_NOWAIT: preadv2(RWF_NOWAIT), io_uring. */
	file->f_mode |= FMODE_NOWAIT;
	return stream_open(inode, file);
}

static int objheap_release(struct inode *inode, struct file *file)
{
	objheap_heap_destroy(file->private_data);
	return 0;
}

/* The GC event stream: see struct objheap_gc_event. */
static ssize_t objheap_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct objheap_heap *heap = iocb->ki_filp->private_data;

	return objheap_events_read(&heap->events, to,
				   iocb->ki_filp->f_flags & O_NONBLOCK,
				   iocb->ki_flags & IOCB_NOWAIT);
}

static __poll_t objheap_poll(struct file *file, poll_table *pt)
{
	struct objheap_heap *heap = file->private_data;

	return objheap_events_poll(&heap->events, file, pt);
}

static long objheap_unlocked_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	return objheap_ioctl(file->private_data, cmd, (void __user *)arg);
}

static const struct file_operations objheap_fops = {
	.owner = THIS_MODULE,
	.open = objheap_open,
	.release = objheap_release,
	.read_iter = objheap_read_iter,
	.poll = objheap_poll,
	.unlocked_ioctl = objheap_unlocked_ioctl,
	/* Every argument has the same layout for 32-bit and 64-bit callers. */
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * World-accessible: objheap is meant for unprivileged programs. What one
 * heap may use is bounded by per-heap limits and charged to the opener's
 * memory cgroup (see README.md, "Permissions").
 */
static struct miscdevice objheap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "objheap",
	.fops = &objheap_fops,
	.mode = 0666,
};

/**
 * objheap_dev_init() - register /dev/objheap
 *
 * Return: 0 or the errno of misc_register().
 */
int objheap_dev_init(void)
{
	return misc_register(&objheap_misc);
}

/**
 * objheap_dev_exit() - unregister /dev/objheap
 *
 * No heap can be open here: each open file pins the module.
 */
void objheap_dev_exit(void)
{
	misc_deregister(&objheap_misc);
}
