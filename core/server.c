/*
 * server.c - the I/O thread: CURVE ROUTER socket in, worker replies out
 * (or, with workers = 0, requests run here; with inline reads, the
 * requests that change nothing run here and the rest go to workers).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

#include "batch.h"
#include "dispatch.h"
#include "jsonmem.h"
#include "keyfile.h"
#include "log.h"
#include "notify.h"
#include "reload.h"
#include "reply.h"
#include "server.h"
#include "worker.h"
#include "xalloc.h"
#include "zap.h"

/* A DRAFT constant in libzmq 4.3's header, honoured by stable builds. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define SERVER_BATCH	256	/* messages moved per socket per wakeup */
#define SERVER_LINGER	2000	/* ms to flush replies at shutdown */
#define SERVER_READ_MAX	16384	/* bytes: a larger request (a write of a
				 * big value, say) goes to a worker
				 * undecoded, not to hold this thread */

struct server {
	void		*ctx;
	void		*router;
	void		*replies;
	int		 sigfd;
	size_t		 inflight;	/* read, reply not yet sent */
	int		 draining;
	struct modules	*mods;
	struct handler	 handler;
	struct queue	 queue;
	struct workers	 workers;
	struct batch	 batch;		/* what runs here: */
	int		 inline_run;	/* every request (workers = 0) */
	enum modules_reads inline_reads; /* those that change nothing:
					 * LOCAL all, ASK those the auth
					 * stack answers at once, WAIT none */
	struct zap	 zap;
	struct reloader	 reloader;
	pthread_rwlock_t reload_lock;
};

void
server_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
server_setopt(void *sock, int opt, const void *val, size_t len,
    const char *name)
{
	if (zmq_setsockopt(sock, opt, val, len) == 0)
		return 0;
	log_error("cannot set %s on the server socket: %s", name,
	    zmq_strerror(errno));
	return -1;
}

static int
server_router(struct server *s, const struct conf *c)
{
	char secret[41], public[41];
	int one = 1, linger = SERVER_LINGER, handshake = 10000, rc;
	int64_t maxmsg = (int64_t)c->max_request * 2 + 4096;

	if (keyfile_load(c->server_key, secret, public) < 0)
		return -1;
	s->router = zmq_socket(s->ctx, ZMQ_ROUTER);
	rc = server_setopt(s->router, ZMQ_CURVE_SERVER, &one, sizeof(one),
	    "ZMQ_CURVE_SERVER") ||
	    server_setopt(s->router, ZMQ_CURVE_SECRETKEY, secret, 40,
	    "ZMQ_CURVE_SECRETKEY") ||
	    server_setopt(s->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN,
	    strlen(ZAP_DOMAIN), "ZMQ_ZAP_DOMAIN") ||
	    server_setopt(s->router, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof(one),
	    "ZMQ_ZAP_ENFORCE_DOMAIN") ||
	    server_setopt(s->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg),
	    "ZMQ_MAXMSGSIZE") ||
	    server_setopt(s->router, ZMQ_HANDSHAKE_IVL, &handshake,
	    sizeof(handshake), "ZMQ_HANDSHAKE_IVL") ||
	    server_setopt(s->router, ZMQ_LINGER, &linger, sizeof(linger),
	    "ZMQ_LINGER");
	memset(secret, 0, sizeof(secret));
	if (rc)
		return -1;
	if (zmq_bind(s->router, c->listen) < 0) {
		log_error("cannot listen on %s: %s", c->listen,
		    zmq_strerror(errno));
		return -1;
	}
	log_info("server public key %s", public);
	return 0;
}

/* Fill in who sent JOB, from the connection's properties. */
static void
server_job_peer(struct job *job)
{
	const char *uid = zmq_msg_gets(&job->body, "User-Id");
	const char *peer = zmq_msg_gets(&job->body, "Peer-Address");

	if (uid != NULL && strlen(uid) == 40 &&
	    zmq_z85_decode(job->key, uid) != NULL) {
		memcpy(job->key_z85, uid, 41);
		job->has_key = 1;
	}
	snprintf(job->peer, sizeof(job->peer), "%s", peer ? peer : "");
}

