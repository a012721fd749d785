/*
 * zap.c - ZAP handler thread: CURVE only, domain "coffer", key to User-Id.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "auth.h"
#include "log.h"
#include "zap.h"

#define ZAP_ENDPOINT	"inproc://zeromq.zap.01"
#define ZAP_FRAMES	7	/* version .. one CURVE credential */
#define ZAP_MAX_FRAMES	16

struct zap_request {
	zmq_msg_t	frames[ZAP_MAX_FRAMES];
	int		n;
};

static int
zap_frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);

	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

static void
zap_frame_str(zmq_msg_t *m, char *buf, size_t len)
{
	size_t n = zmq_msg_size(m) < len - 1 ? zmq_msg_size(m) : len - 1;

	memcpy(buf, zmq_msg_data(m), n);
	buf[n] = '\0';
}

/* Receive every frame of one request; -1 when the context is ending. */
static int
zap_recv(void *sock, struct zap_request *r)
{
	int more = 1;

	r->n = 0;
	while (more) {
		zmq_msg_t scratch, *m = r->n < ZAP_MAX_FRAMES ?
		    &r->frames[r->n] : &scratch;

		zmq_msg_init(m);
		if (zmq_msg_recv(m, sock, 0) < 0) {
			zmq_msg_close(m);
			if (errno == EINTR)
				continue;
			return -1;
		}
		more = zmq_msg_more(m);
		if (m == &scratch)
			zmq_msg_close(m);
		else
			r->n++;
	}
	return 0;
}

static void
zap_send(void *sock, zmq_msg_t *request_id, const char *status,
    const char *text, const char *user_id)
{
	zmq_msg_t id;

	zmq_msg_init(&id);
	if (request_id != NULL)
		zmq_msg_copy(&id, request_id);
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_msg_send(&id, sock, ZMQ_SNDMORE);
	zmq_msg_close(&id);
	zmq_send(sock, status, strlen(status), ZMQ_SNDMORE);
	zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(sock, user_id, strlen(user_id), ZMQ_SNDMORE);
	zmq_send(sock, "", 0, 0);	/* no metadata */
}

static void
zap_handle(struct zap *z, struct zap_request *r)
{
	char peer[64] = "", z85[41];
	const uint8_t *key;
	int refused;

	if (r->n != ZAP_FRAMES || !zap_frame_is(&r->frames[0], "1.0")) {
		log_warn("zap: malformed request (%d frames); refused", r->n);
		zap_send(z->socket, r->n > 1 ? &r->frames[1] : NULL, "500",
		    "malformed ZAP request", "");
		return;
	}
	zap_frame_str(&r->frames[3], peer, sizeof(peer));
	if (!zap_frame_is(&r->frames[2], ZAP_DOMAIN) ||
	    !zap_frame_is(&r->frames[5], "CURVE") ||
	    zmq_msg_size(&r->frames[6]) != 32) {
		log_warn("zap: handshake from %s is not CURVE in domain "
		    ZAP_DOMAIN "; refused", peer);
		zap_send(z->socket, &r->frames[1], "400", "denied", "");
		return;
	}
	key = zmq_msg_data(&r->frames[6]);
	pthread_rwlock_rdlock(z->reload_lock);
	refused = auth_admit(z->mods, key, peer);
	pthread_rwlock_unlock(z->reload_lock);
	if (refused || zmq_z85_encode(z85, key, 32) == NULL) {
		zap_send(z->socket, &r->frames[1], "400", "denied", "");
		return;
	}
	zap_send(z->socket, &r->frames[1], "200", "OK", z85);
}

static void *
zap_main(void *arg)
{
	struct zap *z = arg;
	struct zap_request r;

	while (zap_recv(z->socket, &r) == 0) {
		zap_handle(z, &r);
		for (int i = 0; i < r.n; i++)
			zmq_msg_close(&r.frames[i]);
	}
	for (int i = 0; i < r.n; i++)
		zmq_msg_close(&r.frames[i]);
	zmq_close(z->socket);
	return NULL;
}

int
zap_start(struct zap *z, void *ctx, struct modules *mods,
    pthread_rwlock_t *reload_lock)
{
	int linger = 0;

	z->mods = mods;
	z->reload_lock = reload_lock;
	z->socket = zmq_socket(ctx, ZMQ_REP);
	if (z->socket == NULL ||
	    zmq_setsockopt(z->socket, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_bind(z->socket, ZAP_ENDPOINT) < 0) {
		log_error("zap: cannot bind " ZAP_ENDPOINT ": %s",
		    zmq_strerror(errno));
		if (z->socket != NULL)
			zmq_close(z->socket);
		return -1;
	}
	if (pthread_create(&z->thread, NULL, zap_main, z) != 0) {
		log_error("zap: cannot start thread");
		zmq_close(z->socket);
		return -1;
	}
	z->running = 1;
	return 0;
}

void
zap_join(struct zap *z)
{
	if (z->running)
		pthread_join(z->thread, NULL);
	z->running = 0;
}
