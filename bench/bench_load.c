/*
 * bench_load.c - one timed run: every connection keeps its requests in
 * flight, in one thread polling all sockets (the generator must cost
 * less than what it measures).  Connections are given an operation each,
 * in the proportions of the mix; a service's connections use its
 * certificate.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "bench.h"
#include "cert.h"

#define SLOTS_MAX	256

struct conn {
	void		*sock;
	enum bench_op	 op;
	uint64_t	 next_id;
	uint64_t	 ids[SLOTS_MAX];	/* 0: free */
	uint64_t	 sent_us[SLOTS_MAX];
	int		 busy;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
rnd(void)
{
	static __thread uint64_t s = 88172645463325252ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

const char *
bench_request(const struct bench_opts *o, enum bench_op op, uint64_t id,
    size_t *len)
{
	static char buf[65536];
	static char value[32768];
	unsigned name = (unsigned)(rnd() % (uint64_t)(o->names > 0 ?
	    o->names : 1));
	int n;

	if (value[0] == '\0')
		memset(value, 'v', sizeof(value) - 1);
	switch (op) {
	case BENCH_GET:
		n = snprintf(buf, sizeof(buf), "{\"v\":1,\"id\":%llu,\"op\":"
		    "\"secret.get\",\"args\":{\"name\":\"bench/%06u\"}}",
		    (unsigned long long)id, name);
		break;
	case BENCH_SERVICE:
		n = snprintf(buf, sizeof(buf), "{\"v\":1,\"id\":%llu,\"op\":"
		    "\"service.get\",\"args\":{\"name\":\"%s\"}}",
		    (unsigned long long)id, o->service);
		break;
	default:
		n = snprintf(buf, sizeof(buf), "{\"v\":1,\"id\":%llu,\"op\":"
		    "\"secret.update\",\"args\":{\"name\":\"bench/%06u\","
		    "\"pairs\":{\"V\":\"%.*s%llu\"}}}", (unsigned long long)id,
		    name, o->value_bytes, value, (unsigned long long)id);
		break;
	}
	if (o->credentials != NULL && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n - 1, sizeof(buf) - (size_t)n + 1,
		    ",\"credentials\":%s}", o->credentials) - 1;
	*len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	return buf;
}

static int
conn_open(void *ctx, struct conn *c, const char *endpoint,
    const char *server_key, const struct cert *me)
{
	int zero = 0, hwm = 100000;

	c->sock = zmq_socket(ctx, ZMQ_DEALER);
	return c->sock == NULL ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server_key, 40) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, me->public_key, 40) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, me->secret_key, 40) ||
	    zmq_connect(c->sock, endpoint) ? -1 : 0;
}

/* Send one request; AT is when it was due (its latency counts from
 * then, so a stalled server cannot hide its delays from an open-loop run:
 * no coordinated omission). */
static int
conn_send_at(const struct bench_opts *o, struct conn *c, uint64_t at)
{
	size_t len;
	const char *req;
	int slot;

	for (slot = 0; slot < o->inflight && c->ids[slot] != 0; slot++)
		;
	c->ids[slot] = ++c->next_id;
	c->sent_us[slot] = at;
	req = bench_request(o, c->op, c->ids[slot], &len);
	if (zmq_send(c->sock, "", 0, ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->sock, req, len, 0) < 0)
		return -1;
	c->busy++;
	return 0;
}

static int
conn_send(const struct bench_opts *o, struct conn *c)
{
	return conn_send_at(o, c, now_us());
}

/* One reply: its slot freed, and its latency recorded if the request was
 * sent (or due) once the warm-up was over: one sent before, while the
 * connections were still being made, would put the warm-up's waits in the
 * figures. */
static void
conn_reply(struct conn *c, const char *body, size_t len, uint64_t t,
    uint64_t measure, struct bench_result *r)
{
	const char *p = memmem(body, len, "\"id\":", 5);
	uint64_t id = p ? strtoull(p + 5, NULL, 10) : 0;
	int ok = memmem(body, len, "\"ok\":true", 9) != NULL;

	for (int s = 0; s < SLOTS_MAX; s++) {
		if (c->ids[s] != id || id == 0)
			continue;
		c->ids[s] = 0;
		c->busy--;
		r->reply_bytes[c->op] = len;
		if (c->sent_us[s] < measure)
			return;
		if (!ok) {
			r->errors[c->op]++;
			if (r->first_error[0] == '\0')
				snprintf(r->first_error, sizeof(r->first_error),
				    "%.*s", (int)(len < 200 ? len : 200), body);
			return;
		}
		r->done[c->op]++;
		hist_add(&r->hist[c->op], t - c->sent_us[s]);
		return;
	}
}

static void
conn_drain(const struct bench_opts *o, struct conn *c, uint64_t measure,
    struct bench_result *r)
{
	static char body[1 << 20];
	int n;

