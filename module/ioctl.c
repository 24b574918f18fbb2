// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch: decode a command, copy its argument in, run it on the
 * heap, copy the answer out.
 *
 * User memory is only touched here, never under the heap's lock: payload
 * bytes go through a kernel bounce buffer. That keeps page faults (and
 * mmap_lock) out of the heap lock's way, and makes each operation
 * all-or-nothing: a WRITE whose source faults changes nothing. Answers
 * that must not fail once the call ran go through pinned pages (uout.c).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "objheap.h"

/* Payloads up to this size are bounced through the stack. */
#define RW_STACK_BYTES	256
/* A batch is copied in and out this many operations at a time. */
#define BATCH_CHUNK	16
/* The first published size of struct objheap_op. */
#define OP_SIZE_VER0	40

/* One layout for 32-bit and 64-bit callers: no implicit padding anywhere. */
static_assert(sizeof(struct objheap_op) == OP_SIZE_VER0);
static_assert(sizeof(struct objheap_batch) == 32);
static_assert(sizeof(struct objheap_info) == 64);
static_assert(sizeof(struct objheap_limits) == 32);
static_assert(sizeof(struct objheap_version) == 32);
static_assert(sizeof(struct objheap_gc_params) == 32);
static_assert(sizeof(struct objheap_gc_collect) == 64);
static_assert(sizeof(struct objheap_gc_stats) == 224);
static_assert(sizeof(struct objheap_gc_garbage) == 32);
static_assert(sizeof(struct objheap_gc_event) == 72);
static_assert(sizeof(struct objheap_heap_stats) == 112);
static_assert(sizeof(struct objheap_event_format) == 16);
static_assert(sizeof(struct objheap_gc_objects) == 56);
static_assert(sizeof(struct objheap_event_header) == 8);
static_assert(sizeof(struct objheap_gc_record) == 80);
static_assert(sizeof(struct objheap_gc_record) <= OBJHEAP_EVENT_SIZE_MAX);

/* Saved garbage is handed back this many handles at a time. */
#define GARBAGE_CHUNK	64

/**
 * objheap_version_fill() - describe the running ABI
 * @ver: filled in completely, reserved fields zeroed
 */
void objheap_version_fill(struct objheap_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->major = OBJHEAP_ABI_MAJOR;
	ver->minor = OBJHEAP_ABI_MINOR;
	ver->features = OBJHEAP_FEAT_GC | OBJHEAP_FEAT_EVENTS |
			OBJHEAP_FEAT_HEAP_STATS | OBJHEAP_FEAT_PINNED |
			OBJHEAP_FEAT_SIZED_EVENTS | OBJHEAP_FEAT_NOWAIT_READ |
			OBJHEAP_FEAT_FINALIZE | OBJHEAP_FEAT_INTROSPECT;
}
EXPORT_SYMBOL_IF_KUNIT(objheap_version_fill);

