/*
 * curve.h - auth_curve internals: the certificate index and its watcher.
 *
 * The index maps a client's 32-byte CURVE public key to the principal of
 * the certificate file that holds it.  It is built from one scan of the
 * certificate directory and never changed afterwards: a change on disk
 * builds a new index, which replaces the old one under a write lock held
 * only for the pointer swap.  Lookups cost the same with 10 or 100,000
 * certificates (a hash table keyed with a random SipHash key).
 */
#ifndef AUTH_CURVE_H
#define AUTH_CURVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "coffer/module.h"

#include "certstore.h"

#define CURVE_FILE_MAX	CERTSTORE_FILE_MAX

struct curve_entry {
	uint8_t		 key[32];
	char		 name[COFFER_NAME_MAX + 1];
	enum coffer_principal_type type;
	char		 file[CURVE_FILE_MAX + 1];
	char		 other[CURVE_FILE_MAX + 1];	/* set: ambiguous */
};

struct curve_index {
	struct curve_entry *entries;
	size_t		 n, cap;
	uint32_t	*slots;		/* entry index + 1; 0 is empty */
	size_t		 mask;
	unsigned char	 hashkey[16];
	size_t		 skipped;	/* files that did not load */
};

/* What a scan needs to know. */
struct curve_opts {
	const struct coffer_host *host;
	const char	*dir;
	int		 strict;		/* any bad file fails the scan */
	int		 strict_permissions;
	enum coffer_principal_type default_type;
};

/* Scan the directory into a new index.  NULL with ERR set when the
 * directory is unusable (or, when strict, any file is). */
struct curve_index *curve_index_build(const struct curve_opts *o,
		    struct coffer_error *err);
/* An index that holds no key (every lookup fails). */
struct curve_index *curve_index_empty(void);
void		 curve_index_free(struct curve_index *idx);
/* The entry for KEY, or NULL. */
const struct curve_entry *curve_index_find(const struct curve_index *idx,
		    const uint8_t key[32]);
/* Refuse a directory others could write, or owned by a stranger. */
enum coffer_rc	 curve_dir_check(const struct curve_opts *o,
		    struct coffer_error *err);

/* Watches the directory and calls RELOAD(ARG) once changes settle. */
struct curve_watch {
	pthread_t	 thread;
	int		 inotify, stop[2], running;
	const char	*dir;
	void		(*reload)(void *arg);
	void		*arg;
	const struct coffer_host *host;
};

int	 curve_watch_start(struct curve_watch *w, const struct coffer_host *h,
	    const char *dir, void (*reload)(void *), void *arg,
	    struct coffer_error *err);
void	 curve_watch_stop(struct curve_watch *w);

#endif
