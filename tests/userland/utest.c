// SPDX-License-Identifier: GPL-2.0
/* The runner of utest.h. */
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"

static struct utest *tests, **tail = &tests;
int utest_failed;

void utest_register(struct utest *t)
{
	*tail = t;
	tail = &t->next;
}

void utest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	utest_failed = 1;
}

static int wanted(const struct utest *t, int argc, char **argv)
{
	int i;

	if (argc < 1)
		return 1;
	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], t->name))
			return 1;
	return 0;
}

static int run(const struct utest *t)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		alarm(t->timeout);
		t->fn();
		fflush(NULL);
		_exit(utest_failed);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 0;
	if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d%s\n", t->name, WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
		return 0;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	int n = 0, i = 0, failed = 0;
	struct utest *t;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (t = tests; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}
	for (t = tests; t; t = t->next)
		n += wanted(t, argc - 1, argv + 1);
	printf("TAP version 13\n1..%d\n", n);
	for (t = tests; t; t = t->next) {
		int ok;

		if (!wanted(t, argc - 1, argv + 1))
			continue;
		ok = run(t);
		failed += !ok;
		printf("%sok %d %s\n", ok ? "" : "not ", ++i, t->name);
	}
	printf("# %s: %d passed, %d failed\n", argv[0], n - failed, failed);
	return failed ? 1 : 0;
}
