/*
 * confdir.c - list the drop-in files of an include_dir.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confdir.h"
#include "xalloc.h"

#define CONFDIR_MAX	256	/* more drop-ins than this is a mistake */

static int
confdir_wanted(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strcmp(name + len - 5,
	    ".conf") == 0;
}

static int
confdir_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
confdir_add(struct confdir *d, const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;

	d->paths = xrealloc(d->paths, d->n + 1, sizeof(*d->paths));
	d->paths[d->n] = xmalloc(len);
	snprintf(d->paths[d->n++], len, "%s/%s", dir, name);
}

int
confdir_list(struct confdir *d, const char *dir, char *err, size_t errlen)
{
	struct dirent *e;
	DIR *dp;

	memset(d, 0, sizeof(*d));
	if ((dp = opendir(dir)) == NULL) {
		snprintf(err, errlen, "cannot open include_dir %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	while ((e = readdir(dp)) != NULL) {
		if (!confdir_wanted(e->d_name))
			continue;
		if (d->n == CONFDIR_MAX) {
			snprintf(err, errlen, "include_dir %s holds more than "
			    "%d .conf files", dir, CONFDIR_MAX);
			closedir(dp);
			confdir_free(d);
			return -1;
		}
		confdir_add(d, dir, e->d_name);
	}
	closedir(dp);
	qsort(d->paths, d->n, sizeof(*d->paths), confdir_cmp);
	return 0;
}

void
confdir_free(struct confdir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	memset(d, 0, sizeof(*d));
}
