/*
 * batch.h - a few jobs run together: each request handled under the read
 * side of the reload lock (SIGHUP takes the write side, so reload() never
 * overlaps an operation), their audit lines written with one write(2),
 * then their replies sent.  Every job yields exactly one reply, sent after
 * its audit line is written; with audit_failure = "deny", a failed write
 * turns each reply of the batch into the refusal.
 *
 * Worker threads send the replies to the I/O thread over their inproc
 * PUSH sockets; with workers = 0 the I/O thread runs batches itself and
 * sends the replies on the server socket.  The frames are the same.
 */
#ifndef COFFER_BATCH_H
#define COFFER_BATCH_H

#include <pthread.h>

#include "audit.h"
#include "handle.h"
#include "queue.h"

#define BATCH_MAX	8	/* jobs run together, at most */

struct batch {
	const struct handler	*handler;
	pthread_rwlock_t	*reload_lock;
	struct audit_batch	 audit;
};

void	 batch_init(struct batch *b, const struct handler *h,
	    pthread_rwlock_t *reload_lock);
void	 batch_free(struct batch *b);
/* What the handler is given of JOB (handle.h). */
void	 batch_input(struct job *job, struct handle_input *in);
/* Run the jobs of LIST (linked by next, at most BATCH_MAX), send their
 * replies on SOCK, free them. */
void	 batch_run(struct batch *b, void *sock, struct job *list);
/* The same for a list of any length, BATCH_MAX jobs at a time. */
void	 batch_run_all(struct batch *b, void *sock, struct job *list);

#endif
