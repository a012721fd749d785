/*
 * pathsafe.c - refuse a file, or a directory above it, that others could
 * change.  See pathsafe.h.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathsafe.h"

static int
pathsafe_one(const char *path, int want_dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a %s", path,
		    want_dir ? "directory" : "regular file");
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "unsafe ownership: %s is owned by uid "
		    "%u, not root or the daemon's user", path,
		    (unsigned)st.st_uid);
		return -1;
	}
	if (want_dir && st.st_uid == 0 && (st.st_mode & S_ISVTX))
		return 0;
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "unsafe permissions: %s is writable by "
		    "%s (mode %04o)", path, (st.st_mode & S_IWOTH) ?
		    "everyone" : "its group", (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
pathsafe_check(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX];
	char *slash;

	if (realpath(path, real) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (pathsafe_one(real, 0, err, errlen) < 0)
		return -1;
	/* Every directory up to the root: one of them writable by others
	 * would let them swap the file. */
	while ((slash = strrchr(real, '/')) != NULL) {
		if (slash == real) {
			real[1] = '\0';
			return pathsafe_one(real, 1, err, errlen);
		}
		*slash = '\0';
		if (pathsafe_one(real, 1, err, errlen) < 0)
			return -1;
	}
	return 0;
}
