/*
 * secret.h - a secret's revisions, sealed in the store.
 *
 * Each revision is one record of kind "secret": a JSON document
 *
 *	{ "pairs": { "DB_PASSWORD": "..." }, "metadata": { ... },
 *	  "enabled": true, "modified_by": "user/alice",
 *	  "modified_at": "2026-11-22T11:40:00Z", "comment": "..." }
 *
 * sealed (seal.h) for its name and revision.  Revisions are immutable; a
 * change writes the next one, and of two writers of one revision exactly
 * one wins (the store's create-only put).
 */
#ifndef COFFER_SECRET_H
#define COFFER_SECRET_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "dispatch.h"

#define SECRET_KIND	"secret"

/* Read revision REV (0: the latest) of NAME: a new reference in *DOC_R,
 * its revision in *REV_R.  ERR_NOT_FOUND, ERR_TAMPERED, ERR_UNAVAILABLE or
 * ERR_INTERNAL (logged) otherwise, with CTX->msg set. */
enum errcode	 secret_read(struct op_ctx *ctx, const char *name,
		    uint64_t rev, json_t **doc_r, uint64_t *rev_r);
/* Write DOC as revision REV of NAME.  ERR_CONFLICT when REV is taken (or
 * REV - 1 missing), ERR_TOO_LARGE over the store's limit. */
enum errcode	 secret_write(struct op_ctx *ctx, const char *name,
		    uint64_t rev, json_t *doc);
/*
 * Write the revision after the latest, made by CHANGE from the latest
 * document.  With EXPECT (non-zero), the latest must be revision EXPECT,
 * else ERR_CONFLICT; without, a lost race is retried on the new latest.
 * The new revision in *REV_R.
 */
typedef json_t *(*secret_change_fn)(struct op_ctx *ctx, json_t *latest,
		    void *arg, enum errcode *e);
enum errcode	 secret_change(struct op_ctx *ctx, const char *name,
		    uint64_t expect, secret_change_fn change, void *arg,
		    uint64_t *rev_r);
/* Remove NAME with every revision. */
enum errcode	 secret_remove(struct op_ctx *ctx, const char *name);
/* Up to LIMIT names starting with PREFIX after CURSOR (NULL: the first
 * page), appended to LIST as { name, revision }; the next cursor in NEXT
 * (empty after the last page). */
enum errcode	 secret_list(struct op_ctx *ctx, const char *prefix,
		    const char *cursor, size_t limit, json_t *list,
		    struct coffer_buf *next);
/* Up to LIMIT revision numbers of NAME after AFTER, appended to REVS. */
enum errcode	 secret_revisions(struct op_ctx *ctx, const char *name,
		    uint64_t after, size_t limit, json_t *revs);
/* A new document: PAIRS, METADATA, COMMENT (may be NULL) and ENABLED,
 * stamped with who and when from CTX. */
json_t		*secret_doc(const struct op_ctx *ctx, json_t *pairs,
		    json_t *metadata, json_t *comment, int enabled);

#endif
