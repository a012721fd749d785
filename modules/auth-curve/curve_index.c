/*
 * curve_index.c - the certificate index: scan it, change it, look it up.
 *
 * Which files count and what they mean is certstore.c's (shared with the
 * CLI).  A file that fails to parse, has an unknown type or an unusable
 * name is skipped with a warning naming it; a "_secret" file is skipped
 * with a warning (a store needs no secret keys); a key held by two files
 * is ambiguous, and refused until one is removed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"

#define CURVE_MIN_BUCKETS	64

enum coffer_rc
curve_dir_check(const struct curve_opts *o, struct coffer_error *err)
{
	char why[CERT_ERR_MAX];

	if (certstore_check_dir(o->dir, o->strict_permissions, why) < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s", why);
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

static size_t
curve_hash(const struct curve_index *idx, const void *data, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, data, len, idx->hashkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)v & (idx->buckets - 1);
}

static struct curve_cert **
curve_key_bucket(const struct curve_index *idx, const uint8_t key[32])
{
	return &idx->by_key[curve_hash(idx, key, 32)];
}

static struct curve_cert **
curve_file_bucket(const struct curve_index *idx, const char *file)
{
	return &idx->by_file[curve_hash(idx, file, strlen(file))];
}

static int
curve_alloc_buckets(struct curve_index *idx, size_t buckets)
{
	idx->by_key = calloc(buckets, sizeof(*idx->by_key));
	idx->by_file = calloc(buckets, sizeof(*idx->by_file));
	idx->buckets = buckets;
	return idx->by_key != NULL && idx->by_file != NULL ? 0 : -1;
}

struct curve_index *
curve_index_new(void)
{
	struct curve_index *idx = calloc(1, sizeof(*idx));

	if (idx == NULL)
		return NULL;
	randombytes_buf(idx->hashkey, sizeof(idx->hashkey));
	if (curve_alloc_buckets(idx, CURVE_MIN_BUCKETS) < 0) {
		curve_index_free(idx);
		return NULL;
	}
	return idx;
}

void
curve_cert_free(struct curve_cert *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->file);
	free(c);
}

void
curve_index_free(struct curve_index *idx)
{
	if (idx == NULL)
		return;
	for (size_t b = 0; idx->by_file != NULL && b < idx->buckets; b++) {
		struct curve_cert *c = idx->by_file[b], *next;

		for (; c != NULL; c = next) {
			next = c->next_by_file;
			curve_cert_free(c);
		}
	}
	free(idx->by_key);
	free(idx->by_file);
	free(idx);
}

static void
curve_link(struct curve_index *idx, struct curve_cert *c)
{
	struct curve_cert **k = curve_key_bucket(idx, c->key);
	struct curve_cert **f = curve_file_bucket(idx, c->file);

	c->next_by_key = *k;
	*k = c;
	c->next_by_file = *f;
	*f = c;
	idx->n++;
}

/* Twice as many buckets once there are more certificates than buckets. */
static void
curve_grow(struct curve_index *idx)
{
	struct curve_index bigger;
	struct curve_cert *c, *next;

	if (idx->n < idx->buckets)
		return;
	bigger = *idx;
	if (curve_alloc_buckets(&bigger, idx->buckets * 2) < 0) {
		free(bigger.by_key);	/* out of memory: longer chains */
		free(bigger.by_file);
		return;
	}
	bigger.n = 0;
	for (size_t b = 0; b < idx->buckets; b++) {
		for (c = idx->by_file[b]; c != NULL; c = next) {
			next = c->next_by_file;
			curve_link(&bigger, c);
		}
	}
	free(idx->by_key);
	free(idx->by_file);
	*idx = bigger;
}

/* Take FILE's certificate out of both tables; NULL if there is none. */
static struct curve_cert *
curve_unlink(struct curve_index *idx, const char *file)
{
	struct curve_cert **pf = curve_file_bucket(idx, file), **pk, *c;

	while ((c = *pf) != NULL && strcmp(c->file, file) != 0)
		pf = &c->next_by_file;
	if (c == NULL)
		return NULL;
	*pf = c->next_by_file;
	for (pk = curve_key_bucket(idx, c->key); *pk != c;
	    pk = &(*pk)->next_by_key)
		;
	*pk = c->next_by_key;
	idx->n--;
	return c;
}

size_t
curve_index_find(const struct curve_index *idx, const uint8_t key[32],
    struct curve_found *out)
{
	const struct curve_cert *c = *curve_key_bucket(idx, key);

	memset(out, 0, sizeof(*out));
	for (; c != NULL; c = c->next_by_key) {
		if (sodium_memcmp(c->key, key, 32) != 0)
			continue;
		if (out->count++ == 0) {
			snprintf(out->name, sizeof(out->name), "%s", c->name);
			snprintf(out->file, sizeof(out->file), "%s", c->file);
			out->type = c->type;
		} else if (out->other[0] == '\0') {
			snprintf(out->other, sizeof(out->other), "%s", c->file);
		}
	}
	return out->count;
}

size_t
curve_index_replace(struct curve_index *idx, const char *file,
    struct curve_cert *c)
{
	struct curve_found found;

