// SPDX-License-Identifier: GPL-2.0
/*
 * ohctl: look at objheap from the shell.
 *
 *   ohctl stat [--json]   module totals (debugfs stats, gc and pools)
 *   ohctl gc [collect]    the collector's generations; collect every heap
 *   ohctl top [-n N] [-d SECONDS]
 *                         open heaps by bytes, refreshed (N rounds)
 *   ohctl demo            lists, cycles, weak references, a finalizer and
 *                         the collector, step by step
 *   ohctl graph           DOT (graphviz) of an object graph it builds
 *
 * stat, gc and top read /sys/kernel/debug/objheap (root, debugfs mounted;
 * OHEAP_DEBUGFS overrides the path); demo and graph use /dev/objheap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liboheap/oheap.h"
#include "ohtool.h"

#define MAX_HEAPS	4096
#define GRAPH_MAX	1024
/* Rounds of the demo's workload, 50 ms apart: something for ohprof. */
#define ROUNDS		20

static const char *prog = "ohctl";

static int print_usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s COMMAND [ARGS]\n"
		"  stat [--json]          module totals from debugfs\n"
		"  gc [collect]           collector statistics per generation;\n"
		"                         'collect' runs a full collection of every heap\n"
		"  top [-n N] [-d SECS]   open heaps by bytes, refreshed every SECS\n"
		"                         (default 1) for N rounds (default: until ^C)\n"
		"  demo                   build lists, cycles, a weak reference and a\n"
		"                         finalizer; watch counting and the collector\n"
		"  graph                  print an object graph as DOT (graphviz)\n"
		"'%s COMMAND --help' describes one command.\n", prog, prog);
	return status;
}

static int debugfs_error(const char *file)
{
	ohtool_debugfs_explain(prog, file);
	return 1;
}

static FILE *open_debugfs(const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", ohtool_debugfs_dir(), file);
	return fopen(path, "r");
}

static int device_error(void)
{
	if (errno == ENOENT)
		fprintf(stderr,
			"%s: /dev/objheap: no such device (is the objheap module loaded?)\n",
			prog);
	else
		fprintf(stderr, "%s: /dev/objheap: %s\n", prog, strerror(errno));
	return 1;
}

/* Print a "key: value" file, as text or as JSON members. */
static int print_keys(FILE *f, int json, int *first)
{
	char line[512], *colon;

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (json)
			printf("%s\n  \"%s\": %s", *first ? "" : ",", line,
			       colon + 2);
		else
			printf("%-16s %s\n", line, colon + 2);
		*first = 0;
	}
	return 0;
}

/* Print a table file: as text, or as a JSON array of objects. */
static void print_table(FILE *f, const char *name, int json)
{
	char line[1024], *cols[32], *tok, *save;
	int ncols = 0, row = 0, i;

	if (json)
		printf(",\n  \"%s\": [", name);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#') {
			if (ncols)
				continue;
			for (tok = strtok_r(line + 1, " ", &save);
			     tok && ncols < 32; tok = strtok_r(NULL, " ", &save))
				cols[ncols++] = strdup(tok);
			if (!json) {
				for (i = 0; i < ncols; i++)
					printf("%s%s", i ? " " : "", cols[i]);
				printf("\n");
			}
			continue;
		}
		if (!json) {
			printf("%s\n", line);
			continue;
		}
		printf("%s\n    {", row++ ? "," : "");
		i = 0;
		for (tok = strtok_r(line, " ", &save); tok && i < ncols;
		     tok = strtok_r(NULL, " ", &save), i++)
			printf("%s\"%s\": %s%s%s", i ? ", " : "", cols[i],
			       strspn(tok, "0123456789") == strlen(tok) ? "" : "\"",
			       tok,
			       strspn(tok, "0123456789") == strlen(tok) ? "" : "\"");
		printf("}");
	}
	if (json)
		printf("\n  ]");
	for (i = 0; i < ncols; i++)
		free(cols[i]);
}

