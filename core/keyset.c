/*
 * keyset.c - the keys that more than one owner holds (keyset.h).
 */
#include "config.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "jsonw.h"
#include "keyset.h"
#include "xalloc.h"

#define KEYSET_SLOTS	32	/* to start with; kept at most half full */

#define KEYSET_END	UINT32_MAX	/* no next note */

struct keyset_slot {
	uint64_t	 hash;
	size_t		 off, len;	/* the key, in text */
	uint32_t	 count;		/* owners; 0: an empty slot */
	uint32_t	 head, tail;	/* its first and last notes */
	uint32_t	 second;	/* the note of the second owner */
};

struct keyset_note {
	uint32_t	 slot;
	uint32_t	 owner;
	uint32_t	 next;		/* the key's next note, or KEYSET_END */
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
	    (uint32_t)(s - ks->slots), owner, KEYSET_END };
}

void
keyset_note(struct keyset *ks, const char *key, size_t len, uint32_t owner)
{
	uint64_t h = keyset_hash(key, len);
	uint32_t note = (uint32_t)ks->nnotes;
	struct keyset_slot *s;

	if (2 * (ks->used + 1) > ks->mask + 1)
		keyset_grow(ks);
	s = keyset_find(ks, h, key, len);
	if (s->count == 0) {
		*s = (struct keyset_slot){ h, keyset_keep(ks, key, len), len,
		    1, note, note, 0 };
		ks->used++;
	} else if (ks->notes[s->tail].owner == owner) {
		return;
	} else {
		if (++s->count == 2) {
			s->second = note;
			ks->nshared++;
		}
		ks->notes[s->tail].next = note;
		s->tail = note;
	}
	keyset_append(ks, s, owner);
}

/* Key S and the names of its owners, in the order they were noted. */
static void
keyset_write_key(const struct keyset *ks, struct jsonw *w,
    const struct keyset_slot *s, const char *const *names)
{
	jsonw_str(w, ks->text + s->off, s->len);
	jsonw_raw(w, ":[");
	for (uint32_t n = s->head; n != KEYSET_END; n = ks->notes[n].next) {
		if (n != s->head)
			jsonw_raw(w, ",");
		jsonw_strz(w, names[ks->notes[n].owner]);
	}
	jsonw_raw(w, "]");
}

void
keyset_write(const struct keyset *ks, struct jsonw *w,
    const char *const *names)
{
	size_t k = 0;

	jsonw_raw(w, "{");
	for (size_t i = 0; ks->nshared > 0 && i < ks->nnotes; i++) {
		const struct keyset_slot *s = &ks->slots[ks->notes[i].slot];

		if (s->count < 2 || i != s->second)
			continue;
		if (k++ > 0)
			jsonw_raw(w, ",");
		keyset_write_key(ks, w, s, names);
	}
	jsonw_raw(w, "}");
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
