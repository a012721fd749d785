/*
 * batch.c - jobs run together: requests handled, audit lines written
 * once, replies sent.
 */
#include "config.h"

#include <errno.h>

#include "batch.h"
#include "jsonmem.h"
#include "log.h"

static const char batch_oom_reply[] = "{\"v\":1,\"id\":null,\"ok\":false,"
    "\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";

/* One job's reply, until its audit line is written. */
struct batch_out {
	char	*reply;
	size_t	 len;
	json_t	*id;
};

void
batch_init(struct batch *b, const struct handler *h,
    pthread_rwlock_t *reload_lock)
{
	b->handler = h;
	b->reload_lock = reload_lock;
	audit_batch_init(&b->audit, BATCH_MAX);
}

void
batch_free(struct batch *b)
{
	audit_batch_free(&b->audit);
}

/* libzmq is done with a reply: wipe it (it may hold secrets), free it. */
static void
batch_free_reply(void *data, void *hint)
{
	(void)hint;
	jsonmem_free_text(data);
}

static void
batch_send(void *sock, struct job *job, char *reply, size_t len)
{
	zmq_msg_t body;

	if (reply != NULL)
		zmq_msg_init_data(&body, reply, len, batch_free_reply, NULL);
	else
		zmq_msg_init_data(&body, (void *)batch_oom_reply,
		    sizeof(batch_oom_reply) - 1, NULL, NULL);
	zmq_msg_send(&job->routing_id, sock, ZMQ_SNDMORE);
	if (job->delimiter)
		zmq_send(sock, "", 0, ZMQ_SNDMORE);
	if (zmq_msg_send(&body, sock, 0) < 0) {
		log_error("cannot send a reply: %s", zmq_strerror(errno));
		zmq_msg_close(&body);
	}
}

void
batch_input(struct job *job, struct handle_input *in)
{
	*in = (struct handle_input){
		.data = zmq_msg_data(&job->body),
		.len = zmq_msg_size(&job->body),
		.bad_envelope = job->bad_envelope,
		.curve_key = job->has_key ? job->key : NULL,
		.curve_key_z85 = job->has_key ? job->key_z85 : NULL,
		.peer = job->peer,
		.req = job->req.root != NULL ? &job->req : NULL,
	};
}

static void
batch_handle(struct batch *b, struct job *job, struct batch_out *out)
{
	struct handle_input in;

	batch_input(job, &in);
	out->len = 0;
	out->reply = handle_request_batched(b->handler, &in, &b->audit,
	    &out->len, &out->id);
}

void
batch_run(struct batch *b, void *sock, struct job *list)
{
	struct batch_out out[BATCH_MAX];
	struct job *job;
	size_t n = 0;
	int unaudited;

	pthread_rwlock_rdlock(b->reload_lock);
	for (job = list; job != NULL; job = job->next)
		batch_handle(b, job, &out[n++]);
	unaudited = audit_flush(b->handler->audit, &b->audit) < 0;
	pthread_rwlock_unlock(b->reload_lock);
	for (size_t i = 0; (job = list) != NULL; i++) {
		list = job->next;
		if (unaudited) {
			jsonmem_free_text(out[i].reply);
			out[i].reply = handle_unaudited(out[i].id, &out[i].len);
		}
		json_decref(out[i].id);
		batch_send(sock, job, out[i].reply, out[i].len);
		job_free(job);
	}
}

void
batch_run_all(struct batch *b, void *sock, struct job *list)
{
	while (list != NULL) {
		struct job *head = list, *last = list;

		for (int n = 1; n < BATCH_MAX && last->next != NULL; n++)
			last = last->next;
		list = last->next;
		last->next = NULL;
		batch_run(b, sock, head);
	}
}
