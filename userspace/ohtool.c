// SPDX-License-Identifier: GPL-2.0
/*
 * What ohctl and ohprof share: reading objheap's debugfs files (root's
 * view of every heap). Not part of liboheap: debugfs is not a stable
 * interface, and a program reads its own heap through the ioctls.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ohtool.h"

#define OHEAP_DEBUGFS	"/sys/kernel/debug/objheap"

const char *ohtool_debugfs_dir(void)
{
	const char *dir = getenv("OHEAP_DEBUGFS");

	return dir && *dir ? dir : OHEAP_DEBUGFS;
}

int ohtool_debugfs_value(const char *file, const char *key,
			 unsigned long long *val)
{
	char path[512], line[512];
	size_t klen = strlen(key);
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ohtool_debugfs_dir(), file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	errno = ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			*val = strtoull(line + klen + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int read_heap(const char *id, struct ohtool_heap_row *r)
{
	char path[768], line[256], key[64];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/heaps/%s/info", ohtool_debugfs_dir(),
		 id);
	memset(r, 0, sizeof(*r));
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "owner_comm: %31s", r->comm) == 1)
			continue;
		if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, "id"))
			r->id = v;
		else if (!strcmp(key, "owner_pid"))
			r->pid = v;
		else if (!strcmp(key, "objects"))
			r->objects = v;
		else if (!strcmp(key, "bytes"))
			r->bytes = v;
		else if (!strcmp(key, "peak_bytes"))
			r->peak_bytes = v;
		else if (!strcmp(key, "handles"))
			r->handles = v;
		else if (!strcmp(key, "collections"))
			r->collections = v;
	}
	fclose(f);
	return 0;
}

int ohtool_debugfs_heaps(struct ohtool_heap_row *rows, int max)
{
	char path[512];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/heaps", ohtool_debugfs_dir());
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && n < max)
		if (d->d_name[0] != '.' && !read_heap(d->d_name, &rows[n]))
			n++;
	closedir(dir);
	return n;
}

void ohtool_debugfs_explain(const char *prog, const char *file)
{
	int err = errno;

	if (access("/sys/module/objheap", F_OK))
		fprintf(stderr, "%s: the objheap module is not loaded (modprobe objheap)\n",
			prog);
	else if (access(ohtool_debugfs_dir(), F_OK) && err != EACCES)
		fprintf(stderr,
			"%s: %s/%s: %s (is debugfs mounted? mount -t debugfs none /sys/kernel/debug)\n",
			prog, ohtool_debugfs_dir(), file, strerror(err));
	else
		fprintf(stderr, "%s: %s/%s: %s (debugfs is for root)\n", prog,
			ohtool_debugfs_dir(), file, strerror(err));
}
