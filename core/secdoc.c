/*
 * secdoc.c - secrets' documents read in place, and the replies written
 * from them (secdoc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "secdoc.h"

/* A member of the document: its name, the name's length, and the type its
 * text must start with ('{' an object, '"' a string, 'b' true or false). */
struct secdoc_member {
	const char	*key;
	size_t		 keylen;
	size_t		 offset;	/* in struct secdoc */
	char		 type;
	int		 optional;
};

#define M(key)	key, sizeof(key) - 1

static const struct secdoc_member secdoc_members[] = {
	{ M("pairs"), offsetof(struct secdoc, pairs), '{', 0 },
	{ M("metadata"), offsetof(struct secdoc, metadata), '{', 0 },
	{ M("enabled"), offsetof(struct secdoc, enabled), 'b', 0 },
	{ M("modified_by"), offsetof(struct secdoc, modified_by), '"', 0 },
	{ M("modified_at"), offsetof(struct secdoc, modified_at), '"', 0 },
	{ M("comment"), offsetof(struct secdoc, comment), '"', 1 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct secdoc_member secdoc_svc_members[] = {
	{ M("secrets"), offsetof(struct secdoc_svc, secrets), '[', 0 },
	{ M("enabled"), offsetof(struct secdoc_svc, enabled), 'b', 0 },
	{ M("modified_by"), offsetof(struct secdoc_svc, modified_by), '"', 0 },
	{ M("modified_at"), offsetof(struct secdoc_svc, modified_at), '"', 0 },
	{ M("comment"), offsetof(struct secdoc_svc, comment), '"', 1 },
	{ NULL, 0, 0, 0, 0 }
};

#undef M

/* A document being read: where its members' spans go. */
struct secdoc_reading {
	const struct secdoc_member	*members;
	void				*doc;
};

static struct jsonr_span *
secdoc_span(void *doc, const struct secdoc_member *m)
{
	return (struct jsonr_span *)((char *)doc + m->offset);
}

/* Keep the value of a member the reply shows (the last, if given twice,
 * as jsonr_load() keeps it). */
static void
secdoc_member(void *arg, const char *key, size_t keylen,
    const struct jsonr_span *value)
{
	const struct secdoc_reading *rd = arg;

	for (const struct secdoc_member *m = rd->members; m->key; m++) {
		if (m->keylen == keylen &&
		    memcmp(m->key, key, keylen) == 0) {
			*secdoc_span(rd->doc, m) = *value;
			return;
		}
	}
}

static int
secdoc_typed(const struct jsonr_span *v, char type)
{
	if (type != 'b')
		return v->s[0] == type;
	return (v->len == 4 && memcmp(v->s, "true", 4) == 0) ||
	    (v->len == 5 && memcmp(v->s, "false", 5) == 0);
}

/* Read TEXT as a document of MEMBERS into DOC (zeroed), a WHAT's. */
static int
secdoc_read_members(const struct secdoc_member *members, void *doc,
    const char *what, const char *text, size_t len, char why[SECDOC_WHY_MAX])
{
	struct secdoc_reading rd = { members, doc };
	json_error_t err;

	if (jsonr_walk(text, len, secdoc_member, &rd, &err) < 0) {
		/* Not the parser's message: it may quote a byte of a value. */
		snprintf(why, SECDOC_WHY_MAX, "opens, but holds no %s document "
		    "(not a JSON object at byte %d)", what, err.position);
		return -1;
	}
	for (const struct secdoc_member *m = members; m->key; m++) {
		struct jsonr_span *v = secdoc_span(doc, m);

		if (m->optional && (v->len == 0 || !secdoc_typed(v, m->type))) {
			v->len = 0;	/* shown only when of its type */
			continue;
		}
		if (v->len == 0 || !secdoc_typed(v, m->type)) {
			snprintf(why, SECDOC_WHY_MAX, "opens, but its document has "
			    "no valid \"%s\"", m->key);
			return -1;
		}
	}
	return 0;
}

int
secdoc_read(struct secdoc *d, const char *text, size_t len,
    char why[SECDOC_WHY_MAX])
{
	memset(d, 0, sizeof(*d));
	return secdoc_read_members(secdoc_members, d, "secret", text, len,
	    why);
}

int
secdoc_read_svc(struct secdoc_svc *d, const char *text, size_t len,
    char why[SECDOC_WHY_MAX])
{
	memset(d, 0, sizeof(*d));
	return secdoc_read_members(secdoc_svc_members, d, "service", text, len,
	    why);
}

int
secdoc_true(const struct jsonr_span *enabled)
{
	return enabled->len == 4;	/* "true"; read as 'b' */
}

static void
secdoc_put(struct jsonw *w, const char *key, const struct jsonr_span *v)
{
	jsonw_raw(w, key);
	jsonw_rawn(w, v->s, v->len);
}

/* The opening every reply of a revision shares: name and revision. */
static void
secdoc_write_name(struct jsonw *w, const char *name, uint64_t rev)
{
	jsonw_raw(w, "{\"name\":");
	jsonw_strz(w, name);
	jsonw_raw(w, ",\"revision\":");
	jsonw_u64(w, rev);
}

/* The opening of a revision's view: name, revision and its stamp. */
static void
secdoc_write_head(struct jsonw *w, const char *name, uint64_t rev,
    const struct jsonr_span *by, const struct jsonr_span *at,
    const struct jsonr_span *comment)
{
	secdoc_write_name(w, name, rev);
	secdoc_put(w, ",\"modified_by\":", by);
	secdoc_put(w, ",\"modified_at\":", at);
	if (comment->len > 0)
		secdoc_put(w, ",\"comment\":", comment);
}

void
secdoc_write_get(struct jsonw *w, const char *name, uint64_t rev,
    const struct secdoc *d)
{
	secdoc_write_head(w, name, rev, &d->modified_by, &d->modified_at,
	    &d->comment);
	secdoc_put(w, ",\"enabled\":", &d->enabled);
	secdoc_put(w, ",\"metadata\":", &d->metadata);
	secdoc_put(w, ",\"pairs\":", &d->pairs);
	jsonw_raw(w, "}");
}

void
secdoc_write_credential(struct jsonw *w, const char *name, uint64_t rev,
    const struct secdoc *d)
{
	secdoc_write_name(w, name, rev);
	secdoc_put(w, ",\"pairs\":", &d->pairs);
	secdoc_put(w, ",\"metadata\":", &d->metadata);
	jsonw_raw(w, "}");
}

void
secdoc_write_svc(struct jsonw *w, const char *name, uint64_t rev,
    const struct secdoc_svc *d)
{
	secdoc_write_head(w, name, rev, &d->modified_by, &d->modified_at,
	    &d->comment);
	secdoc_put(w, ",\"secrets\":", &d->secrets);
	secdoc_put(w, ",\"enabled\":", &d->enabled);
}

int
secdoc_pair_keys(const struct secdoc *d, jsonr_member_fn fn, void *arg)
{
	return jsonr_walk(d->pairs.s, d->pairs.len, fn, arg, NULL);
}