	curve_cert_free(curve_unlink(idx, file));
	if (c == NULL)
		return 0;
	curve_link(idx, c);
	curve_grow(idx);
	return curve_index_find(idx, c->key, &found);
}

static struct curve_cert *
curve_cert_new(const char *dir, const struct certstore_entry *e,
    struct coffer_error *err)
{
	struct curve_cert *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->name = strdup(e->name)) == NULL ||
	    (c->file = strdup(e->file)) == NULL) {
		curve_cert_free(c);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	c->type = e->type;
	if (zmq_z85_decode(c->key, e->key) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%.120s/%.80s: public-key "
		    "does not decode", dir, e->file);
		curve_cert_free(c);
		return NULL;
	}
	return c;
}

struct curve_cert *
curve_cert_read(const struct curve_opts *o, const char *file, int *gone,
    struct coffer_error *err)
{
	const struct coffer_host *h = o->host;
	struct certstore_entry e;
	char path[4096], why[CERT_ERR_MAX];
	struct stat st;

	*gone = 0;
	err->msg[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", o->dir, file);
	switch (certstore_classify(file)) {
	case CERTSTORE_IGNORED:
		return NULL;
	case CERTSTORE_SECRET:
		if (access(path, F_OK) == 0)
			h->log(h, COFFER_LOG_WARNING, "%s is a secret "
			    "certificate: a certificate store needs public "
			    "keys only; not loaded, remove it", path);
		return NULL;
	case CERTSTORE_CERT:
		break;
	}
	if (lstat(path, &st) < 0) {
		*gone = errno == ENOENT;
		if (!*gone)
			snprintf(err->msg, sizeof(err->msg), "%.200s: %s",
			    path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err->msg, sizeof(err->msg), "%.200s: not a regular "
		    "file", path);
		return NULL;
	}
	if (certstore_read(o->dir, file, o->default_type, &e, why) < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s", why);
		return NULL;
	}
	if (e.had_secret)
		h->log(h, COFFER_LOG_WARNING, "%s holds a secret key: a "
		    "certificate store needs public keys only; remove it",
		    path);
	return curve_cert_new(o->dir, &e, err);
}

/* Log that KEY is in two files; the message also goes to ERR. */
static void
curve_warn_dup(const struct curve_opts *o, const struct curve_index *idx,
    const uint8_t key[32], struct coffer_error *err)
{
	struct curve_found f;

	curve_index_find(idx, key, &f);
	snprintf(err->msg, sizeof(err->msg), "%.60s/%.60s and %.60s: the same "
	    "key; it is refused until one is removed", o->dir, f.file,
	    f.other);
	o->host->log(o->host, COFFER_LOG_WARNING, "%s", err->msg);
}

/* Add DIR/NAME to IDX: 0; -1 if the file did not load (ERR says why);
 * -2 if its key is in another file too (logged, and in ERR). */
static int
curve_scan_one(const struct curve_opts *o, struct curve_index *idx,
    const char *name, struct coffer_error *err)
{
	struct curve_cert *c;
	int gone;

	if ((c = curve_cert_read(o, name, &gone, err)) == NULL)
		return err->msg[0] != '\0' ? -1 : 0;
	if (curve_index_replace(idx, c->file, c) > 1) {
		curve_warn_dup(o, idx, c->key, err);
		return -2;
	}
	return 0;
}

struct curve_index *
curve_index_build(const struct curve_opts *o, struct coffer_error *err)
{
	struct coffer_error first = { "" }, one;
	struct curve_index *idx;
	struct dirent *d;
	DIR *dir;
	int rc;

	if (curve_dir_check(o, err) != COFFER_OK)
		return NULL;
	if ((dir = opendir(o->dir)) == NULL || (idx = curve_index_new()) ==
	    NULL) {
		snprintf(err->msg, sizeof(err->msg), "certificate store %s: %s",
		    o->dir, dir ? "out of memory" : strerror(errno));
		if (dir != NULL)
			closedir(dir);
		return NULL;
	}
	while ((d = readdir(dir)) != NULL) {
		if ((rc = curve_scan_one(o, idx, d->d_name, &one)) == 0)
			continue;
		if (rc == -1) {
			o->host->log(o->host, COFFER_LOG_WARNING,
			    "%s; skipped", one.msg);
			idx->skipped++;
		}
		if (first.msg[0] == '\0')
			first = one;
	}
	closedir(dir);
	if (o->strict && first.msg[0] != '\0') {
		snprintf(err->msg, sizeof(err->msg), "strict: %s", first.msg);
		curve_index_free(idx);
		return NULL;
	}
	return idx;
}

/* Apply a change of FILE to IDX (the caller holds the write lock for
 * this call only: reading the file happened before).  C is what FILE now
 * holds (NULL: nothing, or nothing good).  0, or -2 on a duplicate key. */
int
curve_index_apply(const struct curve_opts *o, struct curve_index *idx,
    const char *file, struct curve_cert *c, struct coffer_error *err)
{
	if (curve_index_replace(idx, file, c) > 1) {
		curve_warn_dup(o, idx, c->key, err);
		return -2;
	}
	return 0;
}
