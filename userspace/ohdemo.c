// SPDX-License-Identifier: GPL-2.0
/*
 * ohdemo: a short tour of /dev/objheap, printed step by step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/objheap.h>

#define DEV		"/dev/objheap"
#define STATS		"/sys/kernel/debug/objheap/stats"

static int fd;

static void show_stats(const char *when)
{
	char line[256];
	FILE *f = fopen(STATS, "r");

	printf("  debugfs stats %s:", when);
	if (!f) {
		printf(" (%s: %s)\n", STATS, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		printf("  [%s]", line);
	}
	printf("\n");
	fclose(f);
}

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "ohdemo: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static __u32 new_obj(__u32 type, __u32 nslots, __u32 size)
{
	struct objheap_op op = { .type = type, .count = nslots, .size = size };

	check(ioctl(fd, OBJHEAP_IOC_NEW, &op), "NEW");
	return op.handle;
}

static void set_slot(__u32 h, __u32 slot, __u32 ref)
{
	struct objheap_op op = { .handle = h, .index = slot, .ref = ref };

	check(ioctl(fd, OBJHEAP_IOC_SET, &op), "SET");
}

static void drop(__u32 h)
{
	struct objheap_op op = { .handle = h };

	check(ioctl(fd, OBJHEAP_IOC_DROP, &op), "DROP");
}

static void collect(__u32 gen)
{
	struct objheap_gc_collect c = { .generation = gen };

	check(ioctl(fd, OBJHEAP_IOC_GC_COLLECT, &c), "GC_COLLECT");
	printf("  GC_COLLECT(%u): scanned %llu, collected %llu, freed %llu, saved %llu,",
	       gen, (unsigned long long)c.scanned,
	       (unsigned long long)c.collected, (unsigned long long)c.freed,
	       (unsigned long long)c.saved);
	printf(" in %llu us\n", (unsigned long long)c.time_ns / 1000);
}

static void gc_stats(struct objheap_gc_stats *st)
{
	check(ioctl(fd, OBJHEAP_IOC_GC_STATS, st), "GC_STATS");
}

static void show_gc(void)
{
	struct objheap_gc_stats st;
	int g;

	gc_stats(&st);
	printf("  gc: count %u/%u/%u, tracked %llu/%llu/%llu,",
	       st.count[0], st.count[1], st.count[2],
	       (unsigned long long)st.tracked[0],
	       (unsigned long long)st.tracked[1],
	       (unsigned long long)st.tracked[2]);
	printf(" frozen %llu, garbage %llu, automatic %llu\n",
	       (unsigned long long)st.frozen, (unsigned long long)st.garbage,
	       (unsigned long long)st.automatic);
	for (g = 0; g < OBJHEAP_GC_GENERATIONS; g++)
		printf("      gen%d: %llu collections, %llu collected, longest pause %llu us\n",
		       g, (unsigned long long)st.gen[g].collections,
		       (unsigned long long)st.gen[g].collected,
		       (unsigned long long)st.gen[g].pause_max_ns / 1000);
}

static void set_gc(__u32 flags, __u32 t0)
{
	struct objheap_gc_params p;

	check(ioctl(fd, OBJHEAP_IOC_GC_GET_PARAMS, &p), "GC_GET_PARAMS");
	p.flags = flags;
	p.threshold[0] = t0;
	check(ioctl(fd, OBJHEAP_IOC_GC_SET_PARAMS, &p), "GC_SET_PARAMS");
}

static void self_loop(__u32 type)
{
	__u32 h = new_obj(type, 1, 0);

	set_slot(h, 0, h);
	drop(h);
}

static void show(const char *name, __u32 h)
{
	struct objheap_info info = { .handle = h };

	check(ioctl(fd, OBJHEAP_IOC_INFO, &info), "INFO");
	printf("  %-6s handle %u: refcount %u, type %u, %u slots, %u payload bytes,",
	       name, h, info.refcount, info.type, info.nslots, info.size);
	printf(" %u bytes in the %u-byte pool\n", info.alloc_size, info.size_class);
}

int main(void)
{
	struct objheap_version ver;
	struct objheap_gc_stats st;
	__u32 list, s1, s2, a, b, saved[4];
	struct objheap_gc_garbage g = {
		.handles = (__u64)(uintptr_t)saved, .count = 4,
	};
	int other, i;

	show_stats("before any open");
	fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ohdemo: %s: %s (is the objheap module loaded?)\n",
			DEV, strerror(errno));
		return 1;
	}
	check(ioctl(fd, OBJHEAP_IOC_VERSION, &ver), "VERSION");
	printf("opened %s: a private heap, ABI %u.%u\n", DEV, ver.major, ver.minor);

	printf("\nlist = [s1, s2, s1]: a 3-slot container and two payload objects\n");
	list = new_obj(1, 3, 0);
	s1 = new_obj(2, 0, 6);
	s2 = new_obj(2, 0, 100);
	struct objheap_op w = { .handle = s1, .count = 6,
				.buf = (__u64)(uintptr_t)"hello" };
	check(ioctl(fd, OBJHEAP_IOC_WRITE, &w), "WRITE");
	set_slot(list, 0, s1);
	set_slot(list, 1, s2);
	set_slot(list, 2, s1);
	show("list", list);
	show("s1", s1);
	show("s2", s2);
	show_stats("with 3 objects");

	printf("\ndrop the handles of s1 and s2: the list still holds them\n");
	drop(s1);
	drop(s2);
	show_stats("after dropping s1, s2");
	printf("drop the list: reference counting frees all three\n");
	drop(list);
	show_stats("after dropping the list");

	printf("\na <-> b: a two-object cycle, then drop both handles\n");
	a = new_obj(3, 1, 0);
	b = new_obj(3, 1, 0);
	set_slot(a, 0, b);
	set_slot(b, 0, a);
	show("a", a);
	drop(a);
	drop(b);
	show_stats("after dropping a and b");
	printf("counting cannot free a cycle: the cycle collector does\n");
	collect(0);
	show_stats("after the collection");

	printf("\nautomatic collection: threshold 100, then 1000 garbage self-loops\n");
	set_gc(OBJHEAP_GC_ENABLED, 100);
	for (i = 0; i < 1000; i++)
		self_loop(4);
	for (i = 0; i < 600; i++) {
		gc_stats(&st);
		if (st.automatic && !(st.state & OBJHEAP_GC_PENDING))
			break;
		usleep(50000);
	}
	printf("  the workqueue ran the collections, not our ioctls:\n");
	show_gc();
	collect(2);

	printf("\nfreeze: a frozen garbage cycle survives every collection\n");
	self_loop(5);
	check(ioctl(fd, OBJHEAP_IOC_GC_FREEZE), "GC_FREEZE");
	collect(2);
	check(ioctl(fd, OBJHEAP_IOC_GC_UNFREEZE), "GC_UNFREEZE");
	printf("  unfrozen:\n");
	collect(2);

	printf("\nsave-all (gc.DEBUG_SAVEALL): garbage is kept and handed back\n");
	set_gc(OBJHEAP_GC_SAVEALL, 700);
	a = new_obj(6, 1, 0);
	b = new_obj(6, 1, 0);
	set_slot(a, 0, b);
	set_slot(b, 0, a);
	drop(a);
	drop(b);
	collect(0);
	check(ioctl(fd, OBJHEAP_IOC_GC_GARBAGE, &g), "GC_GARBAGE");
	printf("  GC_GARBAGE: %u handles back, %u left\n", g.done, g.left);
	for (i = 0; i < (int)g.done; i++)
		show("saved", saved[i]);
	set_gc(0, 700);
	for (i = 0; i < (int)g.done; i++)
		drop(saved[i]);
	collect(2);

	other = open(DEV, O_RDWR | O_CLOEXEC);
	check(other < 0, "second open");
	printf("\nopened %s again: a second, separate heap\n", DEV);
	show_stats("with two heaps open");
	close(other);
	close(fd);
	printf("closed both heaps\n");
	show_stats("after close");
	return 0;
}
