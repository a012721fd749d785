/*
 * curve.h - auth_curve internals: the certificate index and its watcher.
 *
 * The index maps a client's 32-byte CURVE public key to the certificate
 * files that hold it (one, normally; more is an ambiguous key, refused).
 * Two chained hash tables, keyed with a random SipHash key, find a
 * certificate by key and by file name in constant time, so a lookup costs
 * the same with 10 or 100,000 certificates, and a changed file is applied
 * alone, without rereading the directory.  The module guards the index
 * with a read-write lock: lookups share it, changes take it briefly.
 */
#ifndef AUTH_CURVE_H
#define AUTH_CURVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "certstore.h"
#include "coffer/module.h"

struct curve_cert {
	uint8_t			 key[32];
	enum coffer_principal_type type;
	char			*name;
	char			*file;
	struct curve_cert	*next_by_key;
	struct curve_cert	*next_by_file;
};

struct curve_index {
	struct curve_cert	**by_key, **by_file;
	size_t			 buckets;	/* a power of two */
	size_t			 n;
	unsigned char		 hashkey[16];
	size_t			 skipped;	/* files that did not load */
};

/* What a lookup found, copied out so the lock can be released. */
struct curve_found {
	char	 name[COFFER_NAME_MAX + 1];
	enum coffer_principal_type type;
	char	 file[CERTSTORE_FILE_MAX + 1];
	char	 other[CERTSTORE_FILE_MAX + 1];	/* a second file: ambiguous */
	size_t	 count;				/* files holding the key */
};

/* What reading the store needs to know. */
struct curve_opts {
	const struct coffer_host *host;
	const char	*dir;
	int		 strict;		/* any bad file fails a scan */
	int		 strict_permissions;
	enum coffer_principal_type default_type;
};

/* curve_index.c */
struct curve_index *curve_index_new(void);
void		 curve_index_free(struct curve_index *idx);
/* Scan the whole directory into a new index.  NULL with ERR set when the
 * directory is unusable (or, when strict, any file is). */
struct curve_index *curve_index_build(const struct curve_opts *o,
		    struct coffer_error *err);
/* Read one file: a new certificate, or NULL (logged) if it does not load
 * or is not a certificate file at all (*GONE set when it is absent). */
struct curve_cert *curve_cert_read(const struct curve_opts *o,
		    const char *file, int *gone, struct coffer_error *err);
void		 curve_cert_free(struct curve_cert *c);
/* Put C in place of whatever FILE held (C may be NULL: FILE is gone).
 * Returns how many files now hold C's key (more than 1: ambiguous). */
size_t		 curve_index_replace(struct curve_index *idx, const char *file,
		    struct curve_cert *c);
/* curve_index_replace(), warning when the key is now ambiguous. */
int		 curve_index_apply(const struct curve_opts *o,
		    struct curve_index *idx, const char *file,
		    struct curve_cert *c, struct coffer_error *err);
/* Look KEY up; 0 when no file holds it. */
size_t		 curve_index_find(const struct curve_index *idx,
		    const uint8_t key[32], struct curve_found *out);
enum coffer_rc	 curve_dir_check(const struct curve_opts *o,
		    struct coffer_error *err);

/* curve_watch.c: watches the directory; after changes settle, calls
 * CHANGED with the names that changed, or RESCAN when it cannot tell
 * (events lost, the directory itself gone or back). */
struct curve_watch {
	pthread_t	 thread;
	int		 inotify, stop[2], running;
	const char	*dir;
	void		(*changed)(void *arg, char **names, size_t n);
	void		(*rescan)(void *arg);
	void		*arg;
};

int	 curve_watch_start(struct curve_watch *w, const char *dir,
	    void (*changed)(void *, char **, size_t), void (*rescan)(void *),
	    void *arg, struct coffer_error *err);
void	 curve_watch_stop(struct curve_watch *w);

#endif
