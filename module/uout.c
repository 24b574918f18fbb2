// SPDX-License-Identifier: GPL-2.0
/*
 * Answers that cannot fail: a call that opens handles (NEW, DUP, GET,
 * GC_GARBAGE, GC_OBJECTS) or cannot be undone (GC_COLLECT) pins the user pages of its
 * answer before it runs, and writes the answer through the kernel's
 * mapping of those pages while it still holds the heap's lock.
 *
 * Writing with copy_to_user() after the heap is unlocked could fault
 * (another thread unmapped the argument meanwhile), and undoing the call
 * then is not atomic: by the time the heap is locked again, another
 * thread may have reused the handle (handles are reused LIFO). Pinning
 * takes the fault, if any, before anything happens, and a pinned page
 * cannot go away: the write always lands. Should the page be unmapped
 * meanwhile, the answer lands in memory the process no longer sees, as if
 * it had been unmapped just after the call.
 *
 * No page fault is taken under the heap's lock: pinning is done before
 * it, and the write is a memcpy() into pages already in memory.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "objheap.h"

static int uout_pin(struct objheap_uout *out, void __user *uaddr,
		    size_t size, struct page **pages)
{
	unsigned long start = (unsigned long)uaddr;
	long nr, got;

	out->pages = pages;
	out->size = size;
	out->offset = offset_in_page(start);
	out->nr = 0;
	if (!size)
		return 0;
	if (!access_ok(uaddr, size))
		return -EFAULT;
	nr = objheap_uout_nr_pages(uaddr, size);
	got = pin_user_pages_fast(start & PAGE_MASK, nr, FOLL_WRITE, pages);
	if (got != nr) {
		if (got > 0)
			unpin_user_pages(pages, got);
		return -EFAULT;
	}
	out->nr = nr;
	return 0;
}

/**
 * objheap_uout_pin() - pin the user memory of an answer
 * @out: the answer, set up here
 * @uaddr: where it goes in user space
 * @size: its bytes, at most PAGE_SIZE (so at most two pages)
 *
 * Return: 0, or -EFAULT if the memory cannot be written.
 */
int objheap_uout_pin(struct objheap_uout *out, void __user *uaddr,
		     size_t size)
{
	if (size > PAGE_SIZE)
		return -EFAULT;
	return uout_pin(out, uaddr, size, out->page);
}

/**
 * objheap_uout_nr_pages() - pages a user buffer spans
 * @uaddr: its start
 * @size: its bytes
 *
 * Return: the room objheap_uout_pin_array() needs in its array.
 */
unsigned long objheap_uout_nr_pages(const void __user *uaddr, size_t size)
{
	return DIV_ROUND_UP(offset_in_page((unsigned long)uaddr) + size,
			    PAGE_SIZE);
}

/**
 * objheap_uout_pin_array() - pin the user memory of an answer of any size
 * @out: the answer, set up here
 * @uaddr: where it goes in user space
 * @size: its bytes
 * @pages: room for objheap_uout_nr_pages() pages, the caller's until
 *	objheap_uout_unpin()
 *
 * Return: 0, or -EFAULT if the memory cannot be written.
 */
int objheap_uout_pin_array(struct objheap_uout *out, void __user *uaddr,
			   size_t size, struct page **pages)
{
	return uout_pin(out, uaddr, size, pages);
}

/**
 * objheap_uout_write() - write (part of) an answer
 * @out: pinned by objheap_uout_pin()
 * @at: offset in the answer
 * @src: the bytes
 * @len: how many; @at + @len at most the pinned size
 *
 * Cannot fail, and takes no page fault: may run under the heap's lock.
 */
void objheap_uout_write(struct objheap_uout *out, size_t at, const void *src,
			size_t len)
{
	size_t pos = out->offset + at;

	if (WARN_ON_ONCE(at + len > out->size))
		return;
	while (len) {
		size_t in_page = min_t(size_t, len, PAGE_SIZE - offset_in_page(pos));
		void *dst = kmap_local_page(out->pages[pos / PAGE_SIZE]);

		memcpy(dst + offset_in_page(pos), src, in_page);
		kunmap_local(dst);
		pos += in_page;
		src += in_page;
		len -= in_page;
	}
}

/**
 * objheap_uout_unpin() - release the pages of an answer
 * @out: from objheap_uout_pin(), written or not
 */
void objheap_uout_unpin(struct objheap_uout *out)
{
	if (out->nr)
		unpin_user_pages_dirty_lock(out->pages, out->nr, true);
	out->nr = 0;
}
