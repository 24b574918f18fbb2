/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by objheap's selftests.
 */
#ifndef OBJHEAP_TEST_H
#define OBJHEAP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJHEAP_DEV	"/dev/objheap"
#define OBJHEAP_DEBUGFS	"/sys/kernel/debug/objheap"

/*
 * Read "key: value" from a debugfs file under objheap/. Returns -1 when the
 * file or the key is missing.
 */
static inline long objheap_stat(const char *file, const char *key)
{
	char path[256], line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", OBJHEAP_DEBUGFS, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

#endif /* OBJHEAP_TEST_H */
