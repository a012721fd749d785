/*
 * fs_memo.c - what this process already knows about names, to spare
 * system calls on the hot path: which name directories it has checked
 * (their `name` file matched), and the latest revision it last saw of
 * each.  Both are only ever hints.  Another daemon sharing the directory
 * may remove or write a name at any moment: a vanished directory still
 * fails to open, and a latest revision is always confirmed on disk (it
 * exists, the next one does not) before it is believed, exactly as the
 * hint file is.  Lock-free: one 64-bit slot each, overwritten freely.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs.h"

#define MEMO_SLOTS_MIN	65536		/* per table (1 MB in all), or twice
					 * the cache's entries */
#define MEMO_REV_BITS	40

struct fs_memo {
	size_t		slots;		/* a power of two */
	uint64_t	*names;		/* keys of checked names */
	uint64_t	*latest;	/* tag << 40 | revision */
};

struct fs_memo *
fs_memo_new(size_t names)
{
	struct fs_memo *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	for (m->slots = MEMO_SLOTS_MIN; m->slots < 2 * names; m->slots *= 2)
		;
	m->names = calloc(m->slots, sizeof(*m->names));
	m->latest = calloc(m->slots, sizeof(*m->latest));
	if (m->names == NULL || m->latest == NULL) {
		fs_memo_free(m);
		return NULL;
	}
	return m;
}

void
fs_memo_free(struct fs_memo *m)
{
	if (m == NULL)
		return;
	free(m->names);
	free(m->latest);
	free(m);
}

static size_t
memo_slot(const struct fs_memo *m, uint64_t key)
{
	return (size_t)(key & (m->slots - 1));
}

uint64_t
fs_memo_key(const struct fs_key *k)
{
	return k->id[0];	/* never 0, an empty slot; keyed, so names
				 * cannot be chosen to share slots */
}

int
fs_memo_name_known(struct fs_memo *m, uint64_t key)
{
	return __atomic_load_n(&m->names[memo_slot(m, key)],
	    __ATOMIC_RELAXED) == key;
}

void
fs_memo_name_checked(struct fs_memo *m, uint64_t key)
{
	__atomic_store_n(&m->names[memo_slot(m, key)], key, __ATOMIC_RELAXED);
}

uint64_t
fs_memo_latest(struct fs_memo *m, uint64_t key)
{
	uint64_t v = __atomic_load_n(&m->latest[memo_slot(m, key)],
	    __ATOMIC_RELAXED);

	if (v >> MEMO_REV_BITS != key >> MEMO_REV_BITS)
		return 0;
	return v & ((1ULL << MEMO_REV_BITS) - 1);
}

void
fs_memo_set_latest(struct fs_memo *m, uint64_t key, uint64_t rev)
{
	if (rev >= 1ULL << MEMO_REV_BITS)
		return;
	__atomic_store_n(&m->latest[memo_slot(m, key)],
	    (key >> MEMO_REV_BITS) << MEMO_REV_BITS | rev, __ATOMIC_RELAXED);
}

void
fs_memo_forget(struct fs_memo *m, uint64_t key)
{
	uint64_t want = key;

	__atomic_compare_exchange_n(&m->names[memo_slot(m, key)], &want, 0, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	fs_memo_set_latest(m, key, 0);
}
