/*
 * privs.h - who cofferd runs as.
 *
 * Started as root with `user` (and optionally `group`) in the config,
 * cofferd reads its keys and binds its socket as root, then becomes that
 * user for good before it opens the audit log and the modules: every file
 * the daemon creates from then on is the user's.  Started as anyone else,
 * `user` must name that same user (or be absent).
 */
#ifndef COFFER_PRIVS_H
#define COFFER_PRIVS_H

#include <sys/types.h>

#include "conf.h"

struct privs {
	const char	*user;		/* NULL: nothing to switch to */
	uid_t		 uid;
	gid_t		 gid;
};

/* Look up the configured user and group; -1 (logged) if they do not exist
 * or cannot be switched to from here. */
int	 privs_resolve(struct privs *p, const struct conf *c);
/* Switch to them for good (no way back to root), and make sure. */
int	 privs_drop(const struct privs *p);

#endif
