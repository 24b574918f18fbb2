// SPDX-License-Identifier: GPL-2.0
/*
 * ohprof, the memory profiler: "run" samples a real program's heaps into
 * a CSV whose numbers follow what the program did; its errors. (The VM has
 * no gnuplot: "plot" is exercised on the host by make check, from the CSV
 * the VM hands back.)
 */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "objheap_test.h"

#define OHPROF	"/bin/ohprof"
#define CSV	"/tmp/ohprof_test.csv"
#define PROFILE_DEMO \
	OHPROF " run -i 0.02 -o " CSV " ohctl demo > /dev/null 2>&1"

static int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(run_profiles_a_real_program)
{
	unsigned long long t, heaps, objects, bytes, peak, colls, fresh;
	unsigned long long max_bytes = 0, max_heaps = 0, last_heaps = 1;
	unsigned long long last_colls = 0;
	char line[256];
	int samples = 0, n;
	FILE *f;

	ASSERT_EQ(0, access(OHPROF, X_OK));
	ASSERT_EQ(0, run(PROFILE_DEMO));
	f = fopen(CSV, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_EQ(0, strncmp(line, "# ohprof 1", 10));
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_STREQ("time_s,heaps,objects,bytes,peak_bytes,collections,new_collections\n",
		     line);
	while (fgets(line, sizeof(line), f)) {
		n = sscanf(line, "%llu.%*u,%llu,%llu,%llu,%llu,%llu,%llu", &t,
			   &heaps, &objects, &bytes, &peak, &colls, &fresh);
		ASSERT_EQ(7, n) TH_LOG("bad line: %s", line);
		EXPECT_LE(bytes, peak);
		EXPECT_LE(last_colls, colls);	/* cumulative */
		last_colls = colls;
		max_bytes = bytes > max_bytes ? bytes : max_bytes;
		max_heaps = heaps > max_heaps ? heaps : max_heaps;
		last_heaps = heaps;
		samples++;
	}
	fclose(f);
	EXPECT_LE(3, samples);
	EXPECT_EQ(1, max_heaps);	/* ohctl demo opens one heap */
	EXPECT_LT(0, max_bytes);
	EXPECT_LE(2, last_colls);	/* at least its two COLLECTs */
	EXPECT_EQ(0, last_heaps);	/* the last sample follows the exit */
}

TEST(run_returns_the_program_status)
{
	EXPECT_EQ(0, run(OHPROF " run -o /tmp/ohprof_true.csv true 2>/dev/null"));
	EXPECT_EQ(1, run(OHPROF " run -o /tmp/ohprof_false.csv false 2>/dev/null"));
	EXPECT_EQ(127, run(OHPROF " run -o /tmp/ohprof_none.csv /no/such/cmd 2>/dev/null"));
}

TEST(usage_errors)
{
	EXPECT_EQ(0, run(OHPROF " --help > /dev/null"));
	EXPECT_EQ(2, run(OHPROF " 2>/dev/null"));
	EXPECT_EQ(2, run(OHPROF " run 2>/dev/null"));
	EXPECT_EQ(2, run(OHPROF " frobnicate 2>/dev/null"));
	EXPECT_EQ(1, run(OHPROF " run -o /no/such/dir/x.csv true 2>/dev/null"));
	EXPECT_EQ(1, run(OHPROF " plot /no/such/file.csv 2>/dev/null"));
}

TEST(plot_without_gnuplot_says_so)
{
	char out[512] = "";
	FILE *p;

	ASSERT_EQ(0, run(OHPROF " run -o /tmp/ohprof_p.csv true 2>/dev/null"));
	p = popen(OHPROF " plot /tmp/ohprof_p.csv 2>&1", "r");
	ASSERT_NE(NULL, p);
	fread(out, 1, sizeof(out) - 1, p);
	EXPECT_EQ(1, WEXITSTATUS(pclose(p)));
	EXPECT_NE(NULL, strstr(out, "gnuplot")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
