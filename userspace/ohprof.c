// SPDX-License-Identifier: GPL-2.0
/*
 * ohprof: memory of objheap heaps over time, after memory_profiler's mprof.
 *
 *   ohprof run [-i SECONDS] [-o FILE] CMD [ARGS...]
 *       runs CMD and samples the heaps it opens (debugfs objheap/heaps/,
 *       root) every SECONDS (0.1) into a CSV file (ohprof_<time>.csv)
 *   ohprof plot [-o OUT.png|OUT.svg] [FILE]
 *       renders FILE (the newest ohprof_*.csv) with gnuplot: bytes and peak
 *       over time, each collection marked
 *
 * The CSV: a "# ohprof 1 ..." comment line, a header line, then
 * time_s,heaps,objects,bytes,peak_bytes,collections,new_collections.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "liboheap/oheap.h"
#include "ohtool.h"

#define MAX_HEAPS	4096

static const char *prog = "ohprof";

static int print_usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s run [-i SECONDS] [-o FILE] CMD [ARGS...]\n"
		"       %s plot [-o OUT.png|OUT.svg] [FILE]\n"
		"run samples the objheap heaps CMD opens (debugfs, root) into a CSV;\n"
		"plot renders one with gnuplot, collections marked.\n", prog, prog);
	return status;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct sample {
	unsigned long long heaps, objects, bytes, peak, collections;
};

/* Sum the heaps opened by process @pid; -1 if debugfs cannot be read. */
static int take_sample(pid_t pid, struct sample *s)
{
	static struct ohtool_heap_row rows[MAX_HEAPS];
	int n = ohtool_debugfs_heaps(rows, MAX_HEAPS), i;

	memset(s, 0, sizeof(*s));
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (rows[i].pid != (unsigned long long)pid)
			continue;
		s->heaps++;
		s->objects += rows[i].objects;
		s->bytes += rows[i].bytes;
		s->peak += rows[i].peak_bytes;
		s->collections += rows[i].collections;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	unsigned long long last_colls = 0, total = 0, samples = 0;
	const char *out = NULL;
	char name[64];
	double interval = 0.1, t0;
	struct sample s;
	int opt, status;
	pid_t child;
	FILE *f;

	while ((opt = getopt(argc, argv, "+i:o:h")) != -1) {
		if (opt == 'i')
			interval = atof(optarg);
		else if (opt == 'o')
			out = optarg;
		else
			return print_usage(opt == 'h' ? stdout : stderr,
					   opt == 'h' ? 0 : 2);
	}
	if (optind >= argc || interval <= 0)
		return print_usage(stderr, 2);
	if (take_sample(getpid(), &s)) {
		ohtool_debugfs_explain(prog, "heaps");
		return 1;
	}
	if (!out) {
		snprintf(name, sizeof(name), "ohprof_%ld.csv", (long)time(NULL));
		out = name;
	}
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, out, strerror(errno));
		return 1;
	}
	fprintf(f, "# ohprof 1, command: %s\n", argv[optind]);
	fprintf(f, "time_s,heaps,objects,bytes,peak_bytes,collections,new_collections\n");

	t0 = now();
	child = fork();
	if (child < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return 1;
	}
	if (!child) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind],
			strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid_t done = waitpid(child, &status, WNOHANG);

		/* A heap closes with its process: the last sample reads 0. */
		take_sample(child, &s);
		/* Totals only grow; a heap closing takes its count along. */
		if (s.collections > last_colls)
			total += s.collections - last_colls;
		fprintf(f, "%.3f,%llu,%llu,%llu,%llu,%llu,%llu\n", now() - t0,
			s.heaps, s.objects, s.bytes, s.peak, total,
			s.collections > last_colls ? s.collections - last_colls : 0);
		last_colls = s.collections;
		samples++;
		if (done == child)
			break;
		usleep(interval * 1e6);
	}
	fclose(f);
	fprintf(stderr, "%s: %llu samples in %s\n", prog, samples, out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The newest ohprof_*.csv in the current directory. */
static int newest_csv(char *buf, size_t size)
{
	long best = -1, t;
	struct dirent *d;
	DIR *dir = opendir(".");

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (sscanf(d->d_name, "ohprof_%ld.csv", &t) == 1 && t > best) {
			best = t;
			snprintf(buf, size, "%s", d->d_name);
		}
	closedir(dir);
	return best < 0 ? -1 : 0;
}

static int cmd_plot(int argc, char **argv)
{
	char in[256], out[300], *dot;
	const char *outarg = NULL, *term, *title;
	int opt, ret;
	FILE *g;

	while ((opt = getopt(argc, argv, "o:h")) != -1) {
		if (opt == 'o')
			outarg = optarg;
		else
			return print_usage(opt == 'h' ? stdout : stderr,
					   opt == 'h' ? 0 : 2);
	}
	if (optind < argc) {
		snprintf(in, sizeof(in), "%s", argv[optind]);
	} else if (newest_csv(in, sizeof(in))) {
		fprintf(stderr, "%s: no ohprof_*.csv here; name one\n", prog);
		return 2;
	}
	if (access(in, R_OK)) {
		fprintf(stderr, "%s: %s: %s\n", prog, in, strerror(errno));
		return 1;
	}
	if (outarg) {
		snprintf(out, sizeof(out), "%s", outarg);
	} else {
		snprintf(out, sizeof(out), "%s", in);
		dot = strrchr(out, '.');
		if (dot)
			*dot = '\0';
		strcat(out, ".png");	/* room: out is longer than in */
	}
	title = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
	dot = strrchr(out, '.');
	term = dot && !strcmp(dot, ".svg") ?
		"svg size 1000,500 dynamic" : "pngcairo size 1000,500";

	g = popen("gnuplot", "w");
	if (!g) {
		fprintf(stderr, "%s: gnuplot: %s (apt-get install gnuplot-nox)\n",
			prog, strerror(errno));
		return 1;
	}
	fprintf(g,
		"set terminal %s\n"
		"set output '%s'\n"
		"set datafile separator ','\n"
		"set key top left\n"
		"set title 'objheap memory over time (%s)'\n"
		"set xlabel 'time (s)'\n"
		"set ylabel 'KiB'\n"
		"set y2label 'collections'\n"
		"set y2tics\n"
		"set grid\n"
		"plot '%s' using 1:($4/1024) skip 2 with lines lw 2 title 'bytes', \\\n"
		"     '' using 1:($5/1024) skip 2 with lines dt 2 title 'peak bytes', \\\n"
		"     '' using 1:($7 > 0 ? $6 : 1/0) skip 2 axes x1y2 with impulses lw 1 title 'collections'\n",
		term, out, title, in);
	ret = pclose(g);
	if (ret) {
		fprintf(stderr,
			"%s: gnuplot failed (is gnuplot installed? apt-get install gnuplot-nox)\n",
			prog);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return print_usage(stderr, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return print_usage(stdout, 0);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plot"))
		return cmd_plot(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return print_usage(stderr, 2);
}