static long ioctl_version(void __user *uarg)
{
	struct objheap_version ver;

	objheap_version_fill(&ver);
	if (copy_to_user(uarg, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

/*
 * READ and WRITE: bounce the payload through the kernel. Kept apart from
 * run_op() so that other operations do not pay for the stack buffer (the
 * kernel zero-fills stack variables).
 */
static noinline int run_rw_op(struct objheap_heap *heap, struct objheap_op *op)
{
	void __user *ubuf = u64_to_user_ptr(op->buf);
	u8 stackbuf[RW_STACK_BYTES];
	void *kbuf = stackbuf;
	size_t cost = 0;
	int ret;

	/* No payload is this large: out of range whatever the object. */
	if (op->count > OBJHEAP_MAX_PAYLOAD)
		return -ERANGE;
	if (op->count > sizeof(stackbuf)) {
		/* Charged while it exists: many callers could hold many. */
		cost = objheap_alloc_cost(op->count);
		ret = objheap_heap_charge_rw(heap, op, cost);
		if (ret)
			return ret;
		kbuf = kvmalloc(op->count, OBJHEAP_GFP);
		if (!kbuf) {
			objheap_uncharge_transient(heap, cost);
			return -ENOMEM;
		}
	}
	if (op->op == OBJHEAP_OP_WRITE && copy_from_user(kbuf, ubuf, op->count)) {
		ret = -EFAULT;
		goto out;
	}
	ret = objheap_heap_op(heap, op, kbuf);
	if (!ret && op->op == OBJHEAP_OP_READ &&
	    copy_to_user(ubuf, kbuf, op->count))
		ret = -EFAULT;
out:
	if (kbuf != stackbuf) {
		kvfree(kbuf);
		objheap_uncharge_transient(heap, cost);
	}
	return ret;
}

/* Run one operation. */
static int run_op(struct objheap_heap *heap, struct objheap_op *op)
{
	if (op->op == OBJHEAP_OP_READ || op->op == OBJHEAP_OP_WRITE)
		return run_rw_op(heap, op);
	return objheap_heap_op(heap, op, NULL);
}

/*
 * A single-operation ioctl: NEW, DUP, DROP, SET, GET, READ, WRITE,
 * WEAKREF, DEREF.
 */
static long ioctl_op(struct objheap_heap *heap, u32 opcode,
		     void __user *uarg)
{
	bool answers = opcode == OBJHEAP_OP_NEW || opcode == OBJHEAP_OP_DUP ||
		       opcode == OBJHEAP_OP_GET || opcode == OBJHEAP_OP_WEAKREF ||
		       opcode == OBJHEAP_OP_DEREF;
	struct objheap_uout out;
	struct objheap_op op;
	int ret;

	if (copy_from_user(&op, uarg, sizeof(op)))
		return -EFAULT;
	if (op.op && op.op != opcode)
		return -EINVAL;
	/*
	 * Operations that answer through the argument pin it first (uout.c):
	 * one that could not report its new handle never runs, and one that
	 * ran always reports.
	 */
	if (answers && objheap_uout_pin(&out, uarg, sizeof(op)))
		return -EFAULT;
	op.op = opcode;
	op.result = 0;
	ret = run_op(heap, &op);
	if (answers) {
		if (!ret)
			objheap_uout_write(&out, 0, &op, sizeof(op));
		objheap_uout_unpin(&out);
	}
	return ret;
}

/* What an operation reports: result, handle and ref, contiguous. */
#define OP_OUT_START	offsetof(struct objheap_op, result)
#define OP_OUT_SIZE	(offsetofend(struct objheap_op, ref) - OP_OUT_START)

static struct objheap_op __user *batch_op(u64 uops, u32 op_size, u32 index)
{
	return u64_to_user_ptr(uops + (u64)index * op_size);
}

/*
 * Copy operations [first, first + n) of a batch in. Returns how many were
 * copied whole; *err says why the copy stopped short.
 */
static u32 batch_copy_in(struct objheap_op *ops, u64 uops, u32 op_size,
			 u32 first, u32 n, int *err)
{
	void __user *src = batch_op(uops, op_size, first);
	unsigned long left;
	u32 i;
	int ret;

	if (op_size == sizeof(*ops)) {
		left = copy_from_user(ops, src, n * sizeof(*ops));
		if (left)
			*err = -EFAULT;
		return n - DIV_ROUND_UP(left, sizeof(*ops));
	}
	/* A caller built against a newer ABI: its extra bytes must be 0. */
	for (i = 0; i < n; i++) {
		ret = copy_struct_from_user(&ops[i], sizeof(*ops),
					    src + (u64)i * op_size, op_size);
		if (ret) {
			*err = ret;
			return i;
		}
	}
	return n;
}

/*
 * Can operations [first, first + n) report? Each writes back the values
 * just read at both ends of its out fields, which may straddle a page.
 * Returns how many can.
 */
static u32 batch_probe(const struct objheap_op *ops, u64 uops, u32 op_size,
		       u32 first, u32 n)
{
	struct objheap_op __user *uop;
	u32 i;

	for (i = 0; i < n; i++) {
		uop = batch_op(uops, op_size, first + i);

		if (put_user(ops[i].result, &uop->result) ||
		    put_user(ops[i].ref, &uop->ref))
			return i;
	}
	return n;
}

/*
 * Write the out fields of operations [first, first + n) of a batch, and
 * nothing else. Returns how many were written whole.
 */
static u32 batch_report(const struct objheap_op *ops, u64 uops, u32 op_size,
			u32 first, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		void __user *dst = batch_op(uops, op_size, first + i);

		if (copy_to_user(dst + OP_OUT_START,
				 (const void *)&ops[i] + OP_OUT_START,
				 OP_OUT_SIZE))
			return i;
	}
	return n;
}

/*
 * BATCH: run the operations in order, stop at the first failure. The out
 * fields of each chunk are written back unchanged before it runs, so that
 * an operation whose result could not be reported never runs: an array
 * that cannot be read or written fails with EFAULT at the first such
 * operation, and the operations before it keep their effect, as with any
 * failure. Only the out fields are copied back: a batch's cost is mostly
 * its copies.
 */
static long ioctl_batch(struct objheap_heap *heap,
			struct objheap_batch __user *ubatch)
{
	struct objheap_op ops[BATCH_CHUNK];
	struct objheap_batch b;
	u32 first, n, got, writable, report, i;
	int ret = 0, copy_err;

	if (copy_from_user(&b, ubatch, sizeof(b)))
		return -EFAULT;
	if (b.flags || b.reserved)
		return -EINVAL;
	if (b.count > OBJHEAP_BATCH_MAX || b.op_size < OP_SIZE_VER0 ||
	    b.op_size > PAGE_SIZE)
		return -EINVAL;
	if (put_user(0, &ubatch->done))
		return -EFAULT;

	for (first = 0; first < b.count && !ret; first += i) {
		n = min_t(u32, BATCH_CHUNK, b.count - first);
		copy_err = 0;
		got = batch_copy_in(ops, b.ops, b.op_size, first, n, &copy_err);
		writable = batch_probe(ops, b.ops, b.op_size, first, got);
		if (writable < got) {
			got = writable;
			copy_err = -EFAULT;
		}
		for (i = 0; i < got; i++) {
			ops[i].result = 0;
			/* A dying task stops here: done says how far it got. */
			ret = fatal_signal_pending(current) ? -EINTR :
			      run_op(heap, &ops[i]);
			if (ret) {
				ops[i].result = ret;
				break;
			}
		}
		/* Results up to and including a failing operation. */
		report = i < got ? i + 1 : got;
		if (batch_report(ops, b.ops, b.op_size, first, report) < report &&
		    !ret)
			ret = -EFAULT;
		if (!ret && got < n) {
			ret = copy_err;
			/* An operation with nonzero extra bytes still reports. */
			if (ret == -E2BIG &&
			    put_user(ret, &batch_op(b.ops, b.op_size, first + got)->result))
				ret = -EFAULT;
		}
	}
	if (put_user(first, &ubatch->done))
		return -EFAULT;
	return ret;
}

static long ioctl_info(struct objheap_heap *heap, void __user *uarg)
{
	struct objheap_info info;
	int i, ret;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	/* handle is input, id and the rest output: pad and reserved must be 0. */
	if (info.pad)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(info.reserved); i++)
		if (info.reserved[i])
			return -EINVAL;
	ret = objheap_heap_info(heap, &info);
	if (ret)
		return ret;
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ioctl_limits(struct objheap_heap *heap, unsigned int cmd,
			 void __user *uarg)
{
	struct objheap_limits lim;
	int ret;

	if (cmd == OBJHEAP_IOC_GET_LIMITS) {
		ret = objheap_heap_get_limits(heap, &lim);
		if (ret)
			return ret;
		return copy_to_user(uarg, &lim, sizeof(lim)) ? -EFAULT : 0;
	}
	if (copy_from_user(&lim, uarg, sizeof(lim)))
		return -EFAULT;
	return objheap_heap_set_limits(heap, &lim);
}

static long ioctl_gc_collect(struct objheap_heap *heap, void __user *uarg)
{
	struct objheap_gc_collect res;
	struct objheap_uout out;
	int ret;

	/* Pinned first: no collection that cannot report (uout.c). */
	if (copy_from_user(&res, uarg, sizeof(res)) ||
	    objheap_uout_pin(&out, uarg, sizeof(res)))
		return -EFAULT;
	ret = objheap_gc_run(heap, &res);
	if (!ret)
		objheap_uout_write(&out, 0, &res, sizeof(res));
	objheap_uout_unpin(&out);
	return ret;
}

static long ioctl_gc_params(struct objheap_heap *heap, unsigned int cmd,
			    void __user *uarg)
{
	struct objheap_gc_params params;
	int ret;

	if (cmd == OBJHEAP_IOC_GC_GET_PARAMS) {
		ret = objheap_gc_get_params(heap, &params);
		if (ret)
			return ret;
		return copy_to_user(uarg, &params, sizeof(params)) ? -EFAULT : 0;
	}
	if (copy_from_user(&params, uarg, sizeof(params)))
		return -EFAULT;
	return objheap_gc_set_params(heap, &params);
}

static long ioctl_heap_stats(struct objheap_heap *heap, void __user *uarg)
{
	struct objheap_heap_stats st;
	int ret;

	ret = objheap_heap_get_stats(heap, &st);
	if (ret)
		return ret;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long ioctl_gc_stats(struct objheap_heap *heap, void __user *uarg)
{
	struct objheap_gc_stats stats;
	int ret;

	ret = objheap_gc_get_stats(heap, &stats);
	if (ret)
		return ret;
	return copy_to_user(uarg, &stats, sizeof(stats)) ? -EFAULT : 0;
}

/* The event stream's format: the ring's, not the heap's lock. */
static long ioctl_event_format(struct objheap_heap *heap, unsigned int cmd,
			       void __user *uarg)
{
	struct objheap_event_format fmt;
	int ret;

	if (READ_ONCE(heap->broken))
		return -EIO;
	if (cmd == OBJHEAP_IOC_GET_EVENT_FORMAT) {
		ret = objheap_events_get_format(&heap->events, &fmt);
		if (ret)
			return ret;
		return copy_to_user(uarg, &fmt, sizeof(fmt)) ? -EFAULT : 0;
	}
	if (copy_from_user(&fmt, uarg, sizeof(fmt)))
		return -EFAULT;
	return objheap_events_set_format(&heap->events, &fmt);
}

/*
 * GC_GARBAGE, GC_FINALIZE, WEAK_CALLBACKS: hand the objects of a queue
 * back, a chunk at a time. Each chunk of
 * the user's array is read and pinned before objects are taken for it
 * (uout.c), so that an array that cannot be written fails before anything
 * changed, the handles taken are always reported, and entries past "done"
 * keep their value.
 */
static long ioctl_gc_queue(struct objheap_heap *heap, enum objheap_queue queue,
			   struct objheap_gc_garbage __user *ug)
{
	u32 handles[GARBAGE_CHUNK];
	struct objheap_gc_garbage g;
	struct objheap_uout out;
	u32 __user *uh;
	u32 n, taken;
	int ret = 0;

	if (copy_from_user(&g, ug, sizeof(g)))
		return -EFAULT;
	if (g.flags || g.reserved)
		return -EINVAL;
	if (put_user(0, &ug->done))
		return -EFAULT;
	uh = u64_to_user_ptr(g.handles);
	for (g.done = 0; g.done < g.count && !ret;) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		n = min_t(u32, GARBAGE_CHUNK, g.count - g.done);
		if (copy_from_user(handles, uh + g.done, n * sizeof(u32)) ||
		    objheap_uout_pin(&out, uh + g.done, n * sizeof(u32))) {
			ret = -EFAULT;
			break;
		}
		ret = objheap_gc_take(heap, queue, handles, n, &taken);
		objheap_uout_write(&out, 0, handles, taken * sizeof(u32));
		objheap_uout_unpin(&out);
		g.done += taken;
		if (taken < n)
			break;
	}
	g.left = objheap_gc_left(heap, queue);
	if (put_user(g.done, &ug->done) || put_user(g.left, &ug->left))
		return -EFAULT;
	return ret;
}

/*
 * GC_OBJECTS and GC_REFERRERS (introspect.c). The targets are copied in
 * here, so that a bad target address fails before anything runs.
 */
static long ioctl_gc_objects(struct objheap_heap *heap, unsigned int cmd,
			     struct objheap_gc_objects __user *uo)
{
	bool referrers = cmd == OBJHEAP_IOC_GC_REFERRERS;
	u32 __user *uh;
	struct objheap_gc_objects o;
	u32 *targets = NULL;
	size_t cost = 0;
	int ret;

	if (copy_from_user(&o, uo, sizeof(o)))
		return -EFAULT;
	if (o.flags || o.reserved[0] || o.reserved[1] ||
	    (referrers ? o.generation : o.ntargets || o.targets))
		return -EINVAL;
	if (put_user(0, &uo->done) || put_user(0, &uo->total))
		return -EFAULT;
	uh = u64_to_user_ptr(o.handles);
	if (!referrers) {
		ret = objheap_gc_objects(heap, o.generation, uh, o.count,
					 &o.total);
		goto out;
	}
	if (!o.ntargets || o.ntargets > OBJHEAP_REFERRERS_MAX)
		return -EINVAL;
	cost = objheap_alloc_cost(o.ntargets * sizeof(u32));
	ret = objheap_heap_lock(heap);
	if (ret)
		return ret;
	ret = objheap_charge_transient(heap, cost);
	objheap_heap_unlock(heap);
	if (ret)
		return ret;
	targets = kvmalloc_array(o.ntargets, sizeof(u32), OBJHEAP_GFP);
	if (!targets)
		ret = -ENOMEM;
	else if (copy_from_user(targets, u64_to_user_ptr(o.targets),
				o.ntargets * sizeof(u32)))
		ret = -EFAULT;
	else
		ret = objheap_gc_referrers(heap, targets, o.ntargets, uh,
					   o.count, &o.total);
	kvfree(targets);
	objheap_uncharge_transient(heap, cost);
out:
	o.done = ret || !o.count ? 0 : o.total;
	if (put_user(o.done, &uo->done) || put_user(o.total, &uo->total))
		return -EFAULT;
	return ret;
}

/**
 * objheap_ioctl() - run one ioctl command on a heap
 * @heap: the heap of the open file
 * @cmd: OBJHEAP_IOC_* command
 * @uarg: user pointer to the command's argument
 *
 * Return: 0 on success; -ENOTTY for an unknown command, -EFAULT for an
 * unreadable or unwritable @uarg, or the command's own errno (see
 * docs/abi.md).
 */
long objheap_ioctl(struct objheap_heap *heap, unsigned int cmd,
		   void __user *uarg)
{
	switch (cmd) {
	case OBJHEAP_IOC_VERSION:
		return ioctl_version(uarg);
	case OBJHEAP_IOC_NOP:
		return 0;
	case OBJHEAP_IOC_NEW:
		return ioctl_op(heap, OBJHEAP_OP_NEW, uarg);
	case OBJHEAP_IOC_DUP:
		return ioctl_op(heap, OBJHEAP_OP_DUP, uarg);
	case OBJHEAP_IOC_DROP:
		return ioctl_op(heap, OBJHEAP_OP_DROP, uarg);
	case OBJHEAP_IOC_SET:
		return ioctl_op(heap, OBJHEAP_OP_SET, uarg);
	case OBJHEAP_IOC_GET:
		return ioctl_op(heap, OBJHEAP_OP_GET, uarg);
	case OBJHEAP_IOC_WRITE:
		return ioctl_op(heap, OBJHEAP_OP_WRITE, uarg);
	case OBJHEAP_IOC_READ:
		return ioctl_op(heap, OBJHEAP_OP_READ, uarg);
	case OBJHEAP_IOC_WEAKREF:
		return ioctl_op(heap, OBJHEAP_OP_WEAKREF, uarg);
	case OBJHEAP_IOC_DEREF:
		return ioctl_op(heap, OBJHEAP_OP_DEREF, uarg);
	case OBJHEAP_IOC_INFO:
		return ioctl_info(heap, uarg);
	case OBJHEAP_IOC_BATCH:
		return ioctl_batch(heap, uarg);
	case OBJHEAP_IOC_GET_LIMITS:
	case OBJHEAP_IOC_SET_LIMITS:
		return ioctl_limits(heap, cmd, uarg);
	case OBJHEAP_IOC_GC_COLLECT:
		return ioctl_gc_collect(heap, uarg);
	case OBJHEAP_IOC_GC_GET_PARAMS:
	case OBJHEAP_IOC_GC_SET_PARAMS:
		return ioctl_gc_params(heap, cmd, uarg);
	case OBJHEAP_IOC_GC_STATS:
		return ioctl_gc_stats(heap, uarg);
	case OBJHEAP_IOC_GC_FREEZE:
		return objheap_gc_freeze(heap);
	case OBJHEAP_IOC_GC_UNFREEZE:
		return objheap_gc_unfreeze(heap);
	case OBJHEAP_IOC_GC_GARBAGE:
		return ioctl_gc_queue(heap, OBJHEAP_QUEUE_GARBAGE, uarg);
	case OBJHEAP_IOC_GC_FINALIZE:
		return ioctl_gc_queue(heap, OBJHEAP_QUEUE_FINALIZE, uarg);
	case OBJHEAP_IOC_WEAK_CALLBACKS:
		return ioctl_gc_queue(heap, OBJHEAP_QUEUE_CALLBACKS, uarg);
	case OBJHEAP_IOC_GC_OBJECTS:
	case OBJHEAP_IOC_GC_REFERRERS:
		return ioctl_gc_objects(heap, cmd, uarg);
	case OBJHEAP_IOC_HEAP_STATS:
		return ioctl_heap_stats(heap, uarg);
	case OBJHEAP_IOC_GET_EVENT_FORMAT:
	case OBJHEAP_IOC_SET_EVENT_FORMAT:
		return ioctl_event_format(heap, cmd, uarg);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_KUNIT(objheap_ioctl);
