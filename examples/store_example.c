/*
 * store_example.c - a complete, small coffer store module.
 *
 * Every record goes to the end of one log file, and put() answers only
 * once the record is on disk (fdatasync), as the contract requires.  An
 * index in memory, rebuilt from the log by open(), says where each
 * revision is.  Removing a name appends a tombstone.  A record cut short by
 * a crash (never acknowledged) is found by its checksum when the log is
 * replayed, and cut off.  One mutex serialises every operation, which is
 * what makes them thread-safe and put() create-only.
 *
 *	store = { module = "store_example"; path = "/var/lib/coffer/log"; };
 *
 * It is an example: lookups walk a list, the log never shrinks, one daemon
 * owns the file (a second one is refused by a lock).  store_fs is the
 * production store.  Built against <coffer/module.h> alone; see
 * docs/writing-modules.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <coffer/module.h>

#define LOG_MAGIC	0x31584643u	/* "CFX1" */
#define KIND_MAX	16

/* On disk, before the kind, the name and the data. */
struct rec_head {
	uint32_t	magic;
	uint16_t	kind_len, name_len;
	uint64_t	rev;		/* 0: a tombstone, the name removed */
	uint32_t	data_len;
	uint32_t	sum;		/* FNV-1a of the header (sum 0) + rest */
};

struct rev {
	off_t		off;		/* of the data in the log */
	uint32_t	len;
};

struct name {
	char		 kind[KIND_MAX + 1];
	char		*name;
	struct rev	*revs;		/* revision r at revs[r - 1] */
	uint64_t	 nrevs;		/* 0: removed */
	struct name	*next;
};

struct store {
	const struct coffer_host *host;
	pthread_mutex_t	 lock;
	int		 fd;
	off_t		 end;		/* where the next record goes */
	size_t		 max_record;
	struct name	*names;
};

static const struct coffer_option store_options[] = {
	{ "path", COFFER_OPT_STRING, COFFER_OPT_REQUIRED,
	  "the log file (created if missing)" },
	{ "max_record", COFFER_OPT_INT, 0,
	  "largest record in bytes (default 65536)" },
	{ NULL, 0, 0, NULL }
};

/* ---- the index --------------------------------------------------------- */

