/*
 * audit.c - the audit log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "jsonmem.h"
#include "log.h"
#include "xalloc.h"

static int
audit_open_fd(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);

	if (fd < 0)
		log_error("audit log %s: %s", path, strerror(errno));
	return fd;
}

int
audit_open(struct audit *a, const char *path, int fail_closed)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->fail_closed = fail_closed;
	if (path == NULL)
		return 0;
	a->path = xstrdup(path);
	return (a->fd = audit_open_fd(path)) < 0 ? -1 : 0;
}

int
audit_reopen(struct audit *a)
{
	int fd;

	if (a->path == NULL)
		return 0;
	if ((fd = audit_open_fd(a->path)) < 0)
		return -1;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = fd;
	return 0;
}

void
audit_close(struct audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	a->fd = -1;
	a->path = NULL;
}

static json_t *
audit_json(const struct audit_entry *e)
{
	char when[40];
	struct timespec ts;
	struct tm tm;
	json_t *who = json_null();

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
	    ts.tv_nsec / 1000000);
	if (e->who != NULL && principal_is_set(e->who))
		who = json_pack("{s:s, s:s, s:s}", "name", e->who->name, "type",
		    principal_type_name(e->who->type), "module",
		    e->who->module ? e->who->module : "");
	return json_pack("{s:s, s:O?, s:s, s:o, s:s?, s:s, s:I, s:s}", "time",
	    when, "id", e->id, "peer", e->peer, "principal", who, "op", e->op,
	    "target", e->target, "revision", (json_int_t)e->revision,
	    "result", errcode_name(e->result));
}

int
audit_write(struct audit *a, const struct audit_entry *e)
{
	json_t *j;
	char *line;
	size_t len;
	ssize_t n;

	if (a == NULL || a->path == NULL)
		return 0;
	j = audit_json(e);
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (line == NULL) {
		log_error("audit log: cannot encode an entry");
		return a->fail_closed ? -1 : 0;
	}
	len = strlen(line);
	line[len++] = '\n';	/* json_dumps left room for its NUL */
	n = a->fd >= 0 ? write(a->fd, line, len) : -1;
	line[len - 1] = '\0';
	jsonmem_free_text(line);
	if (n == (ssize_t)len)
		return 0;
	log_error("audit log %s: %s%s", a->path, n < 0 ? strerror(errno) :
	    "short write", a->fail_closed ? "; the request fails" : "");
	return a->fail_closed ? -1 : 0;
}