static int cmd_stat(int argc, char **argv)
{
	int json = 0, first = 1;
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s stat [--json]\n"
		       "Module-wide totals (debugfs objheap/stats), the collector per\n"
		       "generation (gc) and the size classes (pools); --json prints one\n"
		       "JSON object with the stats keys and arrays \"gc\" and \"pools\".\n",
		       prog);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--json"))
		json = 1;
	else if (argc > 1)
		return print_usage(stderr, 2);

	f = open_debugfs("stats");
	if (!f)
		return debugfs_error("stats");
	if (json)
		printf("{");
	print_keys(f, json, &first);
	fclose(f);
	if (!json)
		printf("\n");
	f = open_debugfs("gc");
	if (!f)
		return debugfs_error("gc");
	print_table(f, "gc", json);
	fclose(f);
	if (!json)
		printf("\n");
	f = open_debugfs("pools");
	if (!f)
		return debugfs_error("pools");
	print_table(f, "pools", json);
	fclose(f);
	if (json)
		printf("\n}\n");
	return 0;
}

static int cmd_gc(int argc, char **argv)
{
	char path[512];
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s gc [collect]\n"
		       "The collector's statistics per generation, over all heaps\n"
		       "(debugfs objheap/gc). 'collect' first runs a full collection of\n"
		       "every heap (writes \"collect\" to objheap/control).\n", prog);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "collect")) {
		snprintf(path, sizeof(path), "%s/control", ohtool_debugfs_dir());
		f = fopen(path, "w");
		if (!f)
			return debugfs_error("control");
		if (fputs("collect\n", f) < 0 || fclose(f)) {
			fprintf(stderr, "%s: %s: %s\n", prog, path,
				strerror(errno));
			return 1;
		}
	} else if (argc > 1) {
		return print_usage(stderr, 2);
	}
	f = open_debugfs("gc");
	if (!f)
		return debugfs_error("gc");
	print_table(f, "gc", 0);
	fclose(f);
	return 0;
}

static int cmp_bytes(const void *a, const void *b)
{
	const struct ohtool_heap_row *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static int cmd_top(int argc, char **argv)
{
	static struct ohtool_heap_row rows[MAX_HEAPS];
	int rounds = -1, delay = 1, opt, n, i;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s top [-n ROUNDS] [-d SECONDS]\n"
		       "Open heaps, most bytes first, from debugfs objheap/heaps/*/info;\n"
		       "redrawn every SECONDS (1) for ROUNDS rounds (until interrupted).\n",
		       prog);
		return 0;
	}
	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		if (opt == 'n')
			rounds = atoi(optarg);
		else if (opt == 'd')
			delay = atoi(optarg);
		else
			return print_usage(stderr, 2);
	}
	while (rounds) {
		n = ohtool_debugfs_heaps(rows, MAX_HEAPS);
		if (n < 0)
			return debugfs_error("heaps");
		qsort(rows, n, sizeof(rows[0]), cmp_bytes);
		if (rounds != 1 && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		printf("%6s %7s %-15s %10s %12s %12s %8s %6s\n", "HEAP", "PID",
		       "COMMAND", "OBJECTS", "BYTES", "PEAK", "HANDLES", "GCS");
		for (i = 0; i < n; i++)
			printf("%6llu %7llu %-15s %10llu %12llu %12llu %8llu %6llu\n",
			       rows[i].id, rows[i].pid, rows[i].comm,
			       rows[i].objects, rows[i].bytes, rows[i].peak_bytes,
			       rows[i].handles, rows[i].collections);
		fflush(stdout);
		if (rounds > 0)
			rounds--;
		if (rounds)
			sleep(delay);
	}
	return 0;
}

static int check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
		exit(1);
	}
	return 0;
}

static __u32 obj(int fd, __u32 type, __u32 nslots, __u32 size)
{
	__u32 h;

	check(oheap_new(fd, type, nslots, size, &h), "NEW");
	return h;
}

