/*
 * server.h - the transport: one CURVE ROUTER socket, the ZAP handler, the
 * worker pool, and the I/O thread that moves frames between them.
 *
 * Signals (blocked in every thread by the caller, read here from a
 * signalfd): SIGTERM and SIGINT stop reading new requests, let every request
 * already read finish and its reply go out, then return.  SIGHUP reloads:
 * with no operation running, each module's reload() is called.
 */
#ifndef COFFER_SERVER_H
#define COFFER_SERVER_H

#include "audit.h"
#include "conf.h"
#include "keyring.h"
#include "modules.h"

typedef void (*server_ready_fn)(void *arg);
struct server;

/* Read the server key and bind the CURVE socket (as root, if started so);
 * NULL (logged) on failure.  Nobody gets through a handshake until
 * server_run() has started the ZAP handler. */
struct server *server_listen(const struct conf *c);
/* Serve on S until SIGTERM or SIGINT, then free it.  READY is called once
 * requests are being served.  0 after a clean shutdown, -1 (logged) when
 * serving could not start. */
int	 server_run(struct server *s, const struct conf *c,
	    struct modules *mods, const struct keyring *ring,
	    struct audit *audit, server_ready_fn ready, void *arg);
/* Free S without serving, when what comes between failed. */
void	 server_free(struct server *s);

/* Block the signals server_run() handles; call before starting threads. */
void	 server_block_signals(void);

#endif
