/*
 * kms_cache.c - tokens KMS already vouched for, so that a repeated token
 * costs no KMS call: an LRU of at most `size` entries, keyed (as kmsauth
 * does) by the token, the name it claims and its user type; `to` is the
 * instance's own.  Only the digest of a token is kept, never the token.
 * The caller re-checks the validity window on every hit.
 *
 * Entries are found by a hint, a SipHash of the same under two random
 * keys of the process's, and told apart by the digest (BLAKE2b): the hint
 * alone answers kms_cache_maybe(), the I/O thread's question, for a fifth
 * of the digest's cost, and cannot vouch for a token.
 *
 * A token being checked with KMS is a flight: requests that bring the same
 * token meanwhile wait for its answer instead of asking KMS again, so a
 * burst of requests with a new token costs one KMS call, not one each.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"

#define DIGEST	32

struct entry {
	uint64_t		 hint;		/* picks the bucket */
	uint8_t			 digest[DIGEST];
	struct kms_window	 window;
	const struct kms_key	*key;
	struct entry		*prev, *next;	/* LRU order, newest first */
	struct entry		*chain;		/* hash bucket */
};

/* A token being checked with KMS now, and, once landed, the answer. */
struct kms_flight {
	uint8_t			 digest[DIGEST];
	int			 landed, waiters;
	enum coffer_rc		 rc;
	struct kms_window	 window;
	const struct kms_key	*key;
	char			 msg[COFFER_ERROR_MAX];
	struct kms_flight	*next;
};

struct kms_cache {
	pthread_mutex_t	 lock;
	pthread_cond_t	 landed;
	struct kms_flight *flights;
	struct entry	*entries, *newest, *oldest;
	struct entry	**buckets;
	size_t		 size, nbuckets, used;
	uint8_t		 hint_token[crypto_shorthash_KEYBYTES];
	uint8_t		 hint_name[crypto_shorthash_KEYBYTES];
};

struct kms_cache *
kms_cache_new(size_t size)
{
	struct kms_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->size = size > 0 ? size : 1;
	c->nbuckets = c->size * 2;
	c->entries = calloc(c->size, sizeof(*c->entries));
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (c->entries == NULL || c->buckets == NULL) {
		kms_cache_free(c);
		return NULL;
	}
	crypto_shorthash_keygen(c->hint_token);
	crypto_shorthash_keygen(c->hint_name);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->landed, NULL);
	return c;
}

void
kms_cache_free(struct kms_cache *c)
{
	if (c == NULL)
		return;
	if (c->entries != NULL && c->buckets != NULL) {
		pthread_cond_destroy(&c->landed);
		pthread_mutex_destroy(&c->lock);
	}
	free(c->entries);
	free(c->buckets);
	free(c);
}

static void
kms_cache_digest(const char *token, const struct kms_username *u,
    uint8_t digest[DIGEST])
{
	crypto_generichash_state st;
	uint8_t type = (uint8_t)u->type;

	crypto_generichash_init(&st, NULL, 0, DIGEST);
	crypto_generichash_update(&st, (const uint8_t *)token,
	    strlen(token) + 1);
	crypto_generichash_update(&st, (const uint8_t *)u->from,
	    strlen(u->from) + 1);
	crypto_generichash_update(&st, &type, 1);
	crypto_generichash_final(&st, digest, DIGEST);
}

/* Where (TOKEN, U) would be: a keyed hash, not a proof. */
static uint64_t
kms_cache_hint(const struct kms_cache *c, const char *token,
    const struct kms_username *u)
{
	uint8_t name[KMS_FROM_MAX + 2], h1[8], h2[8];
	size_t len = strlen(u->from);
	uint64_t a, b;

	memcpy(name, u->from, len);
	name[len] = (uint8_t)u->type;
	crypto_shorthash(h1, (const uint8_t *)token, strlen(token),
	    c->hint_token);
	crypto_shorthash(h2, name, len + 1, c->hint_name);
	memcpy(&a, h1, sizeof(a));
	memcpy(&b, h2, sizeof(b));
	return a ^ b;
}

static struct entry **
kms_cache_bucket(const struct kms_cache *c, uint64_t hint)
{
	return &c->buckets[hint % c->nbuckets];
}

/* What an entry is known by. */
struct kms_id {
	uint64_t	 hint;
	uint8_t		 digest[DIGEST];
};

static void
kms_cache_id(const struct kms_cache *c, const char *token,
    const struct kms_username *u, struct kms_id *id)
{
	id->hint = kms_cache_hint(c, token, u);
	kms_cache_digest(token, u, id->digest);
}

static struct entry *
kms_cache_find(struct kms_cache *c, const struct kms_id *id)
{
	struct entry *e = *kms_cache_bucket(c, id->hint);

	while (e != NULL && (e->hint != id->hint ||
	    memcmp(e->digest, id->digest, DIGEST) != 0))
		e = e->chain;
	return e;
}

static void
kms_cache_unlink(struct kms_cache *c, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->newest = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->oldest = e->prev;
	e->prev = e->next = NULL;
}

