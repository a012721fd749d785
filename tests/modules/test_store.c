/*
 * test_store.c - an in-memory store module for the test suites.
 *
 * A complete, thread-safe implementation of the store contract (one mutex),
 * used to test the loader and the daemon; its records vanish with the
 * process.  Options: max_record (bytes, default 65536), fail_open (bool),
 * answer (int: every operation returns this raw code, garbage included,
 * as a module broken at runtime would), misbehave ("crash" or "hang": what
 * get() does, for coffer-modcheck's tests).
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coffer/module.h"

struct rec {
	char		*kind, *name;
	uint64_t	 nrevs;		/* revisions 1..nrevs, no gaps */
	struct { void *data; size_t len; } *revs;
	struct rec	*next;
};

struct mem {
	const struct coffer_host *host;
	pthread_mutex_t	 lock;
	struct rec	*recs;
	size_t		 max_record;
	int		 answer;	/* 0: behave */
	int		 crash, hang;	/* in get() */
};

static const struct coffer_option mem_options[] = {
	{ "max_record", COFFER_OPT_INT, 0, "largest record in bytes" },
	{ "fail_open", COFFER_OPT_BOOL, 0, "make open() fail (tests)" },
	{ "answer", COFFER_OPT_INT, 0, "return this code from every call" },
	{ "misbehave", COFFER_OPT_STRING, 0, "crash or hang in get()" },
	{ NULL, 0, 0, NULL }
};

