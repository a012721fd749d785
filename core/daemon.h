/*
 * daemon.h - detach from the terminal, and tell the parent when ready.
 *
 * daemon_start() forks; the parent waits until the child calls
 * daemon_ready() (then exits 0) or dies first (then exits 1), so startup
 * errors still reach the terminal and an init script sees the outcome.
 */
#ifndef COFFER_DAEMON_H
#define COFFER_DAEMON_H

/* Returns in the child only.  -1 if fork() failed. */
int	 daemon_start(void);
/* In the child: detach stdio, tell the parent, write PIDFILE if any. */
void	 daemon_ready(const char *pidfile);
/* Remove the pid file at exit. */
void	 daemon_finish(const char *pidfile);

#endif
