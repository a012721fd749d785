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
#include "jsonw.h"
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

/* The request's id as it came: an integer, a string, or null. */
static void
audit_id(struct jsonw *w, json_t *id)
{
	if (json_is_integer(id))
		jsonw_i64(w, json_integer_value(id));
	else if (json_is_string(id))
		jsonw_str(w, json_string_value(id), json_string_length(id));
	else
		jsonw_raw(w, "null");
}

/* The time, to the millisecond, in UTC; the date and second are formatted
 * once a second per thread (gmtime_r and strftime cost more than the rest
 * of the line). */
static void
audit_time(struct jsonw *w)
{
	static _Thread_local time_t last = -1;
	static _Thread_local char when[32];
	static _Thread_local size_t n;
	struct timespec ts;
	struct tm tm;
	long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != last) {
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(when, sizeof(when) - 6, "%Y-%m-%dT%H:%M:%S.", &tm);
		last = ts.tv_sec;
	}
	ms = ts.tv_nsec / 1000000;
	when[n] = (char)('0' + ms / 100);
	when[n + 1] = (char)('0' + ms / 10 % 10);
	when[n + 2] = (char)('0' + ms % 10);
	when[n + 3] = 'Z';
	when[n + 4] = '\0';
	jsonw_strz(w, when);
}

/* One line, written directly: a jansson tree per request cost more than
 * the rest of a secret get's bookkeeping (docs/performance.md). */
static void
audit_line(struct jsonw *w, const struct audit_entry *e)
{
	const struct coffer_principal *who = e->who;

	jsonw_raw(w, "{\"time\":");
	audit_time(w);
	jsonw_raw(w, ",\"id\":");
	audit_id(w, e->id);
	jsonw_raw(w, ",\"peer\":");
	jsonw_strz(w, e->peer ? e->peer : "");
	jsonw_raw(w, ",\"principal\":");
	if (who != NULL && principal_is_set(who)) {
		jsonw_raw(w, "{\"name\":");
		jsonw_strz(w, who->name);
		jsonw_raw(w, ",\"type\":");
		jsonw_strz(w, principal_type_name(who->type));
		jsonw_raw(w, ",\"module\":");
		jsonw_strz(w, who->module ? who->module : "");
		jsonw_raw(w, "}");
	} else {
		jsonw_raw(w, "null");
	}
	jsonw_raw(w, ",\"op\":");
	jsonw_strz(w, e->op);
	jsonw_raw(w, ",\"target\":");
	jsonw_strz(w, e->target ? e->target : "");
	jsonw_raw(w, ",\"revision\":");
	jsonw_u64(w, e->revision);
	jsonw_raw(w, ",\"result\":");
	jsonw_strz(w, errcode_name(e->result));
	jsonw_raw(w, "}\n");
}

/* E's line written by W; 0, or -1 when it did not fit (logged) and the
 * request must fail for it. */
static int
audit_format(const struct audit *a, struct jsonw *w,
    const struct audit_entry *e)
{
	audit_line(w, e);
	if (!w->full)
		return 0;
	log_error("audit log: an entry is longer than %d bytes",
	    AUDIT_LINE_MAX);
	return a->fail_closed ? -1 : 0;
}

/* Append the LEN bytes at TEXT to the file: 0, or -1 when the requests
 * whose lines they are must fail. */
static int
audit_put(struct audit *a, const char *text, size_t len)
{
	ssize_t n = a->fd >= 0 ? write(a->fd, text, len) : -1;

	if (n == (ssize_t)len)
		return 0;
	log_error("audit log %s: %s%s", a->path, n < 0 ? strerror(errno) :
	    "short write", a->fail_closed ? "; the request fails" : "");
	return a->fail_closed ? -1 : 0;
}

int
audit_write(struct audit *a, const struct audit_entry *e)
{
	char buf[AUDIT_LINE_MAX];
	struct jsonw w;

	if (a == NULL || a->path == NULL)
		return 0;
	jsonw_init(&w, buf, sizeof(buf));
	if (audit_format(a, &w, e) < 0)
		return -1;
	return w.full ? 0 : audit_put(a, buf, w.len);
}

void
audit_batch_init(struct audit_batch *b, size_t lines)
{
	b->cap = lines * AUDIT_LINE_MAX;
	b->buf = xmalloc(b->cap);
	b->len = 0;
}

void
audit_batch_free(struct audit_batch *b)
{
	free(b->buf);
	b->buf = NULL;
	b->cap = b->len = 0;
}

int
audit_add(struct audit *a, struct audit_batch *b,
    const struct audit_entry *e)
{
	struct jsonw w;

	if (a == NULL || a->path == NULL)
		return 0;
	if (b->cap - b->len < AUDIT_LINE_MAX)
		return audit_write(a, e);	/* more than it was sized for */
	jsonw_init(&w, b->buf + b->len, AUDIT_LINE_MAX);
	if (audit_format(a, &w, e) < 0)
		return -1;
	if (!w.full)
		b->len += w.len;
	return 0;
}

int
audit_flush(struct audit *a, struct audit_batch *b)
{
	size_t len = b->len;

	b->len = 0;
	if (a == NULL || a->path == NULL || len == 0)
		return 0;
	return audit_put(a, b->buf, len);
}
