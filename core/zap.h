/*
 * zap.h - the ZAP handler (ZeroMQ RFC 27) for the CURVE server socket.
 *
 * It binds inproc://zeromq.zap.01 before the server socket exists, accepts
 * only the CURVE mechanism in the "coffer" domain, and hands the client's
 * public key on as the connection's User-Id (Z85), which is how requests
 * learn who sent them.  Auth modules with admit() may refuse a key here,
 * at the handshake; everyone else is still authenticated request by request.
 */
#ifndef COFFER_ZAP_H
#define COFFER_ZAP_H

#include <pthread.h>

#include "modules.h"

#define ZAP_DOMAIN	"coffer"

struct zap {
	void		*socket;
	pthread_t	 thread;
	struct modules	*mods;
	pthread_rwlock_t *reload_lock;
	int		 running;
};

/* Bind the handler in CTX and start its thread.  0, or -1 logged. */
int	 zap_start(struct zap *z, void *ctx, struct modules *mods,
	    pthread_rwlock_t *reload_lock);
/* Join the thread; call after zmq_ctx_shutdown(). */
void	 zap_join(struct zap *z);

#endif
