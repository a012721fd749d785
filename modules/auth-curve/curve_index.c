/*
 * curve_index.c - scan a certificate directory into a key index.
 *
 * Every regular file in the directory is a certificate, except hidden files
 * (".x") and editor backups ("x~").  A file that fails to parse, has an
 * unknown type or an unusable name is skipped with a warning naming it;
 * a "_secret" file is skipped with a warning (a store needs no secret keys);
 * two files with the same key make that key ambiguous, and it is refused.
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
	struct stat st;

	if (stat(o->dir, &st) < 0) {
		CURVE_ERR(err, "certificate store %s: %s", o->dir,
		    strerror(errno));
		return COFFER_ERROR;
	}
	if (!S_ISDIR(st.st_mode)) {
		CURVE_ERR(err, "certificate store %s: not a directory", o->dir);
		return COFFER_ERROR;
	}
	if (!o->strict_permissions)
		return COFFER_OK;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		CURVE_ERR(err, "certificate store %s is owned by uid %u, not "
		    "root or the daemon's user", o->dir, (unsigned)st.st_uid);
		return COFFER_ERROR;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		CURVE_ERR(err, "certificate store %s has mode %04o: others "
		    "may add keys; run chmod go-w %s", o->dir,
		    (unsigned)(st.st_mode & 07777), o->dir);
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

/* The principal's name when the certificate has none: the file name
 * without a certificate extension. */
static void
curve_default_name(const char *file, char *name, size_t size)
{
	static const char *const exts[] = { ".key", ".crt", ".cert", ".pub" };
	size_t n = strlen(file);

	for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcmp(file + n - e, exts[i]) == 0) {
			n -= e;
			break;
		}
	}
	snprintf(name, size, "%.*s", (int)n, file);
}

static int
curve_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > COFFER_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c >= 0x80)
			return 0;	/* plain ASCII: names end up in logs */
	}
	return 1;
}

/* Parse one file into E; 0, or -1 after a warning. */
static int
curve_parse(const struct curve_opts *o, struct curve_index *idx,
    const char *file, struct curve_entry *e, struct coffer_error *first)
{
	char err[CERT_ERR_MAX], path[4096];
	const char *name, *type;
	struct cert c;

	snprintf(path, sizeof(path), "%s/%s", o->dir, file);
	if (cert_load(&c, path, err) < 0) {
		curve_warn(o, idx, first, "%s: %s; skipped", path, err);
		return -1;
	}
	if (c.secret_key[0] != '\0') {
		o->host->log(o->host, COFFER_LOG_WARNING, "%s holds a secret "
		    "key: a certificate store needs public keys only; remove "
		    "it", path);
		cert_wipe(&c);
	}
	memset(e, 0, sizeof(*e));
	if (zmq_z85_decode(e->key, c.public_key) == NULL) {
		curve_warn(o, idx, first, "%s: public-key does not decode; "
		    "skipped", path);
		return -1;
	}
	snprintf(e->file, sizeof(e->file), "%s", file);
	if ((name = cert_meta(&c, "name")) != NULL)
		snprintf(e->name, sizeof(e->name), "%s", name);
	else
		curve_default_name(file, e->name, sizeof(e->name));
	if (!curve_name_ok(e->name) || (name != NULL &&
	    strlen(name) > COFFER_NAME_MAX)) {
		curve_warn(o, idx, first, "%s: name must be 1 to %d printable "
		    "ASCII characters; skipped", path, COFFER_NAME_MAX);
		return -1;
	}
	type = cert_meta(&c, "type");
	if (type == NULL)
		e->type = o->default_type;
	else if (strcmp(type, "user") == 0)
		e->type = COFFER_PRINCIPAL_USER;
	else if (strcmp(type, "service") == 0)
		e->type = COFFER_PRINCIPAL_SERVICE;
	else {
		curve_warn(o, idx, first, "%s: type must be \"user\" or "
		    "\"service\", not \"%.32s\"; skipped", path, type);
		return -1;
	}
	return 0;
}

static int
curve_skip_name(const struct curve_opts *o, const char *file)
{
	size_t n = strlen(file);

	if (file[0] == '.' || file[n - 1] == '~')
		return 1;
	if (n > 7 && strcmp(file + n - 7, "_secret") == 0) {
		o->host->log(o->host, COFFER_LOG_WARNING, "%s/%s is a secret "
		    "certificate: a certificate store needs public keys only; "
		    "not loaded, remove it", o->dir, file);
		return 1;
	}
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
		if (curve_skip_name(o, d->d_name))
			continue;
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
