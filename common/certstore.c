/*
 * certstore.c - what a certificate store directory holds.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certstore.h"

#define CS_ERR(err, ...) snprintf((err), CERT_ERR_MAX, __VA_ARGS__)

enum certstore_kind
certstore_classify(const char *file)
{
	size_t n = strlen(file);

	if (n == 0 || file[0] == '.' || file[n - 1] == '~')
		return CERTSTORE_IGNORED;
	if (n > 7 && strcmp(file + n - 7, "_secret") == 0)
		return CERTSTORE_SECRET;
	return CERTSTORE_CERT;
}

int
certstore_check_dir(const char *dir, int strict, char *err)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		CS_ERR(err, "certificate store %.150s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		CS_ERR(err, "certificate store %s: not a directory", dir);
		return -1;
	}
	if (!strict)
		return 0;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		CS_ERR(err, "certificate store %s is owned by uid %u, not root "
		    "or the daemon's user", dir, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		CS_ERR(err, "certificate store %s has mode %04o: others may "
		    "add keys; run chmod go-w %s", dir,
		    (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

int
certstore_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > COFFER_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == '"')
			return 0;	/* ends up in logs and file names */
	}
	return 1;
}

const char *
certstore_type_name(enum coffer_principal_type type)
{
	return type == COFFER_PRINCIPAL_USER ? "user" : "service";
}

int
certstore_type_parse(const char *word, enum coffer_principal_type *type)
{
	if (strcmp(word, "user") == 0)
		*type = COFFER_PRINCIPAL_USER;
	else if (strcmp(word, "service") == 0)
		*type = COFFER_PRINCIPAL_SERVICE;
	else
		return -1;
	return 0;
}

static void
certstore_default_name(const char *file, char *name, size_t size)
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

int
certstore_read(const char *dir, const char *file,
    enum coffer_principal_type default_type, struct certstore_entry *e,
    char *err)
{
	char path[4096], why[CERT_ERR_MAX];
	const char *name, *type;
	struct cert c;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (strlen(file) > CERTSTORE_FILE_MAX || cert_load(&c, path, why) < 0) {
		CS_ERR(err, "%.150s: %.90s", path, strlen(file) >
		    CERTSTORE_FILE_MAX ? "file name too long" : why);
		return -1;
	}
	e->had_secret = c.secret_key[0] != '\0';
	cert_wipe(&c);
	memcpy(e->key, c.public_key, sizeof(e->key));
	snprintf(e->file, sizeof(e->file), "%s", file);
	if ((name = cert_meta(&c, "name")) != NULL)
		snprintf(e->name, sizeof(e->name), "%.*s", COFFER_NAME_MAX,
		    name);
	else
		certstore_default_name(file, e->name, sizeof(e->name));
	if (!certstore_name_ok(e->name) || (name != NULL &&
	    strlen(name) > COFFER_NAME_MAX)) {
		CS_ERR(err, "%.100s: name must be 1 to %d printable ASCII "
		    "characters without spaces, quotes or '/'", path,
		    COFFER_NAME_MAX);
		return -1;
	}
	if ((type = cert_meta(&c, "type")) == NULL)
		e->type = default_type;
	else if (certstore_type_parse(type, &e->type) < 0) {
		CS_ERR(err, "%.150s: type must be \"user\" or \"service\", "
		    "not \"%.32s\"", path, type);
		return -1;
	}
	return 0;
}
