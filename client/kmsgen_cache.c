/*
 * kmsgen_cache.c - kmsauth's token cache file, so that a client run many
 * times (the coffer command in a script) asks KMS once per token, not
 * once per run.  The file holds a bearer token: it is created mode 0600,
 * replaced whole by rename, and one that others could read is ignored.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kmsgen.h"

static int64_t
kmsgen_cache_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y%m%dT%H%M%SZ", &tm)) == NULL ||
	    *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

char *
kmsgen_cache_read(const char *path, json_t *context, int64_t now)
{
	struct stat st;
	json_t *j;
	const char *token;
	char *copy = NULL;
	int64_t not_after;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		return NULL;
	}
	j = json_loadfd(fd, 0, NULL);
	close(fd);
	token = json_string_value(json_object_get(j, "token"));
	not_after = kmsgen_cache_time(json_string_value(json_object_get(j,
	    "not_after")));
	if (token != NULL && not_after >= 0 &&
	    now <= not_after - KMSGEN_SKEW_S &&
	    json_equal(json_object_get(j, "auth_context"), context))
		copy = strdup(token);
	json_decref(j);
	return copy;
}

int
kmsgen_cache_write(const char *path, const char *token,
    const char *not_after, json_t *context)
{
	char tmp[4096];
	json_t *j = json_pack("{s:s, s:s, s:O}", "token", token, "not_after",
	    not_after, "auth_context", context);
	int fd, rc = -1;

	if (j == NULL || snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path,
	    (long)getpid()) >= (int)sizeof(tmp)) {
		json_decref(j);
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd >= 0 && json_dumpfd(j, fd, JSON_COMPACT) == 0 &&
	    fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		rc = rename(tmp, path);
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	json_decref(j);
	return rc;
}