/* Read the rest of a message after its routing id into JOB. */
static void
server_job_frames(struct server *s, struct job *job)
{
	int more = zmq_msg_more(&job->routing_id);

	if (more) {
		zmq_msg_recv(&job->body, s->router, 0);
		more = zmq_msg_more(&job->body);
		if (more && zmq_msg_size(&job->body) == 0) {
			job->delimiter = 1;
			zmq_msg_recv(&job->body, s->router, 0);
			more = zmq_msg_more(&job->body);
		}
	} else {
		job->bad_envelope = 1;
	}
	while (more) {
		zmq_msg_t extra;

		zmq_msg_init(&extra);
		zmq_msg_recv(&extra, s->router, 0);
		more = zmq_msg_more(&extra);
		zmq_msg_close(&extra);
		job->bad_envelope = 1;
	}
}

/* Answer JOB at once from the I/O thread (queue full). */
static void
server_refuse(struct server *s, struct job *job)
{
	size_t len;
	char *reply = reply_error(job->req.id, ERR_UNAVAILABLE, "server "
	    "busy; try again later", &len);

	zmq_msg_send(&job->routing_id, s->router, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	if (job->delimiter)
		zmq_send(s->router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(s->router, reply ? reply : "", reply ? len : 0, ZMQ_DONTWAIT);
	jsonmem_free_text(reply);
	job_free(job);
}

/* Read one request; NULL when there is none waiting. */
static struct job *
server_read_one(struct server *s)
{
	struct job *job = xcalloc(1, sizeof(*job));

	zmq_msg_init(&job->routing_id);
	zmq_msg_init(&job->body);
	if (zmq_msg_recv(&job->routing_id, s->router, ZMQ_DONTWAIT) < 0) {
		job_free(job);
		return NULL;
	}
	server_job_frames(s, job);
	server_job_peer(job);
	return job;
}

/* Does JOB change nothing, and can it run here without waiting (modules.h,
 * enum modules_reads)?  Decodes it to see (the worker or batch that runs
 * it uses what was decoded).  A request that cannot be decoded, or names
 * no operation, is answered with an error at once: as cheap as a read.
 * One over SERVER_READ_MAX bytes is left to a worker, undecoded. */
static int
server_job_reads(const struct server *s, struct job *job)
{
	const struct op_desc *op;
	struct handle_input in;
	char msg[REQUEST_MSG_MAX];

	if (job->bad_envelope)
		return 1;
	if (zmq_msg_size(&job->body) > SERVER_READ_MAX)
		return 0;
	if (request_decode(&job->req, zmq_msg_data(&job->body),
	    zmq_msg_size(&job->body), &s->handler.limits, msg) != ERR_NONE) {
		request_free(&job->req);	/* decoded again, for the error */
		return 1;
	}
	if ((op = dispatch_find(job->req.op)) == NULL)
		return 1;
	if (op->writes)
		return 0;
	if (s->inline_reads == MODULES_READS_LOCAL)
		return 1;
	batch_input(job, &in);
	return handle_answers_now(&s->handler, &in, &job->req);
}

/* Take the reads out of *LIST (linked by next, order kept; *N jobs, less
 * the reads after): returned. */
static struct job *
server_take_reads(struct server *s, struct job **list, size_t *n)
{
	struct job *reads = NULL, **rtail = &reads, **at = list, *job;
	int ask = s->inline_reads == MODULES_READS_ASK;

	/* answers_now() is a call on the instance: never during its
	 * reload() (module.h). */
	if (ask)
		pthread_rwlock_rdlock(&s->reload_lock);
	while ((job = *at) != NULL) {
		if (server_job_reads(s, job)) {
			*at = job->next;
			job->next = NULL;
			*rtail = job;
			rtail = &job->next;
			(*n)--;
		} else {
			at = &job->next;
		}
	}
	if (ask)
		pthread_rwlock_unlock(&s->reload_lock);
	return reads;
}

/* Hand LIST (N jobs) to the workers in one step (their lock is taken
 * once); what does not fit is answered busy. */
static void
server_queue(struct server *s, struct job *list, size_t n)
{
	static struct log_limit limit = LOG_LIMIT_INIT;
	unsigned skipped;
	struct job *job;

	s->inflight += n;
	if ((list = queue_push_list(&s->queue, list)) == NULL)
		return;
	if (log_limit_pass(&limit, &skipped))
		log_warn("request queue full (%zu): answering busy; %u more "
		    "since the last report", s->queue.max, skipped);
	while ((job = list) != NULL) {
		list = job->next;
		s->inflight--;
		server_refuse(s, job);
	}
}

/* Read what is waiting, up to a batch, and queue it for the workers, or
 * run it here: all of it with workers = 0, the reads with inline reads
 * (after the writes are queued, so that they start first). */
static void
server_read_batch(struct server *s)
{
	struct job *list = NULL, **tail = &list, *job, *reads = NULL;
	size_t n = 0;

	while (n < SERVER_BATCH && (job = server_read_one(s)) != NULL) {
		*tail = job;
		tail = &job->next;
		n++;
	}
	if (s->inline_run) {
		batch_run_all(&s->batch, s->router, list);
		return;
	}
	if (s->inline_reads != MODULES_READS_WAIT)
		reads = server_take_reads(s, &list, &n);
	if (list != NULL)
		server_queue(s, list, n);
	batch_run_all(&s->batch, s->router, reads);
}

/* Forward one worker reply to its client; -1 when there is none. */
static int
server_forward_one(struct server *s)
{
	int more = 1, flags;

	while (more) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->replies, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return -1;	/* only before the first frame */
		}
		more = zmq_msg_more(&m);
		flags = ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0);
		if (zmq_msg_send(&m, s->router, flags) < 0) {
			/* Client gone or not reading: drop the reply. */
			log_debug("reply dropped: %s", zmq_strerror(errno));
			zmq_msg_close(&m);
		}
	}
	s->inflight--;
	return 0;
}

