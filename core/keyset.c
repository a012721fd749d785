/*
 * keyset.c - the keys that more than one owner holds (keyset.h).
 */
#include "config.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "keyset.h"
#include "xalloc.h"

#define KEYSET_SLOTS	32	/* to start with; kept at most half full */

struct keyset_slot {
	uint64_t	 hash;
	size_t		 off, len;	/* the key, in text */
	uint32_t	 count;		/* owners; 0: an empty slot */
	uint32_t	 first, last;	/* owners */
	size_t		 second;	/* the note of the second owner */
};

struct keyset_note {
	uint32_t	 slot;
	uint32_t	 owner;
};

/* Keys come from documents users write: hashed with a key of the
 * process's, so that no set of keys can be chosen to collide. */
static unsigned char keyset_hashkey[crypto_shorthash_KEYBYTES];
static pthread_once_t keyset_once = PTHREAD_ONCE_INIT;

static void
keyset_hashkey_init(void)
{
	crypto_shorthash_keygen(keyset_hashkey);
}

void
keyset_init(struct keyset *ks)
{
	pthread_once(&keyset_once, keyset_hashkey_init);
	memset(ks, 0, sizeof(*ks));
	ks->mask = KEYSET_SLOTS - 1;
	ks->slots = xcalloc(KEYSET_SLOTS, sizeof(*ks->slots));
}

static uint64_t
keyset_hash(const char *key, size_t len)
{
	uint64_t h;

	crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, len,
	    keyset_hashkey);
	return h;
}

/* The slot holding KEY, or the empty one where it would go. */
static struct keyset_slot *
keyset_find(const struct keyset *ks, uint64_t h, const char *key, size_t len)
{
	size_t i = (size_t)h & ks->mask;

	for (;; i = (i + 1) & ks->mask) {
		struct keyset_slot *s = &ks->slots[i];

		if (s->count == 0 || (s->hash == h && s->len == len &&
		    memcmp(ks->text + s->off, key, len) == 0))
			return s;
	}
}

static void
keyset_grow(struct keyset *ks)
{
	struct keyset_slot *old = ks->slots;
	size_t n = ks->mask + 1, i;

	ks->slots = xcalloc(2 * n, sizeof(*ks->slots));
	ks->mask = 2 * n - 1;
	for (i = 0; i < n; i++) {
		if (old[i].count != 0)
			*keyset_find(ks, old[i].hash, ks->text + old[i].off,
			    old[i].len) = old[i];
	}
	/* Notes name slots by index: renumber them. */
	for (i = 0; i < ks->nnotes; i++) {
		const struct keyset_slot *o = &old[ks->notes[i].slot];

		ks->notes[i].slot = (uint32_t)(keyset_find(ks, o->hash,
		    ks->text + o->off, o->len) - ks->slots);
	}
	free(old);
}

/* A copy of KEY in the text: its offset. */
static size_t
keyset_keep(struct keyset *ks, const char *key, size_t len)
{
	size_t off = ks->text_len;

	if (ks->text_cap - off < len) {
		size_t cap = ks->text_cap ? 2 * ks->text_cap : 1024;
		char *text;

		while (cap - off < len)
			cap *= 2;
		text = xmalloc(cap);
		if (off > 0)
			memcpy(text, ks->text, off);
		sodium_memzero(ks->text, ks->text_cap);
		free(ks->text);
		ks->text = text;
		ks->text_cap = cap;
	}
	if (len > 0)
		memcpy(ks->text + off, key, len);
	ks->text_len += len;
	return off;
}

static void
keyset_append(struct keyset *ks, const struct keyset_slot *s, uint32_t owner)
{
	if (ks->nnotes == ks->notes_cap) {
		ks->notes_cap = ks->notes_cap ? 2 * ks->notes_cap : 64;
		ks->notes = xrealloc(ks->notes, ks->notes_cap,
		    sizeof(*ks->notes));
	}
	ks->notes[ks->nnotes++] = (struct keyset_note){
	    (uint32_t)(s - ks->slots), owner };
}

void
keyset_note(struct keyset *ks, const char *key, size_t len, uint32_t owner)
{
	uint64_t h = keyset_hash(key, len);
	struct keyset_slot *s;

	if (2 * (ks->used + 1) > ks->mask + 1)
		keyset_grow(ks);
	s = keyset_find(ks, h, key, len);
	if (s->count == 0) {
		*s = (struct keyset_slot){ h, keyset_keep(ks, key, len), len,
		    1, owner, owner, 0 };
		ks->used++;
	} else if (s->last == owner) {
		return;
	} else if (++s->count == 2) {
		s->second = ks->nnotes;
		ks->nshared++;
	}
	s->last = owner;
	keyset_append(ks, s, owner);
}

/* Append the name of OWNER to A: 0, or -1. */
static int
keyset_owner(json_t *a, const char *const *names, uint32_t owner)
{
	return json_array_append_new(a, json_string(names[owner]));
}

json_t *
keyset_shared(const struct keyset *ks, const char *const *names)
{
	json_t *shared = json_object(), *a;
	size_t i;
	int rc = shared != NULL ? 0 : -1;

	for (i = 0; rc == 0 && ks->nshared > 0 && i < ks->nnotes; i++) {
		const struct keyset_slot *s = &ks->slots[ks->notes[i].slot];
		const char *key = ks->text + s->off;

		if (s->count < 2 || i < s->second)
			continue;
		if (i == s->second) {
			a = json_array();
			rc = json_object_setn_new_nocheck(shared, key, s->len,
			    a) < 0 || keyset_owner(a, names, s->first) < 0 ?
			    -1 : 0;
		} else {
			a = json_object_getn(shared, key, s->len);
		}
		if (rc == 0)
			rc = keyset_owner(a, names, ks->notes[i].owner);
	}
	if (rc < 0) {
		json_decref(shared);
		return NULL;
	}
	return shared;
}

void
keyset_free(struct keyset *ks)
{
	if (ks->text != NULL)
		sodium_memzero(ks->text, ks->text_cap);
	free(ks->text);
	free(ks->slots);
	free(ks->notes);
	memset(ks, 0, sizeof(*ks));
}
