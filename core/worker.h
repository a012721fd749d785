/*
 * worker.h - the pool of threads that handle requests.
 *
 * Each worker takes jobs from the queue (its share of those waiting, up to
 * BATCH_MAX) and runs them together (batch_run()), sending the reply
 * frames to the I/O thread over its own inproc PUSH socket.
 */
#ifndef COFFER_WORKER_H
#define COFFER_WORKER_H

#include <pthread.h>

#include "handle.h"
#include "queue.h"

#define WORKER_REPLY_ENDPOINT	"inproc://coffer-replies"

struct workers {
	pthread_t		*threads;
	int			 n;		/* started */
	int			 size;		/* asked for, each taking a
						   size-th of the jobs waiting */
	void			*ctx;
	struct queue		*queue;
	const struct handler	*handler;
	pthread_rwlock_t	*reload_lock;
};

/* Start N workers.  0, or -1 (logged) with none left running. */
int	 workers_start(struct workers *w, int n, void *ctx, struct queue *q,
	    const struct handler *h, pthread_rwlock_t *reload_lock);
/* Close the queue, let the workers finish what is queued, join them. */
void	 workers_stop(struct workers *w);

#endif