static void
kms_cache_push(struct kms_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->newest;
	if (c->newest != NULL)
		c->newest->prev = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* Locked: the entry for ID into *W and *KEY, made the newest; 0 when
 * there is none. */
static int
kms_cache_take(struct kms_cache *c, const struct kms_id *id,
    struct kms_window *w, const struct kms_key **key)
{
	struct entry *e = kms_cache_find(c, id);

	if (e == NULL)
		return 0;
	*w = e->window;
	*key = e->key;
	kms_cache_unlink(c, e);
	kms_cache_push(c, e);
	return 1;
}

int
kms_cache_get(struct kms_cache *c, const char *token,
    const struct kms_username *u, struct kms_window *w,
    const struct kms_key **key)
{
	struct kms_id id;
	int hit;

	kms_cache_id(c, token, u, &id);
	pthread_mutex_lock(&c->lock);
	hit = kms_cache_take(c, &id, w, key);
	pthread_mutex_unlock(&c->lock);
	return hit;
}

int
kms_cache_maybe(struct kms_cache *c, const char *token,
    const struct kms_username *u)
{
	uint64_t hint = kms_cache_hint(c, token, u);
	const struct entry *e;

	pthread_mutex_lock(&c->lock);
	for (e = *kms_cache_bucket(c, hint); e != NULL && e->hint != hint;
	    e = e->chain)
		;
	pthread_mutex_unlock(&c->lock);
	return e != NULL;
}

/* Take E out of its hash bucket. */
static void
kms_cache_unhash(struct kms_cache *c, struct entry *e)
{
	struct entry **p = kms_cache_bucket(c, e->hint);

	while (*p != NULL && *p != e)
		p = &(*p)->chain;
	if (*p == e)
		*p = e->chain;
	e->chain = NULL;
}

void
kms_cache_put(struct kms_cache *c, const char *token,
    const struct kms_username *u, const struct kms_window *w,
    const struct kms_key *key)
{
	struct entry *e, **b;
	struct kms_id id;

	kms_cache_id(c, token, u, &id);
	pthread_mutex_lock(&c->lock);
	if ((e = kms_cache_find(c, &id)) != NULL)
		kms_cache_unlink(c, e);		/* refreshed in place */
	else {
		if (c->used < c->size)
			e = &c->entries[c->used++];
		else {			/* evict the least recently used */
			e = c->oldest;
			kms_cache_unlink(c, e);
			kms_cache_unhash(c, e);
		}
		e->hint = id.hint;
		memcpy(e->digest, id.digest, DIGEST);
		b = kms_cache_bucket(c, id.hint);
		e->chain = *b;
		*b = e;
	}
	e->window = *w;
	e->key = key;
	kms_cache_push(c, e);
	pthread_mutex_unlock(&c->lock);
}

/* Wait, locked, for flight F to land; its answer. */
static enum kms_lookup
kms_cache_wait(struct kms_cache *c, struct kms_flight *f,
    struct kms_window *w, const struct kms_key **key, enum coffer_rc *rc,
    struct coffer_error *err)
{
	f->waiters++;
	while (!f->landed)
		pthread_cond_wait(&c->landed, &c->lock);
	*rc = f->rc;
	*w = f->window;
	*key = f->key;
	snprintf(err->msg, sizeof(err->msg), "%s", f->msg);
	if (--f->waiters == 0)
		free(f);	/* the last to read it; it left the list */
	return KMS_SHARED;
}

enum kms_lookup
kms_cache_lookup(struct kms_cache *c, const char *token,
    const struct kms_username *u, struct kms_window *w,
    const struct kms_key **key, struct kms_flight **f_r, enum coffer_rc *rc,
    struct coffer_error *err)
{
	enum kms_lookup how = KMS_LEAD;
	struct kms_flight *f;
	struct kms_id id;

	*f_r = NULL;
	kms_cache_id(c, token, u, &id);
	pthread_mutex_lock(&c->lock);
	if (kms_cache_take(c, &id, w, key)) {
		how = KMS_HIT;
	} else {
		for (f = c->flights; f != NULL && memcmp(f->digest, id.digest,
		    DIGEST) != 0; f = f->next)
			;
		if (f != NULL)
			how = kms_cache_wait(c, f, w, key, rc, err);
		else if ((f = calloc(1, sizeof(*f))) != NULL) {
			memcpy(f->digest, id.digest, DIGEST);
			f->next = c->flights;
			c->flights = f;
			*f_r = f;	/* without memory: lead, alone */
		}
	}
	pthread_mutex_unlock(&c->lock);
	return how;
}

void
kms_cache_land(struct kms_cache *c, struct kms_flight *f, const char *token,
    const struct kms_username *u, enum coffer_rc rc,
    const struct kms_window *w, const struct kms_key *key,
    const struct coffer_error *err)
{
	struct kms_flight **p;

	if (rc == COFFER_OK)
		kms_cache_put(c, token, u, w, key);
	if (f == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	for (p = &c->flights; *p != NULL && *p != f; p = &(*p)->next)
		;
	if (*p == f)
		*p = f->next;
	f->rc = rc;
	if (rc == COFFER_OK) {
		f->window = *w;
		f->key = key;
	}
	snprintf(f->msg, sizeof(f->msg), "%s", err->msg);
	f->landed = 1;
	pthread_cond_broadcast(&c->landed);
	if (f->waiters == 0)
		free(f);
	pthread_mutex_unlock(&c->lock);
}
