/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ohtool: debugfs helpers of the tools (ohctl, ohprof); private, not
 * installed.
 */
#ifndef OHTOOL_H
#define OHTOOL_H

/* debugfs (root): the directory ($OHEAP_DEBUGFS overrides it). */
const char *ohtool_debugfs_dir(void);

/* One "key: value" of @file in it; 0, or -1 with errno. */
int ohtool_debugfs_value(const char *file, const char *key,
			 unsigned long long *val);

/*
 * After a failed read of debugfs @file, say why on stderr, prefixed with
 * @prog, in words a user can act on (module not loaded, debugfs not
 * mounted, not root).
 */
void ohtool_debugfs_explain(const char *prog, const char *file);

/* One open heap, from debugfs objheap/heaps/<id>/info. */
struct ohtool_heap_row {
	unsigned long long id, pid, objects, bytes, peak_bytes, handles,
			   collections;
	char comm[32];
};

/*
 * Every open heap, up to @max rows (heaps closing meanwhile are skipped).
 * Returns how many, or -1 if objheap/heaps cannot be read.
 */
int ohtool_debugfs_heaps(struct ohtool_heap_row *rows, int max);

#endif /* OHTOOL_H */