	for (;;) {
		if (zmq_recv(c->sock, body, sizeof(body), ZMQ_DONTWAIT) < 0)
			return;		/* the empty delimiter frame */
		n = zmq_recv(c->sock, body, sizeof(body) - 1, 0);
		if (n < 0)
			return;
		if (n > (int)sizeof(body) - 1)
			n = sizeof(body) - 1;
		conn_reply(c, body, (size_t)n, now_us(), measure, r);
		while (o->rate <= 0 && c->busy < o->inflight &&
		    conn_send(o, c) == 0)
			;
	}
}

/* Which op connection I gets, spreading the mix over the connections. */
static enum bench_op
conn_op(const struct bench_opts *o, int i)
{
	int pct = (int)(((long)i * 100 + 50) / o->connections), acc = 0;

	for (int op = 0; op < BENCH_OPS; op++) {
		acc += o->mix[op];
		if (pct < acc)
			return (enum bench_op)op;
	}
	return BENCH_GET;
}

static int
load_setup(const struct bench_opts *o, void *ctx, const char *endpoint,
    const char *server_key, struct conn *conns, zmq_pollitem_t *items)
{
	char err[CERT_ERR_MAX];
	struct cert user, svc;

	if (cert_load(&user, o->cert, err) < 0 || (o->service_cert != NULL &&
	    cert_load(&svc, o->service_cert, err) < 0)) {
		fprintf(stderr, "coffer-bench: %s\n", err);
		return -1;
	}
	for (int i = 0; i < o->connections; i++) {
		conns[i].op = conn_op(o, i);
		if (conns[i].op == BENCH_SERVICE && o->service_cert == NULL) {
			fprintf(stderr, "coffer-bench: service gets need "
			    "--service-cert\n");
			return -1;
		}
		if (conn_open(ctx, &conns[i], endpoint, server_key,
		    conns[i].op == BENCH_SERVICE ? &svc : &user) < 0) {
			fprintf(stderr, "coffer-bench: %s: %s\n", endpoint,
			    zmq_strerror(errno));
			return -1;
		}
		items[i].socket = conns[i].sock;
		items[i].events = ZMQ_POLLIN;
	}
	return 0;
}

/* Open loop: send what is due by NOW, round robin over connections with
 * a free slot; when all are full the schedule slips (and the latency of
 * what waits grows, as it should). */
static void
load_paced(const struct bench_opts *o, struct conn *conns, uint64_t now,
    uint64_t *next, int *rr)
{
	uint64_t interval = (uint64_t)(1e6 / o->rate);

	while (*next <= now) {
		int tried = 0;

		while (tried < o->connections &&
		    conns[*rr].busy >= o->inflight) {
			*rr = (*rr + 1) % o->connections;
			tried++;
		}
		/* Late by less than the poll granularity: the generator's
		 * own timing, so counted from now; later than that, the
		 * connections were full: counted from the schedule. */
		if (tried == o->connections ||
		    conn_send_at(o, &conns[*rr], now - *next < 1000 ? now :
		    *next) < 0)
			return;
		*rr = (*rr + 1) % o->connections;
		*next += interval > 0 ? interval : 1;
	}
}

int
bench_load(const struct bench_opts *o, const char *endpoint,
    const char *server_key, struct bench_result *r)
{
	void *ctx = zmq_ctx_new();
	struct conn *conns = calloc((size_t)o->connections, sizeof(*conns));
	zmq_pollitem_t *items = calloc((size_t)o->connections,
	    sizeof(*items));
	uint64_t start, measure, end, t, next = 0;
	long wait;
	int rc = -1, rr = 0;

	memset(r, 0, sizeof(*r));
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, o->connections + 64);
	if (conns == NULL || items == NULL || load_setup(o, ctx, endpoint,
	    server_key, conns, items) < 0)
		goto out;
	start = now_us();
	measure = start + (uint64_t)(o->warmup * 1e6);
	end = measure + (uint64_t)(o->duration * 1e6);
	for (int i = 0; o->rate <= 0 && i < o->connections; i++)
		while (conns[i].busy < o->inflight && conn_send(o,
		    &conns[i]) == 0)
			;
	next = start;
	while ((t = now_us()) < end) {
		if (o->rate > 0)
			load_paced(o, conns, t, &next, &rr);
		wait = (long)((end - t) / 1000) + 1;
		if (o->rate > 0)	/* zmq_poll counts in ms: never spin */
			wait = next > t + 1000 ? (long)((next - t) / 1000) : 1;
		if (zmq_poll(items, o->connections, wait) < 0 &&
		    errno != EINTR)
			break;
		for (int i = 0; i < o->connections; i++)
			if (items[i].revents & ZMQ_POLLIN)
				conn_drain(o, &conns[i], measure, r);
	}
	r->seconds = o->duration;
	rc = 0;
out:
	for (int i = 0; conns != NULL && i < o->connections; i++)
		if (conns[i].sock != NULL)
			zmq_close(conns[i].sock);
	free(conns);
	free(items);
	zmq_ctx_term(ctx);
	return rc;
}
