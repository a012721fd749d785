/*
 * bench_echo.c - the baseline: a bare libzmq CURVE ROUTER in a child
 * process that answers every request with a reply of the size the daemon
 * gives for that operation, carrying the request's id.  No auth, no
 * JSON parsing beyond finding the id, no store: what the transport alone
 * costs.  With a ZAP handler that allows every handshake, it is the
 * transport as cofferd must use it (its ZAP handler is what makes CURVE
 * fail closed), for what an idle connection costs in memory.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench.h"

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN		/* a draft name in zmq.h 4.3 */
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

static enum bench_op
echo_op(const char *req, size_t len)
{
	if (memmem(req, len, "\"service.get\"", 13) != NULL)
		return BENCH_SERVICE;
	if (memmem(req, len, "\"secret.update\"", 15) != NULL)
		return BENCH_UPDATE;
	return BENCH_GET;
}

/* A reply of exactly SIZE bytes (at least the frame) for request REQ. */
static size_t
echo_reply(const char *req, size_t len, size_t size, char *out, size_t cap)
{
	const char *p = memmem(req, len, "\"id\":", 5);
	unsigned long long id = p ? strtoull(p + 5, NULL, 10) : 0;
	int n = snprintf(out, cap, "{\"v\":1,\"id\":%llu,\"ok\":true,"
	    "\"result\":\"", id);
	size_t fill = size > (size_t)n + 3 ? size - (size_t)n - 3 : 0;

	if ((size_t)n + fill + 3 > cap)
		fill = cap - (size_t)n - 3;
	memset(out + n, 'x', fill);
	memcpy(out + n + fill, "\"}", 3);
	return (size_t)n + fill + 2;
}

static void
echo_serve(void *sock, const size_t sizes[BENCH_OPS])
{
	static char req[1 << 20], out[1 << 20];
	char id[256];
	int idn, n;

	for (;;) {
		if ((idn = zmq_recv(sock, id, sizeof(id), 0)) < 0 ||
		    zmq_recv(sock, req, sizeof(req), 0) < 0 ||
		    (n = zmq_recv(sock, req, sizeof(req), 0)) < 0)
			continue;
		if (n > (int)sizeof(req))
			n = sizeof(req);
		size_t len = echo_reply(req, (size_t)n, sizes[echo_op(req,
		    (size_t)n)], out, sizeof(out));
		zmq_send(sock, id, (size_t)idn, ZMQ_SNDMORE);
		zmq_send(sock, "", 0, ZMQ_SNDMORE);
		zmq_send(sock, out, len, 0);
	}
}

/* Answer every ZAP request (RFC 27) on ZAP with 200: the handshake's cost
 * without a decision's.  Of the request's frames only the routing id
 * (the first) and the request id (the fourth) are needed for the reply. */
static void *
echo_zap(void *zap)
{
	char id[256], req[256], other[256];
	int idn = 0, reqn = 0, more;
	size_t optlen = sizeof(more);

	for (;;) {
		int n = 0;

		do {
			char *buf = n == 0 ? id : n == 3 ? req : other;
			int got = zmq_recv(zap, buf, 256, 0);

			if (got < 0)
				return NULL;	/* the context is ending */
			if (n == 0)
				idn = got < 256 ? got : 256;
			else if (n == 3)
				reqn = got < 256 ? got : 256;
			n++;
			zmq_getsockopt(zap, ZMQ_RCVMORE, &more, &optlen);
		} while (more);
		if (n < 4)
			continue;
		zmq_send(zap, id, (size_t)idn, ZMQ_SNDMORE);
		zmq_send(zap, "", 0, ZMQ_SNDMORE);
		zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
		zmq_send(zap, req, (size_t)reqn, ZMQ_SNDMORE);
		zmq_send(zap, "200", 3, ZMQ_SNDMORE);
		zmq_send(zap, "OK", 2, ZMQ_SNDMORE);
		zmq_send(zap, "", 0, ZMQ_SNDMORE);
		zmq_send(zap, "", 0, 0);
	}
}

/* A ZAP handler on CTX in a thread of its own, bound before the server
 * socket, as cofferd binds its own. */
static int
echo_zap_start(void *ctx)
{
	void *zap = zmq_socket(ctx, ZMQ_ROUTER);
	pthread_t t;

	if (zap == NULL || zmq_bind(zap, "inproc://zeromq.zap.01") < 0 ||
	    pthread_create(&t, NULL, echo_zap, zap) != 0)
		return -1;
	return pthread_detach(t);
}

int
echo_serve_here(const size_t sizes[BENCH_OPS], int zap, int fd)
{
	void *ctx = zmq_ctx_new(), *sock;
	int one = 1, hwm = 100000;
	char public[41], secret[41], ep[256], line[320];
	size_t len = sizeof(ep);

	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 60000);
	if (zmq_curve_keypair(public, secret) != 0 ||
	    (zap && echo_zap_start(ctx) < 0))
		return -1;
	sock = zmq_socket(ctx, ZMQ_ROUTER);
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 40) ||
	    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    (zap && (zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "coffer-bench", 12) ||
	    zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof(one)))) ||
	    zmq_bind(sock, "tcp://127.0.0.1:*") < 0 ||
	    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len) < 0)
		return -1;
	len = (size_t)snprintf(line, sizeof(line), "%s %s\n", public, ep);
	if (write(fd, line, len) != (ssize_t)len)
		return -1;
	close(fd);
	echo_serve(sock, sizes);	/* never returns */
	return -1;
}

int
echo_start(const size_t sizes[BENCH_OPS], char *endpoint, size_t len,
    char server_key[41], int *pid)
{
	char line[320];
	int fds[2];
	ssize_t n;

	if (pipe(fds) < 0 || (*pid = fork()) < 0)
		return -1;
	if (*pid == 0) {
		close(fds[0]);
		echo_serve_here(sizes, 0, fds[1]);
		_exit(1);
	}
	close(fds[1]);
	n = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	if (n <= 41 || line[40] != ' ' || line[n - 1] != '\n' ||
	    (size_t)(n - 41) > len) {
		echo_stop(*pid);
		return -1;
	}
	memcpy(server_key, line, 40);
	server_key[40] = '\0';
	memcpy(endpoint, line + 41, (size_t)(n - 42));	/* less the newline */
	endpoint[n - 42] = '\0';
	return 0;
}

void
echo_stop(int pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
