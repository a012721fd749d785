/*
 * secdoc.h - a secret's or a service's document read in place from its
 * decrypted text (record_read_text()), and the replies written from it: a
 * secret get and a service's credentials go from the record to the reply
 * without a jansson tree between them (parsing a tree, writing it out and
 * freeing it, with a wipe per string, cost more than the rest of the
 * read).
 */
#ifndef COFFER_SECDOC_H
#define COFFER_SECDOC_H

#include <stddef.h>
#include <stdint.h>

#include "jsonr.h"
#include "jsonw.h"

/* The members a reply shows, as text in the document (record.h has its
 * form); COMMENT's len is 0 when it has none. */
struct secdoc {
	struct jsonr_span	pairs, metadata, enabled;
	struct jsonr_span	modified_by, modified_at, comment;
};

/* Read the LEN bytes of TEXT as a secret's document: 0, or -1 when they
 * are not one (not JSON, or a member missing or of the wrong type), with
 * WHY saying which (never quoting the text). */
#define SECDOC_WHY_MAX	192
int	 secdoc_read(struct secdoc *d, const char *text, size_t len,
	    char why[SECDOC_WHY_MAX]);
/* Is ENABLED, a member read as true or false, true? */
int	 secdoc_true(const struct jsonr_span *enabled);
/* What secret.get answers for revision REV of NAME: { name, revision,
 * modified_by, modified_at, comment?, enabled, metadata, pairs }. */
void	 secdoc_write_get(struct jsonw *w, const char *name, uint64_t rev,
	    const struct secdoc *d);
/* What a service gets of it: { name, revision, pairs, metadata }. */
void	 secdoc_write_credential(struct jsonw *w, const char *name,
	    uint64_t rev, const struct secdoc *d);
/* A service's document, read the same way. */
struct secdoc_svc {
	struct jsonr_span	secrets, enabled;
	struct jsonr_span	modified_by, modified_at, comment;
};

int	 secdoc_read_svc(struct secdoc_svc *d, const char *text, size_t len,
	    char why[SECDOC_WHY_MAX]);
/* The view of revision REV of service NAME, without its closing brace (a
 * service principal's reply goes on): { name, revision, modified_by,
 * modified_at, comment?, secrets, enabled. */
void	 secdoc_write_svc(struct jsonw *w, const char *name, uint64_t rev,
	    const struct secdoc_svc *d);
/* Each key of the pairs to FN (the values too, as text): 0, or -1. */
int	 secdoc_pair_keys(const struct secdoc *d, jsonr_member_fn fn,
	    void *arg);

#endif
