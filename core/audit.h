/*
 * audit.h - one JSON line per request, allowed or not.
 *
 *	{"time":"2026-11-22T11:40:00.123Z","id":7,"peer":"10.0.0.5",
 *	 "principal":{"name":"alice","type":"user","module":"auth_curve"},
 *	 "op":"secret.get","target":"prod/db","revision":3,"result":"ok"}
 *
 * Never a secret value: targets are names, results are codes.  The line is
 * written (one write(2) to a file opened O_APPEND, with the lines of the
 * other requests its worker took at once) before the reply is sent; when
 * it cannot be written the request fails, unless the config says to log
 * the failure and carry on.  SIGHUP reopens the file, for log
 * rotation.
 */
#ifndef COFFER_AUDIT_H
#define COFFER_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "errcode.h"
#include "principal.h"

/* Every field is bounded (names, ids, ops, peers): escaped six times over
 * they still fit. */
#define AUDIT_LINE_MAX	8192

struct audit {
	int	 fd;		/* -1: no audit log configured */
	char	*path;
	int	 fail_closed;	/* a failed write fails the request */
};

struct audit_entry {
	json_t				*id;		/* the request's, or NULL */
	const char			*peer;
	const struct coffer_principal	*who;		/* NULL: unknown */
	const char			*op;		/* NULL: unreadable */
	const char			*target;	/* "" when none */
	uint64_t			 revision;	/* 0 when none */
	enum errcode			 result;
};

/* Open PATH (NULL: no audit log).  0, or -1 logged. */
int	 audit_open(struct audit *a, const char *path, int fail_closed);
/* Reopen the same path (after rotation).  0, or -1 logged (the old file
 * stays in use). */
int	 audit_reopen(struct audit *a);
void	 audit_close(struct audit *a);
/* Write one line; 0, or -1 when the request must fail. */
int	 audit_write(struct audit *a, const struct audit_entry *e);

/*
 * The lines of the requests a worker takes at once, written together with
 * one write(2) before any of their replies is sent (so each line is still
 * in the file before its reply leaves).  Sized for LINES lines.
 */
struct audit_batch {
	char	*buf;
	size_t	 len, cap;
};
void	 audit_batch_init(struct audit_batch *b, size_t lines);
void	 audit_batch_free(struct audit_batch *b);
/* Add a line to B (or write it at once, past the lines B was sized for);
 * 0, or -1 when the request must fail. */
int	 audit_add(struct audit *a, struct audit_batch *b,
	    const struct audit_entry *e);
/* Write B's lines and empty it; 0, or -1 when their requests must fail. */
int	 audit_flush(struct audit *a, struct audit_batch *b);

#endif
