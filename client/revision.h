/*
 * revision.h - what the coffer commands do alike for every revisioned
 * kind (secret, service, blind): list names, show history, revert, and
 * report a write.
 */
#ifndef COFFER_REVISION_H
#define COFFER_REVISION_H

#include <jansson.h>

#include "connect.h"

/* Options every write takes. */
struct revision_write {
	const char	*comment;
	long long	 expect;	/* 0: none */
};

/* Add W's comment and expect to ARGS; ARGS. */
json_t	*revision_args(json_t *args, const struct revision_write *w);
/* Print a write's reply R (consumed) if RC is CLI_OK: "NAME revision N",
 * or the JSON.  RC. */
int	 revision_written(const struct conn *o, int rc, json_t *r);
/* Every name of KIND ("secret") starting with PREFIX, all pages, as
 * "NAME<TAB>REVISION" lines. */
int	 revision_list(coffer_client *c, const struct conn *o,
	    const char *kind, const char *prefix);
/* Every revision of NAME, oldest first, one line each. */
int	 revision_history(coffer_client *c, const struct conn *o,
	    const char *kind, const char *name);
/* A new revision of NAME holding what revision REV held. */
int	 revision_revert(coffer_client *c, const struct conn *o,
	    const char *kind, const char *name, const char *rev,
	    const struct revision_write *w);

#endif
