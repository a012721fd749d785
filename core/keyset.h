/*
 * keyset.h - the keys that more than one owner holds: a service get's
 * "conflicts", the pair keys found in more than one of its secrets.
 *
 * Keys are noted as the secrets' documents are walked, into one hash table
 * for the request, and the keys held more than once are written into the
 * reply from it.  (A jansson object per key, with an array and a string
 * per owner, cost a service get more than walking the pairs did.)
 */
#ifndef COFFER_KEYSET_H
#define COFFER_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct jsonw;
struct keyset_slot;
struct keyset_note;

struct keyset {
	struct keyset_slot	*slots;		/* open addressing */
	size_t			 mask, used;
	char			*text;		/* the keys' bytes, wiped */
	size_t			 text_len, text_cap;
	struct keyset_note	*notes;		/* each key noted, in order */
	size_t			 nnotes, notes_cap;
	size_t			 nshared;	/* keys held more than once */
};

void	 keyset_init(struct keyset *ks);
/* Owner OWNER holds the LEN bytes of KEY.  An owner's keys are noted
 * together, one owner after another; a key noted again by the owner that
 * noted it last counts once. */
void	 keyset_note(struct keyset *ks, const char *key, size_t len,
	    uint32_t owner);
/* Write { key: [ the names of its owners ], ... } for every key held more
 * than once, in the order their second owner was noted, each key's owners
 * in the order they were noted; owner I is NAMES[I]. */
void	 keyset_write(const struct keyset *ks, struct jsonw *w,
	    const char *const *names);
void	 keyset_free(struct keyset *ks);

#endif
