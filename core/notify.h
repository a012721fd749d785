/*
 * notify.h - tell systemd (Type=notify) how the daemon is doing.
 *
 * The sd_notify(3) protocol without libsystemd: one datagram of
 * "VARIABLE=value" lines to the unix socket named by $NOTIFY_SOCKET (a
 * path, or an abstract name after '@').  Without $NOTIFY_SOCKET, nothing.
 */
#ifndef COFFER_NOTIFY_H
#define COFFER_NOTIFY_H

/* Send STATE, such as "READY=1"; failures are logged at debug only. */
void	 notify_send(const char *state);

#endif
