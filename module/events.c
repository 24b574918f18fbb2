// SPDX-License-Identifier: GPL-2.0
/*
 * The GC event stream: one record per finished collection, read() and
 * poll() on the heap's file (as CPython's gc.callbacks, but pulled). A
 * heap keeps the last OBJHEAP_GC_EVENTS_MAX records; older ones are
 * dropped and counted, and the next record read says how many.
 *
 * The ring holds struct objheap_gc_event; read() writes it out in the
 * heap's format: as it is (OBJHEAP_EVENTS_FIXED, the ABI 1.2 stream) or
 * led by a header with its size, type and version (OBJHEAP_EVENTS_SIZED,
 * as perf's and fanotify's records are), so that a record can grow
 * without breaking a reader.
 *
 * Collections push under the heap's mutex; readers never take it. The
 * ring has its own spinlock (taken after heap->lock, never around user
 * copies), and readers are serialized by read_mutex, so a record is
 * copied to user space first and consumed after: a read that faults
 * consumes nothing.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "objheap.h"

/**
 * objheap_events_init() - set up an empty event ring
 * @ev: the ring, in a new heap
 */
void objheap_events_init(struct objheap_events *ev)
{
	spin_lock_init(&ev->lock);
	mutex_init(&ev->read_mutex);
	init_waitqueue_head(&ev->wait);
	ev->format = OBJHEAP_EVENTS_FIXED;
}

/**
 * objheap_events_destroy() - tear down an event ring
 * @ev: the ring of a heap being destroyed: no reader is left
 */
void objheap_events_destroy(struct objheap_events *ev)
{
	mutex_destroy(&ev->read_mutex);
}

/**
 * objheap_events_push() - record a finished collection, wake readers
 * @ev: the heap's ring
 * @res: what the collection did
 * @reason: OBJHEAP_GC_REASON_*
 */
void objheap_events_push(struct objheap_events *ev,
			 const struct objheap_gc_collect *res,
			 unsigned int reason)
{
	struct objheap_gc_event *rec;

	spin_lock(&ev->lock);
	if (ev->head - ev->tail == OBJHEAP_GC_EVENTS_MAX) {
		ev->tail++;
		ev->lost++;
	}
	rec = &ev->rec[ev->head % OBJHEAP_GC_EVENTS_MAX];
	ev->head++;
	*rec = (struct objheap_gc_event) {
		.seq = ev->head,
		.time_ns = ktime_get_ns(),
		.generation = res->generation,
		.reason = reason,
		.scanned = res->scanned,
		.collected = res->collected,
		.freed = res->freed,
		.saved = res->saved,
		.pause_ns = res->time_ns,
	};
	spin_unlock(&ev->lock);
	wake_up_interruptible(&ev->wait);
}

static bool ev_empty(struct objheap_events *ev)
{
	bool empty;

	spin_lock(&ev->lock);
	empty = ev->head == ev->tail;
	spin_unlock(&ev->lock);
	return empty;
}

/* Copy the oldest record out, with the loss count it reports. */
static bool ev_peek(struct objheap_events *ev, struct objheap_gc_event *rec)
{
	bool found;

	spin_lock(&ev->lock);
	found = ev->head != ev->tail;
	if (found) {
		*rec = ev->rec[ev->tail % OBJHEAP_GC_EVENTS_MAX];
		rec->lost = ev->lost;
	}
	spin_unlock(&ev->lock);
	return found;
}

/* Consume @rec, now delivered. */
static void ev_commit(struct objheap_events *ev,
		      const struct objheap_gc_event *rec)
{
	spin_lock(&ev->lock);
	if (ev->tail + 1 == rec->seq) {
		ev->tail++;
	} else if (ev->lost) {
		/* Dropped while it was copied out, yet delivered. */
		ev->lost--;
	}
	ev->lost -= min(ev->lost, rec->lost);
	spin_unlock(&ev->lock);
}

/**
 * objheap_events_take() - consume the oldest record
 * @ev: the ring
 * @rec: receives it
 *
 * Return: false if there is none.
 */
bool objheap_events_take(struct objheap_events *ev,
			 struct objheap_gc_event *rec)
{
	bool found;

	mutex_lock(&ev->read_mutex);
	found = ev_peek(ev, rec);
	if (found)
		ev_commit(ev, rec);
	mutex_unlock(&ev->read_mutex);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_events_take);

/**
 * objheap_events_get_format() - the format read() returns
 * @ev: the heap's ring
 * @fmt: filled in completely
 *
 * Return: 0, or -EINTR (a fatal signal while a read() copied records).
 */
int objheap_events_get_format(struct objheap_events *ev,
			      struct objheap_event_format *fmt)
{
	if (mutex_lock_killable(&ev->read_mutex))
		return -EINTR;
	*fmt = (struct objheap_event_format) { .format = ev->format };
	mutex_unlock(&ev->read_mutex);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_events_get_format);

