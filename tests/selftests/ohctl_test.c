// SPDX-License-Identifier: GPL-2.0
/*
 * ohctl, the command-line tool: each command's output checked against the
 * kernel's own numbers, its exit status, and its errors.
 */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define OHCTL	"/bin/ohctl"

/* Run a shell command; its stdout (and stderr) in @out. Exit status. */
static int run(const char *cmd, char *out, size_t size)
{
	size_t len = 0, n;
	FILE *p = popen(cmd, "r");
	int status;

	if (!p)
		return -1;
	while (len + 1 < size && (n = fread(out + len, 1, size - 1 - len, p)))
		len += n;
	out[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (s = strstr(s, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

FIXTURE(ohctl) {
	int fd;
	char out[65536];
};

FIXTURE_SETUP(ohctl)
{
	ASSERT_EQ(0, access(OHCTL, X_OK)) TH_LOG("%s is needed", OHCTL);
	self->fd = open(OBJHEAP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ohctl)
{
	close(self->fd);
}

TEST_F(ohctl, help_and_usage_errors)
{
	static const char * const cmds[] = { "stat", "gc", "top", "demo", "graph" };
	char cmd[64];
	unsigned int i;

	EXPECT_EQ(0, run(OHCTL " --help", self->out, sizeof(self->out)));
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT_NE(NULL, strstr(self->out, cmds[i]));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(cmd, sizeof(cmd), OHCTL " %s --help", cmds[i]);
		EXPECT_EQ(0, run(cmd, self->out, sizeof(self->out)));
		EXPECT_NE(NULL, strstr(self->out, "usage:"));
	}
	EXPECT_EQ(2, run(OHCTL " 2>&1", self->out, sizeof(self->out)));
	EXPECT_EQ(2, run(OHCTL " frobnicate 2>&1", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "unknown command"));
	EXPECT_EQ(2, run(OHCTL " stat --xml 2>&1", self->out, sizeof(self->out)));
}

TEST_F(ohctl, stat_json_matches_debugfs)
{
	char key[64];
	__u32 h;

	ASSERT_NE(0, h = oh_new(self->fd, 1, 2, 10));
	ASSERT_EQ(0, run(OHCTL " stat --json", self->out, sizeof(self->out)));
	EXPECT_EQ('{', self->out[0]);
	snprintf(key, sizeof(key), "\"objects\": %ld",
		 objheap_stat("stats", "objects"));
	EXPECT_NE(NULL, strstr(self->out, key)) TH_LOG("%s", self->out);
	snprintf(key, sizeof(key), "\"heaps\": %ld",
		 objheap_stat("stats", "heaps"));
	EXPECT_NE(NULL, strstr(self->out, key));
	EXPECT_NE(NULL, strstr(self->out, "\"gc\": ["));
	EXPECT_NE(NULL, strstr(self->out, "\"pools\": ["));
	EXPECT_NE(NULL, strstr(self->out, "{\"generation\": 2, "));
	EXPECT_NE(NULL, strstr(self->out, "{\"class\": \"large\""));
	EXPECT_EQ(3, count(self->out, "\"generation\": "));

	ASSERT_EQ(0, run(OHCTL " stat", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "objects"));
	EXPECT_NE(NULL, strstr(self->out, "generation collections"));
}

TEST_F(ohctl, gc_collect_collects_every_heap)
{
	struct objheap_gc_stats st;
	__u32 a = oh_new(self->fd, 1, 1, 0);

	ASSERT_NE(0, a);
	ASSERT_EQ(0, oh_set(self->fd, a, 0, a));
	ASSERT_EQ(0, oh_drop(self->fd, a));
	ASSERT_EQ(0, run(OHCTL " gc collect", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "generation collections"));
	EXPECT_EQ(4, count(self->out, "\n"));	/* header and 3 rows */
	ASSERT_EQ(0, oh_gc_stats(self->fd, &st));
	EXPECT_EQ(1, st.gen[2].collections);
	EXPECT_EQ(1, st.gen[2].collected);
}

TEST_F(ohctl, top_lists_this_heap)
{
	struct objheap_heap_stats st;
	char want[128];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_NE(0, oh_new(self->fd, 1, 0, 100));
	ASSERT_EQ(0, ioctl(self->fd, OBJHEAP_IOC_HEAP_STATS, &st));
	ASSERT_EQ(0, run(OHCTL " top -n 1", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "HEAP"));
	snprintf(want, sizeof(want), "%6llu %7d ", (unsigned long long)st.id,
		 getpid());
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s", self->out);
	snprintf(want, sizeof(want), "%10llu %12llu ",
		 (unsigned long long)st.objects, (unsigned long long)st.bytes);
	EXPECT_NE(NULL, strstr(self->out, want));
}

/* ohctl graph: 5 objects, 6 slot edges, 2 handles, in DOT. */
TEST_F(ohctl, graph_prints_dot)
{
	ASSERT_EQ(0, run(OHCTL " graph", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "digraph objheap {", 17));
	EXPECT_EQ(5, count(self->out, "[label=\"type "));
	EXPECT_EQ(8, count(self->out, " -> "));
	EXPECT_EQ(2, count(self->out, "[shape=plaintext]"));
	EXPECT_NE(NULL, strstr(self->out, "refcount 2"));	/* shared leaf */
	EXPECT_EQ('}', self->out[strlen(self->out) - 2]);
}

TEST_F(ohctl, demo_shows_the_collector_at_work)
{
	ASSERT_EQ(0, run(OHCTL " demo", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "collect(0): scanned 2, collected 2, freed 2"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, ": generation 0, reason threshold, collected "));
	/* A weak reference dies, a finalizer resurrects (ABI 1.6). */
	EXPECT_NE(NULL, strstr(self->out, "x dropped: w() gives nothing, w is dead"));
	EXPECT_NE(NULL, strstr(self->out, "callbacks due: 1 (the callback gets w: yes)"));
	EXPECT_NE(NULL, strstr(self->out, "collected 0, uncollectable 2: they wait"));
	EXPECT_NE(NULL, strstr(self->out, "f: refcount 3, finalized"));
	EXPECT_NE(NULL, strstr(self->out, "left to finalize: 0"));
	EXPECT_NE(NULL, strstr(self->out, "heap after the finalizer: 0 objects, 0 bytes"));
	EXPECT_NE(NULL, strstr(self->out, "heap at the end: 0 objects, 0 bytes"));
}

TEST_F(ohctl, a_missing_debugfs_is_explained)
{
	EXPECT_EQ(1, run("OHEAP_DEBUGFS=/nonexistent " OHCTL " stat 2>&1",
			 self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "is debugfs mounted?"));
}

TEST_HARNESS_MAIN