static void
server_signal(struct server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload_request(&s->reloader);
		} else if (!s->draining) {
			log_notice("%s: finishing %zu request(s) in flight, "
			    "then exiting", strsignal((int)si.ssi_signo),
			    s->inflight);
			s->draining = 1;
			notify_send("STOPPING=1");
		}
	}
}

static int
server_loop(struct server *s)
{
	zmq_pollitem_t items[3] = {
		{ .socket = s->replies, .events = ZMQ_POLLIN },
		{ .fd = s->sigfd, .events = ZMQ_POLLIN },
		{ .socket = s->router, .events = ZMQ_POLLIN },
	};

	while (!s->draining || s->inflight > 0) {
		/* While draining, new requests stay unread. */
		int n = s->draining ? 2 : 3;

		if (zmq_poll(items, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("zmq_poll: %s", zmq_strerror(errno));
			return -1;
		}
		for (int i = 0; i < SERVER_BATCH &&
		    server_forward_one(s) == 0; i++)
			;
		if (items[1].revents & ZMQ_POLLIN)
			server_signal(s);
		if (!s->draining)
			server_read_batch(s);
	}
	return 0;
}

/* Does this thread run requests itself (its batch is in use)? */
static int
server_runs_here(const struct server *s)
{
	return s->inline_run || s->inline_reads != MODULES_READS_WAIT;
}

static int
server_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int
server_start(struct server *s, const struct conf *c)
{
	int hwm = 0;

	if ((s->sigfd = server_signalfd()) < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	s->replies = zmq_socket(s->ctx, ZMQ_PULL);
	zmq_setsockopt(s->replies, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	if (zmq_bind(s->replies, WORKER_REPLY_ENDPOINT) < 0) {
		log_error("cannot bind " WORKER_REPLY_ENDPOINT ": %s",
		    zmq_strerror(errno));
		return -1;
	}
	/* Until the ZAP handler runs, handshakes fail: the server socket
	 * enforces its ZAP domain, so a missing handler means no entry. */
	if (zap_start(&s->zap, s->ctx, s->mods, &s->reload_lock) < 0)
		return -1;
	if (reload_start(&s->reloader, s->mods, s->handler.audit,
	    &s->reload_lock) < 0)
		return -1;
	s->inline_run = c->workers == 0;
	s->inline_reads = !s->inline_run && c->inline_reads ?
	    modules_reads(s->mods) : MODULES_READS_WAIT;
	if (server_runs_here(s))
		batch_init(&s->batch, &s->handler, &s->reload_lock);
	if (s->inline_run)
		return 0;
	return workers_start(&s->workers, c->workers, s->ctx, &s->queue,
	    &s->handler, &s->reload_lock);
}

static void
server_stop(struct server *s)
{
	reload_stop(&s->reloader);
	if (s->workers.threads != NULL)
		workers_stop(&s->workers);
	if (server_runs_here(s))
		batch_free(&s->batch);
	if (s->router != NULL)
		zmq_close(s->router);
	if (s->replies != NULL)
		zmq_close(s->replies);
	zmq_ctx_shutdown(s->ctx);
	zap_join(&s->zap);
	zmq_ctx_term(s->ctx);
	queue_destroy(&s->queue);
	pthread_rwlock_destroy(&s->reload_lock);
	if (s->sigfd >= 0)
		close(s->sigfd);
}

static void
server_init(struct server *s, const struct conf *c)
{
	pthread_rwlockattr_t attr;

	memset(s, 0, sizeof(*s));
	s->sigfd = -1;
	s->handler.policy = &c->policy;
	s->handler.limits.max_bytes = c->max_request;
	s->handler.limits.max_depth = c->max_depth;
	queue_init(&s->queue, (size_t)c->queue_max);
	/* Writer preference: a SIGHUP is not starved by a busy pool. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->reload_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	s->ctx = zmq_ctx_new();
}

void
server_free(struct server *s)
{
	server_stop(s);
	free(s);
}

struct server *
server_listen(const struct conf *c)
{
	struct server *s = xmalloc(sizeof(*s));

	server_init(s, c);
	if (server_router(s, c) < 0) {
		server_free(s);
		return NULL;
	}
	return s;
}

int
server_run(struct server *s, const struct conf *c, struct modules *mods,
    const struct keyring *ring, struct audit *audit, server_ready_fn ready,
    void *arg)
{
	int rc = -1;

	s->mods = mods;
	s->handler.mods = mods;
	s->handler.ring = ring;
	s->handler.audit = audit;
	if (server_start(s, c) == 0) {
		if (s->inline_reads == MODULES_READS_LOCAL)
			log_notice("listening on %s with %d workers for "
			    "writes, reads on the I/O thread", c->listen,
			    c->workers);
		else if (s->inline_reads == MODULES_READS_ASK)
			log_notice("listening on %s with %d workers for "
			    "writes, reads on the I/O thread when the auth "
			    "modules can answer at once", c->listen,
			    c->workers);
		else if (c->workers > 0)
			log_notice("listening on %s with %d workers",
			    c->listen, c->workers);
		else
			log_notice("listening on %s, requests run on the I/O "
			    "thread (workers = 0)", c->listen);
		if (ready != NULL)
			ready(arg);
		rc = server_loop(s);
	}
	server_free(s);
	if (rc == 0)
		log_notice("stopped");
	return rc;
}
