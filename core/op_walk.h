/*
 * op_walk.h - list and history, shared by secrets, services and blind
 * secrets.
 */
#ifndef COFFER_OP_WALK_H
#define COFFER_OP_WALK_H

#include <jansson.h>
#include <stdint.h>

#include "dispatch.h"
#include "record.h"

/* What a history entry shows of revision REV's document DOC. */
typedef json_t *(*op_view_fn)(const char *name, uint64_t rev, json_t *doc);

/* The revision of KIND the request names ({ name, revision? }, nothing
 * else): *DOC_R (a new reference), its name and revision; also the audit
 * target and revision. */
enum errcode	 op_walk_read(struct op_ctx *ctx, const char *kind,
		    const char **name_r, json_t **doc_r, uint64_t *rev_r);
/* The same, as the decrypted text in place (record_read_text()). */
enum errcode	 op_walk_read_text(struct op_ctx *ctx, const char *kind,
		    const char **name_r, struct record_texts *ts);
/* KIND's names from the request's prefix/cursor/limit, answered as
 * { KEY: [ { name, revision } ], cursor }. */
enum errcode	 op_walk_list(struct op_ctx *ctx, const char *kind,
		    const char *key);
/* The revisions of the request's name after "after", each as VIEW shows
 * it: { name, revisions }. */
enum errcode	 op_walk_history(struct op_ctx *ctx, const char *kind,
		    op_view_fn view);

#endif
