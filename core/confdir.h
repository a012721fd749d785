/*
 * confdir.h - the drop-in directory named by cofferd.conf's include_dir.
 *
 * A package that ships a module can ship a snippet for it in
 * /etc/coffer/conf.d.  cofferd reads the files whose names end in ".conf"
 * and do not begin with '.', in byte order of their names (10-x.conf before
 * 20-y.conf), so dpkg's leftovers (.dpkg-old, .dpkg-dist), editor backups
 * and hidden files are never read.
 */
#ifndef COFFER_CONFDIR_H
#define COFFER_CONFDIR_H

#include <stddef.h>

struct confdir {
	char	**paths;	/* "DIR/NAME.conf", sorted */
	size_t	  n;
};

/* List the drop-ins of DIR into D.  0, or -1 with the reason in ERR. */
int	 confdir_list(struct confdir *d, const char *dir, char *err,
	    size_t errlen);
void	 confdir_free(struct confdir *d);

#endif
