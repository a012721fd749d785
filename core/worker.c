/*
 * worker.c - worker threads: job in, reply frames out.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmem.h"
#include "log.h"
#include "worker.h"
#include "xalloc.h"

static const char worker_oom_reply[] = "{\"v\":1,\"id\":null,\"ok\":false,"
    "\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";

/* libzmq is done with a reply: wipe it (it may hold secrets), free it. */
static void
worker_free_reply(void *data, void *hint)
{
	(void)hint;
	jsonmem_free_text(data);
}

static void
worker_reply(void *push, struct job *job, char *reply, size_t len)
{
	zmq_msg_t body;

	if (reply != NULL)
		zmq_msg_init_data(&body, reply, len, worker_free_reply, NULL);
	else
		zmq_msg_init_data(&body, (void *)worker_oom_reply,
		    sizeof(worker_oom_reply) - 1, NULL, NULL);
	zmq_msg_send(&job->routing_id, push, ZMQ_SNDMORE);
	if (job->delimiter)
		zmq_send(push, "", 0, ZMQ_SNDMORE);
	if (zmq_msg_send(&body, push, 0) < 0) {
		log_error("worker: cannot pass a reply on: %s",
		    zmq_strerror(errno));
		zmq_msg_close(&body);
	}
}

/* One job's reply, until its audit line is written. */
struct worker_out {
	char	*reply;
	size_t	 len;
	json_t	*id;
};

static void
worker_run(struct workers *w, struct job *job, struct audit_batch *batch,
    struct worker_out *out)
{
	struct handle_input in = {
		.data = zmq_msg_data(&job->body),
		.len = zmq_msg_size(&job->body),
		.bad_envelope = job->bad_envelope,
		.curve_key = job->has_key ? job->key : NULL,
		.curve_key_z85 = job->has_key ? job->key_z85 : NULL,
		.peer = job->peer,
	};

	out->len = 0;
	out->reply = handle_request_batched(w->handler, &in, batch, &out->len,
	    &out->id);
}

/* The jobs of LIST, their audit lines written together, then their
 * replies; the jobs freed. */
static void
worker_run_list(struct workers *w, void *push, struct job *list,
    struct audit_batch *batch)
{
	struct worker_out out[WORKER_BATCH];
	struct job *job;
	size_t n = 0;
	int unaudited;

	pthread_rwlock_rdlock(w->reload_lock);
	for (job = list; job != NULL; job = job->next)
		worker_run(w, job, batch, &out[n++]);
	unaudited = audit_flush(w->handler->audit, batch) < 0;
	pthread_rwlock_unlock(w->reload_lock);
	for (size_t i = 0; (job = list) != NULL; i++) {
		list = job->next;
		if (unaudited) {
			jsonmem_free_text(out[i].reply);
			out[i].reply = handle_unaudited(out[i].id, &out[i].len);
		}
		json_decref(out[i].id);
		worker_reply(push, job, out[i].reply, out[i].len);
		job_free(job);
	}
}

static void *
worker_main(void *arg)
{
	struct workers *w = arg;
	void *push = zmq_socket(w->ctx, ZMQ_PUSH);
	struct audit_batch batch;
	struct job *list;
	int hwm = 0;

	zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (zmq_connect(push, WORKER_REPLY_ENDPOINT) < 0) {
		log_error("worker: cannot connect " WORKER_REPLY_ENDPOINT
		    ": %s", zmq_strerror(errno));
		abort();	/* inproc in our own context: cannot happen */
	}
	audit_batch_init(&batch, WORKER_BATCH);
	while ((list = queue_take(w->queue, WORKER_BATCH, (size_t)w->size)) !=
	    NULL)
		worker_run_list(w, push, list, &batch);
	audit_batch_free(&batch);
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
