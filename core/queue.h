/*
 * queue.h - the bounded queue of requests between the I/O thread and the
 * worker threads (mutex and condition variable, FIFO).
 */
#ifndef COFFER_QUEUE_H
#define COFFER_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "request.h"

/* One request in flight: its envelope, body and who sent it. */
struct job {
	zmq_msg_t	 routing_id;
	zmq_msg_t	 body;
	int		 delimiter;	/* REQ-style empty frame to echo */
	int		 bad_envelope;	/* extra frames were dropped */
	int		 has_key;
	uint8_t		 key[32];
	char		 key_z85[41];
	char		 peer[64];
	struct request	 req;		/* decoded by the I/O thread, or
					 * empty (handle.h) */
	struct job	*next;
};

struct queue {
	pthread_mutex_t	 lock;
	pthread_cond_t	 nonempty;
	struct job	*head, *tail;
	size_t		 len, max;
	size_t		 idle;		/* workers waiting in queue_take */
	int		 closed;
};

void	 queue_init(struct queue *q, size_t max);
void	 queue_destroy(struct queue *q);
/*
 * Append the jobs of LIST (linked by next) that fit, under one lock, and
 * wake as many idle workers as there are new jobs.  Returns the jobs that
 * did not fit (queue full or closed), still linked, for the caller.
 */
struct job *queue_push_list(struct queue *q, struct job *list);
/*
 * The oldest jobs, linked by next: a SHARE-th of those waiting (one of
 * SHARE workers' part; one when SHARE is 0), at least one and at most MAX.
 * Blocks while the queue is empty; NULL once it is closed and empty.
 */
struct job *queue_take(struct queue *q, size_t max, size_t share);
/* Wake every waiting worker; they drain what is left, then get NULL. */
void	 queue_close(struct queue *q);

void	 job_free(struct job *job);

#endif