static void show(int fd, const char *name, __u32 h)
{
	struct objheap_info info;

	check(oheap_info(fd, h, &info), "INFO");
	printf("  %-5s refcount %u, type %u, %u slots, %u payload bytes, generation %d\n",
	       name, info.refcount, info.type, info.nslots, info.size,
	       (int)info.generation);
}

static void show_heap(int fd, const char *when)
{
	struct objheap_heap_stats st;

	check(oheap_heap_stats(fd, &st), "HEAP_STATS");
	printf("  heap %s: %llu objects, %llu bytes\n", when,
	       (unsigned long long)st.objects, (unsigned long long)st.bytes);
}

static void run_collect(int fd, unsigned int gen)
{
	struct objheap_gc_collect c;

	check(oheap_collect(fd, gen, &c), "GC_COLLECT");
	printf("  collect(%u): scanned %llu, collected %llu, freed %llu, in %llu us\n",
	       gen, (unsigned long long)c.scanned,
	       (unsigned long long)c.collected, (unsigned long long)c.freed,
	       (unsigned long long)c.time_ns / 1000);
}

/* The ABI 1.6 part of the demo: a weak reference dies, a finalizer resurrects. */
static void demo_finalize(int fd)
{
	struct objheap_gc_collect c;
	struct objheap_info info;
	__u32 x, w, d, f, g, keep, got, done;

	printf("\nweakref.ref(x, callback), then x dies by reference counting\n");
	x = obj(fd, 6, 1, 0);
	check(oheap_weakref(fd, x, 7, OBJHEAP_WEAK_CALLBACK, &w), "WEAKREF");
	check(oheap_deref(fd, w, &d), "DEREF");
	printf("  w() gives x back: %s\n", d ? "a new handle to x" : "nothing");
	check(oheap_drop(fd, d), "DROP");
	check(oheap_drop(fd, x), "DROP");
	check(oheap_deref(fd, w, &d), "DEREF");
	printf("  x dropped: w() gives %s\n", d ? "x (wrong!)" : "nothing, w is dead");
	check(oheap_weak_callbacks(fd, &got, 1, &done, NULL), "WEAK_CALLBACKS");
	printf("  callbacks due: %u (the callback gets w: %s)\n", done,
	       done ? "yes" : "no");
	if (done)
		check(oheap_drop(fd, got), "DROP");
	check(oheap_drop(fd, w), "DROP");

	printf("\nf <-> g, f with a finalizer (__del__), both dropped, then collect(2)\n");
	f = 0;
	check(oheap_new_flags(fd, 8, 1, 0, OBJHEAP_NEW_FINALIZABLE, &f), "NEW");
	g = obj(fd, 8, 1, 0);
	keep = obj(fd, 9, 1, 0);
	check(oheap_set(fd, f, 0, g), "SET");
	check(oheap_set(fd, g, 0, f), "SET");
	check(oheap_drop(fd, f), "DROP");
	check(oheap_drop(fd, g), "DROP");
	check(oheap_collect(fd, 2, &c), "GC_COLLECT");
	printf("  collect(2): collected %llu, uncollectable %llu: they wait for f's finalizer\n",
	       (unsigned long long)c.collected, (unsigned long long)c.uncollectable);
	check(oheap_gc_finalize(fd, &got, 1, &done, NULL), "GC_FINALIZE");
	printf("  f's finalizer runs (%u to finalize) and resurrects f: keep.slot[0] = f\n",
	       done);
	check(oheap_set(fd, keep, 0, got), "SET");
	check(oheap_info(fd, got, &info), "INFO");
	printf("  f: refcount %u, %s\n", info.refcount,
	       info.flags & OBJHEAP_INFO_FINALIZED ? "finalized" : "not finalized");
	check(oheap_drop(fd, got), "DROP");
	run_collect(fd, 2);
	printf("  keep.slot[0] = None: f and g are garbage again; f is not finalized twice\n");
	check(oheap_set(fd, keep, 0, 0), "SET");
	run_collect(fd, 2);
	check(oheap_gc_finalize(fd, &got, 1, &done, NULL), "GC_FINALIZE");
	printf("  left to finalize: %u\n", done);
	check(oheap_drop(fd, keep), "DROP");
	show_heap(fd, "after the finalizer");
}

