/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of objheap (system "objheap"): the start and end of every
 * collection. Enable them in tracefs (events/objheap/), with trace-cmd
 * (trace-cmd record -e objheap) or perf (perf record -e 'objheap:*').
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM objheap

#if !defined(OBJHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define OBJHEAP_TRACE_H

#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(OBJHEAP_GC_REASON_THRESHOLD);
TRACE_DEFINE_ENUM(OBJHEAP_GC_REASON_IOCTL);
TRACE_DEFINE_ENUM(OBJHEAP_GC_REASON_DEBUGFS);

#define objheap_show_reason(r)						\
	__print_symbolic(r,						\
			 { OBJHEAP_GC_REASON_THRESHOLD, "threshold" },	\
			 { OBJHEAP_GC_REASON_IOCTL, "ioctl" },		\
			 { OBJHEAP_GC_REASON_DEBUGFS, "debugfs" })

TRACE_EVENT(objheap_gc_start,
	    TP_PROTO(u64 heap, unsigned int generation, unsigned int reason,
		     u64 young),
	    TP_ARGS(heap, generation, reason, young),
	    TP_STRUCT__entry(__field(u64, heap)
			     __field(unsigned int, generation)
			     __field(unsigned int, reason)
			     __field(u64, young)),
	    TP_fast_assign(__entry->heap = heap;
			   __entry->generation = generation;
			   __entry->reason = reason;
			   __entry->young = young;),
	    TP_printk("heap=%llu generation=%u reason=%s objects=%llu",
		      __entry->heap, __entry->generation,
		      objheap_show_reason(__entry->reason), __entry->young)
);

TRACE_EVENT(objheap_gc_end,
	    TP_PROTO(u64 heap, unsigned int generation, unsigned int reason,
		     u64 scanned, u64 collected, u64 freed, u64 pause_ns),
	    TP_ARGS(heap, generation, reason, scanned, collected, freed,
		    pause_ns),
	    TP_STRUCT__entry(__field(u64, heap)
			     __field(unsigned int, generation)
			     __field(unsigned int, reason)
			     __field(u64, scanned)
			     __field(u64, collected)
			     __field(u64, freed)
			     __field(u64, pause_ns)),
	    TP_fast_assign(__entry->heap = heap;
			   __entry->generation = generation;
			   __entry->reason = reason;
			   __entry->scanned = scanned;
			   __entry->collected = collected;
			   __entry->freed = freed;
			   __entry->pause_ns = pause_ns;),
	    TP_printk("heap=%llu generation=%u reason=%s scanned=%llu collected=%llu freed=%llu pause_ns=%llu",
		      __entry->heap, __entry->generation,
		      objheap_show_reason(__entry->reason), __entry->scanned,
		      __entry->collected, __entry->freed, __entry->pause_ns)
);

#endif /* OBJHEAP_TRACE_H */

/* Out of tree: define_trace.h finds this file through the -I of Kbuild. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE objheap_trace
#include <trace/define_trace.h>