static struct name *
index_find(const struct store *s, const char *kind, const char *name)
{
	for (struct name *n = s->names; n != NULL; n = n->next)
		if (strcmp(n->kind, kind) == 0 && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

/* Record revision REV (0: the removal) of (KIND, NAME) at OFF. */
static int
index_add(struct store *s, const char *kind, const char *name, uint64_t rev,
    off_t off, uint32_t len)
{
	struct name *n = index_find(s, kind, name);
	struct rev *revs;

	if (n == NULL) {
		if ((n = calloc(1, sizeof(*n))) == NULL ||
		    (n->name = strdup(name)) == NULL) {
			free(n);
			return -1;
		}
		snprintf(n->kind, sizeof(n->kind), "%s", kind);
		n->next = s->names;
		s->names = n;
	}
	if (rev == 0) {
		n->nrevs = 0;
		return 0;
	}
	if ((revs = realloc(n->revs, rev * sizeof(*revs))) == NULL)
		return -1;
	n->revs = revs;
	n->revs[rev - 1] = (struct rev){ off, len };
	n->nrevs = rev;
	return 0;
}

static void
index_free(struct store *s)
{
	struct name *next;

	for (struct name *n = s->names; n != NULL; n = next) {
		next = n->next;
		free(n->name);
		free(n->revs);
		free(n);
	}
}

/* ---- the log ----------------------------------------------------------- */

static uint32_t
fnv(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t
rec_sum(struct rec_head h, const char *kind, const char *name,
    const void *data)
{
	uint32_t sum;

	h.sum = 0;
	sum = fnv(2166136261u, &h, sizeof(h));
	sum = fnv(sum, kind, h.kind_len);
	sum = fnv(sum, name, h.name_len);
	return fnv(sum, data, h.data_len);
}

/* Append one record and make it durable; its data's offset in *OFF_R. */
static int
log_append(struct store *s, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, off_t *off_r)
{
	struct rec_head h = { LOG_MAGIC, (uint16_t)strlen(kind),
	    (uint16_t)strlen(name), rev, (uint32_t)len, 0 };
	struct iovec_like { const void *p; size_t n; } part[] = {
		{ &h, sizeof(h) }, { kind, h.kind_len }, { name, h.name_len },
		{ data, len },
	};
	off_t off = s->end;

	h.sum = rec_sum(h, kind, name, data);
	for (size_t i = 0; i < sizeof(part) / sizeof(*part); i++) {
		if (pwrite(s->fd, part[i].p, part[i].n, off) !=
		    (ssize_t)part[i].n)
			return -1;
		off += (off_t)part[i].n;
	}
	if (fdatasync(s->fd) < 0)
		return -1;
	*off_r = off - (off_t)len;
	s->end = off;
	return 0;
}

/* Read the record at *OFF into the index and move *OFF past it: 1 when
 * done, 0 at a clean end, -1 at a torn or damaged record. */
static int
log_replay_one(struct store *s, off_t *off)
{
	char kind[KIND_MAX + 1], name[COFFER_STORE_NAME_MAX + 1], *data;
	struct rec_head h;
	ssize_t n = pread(s->fd, &h, sizeof(h), *off);
	off_t at = *off + (off_t)sizeof(h);
	int ok;

	if (n == 0)
		return 0;
	if (n != sizeof(h) || h.magic != LOG_MAGIC || h.kind_len > KIND_MAX ||
	    h.name_len > COFFER_STORE_NAME_MAX || h.data_len > (1u << 30) ||
	    (data = malloc(h.data_len + 1)) == NULL)
		return -1;
	ok = pread(s->fd, kind, h.kind_len, at) == h.kind_len &&
	    pread(s->fd, name, h.name_len, at + h.kind_len) == h.name_len &&
	    pread(s->fd, data, h.data_len, at + h.kind_len + h.name_len) ==
	    (ssize_t)h.data_len;
	kind[ok ? h.kind_len : 0] = name[ok ? h.name_len : 0] = '\0';
	ok = ok && rec_sum(h, kind, name, data) == h.sum;
	free(data);
	if (!ok)
		return -1;
	*off = at + h.kind_len + h.name_len + h.data_len;
	return index_add(s, kind, name, h.rev, *off - (off_t)h.data_len,
	    h.data_len) == 0 ? 1 : -1;
}

/* 1 when nothing but zeros lies between OFF and SIZE. */
static int
log_zeros(const struct store *s, off_t off, off_t size)
{
	unsigned char chunk[4096];
	ssize_t n;

	for (; off < size; off += n) {
		if ((n = pread(s->fd, chunk, sizeof(chunk), off)) <= 0)
			return 0;
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i] != 0)
				return 0;
	}
	return 1;
}

/* Is the bad record at OFF the torn end of an append a crash cut short
 * (which was never acknowledged), rather than damage in the middle? */
static int
log_torn(const struct store *s, off_t off, off_t size)
{
	struct rec_head h;

	if (pread(s->fd, &h, sizeof(h), off) != sizeof(h))
		return 1;
	if (h.magic == LOG_MAGIC && off + (off_t)sizeof(h) + h.kind_len +
	    h.name_len + (off_t)h.data_len > size)
		return 1;
	return log_zeros(s, off, size);
}

/* Rebuild the index; cut off a record a crash left half written, refuse a
 * log damaged anywhere else (cutting there would lose what follows). */
static int
log_replay(struct store *s)
{
	off_t off = 0, size = lseek(s->fd, 0, SEEK_END);
	int rc;

	while ((rc = log_replay_one(s, &off)) == 1)
		;
	if (rc < 0 && !log_torn(s, off, size)) {
		s->host->log(s->host, COFFER_LOG_ERROR, "the log is damaged "
		    "at byte %lld", (long long)off);
		errno = EILSEQ;
		return -1;
	}
	if (rc < 0) {
		s->host->log(s->host, COFFER_LOG_WARNING, "the log ends in an "
		    "incomplete record at byte %lld: cutting it off",
		    (long long)off);
		if (ftruncate(s->fd, off) < 0 || fdatasync(s->fd) < 0)
			return -1;
	}
	s->end = off;
	return 0;
}

/* ---- open and close ---------------------------------------------------- */

static enum coffer_rc
store_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	const char *path = host->conf_string(conf, "path", NULL);
	int64_t max = host->conf_int(conf, "max_record", 65536);
	struct store *s;

	if (max < 1 || max > (1 << 30)) {
		snprintf(err->msg, sizeof(err->msg), "%s: max_record must be "
		    "1 to 1073741824", host->conf_where(conf, "max_record"));
		return COFFER_ERROR;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return COFFER_ERROR;
	s->host = host;
	s->max_record = (size_t)max;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->fd < 0 || flock(s->fd, LOCK_EX | LOCK_NB) < 0 ||
	    log_replay(s) < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
		    errno == EWOULDBLOCK ? "in use by another daemon" :
		    strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		index_free(s);
		free(s);
		return COFFER_ERROR;
	}
	*inst_r = s;
	return COFFER_OK;
}

