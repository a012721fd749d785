/*
 * bench_echo.c - the baseline: a bare libzmq CURVE ROUTER in a child
 * process that answers every request with a reply of the size the daemon
 * gives for that operation, carrying the request's id.  No auth, no
 * JSON parsing beyond finding the id, no store: what the transport alone
 * costs.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench.h"

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

static void
echo_child(const char *secret, const size_t sizes[BENCH_OPS], int fd)
{
	void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_ROUTER);
	int one = 1, hwm = 100000;
	char ep[256];
	size_t len = sizeof(ep);

	zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 40);
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	if (zmq_bind(sock, "tcp://127.0.0.1:*") < 0 ||
	    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len) < 0)
		_exit(1);
	if (write(fd, ep, strlen(ep) + 1) < 0)
		_exit(1);
	close(fd);
	echo_serve(sock, sizes);
}

int
echo_start(const size_t sizes[BENCH_OPS], char *endpoint, size_t len,
    char server_key[41], int *pid)
{
	char secret[41];
	int fds[2];
	ssize_t n;

	if (zmq_curve_keypair(server_key, secret) != 0 || pipe(fds) < 0)
		return -1;
	if ((*pid = fork()) < 0)
		return -1;
	if (*pid == 0) {
		close(fds[0]);
		echo_child(secret, sizes, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], endpoint, len - 1);
	close(fds[0]);
	if (n <= 0) {
		echo_stop(*pid);
		return -1;
	}
	endpoint[n] = '\0';
	return 0;
}

void
echo_stop(int pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
