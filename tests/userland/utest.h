/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test runner in kselftest's spirit: TEST(name) { ... } registers
 * a test, each runs in a child process of its own (a crash or an abort
 * fails one test, not the run) under a time limit, and the output is TAP.
 * ASSERT_*() end the test, EXPECT_*() mark it failed and go on.
 *
 * usage: <binary> [-l] [name...]   -l lists; names pick tests
 */
#ifndef UTEST_H
#define UTEST_H

#include <stdio.h>
#include <stdlib.h>

struct utest {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;	/* seconds */
	struct utest *next;
};

void utest_register(struct utest *t);
void utest_fail(const char *file, int line, const char *fmt, ...);
extern int utest_failed;

#define TEST_TIMEOUT(name, secs)					\
	static void utest_fn_##name(void);				\
	static struct utest utest_##name = {				\
		#name, utest_fn_##name, secs, NULL			\
	};								\
	__attribute__((constructor)) static void utest_reg_##name(void) \
	{								\
		utest_register(&utest_##name);				\
	}								\
	static void utest_fn_##name(void)
#define TEST(name)	TEST_TIMEOUT(name, 60)

#define UT_CHECK(cond, fatal, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			utest_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__); \
			if (fatal)					\
				exit(1);				\
		}							\
	} while (0)
#define UT_CMP(a, op, b, fatal)						\
	do {								\
		long long __a = (long long)(a), __b = (long long)(b);	\
		UT_CHECK(__a op __b, fatal, "%s %s %s: %lld vs %lld",	\
			 #a, #op, #b, __a, __b);			\
	} while (0)
#define ASSERT_EQ(a, b)	UT_CMP(a, ==, b, 1)
#define ASSERT_NE(a, b)	UT_CMP(a, !=, b, 1)
#define ASSERT_LT(a, b)	UT_CMP(a, <, b, 1)
#define ASSERT_LE(a, b)	UT_CMP(a, <=, b, 1)
#define ASSERT_GT(a, b)	UT_CMP(a, >, b, 1)
#define ASSERT_GE(a, b)	UT_CMP(a, >=, b, 1)
#define ASSERT_TRUE(c)	UT_CHECK(c, 1, "%s", #c)
#define EXPECT_EQ(a, b)	UT_CMP(a, ==, b, 0)
#define EXPECT_TRUE(c)	UT_CHECK(c, 0, "%s", #c)

#endif /* UTEST_H */
