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

/* Serve until SIGTERM or SIGINT.  READY is called once the socket is bound.
 * 0 after a clean shutdown, -1 (logged) when serving could not start. */
int	 server_run(const struct conf *c, struct modules *mods,
	    const struct keyring *ring, struct audit *audit,
	    server_ready_fn ready, void *arg);

/* Block the signals server_run() handles; call before starting threads. */
void	 server_block_signals(void);

#endif
