/*
 * record.h - revisions of secrets and services, sealed in the store.
 *
 * Each revision is one record of its kind ("secret", "service"): a JSON
 * document, for a secret
 *
 *	{ "pairs": { "DB_PASSWORD": "..." }, "metadata": { ... },
 *	  "enabled": true, "modified_by": "user/alice",
 *	  "modified_at": "2026-11-22T11:40:00Z", "comment": "..." }
 *
 * sealed (seal.h) for its name and revision.  Revisions are immutable; a
 * change writes the next one, and of two writers of one revision exactly
 * one wins (the store's create-only put).
 */
#ifndef COFFER_RECORD_H
#define COFFER_RECORD_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "dispatch.h"

#define SECRET_KIND	"secret"
#define SERVICE_KIND	"service"
#define BLIND_KIND	"blind"

/* Read revision REV (0: the latest) of NAME: a new reference in *DOC_R,
 * its revision in *REV_R.  ERR_NOT_FOUND, ERR_TAMPERED, ERR_UNAVAILABLE or
 * ERR_INTERNAL (logged) otherwise, with CTX->msg set. */
enum errcode	 record_read(struct op_ctx *ctx, const char *kind, const char *name,
		    uint64_t rev, json_t **doc_r, uint64_t *rev_r);
/*
 * Revision REV (0: the latest) of NAME, or the latest revisions of the N
 * names in NAMES read together (in batches, when the store can), as
 * decrypted text read in place, for replies written from it without a
 * tree: TS->t[I] for each name, with its revision (text NULL when it does
 * not exist; a missing revision of one name is ERR_NOT_FOUND, as in
 * record_read()).  All are in the calling thread's scratch buffer
 * (scratch.h), which nothing else may take until record_texts_done()
 * wipes it.  The texts are only opened, not parsed: a reader that finds
 * no document in one says so with record_damaged().  Any other failure
 * fails the whole read, as in record_read(), and then nothing is held.
 */
struct record_text {
	const char	*text;
	size_t		 len;
	uint64_t	 rev;
};
struct record_texts {
	struct record_text	*t;
	size_t			 n;
	uint8_t			*plain;		/* the scratch used */
	size_t			 used;
};
enum errcode	 record_read_text(struct op_ctx *ctx, const char *kind,
		    const char *name, uint64_t rev, struct record_texts *ts);
enum errcode	 record_read_latest_many_text(struct op_ctx *ctx,
		    const char *kind, const char *const *names, size_t n,
		    struct record_texts *ts);
void		 record_texts_done(struct record_texts *ts);
/* Revision REV of NAME opens but WHY it is no document: logged, CTX->msg
 * set, ERR_TAMPERED. */
enum errcode	 record_damaged(struct op_ctx *ctx, const char *kind,
		    const char *name, uint64_t rev, const char *why);

/* Write DOC as revision REV of NAME.  ERR_CONFLICT when REV is taken (or
 * REV - 1 missing), ERR_TOO_LARGE over the store's limit. */
enum errcode	 record_write(struct op_ctx *ctx, const char *kind, const char *name,
		    uint64_t rev, json_t *doc);
/*
 * Write the revision after the latest, made by CHANGE from the latest
 * document.  With EXPECT (non-zero), the latest must be revision EXPECT,
 * else ERR_CONFLICT; without, a lost race is retried on the new latest.
 * The new revision in *REV_R.
 */
typedef json_t *(*record_change_fn)(struct op_ctx *ctx, json_t *latest,
		    void *arg, enum errcode *e);
enum errcode	 record_change(struct op_ctx *ctx, const char *kind, const char *name,
		    uint64_t expect, record_change_fn change, void *arg,
		    uint64_t *rev_r);
/* Remove NAME with every revision. */
enum errcode	 record_remove(struct op_ctx *ctx, const char *kind, const char *name);
/* Up to LIMIT names starting with PREFIX after CURSOR (NULL: the first
 * page), appended to LIST as { name, revision }; the next cursor in NEXT
 * (empty after the last page). */
enum errcode	 record_list(struct op_ctx *ctx, const char *kind, const char *prefix,
		    const char *cursor, size_t limit, json_t *list,
		    struct coffer_buf *next);
/* Up to LIMIT revision numbers of NAME after AFTER, appended to REVS. */
enum errcode	 record_revisions(struct op_ctx *ctx, const char *kind, const char *name,
		    uint64_t after, size_t limit, json_t *revs);
/* Reseal revision REV of NAME under the newest master key if another key
 * sealed it, through the store's REPLACE; *DONE_R says whether it did. */
enum errcode	 record_reseal(struct op_ctx *ctx, const char *kind,
		    const char *name, uint64_t rev, int *done_r);
/* What every kind's reply shows of revision REV of NAME: name, revision,
 * modified_by, modified_at and the comment if there is one.  A new
 * object, or NULL. */
json_t		*record_view(const char *name, uint64_t rev, json_t *doc);
/* Stamp DOC with who changes it (CTX's principal) and when: 0 or -1. */
int		 record_stamp(const struct op_ctx *ctx, json_t *doc);

#endif
