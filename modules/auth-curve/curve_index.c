/*
 * curve_index.c - scan a certificate directory into a key index.
 *
 * Which files count and what they mean is certstore.c's (shared with the
 * CLI).  A file that fails to parse, has an unknown type or an unusable
 * name is skipped with a warning naming it; a "_secret" file is skipped
 * with a warning (a store needs no secret keys); two files with the same
 * key make that key ambiguous, and it is refused.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "cert.h"
#include "certstore.h"
#include "curve.h"

#define CURVE_ERR(err, ...) \
	snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

static void
curve_warn(const struct curve_opts *o, struct curve_index *idx,
    struct coffer_error *first, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A file that does not load: logged, counted, remembered if first. */
static void
curve_warn(const struct curve_opts *o, struct curve_index *idx,
    struct coffer_error *first, const char *fmt, ...)
{
	char msg[COFFER_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->host->log(o->host, COFFER_LOG_WARNING, "%s", msg);
	if (idx->skipped++ == 0)
		snprintf(first->msg, sizeof(first->msg), "%s", msg);
}

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

static uint32_t *
curve_slot(const struct curve_index *idx, const uint8_t key[32])
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	size_t i;

	crypto_shorthash(h, key, 32, idx->hashkey);
	memcpy(&v, h, sizeof(v));
	for (i = (size_t)v & idx->mask;; i = (i + 1) & idx->mask) {
		uint32_t s = idx->slots[i];

		if (s == 0 || sodium_memcmp(idx->entries[s - 1].key, key,
		    32) == 0)
			return &idx->slots[i];
	}
}

const struct curve_entry *
curve_index_find(const struct curve_index *idx, const uint8_t key[32])
{
	uint32_t s = *curve_slot(idx, key);

	return s != 0 ? &idx->entries[s - 1] : NULL;
}

/* Read one file into E; 0, or -1 after a warning. */
static int
curve_parse(const struct curve_opts *o, struct curve_index *idx,
    const char *file, struct curve_entry *e, struct coffer_error *first)
{
	struct certstore_entry ce;
	char why[CERT_ERR_MAX];

	if (certstore_read(o->dir, file, o->default_type, &ce, why) < 0) {
		curve_warn(o, idx, first, "%s; skipped", why);
		return -1;
	}
	if (ce.had_secret)
		o->host->log(o->host, COFFER_LOG_WARNING, "%s/%s holds a "
		    "secret key: a certificate store needs public keys only; "
		    "remove it", o->dir, file);
	memset(e, 0, sizeof(*e));
	if (zmq_z85_decode(e->key, ce.key) == NULL) {
		curve_warn(o, idx, first, "%s/%s: public-key does not decode; "
		    "skipped", o->dir, file);
		return -1;
	}
	memcpy(e->name, ce.name, sizeof(e->name));
	memcpy(e->file, ce.file, sizeof(e->file));
	e->type = ce.type;
	return 0;
}

static int
curve_add(struct curve_index *idx, const struct curve_entry *e)
{
	if (idx->n == idx->cap) {
		size_t cap = idx->cap ? idx->cap * 2 : 64;
		void *p = realloc(idx->entries, cap * sizeof(*idx->entries));

		if (p == NULL)
			return -1;
		idx->entries = p;
		idx->cap = cap;
	}
	idx->entries[idx->n++] = *e;
	return 0;
}

/* Read every certificate file into IDX->entries (no table yet). */
static enum coffer_rc
curve_scan(const struct curve_opts *o, struct curve_index *idx,
    struct coffer_error *first, struct coffer_error *err)
{
	struct curve_entry e;
	struct dirent *d;
	struct stat st;
	DIR *dir = opendir(o->dir);

	if (dir == NULL) {
		CURVE_ERR(err, "certificate store %s: %s", o->dir,
		    strerror(errno));
		return COFFER_ERROR;
	}
	while ((d = readdir(dir)) != NULL) {
		switch (certstore_classify(d->d_name)) {
		case CERTSTORE_IGNORED:
			continue;
		case CERTSTORE_SECRET:
			o->host->log(o->host, COFFER_LOG_WARNING, "%s/%s is a "
			    "secret certificate: a certificate store needs "
			    "public keys only; not loaded, remove it", o->dir,
			    d->d_name);
			continue;
		case CERTSTORE_CERT:
			break;
		}
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0 || !S_ISREG(st.st_mode)) {
			curve_warn(o, idx, first, "%s/%s: not a regular file; "
			    "skipped", o->dir, d->d_name);
			continue;
		}
		if (curve_parse(o, idx, d->d_name, &e, first) == 0 &&
		    curve_add(idx, &e) < 0) {
			closedir(dir);
			CURVE_ERR(err, "out of memory");
			return COFFER_ERROR;
		}
	}
	closedir(dir);
	return COFFER_OK;
}

/* Hash every entry; a key in two files marks both ambiguous. */
static int
curve_table(const struct curve_opts *o, struct curve_index *idx,
    struct coffer_error *first)
{
	size_t size = 16;

	while (size < idx->n * 2)
		size *= 2;
	if ((idx->slots = calloc(size, sizeof(*idx->slots))) == NULL)
		return -1;
	idx->mask = size - 1;
	randombytes_buf(idx->hashkey, sizeof(idx->hashkey));
	for (size_t i = 0; i < idx->n; i++) {
		struct curve_entry *e = &idx->entries[i];
		uint32_t *s = curve_slot(idx, e->key);

		if (*s == 0) {
			*s = (uint32_t)i + 1;
			continue;
		}
		curve_warn(o, idx, first, "%s/%s and %s/%s hold the same key: "
		    "it is refused until one is removed", o->dir,
		    idx->entries[*s - 1].file, o->dir, e->file);
		if (idx->entries[*s - 1].other[0] == '\0')
			snprintf(idx->entries[*s - 1].other,
			    sizeof(e->other), "%s", e->file);
	}
	return 0;
}

struct curve_index *
curve_index_empty(void)
{
	struct curve_index *idx = calloc(1, sizeof(*idx));

	if (idx != NULL && curve_table(NULL, idx, NULL) < 0) {
		free(idx);
		return NULL;
	}
	return idx;
}

struct curve_index *
curve_index_build(const struct curve_opts *o, struct coffer_error *err)
{
	struct coffer_error first = { "" };
	struct curve_index *idx;

	if (curve_dir_check(o, err) != COFFER_OK)
		return NULL;
	if ((idx = calloc(1, sizeof(*idx))) == NULL) {
		CURVE_ERR(err, "out of memory");
		return NULL;
	}
	if (curve_scan(o, idx, &first, err) != COFFER_OK)
		goto fail;
	if (curve_table(o, idx, &first) < 0) {
		CURVE_ERR(err, "out of memory");
		goto fail;
	}
	if (o->strict && idx->skipped > 0) {
		CURVE_ERR(err, "strict: %s", first.msg);
		goto fail;
	}
	return idx;
fail:
	curve_index_free(idx);
	return NULL;
}

void
curve_index_free(struct curve_index *idx)
{
	if (idx == NULL)
		return;
	free(idx->entries);
	free(idx->slots);
	free(idx);
}
