// SPDX-License-Identifier: GPL-2.0
/*
 * ohdemo: a short tour of /dev/objheap, printed step by step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/objheap.h>

#define DEV		"/dev/objheap"
#define STATS		"/sys/kernel/debug/objheap/stats"

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

int main(void)
{
	struct objheap_version ver;
	int a, b;

	show_stats("before any open");
	a = open(DEV, O_RDWR | O_CLOEXEC);
	if (a < 0) {
		fprintf(stderr, "ohdemo: %s: %s (is the objheap module loaded?)\n",
			DEV, strerror(errno));
		return 1;
	}
	if (ioctl(a, OBJHEAP_IOC_VERSION, &ver)) {
		perror("ohdemo: OBJHEAP_IOC_VERSION");
		return 1;
	}
	printf("opened %s: heap #1, ABI %u.%u, features %#x\n", DEV,
	       ver.major, ver.minor, ver.features);

	b = open(DEV, O_RDWR | O_CLOEXEC);
	if (b < 0) {
		perror("ohdemo: second open");
		return 1;
	}
	printf("opened %s again: heap #2 (each open is a private heap)\n", DEV);
	show_stats("with two heaps open");

	close(a);
	close(b);
	printf("closed both: their heaps are freed\n");
	show_stats("after close");
	return 0;
}