static void show_event(const struct objheap_gc_event *ev)
{
	printf("  event #%llu: generation %u, reason %s, collected %llu, pause %llu us\n",
	       (unsigned long long)ev->seq, ev->generation,
	       ev->reason == OBJHEAP_GC_REASON_THRESHOLD ? "threshold" : "other",
	       (unsigned long long)ev->collected,
	       (unsigned long long)ev->pause_ns / 1000);
}

static int cmd_demo(int argc, char **argv)
{
	static __u32 kept[ROUNDS * 100];
	struct objheap_gc_params p;
	struct objheap_gc_event ev[8];
	struct objheap_version ver;
	__u32 list, s1, a, b, h;
	int fd, i, r, seen = 0;
	ssize_t n;

	if (argc > 1) {
		printf("usage: %s demo\nBuilds a list, cycles, a weak reference and a\n"
		       "finalizable object in a new heap and shows reference counting,\n"
		       "weak references, a finalizer and the cycle collector at work.\n",
		       prog);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	fd = oheap_open();
	if (fd < 0)
		return device_error();
	/* Records that say their size (a module before ABI 1.4: fixed ones). */
	if (oheap_set_event_format(fd, OBJHEAP_EVENTS_SIZED) && errno != ENOTTY)
		check(-1, "SET_EVENT_FORMAT");
	printf("list = [s1, s1]: a 2-slot container holding one string twice\n");
	list = obj(fd, 1, 2, 0);
	s1 = obj(fd, 2, 0, 6);
	check(oheap_write(fd, s1, 0, "hello", 6), "WRITE");
	check(oheap_set(fd, list, 0, s1), "SET");
	check(oheap_set(fd, list, 1, s1), "SET");
	show(fd, "list", list);
	show(fd, "s1", s1);
	printf("drop s1's handle, then the list: counting frees both\n");
	check(oheap_drop(fd, s1), "DROP");
	check(oheap_drop(fd, list), "DROP");
	show_heap(fd, "after the drops");

	printf("\na <-> b, then drop both handles: a cycle counting cannot free\n");
	a = obj(fd, 3, 1, 0);
	b = obj(fd, 3, 1, 0);
	check(oheap_set(fd, a, 0, b), "SET");
	check(oheap_set(fd, b, 0, a), "SET");
	show(fd, "a", a);
	check(oheap_drop(fd, a), "DROP");
	check(oheap_drop(fd, b), "DROP");
	show_heap(fd, "with the cycle unreachable");
	run_collect(fd, 0);
	show_heap(fd, "after the collection");
	check(oheap_version(fd, &ver), "VERSION");
	if (ver.features & OBJHEAP_FEAT_FINALIZE)
		demo_finalize(fd);
	else
		printf("\n(weak references and finalizers need ABI 1.6: skipped)\n");

	printf("\nthreshold 100; %d rounds of 300 garbage self-loops and 100 kept objects:\n",
	       ROUNDS);
	printf("the workqueue collects, the heap grows by what is kept\n");
	check(oheap_gc_get_params(fd, &p), "GC_GET_PARAMS");
	p.threshold[0] = 100;
	check(oheap_gc_set_params(fd, &p), "GC_SET_PARAMS");
	while (oheap_gc_events(fd, ev, 8, 0) > 0)
		;
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < 300; i++) {
			h = obj(fd, 4, 1, 0);
			check(oheap_set(fd, h, 0, h), "SET");
			check(oheap_drop(fd, h), "DROP");
		}
		for (i = 0; i < 100; i++)
			kept[r * 100 + i] = obj(fd, 5, 1, 32);
		usleep(50 * 1000);
		while ((n = oheap_gc_events(fd, ev, 8, 0)) > 0)
			for (i = 0; i < n; i++, seen++)
				if (seen < 3)
					show_event(&ev[i]);
	}
	printf("  ... %d collections reported by the event stream\n", seen);
	show_heap(fd, "with the kept objects");
	for (i = 0; i < ROUNDS * 100; i++)
		check(oheap_drop(fd, kept[i]), "DROP");
	run_collect(fd, 2);
	show_heap(fd, "at the end");
	close(fd);
	return 0;
}

