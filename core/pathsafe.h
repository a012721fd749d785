/*
 * pathsafe.h - sshd's StrictModes for the files cofferd trusts.
 *
 * The config (and every file it includes), the server key, the master keys
 * and the module files decide who gets in and what runs in the daemon.  A
 * file that someone else could write, or replace through a directory above
 * it, is refused: it, and every directory up to the root, must be owned by
 * root or by the daemon's user and be writable by no one else.  A root-owned
 * sticky directory (/tmp) may be writable by all: nobody can rename or
 * remove an entry there that is not theirs.
 */
#ifndef COFFER_PATHSAFE_H
#define COFFER_PATHSAFE_H

#include <stddef.h>

#define PATHSAFE_ERR_MAX	1024

/* 0 if PATH is a regular file that only root or we can change; otherwise
 * -1 with the reason, naming the offending path, in ERR. */
int	 pathsafe_check(const char *path, char *err, size_t errlen);

#endif