static struct rec *
mem_find(struct mem *m, const char *kind, const char *name)
{
	for (struct rec *r = m->recs; r != NULL; r = r->next) {
		if (strcmp(r->kind, kind) == 0 && strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

static enum coffer_rc
mem_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	struct mem *m;

	if (host->conf_bool(conf, "fail_open", 0)) {
		snprintf(err->msg, sizeof(err->msg), "fail_open is set at %s",
		    host->conf_where(conf, "fail_open"));
		return COFFER_ERROR;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return COFFER_ERROR;
	}
	m->host = host;
	m->max_record = (size_t)host->conf_int(conf, "max_record", 65536);
	m->answer = (int)host->conf_int(conf, "answer", 0);
	m->crash = strcmp(host->conf_string(conf, "misbehave", ""), "crash") ==
	    0;
	m->hang = strcmp(host->conf_string(conf, "misbehave", ""), "hang") == 0;
	pthread_mutex_init(&m->lock, NULL);
	*inst_r = m;
	return COFFER_OK;
}

static void
mem_rec_free(struct rec *r)
{
	for (uint64_t i = 0; i < r->nrevs; i++)
		free(r->revs[i].data);
	free(r->revs);
	free(r->kind);
	free(r->name);
	free(r);
}

static void
mem_close(void *inst)
{
	struct mem *m = inst;
	struct rec *r, *next;

	for (r = m->recs; r != NULL; r = next) {
		next = r->next;
		mem_rec_free(r);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static void
mem_limits(void *inst, struct coffer_store_limits *limits)
{
	limits->max_record = ((struct mem *)inst)->max_record;
}

static struct rec *
mem_create(struct mem *m, const char *kind, const char *name)
{
	struct rec *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->kind = strdup(kind)) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		if (r != NULL)
			free(r->kind);
		free(r);
		return NULL;
	}
	r->next = m->recs;
	m->recs = r;
	return r;
}

static enum coffer_rc
mem_put_locked(struct mem *m, const char *kind, const char *name,
    uint64_t rev, const void *data, size_t len, struct coffer_error *err)
{
	struct rec *r = mem_find(m, kind, name);
	void *copy, *revs;

	/* Taken, or a gap: either way the writer's view is stale. */
	if (rev != (r != NULL ? r->nrevs : 0) + 1)
		return COFFER_CONFLICT;
	if (r == NULL && (r = mem_create(m, kind, name)) == NULL)
		goto oom;
	if ((copy = malloc(len ? len : 1)) == NULL)
		goto oom;
	if ((revs = realloc(r->revs, rev * sizeof(*r->revs))) == NULL) {
		free(copy);
		goto oom;
	}
	memcpy(copy, data, len);
	r->revs = revs;
	r->revs[rev - 1].data = copy;
	r->revs[rev - 1].len = len;
	r->nrevs = rev;
	return COFFER_OK;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return COFFER_ERROR;
}

/* Names and kinds outside the contract are refused, never stored. */
static int
mem_key_ok(const char *kind, const char *name)
{
	size_t k = strlen(kind), n = strlen(name);

	return k > 0 && k <= 16 && kind[0] >= 'a' && kind[0] <= 'z' &&
	    strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_") == k &&
	    n > 0 && n <= COFFER_STORE_NAME_MAX;
}

/* With answer set: 1, and that code (garbage too) in RC. */
static int
mem_forced(const struct mem *m, enum coffer_rc *rc, struct coffer_error *err)
{
	if (m->answer == 0)
		return 0;
	snprintf(err->msg, sizeof(err->msg), "answer = %d is set", m->answer);
	*rc = (enum coffer_rc)m->answer;
	return 1;
}

static enum coffer_rc
mem_put(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct mem *m = inst;
	enum coffer_rc rc;

	if (mem_forced(m, &rc, err))
		return rc;

	if (!mem_key_ok(kind, name)) {
		snprintf(err->msg, sizeof(err->msg), "invalid kind or name");
		return COFFER_ERROR;
	}
	if (len > m->max_record)
		return COFFER_TOO_LARGE;
	pthread_mutex_lock(&m->lock);
	rc = mem_put_locked(m, kind, name, rev, data, len, err);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static enum coffer_rc
mem_get(void *inst, const char *kind, const char *name, uint64_t rev,
    uint64_t *rev_r, struct coffer_buf *out, struct coffer_error *err)
{
	struct mem *m = inst;
	enum coffer_rc rc = COFFER_NOT_FOUND;
	struct rec *r;

	if (mem_forced(m, &rc, err))
		return rc;
	if (m->crash)
		raise(SIGSEGV);
	while (m->hang)
		pause();

	pthread_mutex_lock(&m->lock);
	r = mem_find(m, kind, name);
	if (r != NULL && r->nrevs > 0 && rev <= r->nrevs) {
		if (rev == 0)
			rev = r->nrevs;
		*rev_r = rev;
		rc = m->host->buf_set(out, r->revs[rev - 1].data,
		    r->revs[rev - 1].len) == 0 ? COFFER_OK : COFFER_ERROR;
		if (rc != COFFER_OK)
			snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* Pages are in list order; the cursor is the last name returned. */
static enum coffer_rc
mem_list(void *inst, const char *kind, const char *prefix,
    const char *cursor, size_t limit, coffer_name_cb cb, void *arg,
    struct coffer_buf *next, struct coffer_error *err)
{
	struct mem *m = inst;
	struct rec *r;
	size_t n = 0;
	enum coffer_rc forced;

	if (mem_forced(m, &forced, err))
		return forced;
	m->host->buf_set(next, "", 0);		/* empty: the last page */
	pthread_mutex_lock(&m->lock);
	r = m->recs;
	if (cursor != NULL) {
		while (r != NULL && !(strcmp(r->kind, kind) == 0 &&
		    strcmp(r->name, cursor) == 0))
			r = r->next;
		if (r != NULL)
			r = r->next;
	}
	for (; r != NULL && n < limit; r = r->next) {
		if (strcmp(r->kind, kind) != 0 ||
		    strncmp(r->name, prefix, strlen(prefix)) != 0)
			continue;
		n++;
		if (cb(arg, r->name, r->nrevs) != 0)
			break;
		if (n == limit)
			m->host->buf_set(next, r->name, strlen(r->name));
	}
	pthread_mutex_unlock(&m->lock);
	return COFFER_OK;
}

static enum coffer_rc
mem_revisions(void *inst, const char *kind, const char *name, uint64_t after,
    size_t limit, coffer_rev_cb cb, void *arg, struct coffer_error *err)
{
	struct mem *m = inst;
	struct rec *r;
	size_t n = 0;
	enum coffer_rc forced;

	if (mem_forced(m, &forced, err))
		return forced;
	pthread_mutex_lock(&m->lock);
	r = mem_find(m, kind, name);
	for (uint64_t v = after + 1; r != NULL && v <= r->nrevs && n < limit;
	    v++, n++) {
		if (cb(arg, v) != 0)
			break;
	}
	pthread_mutex_unlock(&m->lock);
	return r != NULL ? COFFER_OK : COFFER_NOT_FOUND;
}

static enum coffer_rc
mem_remove(void *inst, const char *kind, const char *name,
    struct coffer_error *err)
{
	struct mem *m = inst;
	struct rec **pp, *r;
	enum coffer_rc forced;

	if (mem_forced(m, &forced, err))
		return forced;
	pthread_mutex_lock(&m->lock);
	for (pp = &m->recs; (r = *pp) != NULL; pp = &r->next) {
		if (strcmp(r->kind, kind) == 0 && strcmp(r->name, name) == 0)
			break;
	}
	if (r != NULL) {
		*pp = r->next;
		r->next = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	if (r == NULL)
		return COFFER_NOT_FOUND;
	mem_rec_free(r);
	return COFFER_OK;
}

static enum coffer_rc
mem_replace(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct mem *m = inst;
	enum coffer_rc rc = COFFER_NOT_FOUND;
	struct rec *r;
	void *copy;

	if (mem_forced(m, &rc, err))
		return rc;

	if (len > m->max_record)
		return COFFER_TOO_LARGE;
	if ((copy = malloc(len ? len : 1)) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return COFFER_ERROR;
	}
	memcpy(copy, data, len);
	pthread_mutex_lock(&m->lock);
	r = mem_find(m, kind, name);
	if (r != NULL && rev >= 1 && rev <= r->nrevs) {
		free(r->revs[rev - 1].data);
		r->revs[rev - 1].data = copy;
		r->revs[rev - 1].len = len;
		copy = NULL;
		rc = COFFER_OK;
	}
	pthread_mutex_unlock(&m->lock);
	free(copy);
	return rc;
}

static const struct coffer_store_ops mem_ops = {
	.struct_size = sizeof(struct coffer_store_ops),
	.limits = mem_limits,
	.put = mem_put,
	.get = mem_get,
	.list = mem_list,
	.revisions = mem_revisions,
	.remove = mem_remove,
	.replace = mem_replace,
};

static const struct coffer_module mem_module = {
	COFFER_MODULE_HEADER,
	.name = "test_store",
	.version = "test",
	.kind = COFFER_KIND_STORE,
	.options = mem_options,
	.open = mem_open,
	.close = mem_close,
	.store = &mem_ops,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &mem_module;
}