/* Breadth-first from @roots, one DOT node per object, one edge per slot. */
static int cmd_graph(int argc, char **argv)
{
	static __u64 ids[GRAPH_MAX];
	static __u32 queue[GRAPH_MAX];
	struct objheap_info info, cinfo;
	__u32 roots[2], a, b, c, leaf, child, slot;
	int fd, head = 0, tail = 0, nids = 0, i, seen;

	if (argc > 1) {
		printf("usage: %s graph\nBuilds a small object graph (a list, a cycle, a\n"
		       "shared leaf) and prints it as DOT: %s graph | dot -Tsvg > g.svg\n",
		       prog, prog);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	fd = oheap_open();
	if (fd < 0)
		return device_error();
	roots[0] = obj(fd, 1, 3, 0);
	a = obj(fd, 2, 1, 0);
	b = obj(fd, 2, 2, 0);
	c = obj(fd, 2, 1, 0);
	leaf = obj(fd, 3, 0, 16);
	check(oheap_set(fd, roots[0], 0, a), "SET");
	check(oheap_set(fd, roots[0], 1, leaf), "SET");
	check(oheap_set(fd, a, 0, b), "SET");
	check(oheap_set(fd, b, 0, c), "SET");
	check(oheap_set(fd, b, 1, leaf), "SET");
	check(oheap_set(fd, c, 0, a), "SET");
	roots[1] = leaf;

	printf("digraph objheap {\n  node [shape=box];\n");
	for (i = 0; i < 2; i++) {
		check(oheap_dup(fd, roots[i], &queue[tail++]), "DUP");
		check(oheap_info(fd, roots[i], &info), "INFO");
		ids[nids++] = info.id;
		printf("  handle%d [shape=plaintext];\n  handle%d -> \"%016llx\";\n",
		       i, i, (unsigned long long)info.id);
	}
	while (head < tail) {
		__u32 h = queue[head++];

		check(oheap_info(fd, h, &info), "INFO");
		printf("  \"%016llx\" [label=\"type %u\\n%u slots, %u bytes\\nrefcount %u\"];\n",
		       (unsigned long long)info.id, info.type, info.nslots,
		       info.size, info.refcount);
		for (slot = 0; slot < info.nslots; slot++) {
			check(oheap_get(fd, h, slot, &child), "GET");
			if (!child)
				continue;
			check(oheap_info(fd, child, &cinfo), "INFO");
			printf("  \"%016llx\" -> \"%016llx\" [label=\"%u\"];\n",
			       (unsigned long long)info.id,
			       (unsigned long long)cinfo.id, slot);
			for (seen = 0, i = 0; i < nids; i++)
				seen |= ids[i] == cinfo.id;
			if (!seen && nids < GRAPH_MAX) {
				ids[nids++] = cinfo.id;
				queue[tail++] = child;
			} else {
				check(oheap_drop(fd, child), "DROP");
			}
		}
		check(oheap_drop(fd, h), "DROP");
	}
	printf("}\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return print_usage(stderr, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return print_usage(stdout, 0);
	if (!strcmp(argv[1], "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "gc"))
		return cmd_gc(argc - 1, argv + 1);
	if (!strcmp(argv[1], "top"))
		return cmd_top(argc - 1, argv + 1);
	if (!strcmp(argv[1], "demo"))
		return cmd_demo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "graph"))
		return cmd_graph(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return print_usage(stderr, 2);
}