static void
store_close(void *inst)
{
	struct store *s = inst;

	close(s->fd);
	index_free(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- the operations ---------------------------------------------------- */

static int
valid(const char *kind, const char *name, struct coffer_error *err)
{
	size_t k = strlen(kind), n = strlen(name);

	if (k == 0 || k > KIND_MAX || kind[0] < 'a' || kind[0] > 'z' ||
	    strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_") != k ||
	    n == 0 || n > COFFER_STORE_NAME_MAX) {
		snprintf(err->msg, sizeof(err->msg), "invalid kind or name");
		return 0;
	}
	return 1;
}

static void
store_limits(void *inst, struct coffer_store_limits *limits)
{
	limits->max_record = ((struct store *)inst)->max_record;
}

static enum coffer_rc
store_put(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct store *s = inst;
	enum coffer_rc rc = COFFER_OK;
	const struct name *n;
	off_t off;

	if (!valid(kind, name, err))
		return COFFER_ERROR;
	if (len > s->max_record)
		return COFFER_TOO_LARGE;
	pthread_mutex_lock(&s->lock);
	n = index_find(s, kind, name);
	if (rev != (n != NULL ? n->nrevs : 0) + 1)
		rc = COFFER_CONFLICT;	/* exists, or the writer is stale */
	else if (log_append(s, kind, name, rev, data, len, &off) < 0 ||
	    index_add(s, kind, name, rev, off, (uint32_t)len) < 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot write the log: "
		    "%s", strerror(errno));
		rc = COFFER_ERROR;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static enum coffer_rc
store_get(void *inst, const char *kind, const char *name, uint64_t rev,
    uint64_t *rev_r, struct coffer_buf *out, struct coffer_error *err)
{
	struct store *s = inst;
	enum coffer_rc rc = COFFER_NOT_FOUND;
	const struct name *n;
	void *p;

	pthread_mutex_lock(&s->lock);
	n = index_find(s, kind, name);
	if (n != NULL && n->nrevs > 0 && rev <= n->nrevs) {
		const struct rev *r = &n->revs[(rev ? rev : n->nrevs) - 1];

		rc = COFFER_ERROR;
		if ((p = s->host->buf_reserve(out, r->len)) == NULL)
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		else if (pread(s->fd, p, r->len, r->off) != (ssize_t)r->len)
			snprintf(err->msg, sizeof(err->msg), "cannot read "
			    "the log: %s", strerror(errno));
		else
			rc = COFFER_OK;
		*rev_r = rev ? rev : n->nrevs;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp((*(struct name *const *)a)->name,
	    (*(struct name *const *)b)->name);
}

/* The live names of KIND with PREFIX after CURSOR, sorted, in *V_R (the
 * caller frees it); -1 when out of memory. */
static int
list_collect(struct store *s, const char *kind, const char *prefix,
    const char *cursor, struct name ***v_r, size_t *n_r)
{
	struct name **v = NULL, **grown;
	size_t n = 0;

	for (struct name *x = s->names; x != NULL; x = x->next) {
		if (x->nrevs == 0 || strcmp(x->kind, kind) != 0 ||
		    strncmp(x->name, prefix, strlen(prefix)) != 0 ||
		    (cursor != NULL && strcmp(x->name, cursor) <= 0))
			continue;
		if ((grown = realloc(v, (n + 1) * sizeof(*v))) == NULL) {
			free(v);
			return -1;
		}
		v = grown;
		v[n++] = x;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), name_cmp);
	*v_r = v;
	*n_r = n;
	return 0;
}

static enum coffer_rc
store_list(void *inst, const char *kind, const char *prefix,
    const char *cursor, size_t limit, coffer_name_cb cb, void *arg,
    struct coffer_buf *next, struct coffer_error *err)
{
	struct store *s = inst;
	enum coffer_rc rc = COFFER_OK;
	struct name **v;
	size_t n, i;
	int stop = 0;

	pthread_mutex_lock(&s->lock);
	if (list_collect(s, kind, prefix, cursor, &v, &n) < 0) {
		pthread_mutex_unlock(&s->lock);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return COFFER_ERROR;
	}
	for (i = 0; i < n && i < limit && !stop; i++)
		stop = cb(arg, v[i]->name, v[i]->nrevs);
	/* More to come: the cursor is the last name given. */
	if (i > 0 && i < n) {
		if (s->host->buf_set(next, v[i - 1]->name,
		    strlen(v[i - 1]->name) + 1) < 0) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			rc = COFFER_ERROR;
		}
	} else {
		s->host->buf_set(next, "", 0);
	}
	pthread_mutex_unlock(&s->lock);
	free(v);
	return rc;
}

static enum coffer_rc
store_revisions(void *inst, const char *kind, const char *name,
    uint64_t after, size_t limit, coffer_rev_cb cb, void *arg,
    struct coffer_error *err)
{
	struct store *s = inst;
	const struct name *n;
	uint64_t last;

	(void)err;
	pthread_mutex_lock(&s->lock);
	n = index_find(s, kind, name);
	last = n != NULL ? n->nrevs : 0;
	pthread_mutex_unlock(&s->lock);
	if (last == 0)
		return COFFER_NOT_FOUND;
	/* Revisions are contiguous and immutable: 1..last exist. */
	for (uint64_t r = after + 1; r <= last && limit-- > 0; r++)
		if (cb(arg, r) != 0)
			break;
	return COFFER_OK;
}

static enum coffer_rc
store_remove(void *inst, const char *kind, const char *name,
    struct coffer_error *err)
{
	struct store *s = inst;
	enum coffer_rc rc = COFFER_NOT_FOUND;
	struct name *n;
	off_t off;

	pthread_mutex_lock(&s->lock);
	n = index_find(s, kind, name);
	if (n != NULL && n->nrevs > 0) {
		rc = COFFER_OK;
		if (log_append(s, kind, name, 0, "", 0, &off) < 0) {
			snprintf(err->msg, sizeof(err->msg), "cannot write "
			    "the log: %s", strerror(errno));
			rc = COFFER_ERROR;
		} else {
			n->nrevs = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static const struct coffer_store_ops store_ops = {
	.struct_size = sizeof(struct coffer_store_ops),
	.limits = store_limits,
	.put = store_put,
	.get = store_get,
	.list = store_list,
	.revisions = store_revisions,
	.remove = store_remove,
};

static const struct coffer_module store_module = {
	COFFER_MODULE_HEADER,
	.name = "store_example",
	.version = "1.0",
	.kind = COFFER_KIND_STORE,
	.options = store_options,
	.open = store_open,
	.close = store_close,
	.store = &store_ops,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &store_module;
}
