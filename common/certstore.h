/*
 * certstore.h - the rules of a certificate store directory, shared by the
 * auth_curve module (which loads it) and the coffer CLI (which edits it).
 *
 * Every regular file in the directory is a certificate, except hidden files
 * (".x", also used for files being written) and editor backups ("x~");
 * "_secret" files never belong there.  A certificate's principal is its
 * metadata "name" (else the file name without .key/.crt/.cert/.pub) and
 * "type" ("user" or "service"; else the store's default type).
 */
#ifndef COFFER_CERTSTORE_H
#define COFFER_CERTSTORE_H

#include "cert.h"
#include "coffer/module.h"

#define CERTSTORE_FILE_MAX	255

enum certstore_kind {
	CERTSTORE_CERT,		/* a certificate to load */
	CERTSTORE_IGNORED,	/* hidden or a backup: silently skipped */
	CERTSTORE_SECRET	/* a _secret file: skipped with a warning */
};

struct certstore_entry {
	char	 key[CERT_Z85_LEN + 1];		/* Z85 public key */
	char	 name[COFFER_NAME_MAX + 1];
	enum coffer_principal_type type;
	char	 file[CERTSTORE_FILE_MAX + 1];
	int	 had_secret;			/* held a secret-key too */
};

enum certstore_kind certstore_classify(const char *file);
/* The directory must exist, belong to root or us, and (when STRICT) be
 * writable by no one else.  0, or -1 with the reason in ERR. */
int	 certstore_check_dir(const char *dir, int strict, char *err);
/* Read DIR/FILE into E.  0, or -1 with the reason in ERR (which names the
 * file).  The secret key, if any, is never kept. */
int	 certstore_read(const char *dir, const char *file,
	    enum coffer_principal_type default_type,
	    struct certstore_entry *e, char *err);
/* A principal name fit for logs and file names. */
int	 certstore_name_ok(const char *name);
const char *certstore_type_name(enum coffer_principal_type type);
int	 certstore_type_parse(const char *word,
	    enum coffer_principal_type *type);

#endif
