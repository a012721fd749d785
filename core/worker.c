/*
 * worker.c - worker threads: jobs in, reply frames out (batch.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "batch.h"
#include "log.h"
#include "worker.h"
#include "xalloc.h"

static void *
worker_main(void *arg)
{
	struct workers *w = arg;
	void *push = zmq_socket(w->ctx, ZMQ_PUSH);
	struct batch batch;
	struct job *list;
	int hwm = 0;

	zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (zmq_connect(push, WORKER_REPLY_ENDPOINT) < 0) {
		log_error("worker: cannot connect " WORKER_REPLY_ENDPOINT
		    ": %s", zmq_strerror(errno));
		abort();	/* inproc in our own context: cannot happen */
	}
	batch_init(&batch, w->handler, w->reload_lock);
	while ((list = queue_take(w->queue, BATCH_MAX, (size_t)w->size)) !=
	    NULL)
		batch_run(&batch, push, list);
	batch_free(&batch);
	zmq_close(push);
	return NULL;
}

int
workers_start(struct workers *w, int n, void *ctx, struct queue *q,
    const struct handler *h, pthread_rwlock_t *reload_lock)
{
	w->threads = xcalloc((size_t)n, sizeof(*w->threads));
	w->ctx = ctx;
	w->queue = q;
	w->handler = h;
	w->reload_lock = reload_lock;
	w->size = n;		/* before any worker reads it */
	for (w->n = 0; w->n < n; w->n++) {
		if (pthread_create(&w->threads[w->n], NULL, worker_main, w)
		    != 0) {
			log_error("cannot start worker thread %d", w->n + 1);
			workers_stop(w);
			return -1;
		}
	}
	return 0;
}

void
workers_stop(struct workers *w)
{
	queue_close(w->queue);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	free(w->threads);
	w->threads = NULL;
	w->n = 0;
}