/**
 * objheap_events_set_format() - choose the format read() returns
 * @ev: the heap's ring
 * @fmt: the format; flags and reserved zero
 *
 * Takes the read mutex, so a read() in progress ends in the old format.
 *
 * Return: 0, -EINVAL (unknown format, nonzero flags or reserved), -EINTR.
 */
int objheap_events_set_format(struct objheap_events *ev,
			      const struct objheap_event_format *fmt)
{
	if (fmt->format > OBJHEAP_EVENTS_SIZED || fmt->flags || fmt->reserved)
		return -EINVAL;
	if (mutex_lock_killable(&ev->read_mutex))
		return -EINTR;
	ev->format = fmt->format;
	mutex_unlock(&ev->read_mutex);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_events_set_format);

/* Bytes one record takes in @format. */
static size_t ev_record_size(u32 format)
{
	if (format == OBJHEAP_EVENTS_SIZED)
		return sizeof(struct objheap_gc_record);
	return sizeof(struct objheap_gc_event);
}

/* Write @rec to @to in @format; 0, or -EFAULT if it did not all fit. */
static int ev_copy_out(struct iov_iter *to, const struct objheap_gc_event *rec,
		       u32 format)
{
	struct objheap_gc_record sized;

	if (format != OBJHEAP_EVENTS_SIZED)
		return copy_to_iter(rec, sizeof(*rec), to) == sizeof(*rec) ?
		       0 : -EFAULT;
	sized = (struct objheap_gc_record) {
		.header = {
			.size = sizeof(sized),
			.type = OBJHEAP_EVENT_GC,
			.version = OBJHEAP_EVENT_GC_VERSION,
		},
		.gc = *rec,
	};
	return copy_to_iter(&sized, sizeof(sized), to) == sizeof(sized) ?
	       0 : -EFAULT;
}

/*
 * Take the read mutex, or -EAGAIN / -ERESTARTSYS. As pipes do, only a
 * NOWAIT call gives up on a reader copying out; O_NONBLOCK waits for it.
 */
static int ev_lock_reader(struct objheap_events *ev, bool nowait)
{
	if (nowait)
		return mutex_trylock(&ev->read_mutex) ? 0 : -EAGAIN;
	return mutex_lock_interruptible(&ev->read_mutex) ? -ERESTARTSYS : 0;
}

/**
 * objheap_events_read() - read() on a heap's file
 * @ev: the heap's ring
 * @to: the user's buffers
 * @nonblock: return -EAGAIN rather than wait for a record (O_NONBLOCK)
 * @nowait: this one call may not sleep at all (preadv2() with RWF_NOWAIT,
 *	io_uring): -EAGAIN also while another reader copies records out
 *
 * Return: bytes read (whole records of the heap's format), or -EINVAL
 * (the buffers are smaller than one record), -EAGAIN (nothing to read
 * and @nonblock or @nowait), -ERESTARTSYS, -EFAULT.
 */
ssize_t objheap_events_read(struct objheap_events *ev, struct iov_iter *to,
			    bool nonblock, bool nowait)
{
	size_t count = iov_iter_count(to);
	struct objheap_gc_event rec;
	size_t done = 0, size;
	int ret;

	/* As any read(): a zero count reads nothing and does not wait. */
	if (!count)
		return 0;
	ret = ev_lock_reader(ev, nowait);
	if (ret)
		return ret;
	/* One format for the whole read: it changes under read_mutex. */
	size = ev_record_size(ev->format);
	while (count >= size && !ev_peek(ev, &rec)) {
		mutex_unlock(&ev->read_mutex);
		if (nonblock || nowait)
			return -EAGAIN;
		ret = wait_event_interruptible(ev->wait, !ev_empty(ev));
		if (ret)
			return ret;
		ret = ev_lock_reader(ev, false);
		if (ret)
			return ret;
		size = ev_record_size(ev->format);
	}
	if (count < size) {
		mutex_unlock(&ev->read_mutex);
		return -EINVAL;
	}
	do {
		if (ev_copy_out(to, &rec, ev->format)) {
			mutex_unlock(&ev->read_mutex);
			return done ? done : -EFAULT;
		}
		ev_commit(ev, &rec);
		done += size;
	} while (done + size <= count && ev_peek(ev, &rec));
	mutex_unlock(&ev->read_mutex);
	return done;
}

/**
 * objheap_events_poll() - poll() on a heap's file
 * @ev: the heap's ring
 * @file: the file
 * @pt: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM while records wait, else 0.
 */
__poll_t objheap_events_poll(struct objheap_events *ev, struct file *file,
			     poll_table *pt)
{
	poll_wait(file, &ev->wait, pt);
	return ev_empty(ev) ? 0 : EPOLLIN | EPOLLRDNORM;
}
